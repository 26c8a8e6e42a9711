"""End to end: the README's main command, reproducibility, the report in a browser."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sufficiency.cli import main
from sufficiency.report.page import headlines
from sufficiency.report.tables import assumptions
from sufficiency.workflow import run_scenario

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "scenarios" / "example.yaml"


def test_main_command_writes_every_output(example_out):
    for name in ("results.xlsx", "report.html", "manifest.json", "charts/fan_chart_by_age.png",
                 "charts/demand_vs_capacity.png", "charts/capital_programme.png",
                 "charts/cost_by_provision.png", "charts/cumulative_deficit.png"):
        assert (example_out / name).exists(), name
    sheets = pd.ExcelFile(example_out / "results.xlsx").sheet_names
    for sheet in ("Assumptions", "Forecast", "Placements", "Capital programme", "Cost by year",
                  "Without a place", "Value of one more place", "DSG position",
                  "Board measures", "DSG placements (today's mix)", "DSG finance (place plan)",
                  "SCAP primary", "SCAP secondary"):
        assert sheet in sheets, sheet
    for name in ("dfe_dsg_placements_unmitigated", "dfe_scap_nc_primary", "capital_programme"):
        assert (example_out / "tables" / f"{name}.csv").exists(), name
    manifest = json.loads((example_out / "manifest.json").read_text())
    assert manifest["seed"] == 0 and len(manifest["scenario_hash"]) == 64
    assert "scenarios/example.yaml" in " ".join(manifest["input_files_sha256"])


def test_same_scenario_same_bytes(example_out, tmp_path):
    again = tmp_path / "again"
    assert main(["run", str(EXAMPLE), "--out", str(again), "--quiet"]) == 0
    first = json.loads((example_out / "manifest.json").read_text())
    second = json.loads((again / "manifest.json").read_text())
    for name in first["outputs"]:
        if name != "manifest.json":
            assert (example_out / name).read_bytes() == (again / name).read_bytes(), name
    first.pop("timings_seconds"), second.pop("timings_seconds")
    assert first == second


def test_existing_out_needs_force(example_out, capsys):
    assert main(["run", str(EXAMPLE), "--out", str(example_out), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err


def test_plan_invariants(example_run):
    plan = example_run.allocation
    assert plan.status in ("optimal", "feasible")
    demand = example_run.demand.groupby(["year", "need_group", "phase"])["demand"].sum()
    placed = plan.placements.groupby(["year", "need", "phase"])["placed"].sum()
    unplaced = plan.unplaced.groupby(["year", "need", "phase"])["unplaced"].sum() \
        if len(plan.unplaced) else pd.Series(dtype=float)
    both = pd.concat([demand.rename_axis(["year", "need", "phase"]).rename("demand"),
                      placed.rename("placed"), unplaced.rename("unplaced")], axis=1).fillna(0)
    np.testing.assert_allclose(both["placed"] + both["unplaced"], both["demand"], atol=1e-4)
    util = plan.utilisation
    finite = np.isfinite(util["capacity"])
    # within the solver's feasibility tolerance (CBC: about 1e-7 relative)
    assert (util.loc[finite, "placed"] <= util.loc[finite, "capacity"] * (1 + 1e-7) + 1e-5).all()


def test_children_stay_where_they_are_placed(example_run):
    """Issue 12 on the Wiltshire example (no step-down lever): independent and non-maintained
    placements fall by at most 25% a year, the first plan year keeps at least 70% of the latest
    published count, the flows add up to the forecast, and no capital is spent in the
    financial year under way."""
    import sufficiency.data as sd
    from sufficiency.flows import MAX_AGE

    run = example_run
    plan = run.allocation
    pl = plan.placements
    ind = pl[pl["provision"].isin(sd.INDEPENDENT)].groupby("year")["placed"].sum()
    published = sd.la_placements(run.la_code)
    latest = published[published["year"] == published["year"].max()]
    base = latest.loc[latest["provision"].isin(sd.INDEPENDENT), "count"].sum()
    assert ind.iloc[0] >= 0.7 * base
    assert (ind / ind.shift(1)).dropna().min() >= 0.75
    assert len(plan.step_downs) == 0 and len(plan.over_demand) == 0
    # the flow account adds up to the planning figure of the forecast, band by band
    t = run.flows.table
    stock = t[t["age"] <= MAX_AGE].groupby(["year", "age_band"])["stock"].sum()
    f = run.forecast.table
    want = f[f["age_band"] != "all"].set_index(["year", "age_band"])[
        run.scenario.get("forecast.planning_quantile")]
    np.testing.assert_allclose(stock.reindex(want.index).to_numpy(), want.to_numpy(), rtol=1e-9)
    # capital on a believable clock: nothing in 2026 (2025-26), openings after the lead time
    first = int(run.demand["year"].min())
    capital = plan.cost_by_year.groupby("year")["capital"].sum()
    assert capital.get(first, 0.0) == 0.0
    assert (plan.capital_programme["opening_year"] > first).all()
    measures = set(run.measures["measure"])
    assert {"independent_placements", "transitions_deferred", "step_downs",
            "children_awaiting_specialist_place", "new_plans_mainstream_share"} <= measures
    mix = assumptions(run).set_index("parameter").loc["flows: new_placement_mix", "value"]
    assert mix.startswith("pooled")


def test_new_plan_years_are_census_years_in_every_output(example_run):
    """The LA's new plans (made in calendar 2019-2024) are years 2020-2025, the Januaries they
    lead up to: in the new_placement_mix sheet and the board measures the history runs up to
    the base year (January 2025) and the plan takes over the year after, with no gap and no
    overlap (before, the history said 2019-2024 and the plan started in 2026)."""
    mix = example_run.flows.mix
    history = mix.loc[mix["method"] == "history", "year"].tolist()
    projected = mix.loc[mix["method"] != "history", "year"].tolist()
    assert history == list(range(2020, 2026)) and example_run.flows.base_year == 2025
    assert projected == list(range(2026, 2034))
    m = example_run.measures[example_run.measures["measure"] == "new_plans_mainstream_share"]
    years = m.sort_values("year")["year"].tolist()
    assert years == list(range(2020, 2034))
    past = m[m["basis"].str.startswith("history")]
    # Wiltshire, calendar 2024 (year 2025): 698 of its 993 new plans in mainstream
    assert past.set_index("year")["value"][2025] == pytest.approx(0.702920, abs=1e-6)


def test_assumptions_cover_every_stage(example_run):
    table = assumptions(example_run)
    stages = {p.split(":")[0] for p in table["parameter"] if ":" in p}
    assert {"demand", "forecast", "allocate", "finance"} <= stages
    assert "allocate.discount_rate" in set(table["parameter"])


def test_report_in_browser_shows_the_headline_figures(example_out, example_run, render_page):
    from matplotlib import image

    shot, dom = render_page(example_out / "report.html", height=3000)
    pixels = image.imread(shot)
    assert pixels[..., :3].std() > 0.05, "screenshot is blank"
    for label, value in headlines(example_run):
        assert value.replace(">", "&gt;") in dom or value in dom, (label, value)
    assert "ILLUSTRATIVE" in dom
    # the opening summary, in sentences, before the sections
    from sufficiency.report.page import summary_paragraphs

    first = summary_paragraphs(example_run)[0]
    assert "Summary" in dom and first.replace("'", "&#x27;") in dom or first in dom
    assert dom.index("Summary") < dom.index("How many children")
    assert dom.count("<figcaption>") >= 4 and dom.count("<caption>") >= 3
    assert dom.count("data:image/png;base64") >= 4


def test_own_history_file_drives_the_run(tmp_path):
    import sufficiency.data as sd

    hist = sd.la_history("Wiltshire")
    own = hist[hist["age_band"] != "all"][["year", "age_band", "count"]].round(0)
    own.to_csv(tmp_path / "history.csv", index=False)
    scenario = tmp_path / "own.yaml"
    scenario.write_text("name: own data\ndata: {la: Wiltshire, history: history.csv}\n"
                        "forecast: {n_paths: 200}\nallocate: {enabled: false}\n"
                        "finance: {enabled: false}\n")
    run = run_scenario(scenario)
    bands = run.history[run.history["age_band"] != "all"]
    assert bands["count"].sum() == own["count"].sum()
    # the README's format has no 'all' rows: each year's total is the sum of its bands
    totals = run.history[run.history["age_band"] == "all"].set_index("year")["count"]
    assert totals.to_dict() == bands.groupby("year")["count"].sum().to_dict()
    assert "data.history" in run.inputs
    assert run.demand["demand"].sum() > 0


def test_own_history_without_age_bands_says_what_is_needed(tmp_path, capsys):
    pd.DataFrame({"year": range(2015, 2026), "count": range(100, 111)}).to_csv(
        tmp_path / "h.csv", index=False)
    scenario = tmp_path / "s.yaml"
    scenario.write_text("data: {la: Kent, history: h.csv}\n")
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "forecast by age band" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _visible_text(path) -> str:
    import html
    import re

    page = Path(path).read_text(encoding="utf-8")
    alts = re.findall(r"alt='([^']*)'", page)
    page = re.sub(r"<style>.*?</style>|src='data:[^']*'", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + " ".join(alts))


def test_page_shows_words_not_internal_codes(example_out):
    import re

    text = _visible_text(example_out / "report.html")
    codes = sorted(set(re.findall(r"\b\w*[A-Za-z0-9]_\w*\b", text)))   # any word with _
    assert not codes, codes
    # nor the bare codes of needs, need groups, provisions and deficit scenarios
    for code in ("semh", "cognition", "special_non_maintained", "unmitigated", "allocation_plan",
                 "income_gbp", "SEMH", "ASD"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), code
    # money as £m with one decimal, no pounds-to-the-penny, years without separators
    assert not re.search(r"£-?\d{1,3}(,\d{3}){2,}", text), "money to the pound on the page"
    assert not re.search(r"\b2,0[23]\d\b", text), "a year written with a separator"


def test_page_assumptions_are_as_given_and_used(example_out):
    text = _visible_text(example_out / "report.html")
    assert "3.5%" in text and "0.5%" in text             # discount rate, MIP gap
    assert "£60,000 £ per place" not in text               # the unused example default
    assert "the LA's calibrated high needs cost per placement" in text


def test_workbook_money_and_share_columns_are_formatted(example_out):
    from openpyxl import load_workbook

    wb = load_workbook(example_out / "results.xlsx")

    def column(sheet, header):
        ws = wb[sheet]
        heads = [c.value for c in ws[1]]
        j = heads.index(header)
        return [row[j] for row in ws.iter_rows(min_row=2, max_row=6)]

    for sheet, header in (("Capital programme", "Capital cost (£)"),
                          ("Cost by year", "Revenue cost (£)"),
                          ("DSG position", "High Needs Block income (£)"),
                          ("DSG position", "Cumulative deficit (£)")):
        assert all(c.number_format.startswith('"£"#,##0') for c in column(sheet, header)), header
    assert all(c.number_format == "0.0%" for c in column("Utilisation", "Places filled"))
    assert all(c.number_format == "0" for c in column("Capital programme",
                                                      "Opening year (September)"))
    assert all(c.number_format == "#,##0" for c in column("Placements", "Children placed"))
    ws = wb["DSG finance (today's mix)"]   # the corner says what the money is (issue 13)
    assert ws["A1"].value == "High needs block (£, mean of 500 simulated paths)"
    assert ws["A2"].value == "High Needs Block income"
    ws = wb["DSG finance (place plan)"]
    assert ws["A1"].value == "High needs block (£, one deterministic run, no paths)"
    assert ws["B1"].value == "2025-26" and ws["B2"].number_format.startswith('"£"#,##0')
    ws = wb["SCAP primary"]
    assert [c.value for c in ws[1]][:4] == ["Provision type", "Academic year", "Reception",
                                            "Year 1"]
    assert ws["A2"].value == "SEN units and resourced provision in mainstream schools"
    assert ws["B2"].value == "2025/26" and ws["C2"].number_format == "#,##0"


def test_a_tables_only_run_with_a_place_plan_gives_the_full_runs_national_rows():
    # a national sweep's tables-only run skips every part of SKIPPABLE, including the tables
    # only a report shows (the place plan's utilisation, the DSG plan's DfE-layout tables and
    # like-for-like comparison): the LA's rows of every national table are the full run's,
    # bit for bit, and what was skipped is empty
    import warnings

    from sufficiency.errors import DataWarning
    from sufficiency.national import la_tables
    from sufficiency.scenario import load_scenario
    from sufficiency.scenario_run import SKIPPABLE

    scenario = load_scenario("scenarios/example.yaml", overrides={
        "data.la": "Rutland", "forecast.n_paths": 100, "forecast.horizon": 4,
        "allocate.marginal_values": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        full, lean = run_scenario(scenario), run_scenario(scenario, skip=SKIPPABLE)
    assert lean.skipped == ("goal_seek", "report_tables", "scap")
    full_tables, lean_tables = la_tables(full), la_tables(lean)
    assert set(full_tables) == set(lean_tables) and "capital_programme" in lean_tables
    for name, frame in full_tables.items():
        pd.testing.assert_frame_equal(frame, lean_tables[name], check_exact=True)
    for part in ("spend", "trajectory", "placements", "income"):
        pd.testing.assert_frame_equal(getattr(full.deficit, part), getattr(lean.deficit, part),
                                      check_exact=True)
    assert len(full.allocation.utilisation) and lean.allocation.utilisation.empty
    assert full.deficit.tables and not lean.deficit.tables
    assert len(full.deficit.like_for_like) and lean.deficit.like_for_like.empty
    assert len(full.deficit.comparison) and lean.deficit.comparison.empty
    assert full.notes == lean.notes
