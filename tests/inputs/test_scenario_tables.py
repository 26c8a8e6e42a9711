"""Every table a scenario can name is read from its file, checked, and used by the run.

Travel (``allocate.travel``), children placed now (``allocate.existing``) and the cost per place
(``finance.costs``) join the settings, designation and projects tables: a small Wiltshire run
(3 years, constant growth) shows each one changing the plan the way it says it does.
"""

from pathlib import Path

import pandas as pd
import pytest

from sufficiency import finance as fi
from sufficiency.errors import ValidationError
from sufficiency.scenario import load_scenario
from sufficiency.scenario_files import plan_years, read_scenario_files
from sufficiency.workflow import run_scenario

SCENARIO = """\
name: own tables
data:
  la: Wiltshire
forecast:
  model: constant_growth
  horizon: 3
  n_paths: 20
allocate:
  settings: settings.csv
  designations: designation.csv
{extra}
"""

SETTINGS = """\
setting,provision,capacity,cost_per_place
Oak,special_maintained,300,25000
Elm,resource_base,60,16000
Independent,special_independent,,60000
"""

GROUPS = ["communication_interaction", "cognition_learning", "semh", "sensory_physical", "other"]
PHASES = ["early years", "primary", "secondary", "post-16", "post-19"]


def _designation() -> str:
    rows = ["setting,need,phase", "Oak,ASD,primary", "Oak,ASD,secondary",
            "Oak,cognition_learning,primary", "Oak,semh,secondary", "Elm,ASD,primary"]
    rows += [f"Independent,{g},{p}" for g in GROUPS for p in PHASES]
    return "\n".join(rows) + "\n"


def _write(root: Path, extra: str, files: dict) -> Path:
    (root / "s.yaml").write_text(SCENARIO.format(extra=extra))
    (root / "settings.csv").write_text(SETTINGS)
    (root / "designation.csv").write_text(_designation())
    for name, text in files.items():
        (root / name).write_text(text)
    return root / "s.yaml"


def test_travel_and_existing_placements_from_files_shape_the_plan(tmp_path):
    path = _write(tmp_path, "  travel: travel.csv\n  existing: existing.csv\n"
                  "  max_travel_minutes: 120\n", {
                      "travel.csv": "area,setting,cost,minutes\nall,Oak,4000,30\n"
                                    ",Elm,2000,20\nall,Independent,9000,90\n",
                      # ASD and SLCN are both communication and interaction: 120 children
                      "existing.csv": "setting,need,phase,count\nOak,ASD,primary,100\n"
                                      "Oak,SLCN,primary,20\nElm,ASD,primary,40\n"})
    run = run_scenario(load_scenario(path))
    p = run.allocation.placements
    # transport: every child placed costs the travel table's figure for their setting
    fare = p["setting"].map({"Oak": 4000.0, "Elm": 2000.0, "Independent": 9000.0})
    assert (p["transport_cost"] - p["placed"] * fare).abs().max() < 1e-6
    assert p["transport_cost"].sum() > 0
    # the children placed now stay, carried forward: the first plan year starts from them
    first = p[p["year"] == p["year"].min()]
    oak = first[(first["setting"] == "Oak") & (first["need"] == "communication_interaction")
                & (first["phase"] == "primary")]
    elm = first[first["setting"] == "Elm"]
    assert 0 < oak["existing"].sum() <= 120 + 1e-6
    assert 0 < elm["existing"].sum() <= 40 + 1e-6
    assert oak["existing"].sum() / 120 == pytest.approx(elm["existing"].sum() / 40, rel=0.2)
    assert any("existing.csv" in n and "added together" in n for n in run.notes)


def test_a_travel_limit_keeps_new_children_out_of_far_settings(tmp_path):
    path = _write(tmp_path, "  travel: travel.csv\n  max_travel_minutes: 60\n", {
        "travel.csv": "area,setting,cost,minutes\nall,Oak,0,30\nall,Elm,0,20\n"
                      "all,Independent,0,90\n"})
    run = run_scenario(load_scenario(path))
    p = run.allocation.placements
    assert p.loc[p["setting"] == "Independent", "new"].sum() == pytest.approx(0, abs=1e-6)
    assert run.allocation.unplaced["unplaced"].sum() > 0


def test_costs_from_a_file_price_the_place_plan_and_the_dsg_projection(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "name: own costs\ndata:\n  la: Wiltshire\nforecast:\n  model: constant_growth\n"
        "  horizon: 3\n  n_paths: 20\nfinance:\n  costs: costs.csv\n")
    (tmp_path / "costs.csv").write_text(
        "provision,phase,cost_per_place,source\nindependent,,70000,our contracts 2024\n"
        "special_maintained,post-16,30000,\n")
    run = run_scenario(load_scenario(tmp_path / "s.yaml"))
    first = int(run.demand["year"].min())
    table = fi.cost_table().set_index(["provision", "phase"])
    assert table.loc[("special_independent", "all"), "hnb_cost_gbp"] != 70000
    # the place plan: the illustrative independent setting costs 70,000 in 2023-24 prices,
    # moved to the first plan year on the fee price path, as the finance sheets price it
    ours = table.reset_index()
    ours.loc[ours["provision"] == "special_independent", ["fee_gbp", "hnb_cost_gbp"]] = 70000.0
    expected = fi.unit_costs([first], ours).set_index("provision").loc[
        "special_independent", "hnb_cost_gbp"]
    p = run.allocation.placements
    ind = p.loc[p["provision"] == "special_independent", "cost_per_place"].unique()
    assert ind == pytest.approx([expected])
    # a cost for one phase prices that phase only
    sp = p[p["provision"] == "special_maintained"]
    assert sp.loc[sp["phase"] == "post-16", "cost_per_place"].nunique() <= 1
    if (sp["phase"] == "post-16").any() and (sp["phase"] != "post-16").any():
        assert sp.loc[sp["phase"] == "post-16", "cost_per_place"].iloc[0] != \
            sp.loc[sp["phase"] != "post-16", "cost_per_place"].iloc[0]
    # the DSG projection: the same figure with its source
    a = run.deficit.assumptions.set_index("name")
    assert float(a.loc["cost_special_independent", "value"]) == 70000.0
    assert a.loc["cost_special_independent", "source"] == "our contracts 2024"


@pytest.mark.parametrize("extra, files, expected", [
    ("  travel: travel.csv\n", {"travel.csv": "area,setting,cost\nall,Oka,10\n"},
     ["travel.csv, line 2, column 'setting': 'Oka' is not in the settings table",
      "did you mean 'Oak'"]),
    ("  travel: travel.csv\n", {"travel.csv": "area,setting,cost\nNorth,Oak,10\n"},
     ["travel.csv, line 2, column 'area': 'North' is not an area of the settings table",
      "expected 'all'"]),
    ("  travel: travel.csv\n", {"travel.csv": "area,setting,cost\nall,Oak,-5\n"},
     ["travel.csv, line 2, column 'cost'", "0 to 1,000,000"]),
    ("  existing: existing.csv\n",
     {"existing.csv": "setting,need,phase,count\nOak,SEMH,primary,5\n"},
     ["existing.csv, line 2: setting 'Oak' is not designated for need 'semh', phase 'primary'"]),
    ("  existing: existing.csv\n",
     {"existing.csv": "year,setting,need,phase,count\n2027,Oak,ASD,primary,5\n"},
     ["existing.csv, line 2, column 'year'", "2025, the January before the plan (2026-2028)"]),
    ("  existing: existing.csv\n",
     {"existing.csv": "setting,need,phase,count\nOak,ASD,KS9,5\n"},
     ["existing.csv, line 2, column 'phase': 'KS9' is not a phase"]),
    ("finance:\n  costs: costs.csv\n",
     {"costs.csv": "provision,cost_per_place\nspecial_maintaned,25000\n"},
     ["costs.csv, line 2, column 'provision'", "did you mean 'special_maintained'"]),
    ("finance:\n  costs: costs.csv\n",
     {"costs.csv": "provision,cost_per_place\nspecial_maintained,-25000\n"},
     ["costs.csv, line 2, column 'cost_per_place'", "0 to 1,000,000"]),
    ("finance:\n  costs: costs.csv\n",
     {"costs.csv": "provision,cost\nspecial_maintained,25000\n"},
     ["costs.csv, line 1: required column 'cost_per_place' is missing"]),
    ("finance:\n  costs: costs.csv\n",
     {"costs.csv": "provision,phase,cost_per_place\nap,all,20000\nap,,21000\n"},
     ["costs.csv, lines 2, 3, column 'provision'", "one row per provision and phase"]),
])
def test_bad_rows_in_the_new_tables_are_located(tmp_path, extra, files, expected):
    path = _write(tmp_path, extra, files)
    found = read_scenario_files(load_scenario(path))
    text = "\n".join(found.problems)
    for e in expected:
        assert e in text, text
    with pytest.raises(ValidationError):
        run_scenario(load_scenario(path))


def test_travel_and_existing_need_the_settings_they_name(tmp_path):
    (tmp_path / "t.csv").write_text("area,setting\nall,Oak\n")
    (tmp_path / "s.yaml").write_text("data:\n  la: Wiltshire\nallocate:\n  travel: t.csv\n")
    with pytest.raises(ValidationError, match=r"s.yaml, line 4: allocate.travel is given "
                                              "without allocate.settings"):
        load_scenario(tmp_path / "s.yaml")


def test_plan_years_are_known_before_forecasting(tmp_path):
    s = load_scenario("scenarios/example.yaml", overrides={"forecast.horizon": 4})
    assert plan_years(s) == [2026, 2027, 2028, 2029]
    h = pd.DataFrame({"year": [2020, 2021, 2022], "count": [1.0, 2.0, 3.0]})
    assert plan_years(s, h) == [2023, 2024, 2025, 2026]


from hypothesis import given, settings, strategies as st  # noqa: E402

from sufficiency.scenario import check_income_lines, scenario_from_dict  # noqa: E402

_values = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.lists(st.integers(), max_size=2))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.dictionaries(st.sampled_from(["year", "financial_year", "line", "amount_gbp", "label"]),
                    _values, max_size=5),
    _values), max_size=4))
def test_income_lines_are_each_accepted_or_named_by_key(items):
    good, problems = check_income_lines(items, lambda key: f"s.yaml <{key}>")
    ok = {g[0] for g in good}
    for i, item in enumerate(items):
        mine = [p for p in problems if f"finance.income_lines[{i}]" in p]
        assert (i in ok) != bool(mine), (item, good, problems)
        if i in ok:
            _, year, label, amount = good[[g[0] for g in good].index(i)]
            assert 2000 <= year <= 2100 and label and amount != 0 and abs(amount) <= 1e10
        else:
            assert all(p.startswith("s.yaml <finance.income_lines[") for p in mine)


def test_income_lines_reach_the_dsg_tables_in_their_census_year(tmp_path):
    s = scenario_from_dict({"data": {"la": "Wiltshire"}, "forecast": {"horizon": 3},
                            "finance": {"income_lines": [
                                {"financial_year": "2026-27", "line": "Safety Valve",
                                 "amount_gbp": 4_000_000},
                                {"year": 2028, "line": "transfer out", "amount_gbp": -1e6}]}})
    from sufficiency.scenario import income_lines_frame

    frame = income_lines_frame(s)
    assert frame.values.tolist() == [[2027, "Safety Valve", 4e6], [2028, "transfer out", -1e6]]
    assert read_scenario_files(s).problems == []
