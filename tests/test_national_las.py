"""The six LAs the full sweep used to fail on: each now runs, or is skipped with the reason, on
the real data (the embedded DfE extract; the checks against the DfE's own files skip when
../shared/data is absent)."""
import functools
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sufficiency.data as sd
import sufficiency.data.highneeds as hn
from sufficiency.data.build import _neighbours
from sufficiency.errors import DataWarning
from sufficiency.national import _run_la, _Task, la_seed, sweep
from sufficiency.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "scenarios" / "example.yaml"


@functools.lru_cache(maxsize=None)
def fast_file() -> Path:
    path = Path(tempfile.mkdtemp(prefix="sweep-las-")) / "fast.yaml"
    path.write_text(f"extends: {EXAMPLE}\nforecast:\n  n_paths: 100\n  horizon: 4\n")
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """One sweep of the six, in this process (the four that run take a few seconds each)."""
    out = tmp_path_factory.mktemp("six") / "run"
    las = ["201", "420", "812", "873", "835+836+837", "301"]
    result = sweep(load_scenario(fast_file()), las=las, out=out)
    return result.status.set_index("la_code"), result.tables


def _quiet(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return function(*args)


# --- City of London, Isles of Scilly: too few plans for age-band series: skipped, with why ----

@pytest.mark.parametrize("code, plans, words", [
    ("201", 26, "age_band='20-25': column 'count' has 1 positive value(s)"),
    ("420", 17, "age_band='11-15': column 'year' has gaps ([2023])"),
])
def test_an_la_whose_history_cannot_be_forecast_is_skipped_with_the_reason(code, plans, words,
                                                                             swept):
    status, tables = swept
    row = status.loc[code]
    assert row["status"] == "skipped"
    assert f"({plans} EHC plans in January 2025) cannot be forecast by age band" in \
        row["message"]
    assert words in row["message"] and "Traceback" not in row["message"]
    assert code not in set(tables["forecast"]["la_code"])
    # the same in one LA's run, outside a sweep
    task = _Task(code, "", code, load_scenario(fast_file(), overrides={"data.la": code}),
                 la_seed(0, code), "tables")
    assert _run_la(task).status == "skipped"


def test_another_validation_error_is_still_a_failure(monkeypatch):
    from sufficiency.errors import ValidationError

    def broken(scenario, **kwargs):
        raise ValidationError("demand: something else is wrong")

    monkeypatch.setattr("sufficiency.workflow.run_scenario", broken)
    task = _Task("857", "Rutland", "Rutland", load_scenario(fast_file()), 1, "tables")
    result = _run_la(task)
    assert result.status == "failed" and "something else is wrong" in result.message


# --- North East Lincolnshire, Cambridgeshire: 2025 placements not published -----------------

@pytest.mark.parametrize("code", ["812", "873"])
def test_unpublished_placements_are_estimated_from_the_year_before_and_flagged(code):
    t = _quiet(sd.la_placements_by_age, code)
    assert sorted(t["year"].unique()) == [2024, 2025]
    y25 = t[t["year"] == 2025]
    assert y25["flag"].str.startswith("estimated: placements not published for 2025").all()
    assert (t.loc[t["year"] == 2024, "flag"] == "").all()
    # every age band adds up to the plans the DfE published for it in January 2025
    history = _quiet(sd.la_history, code)
    want = history[(history["year"] == 2025) & (history["age_band"] != "all")] \
        .set_index("age_band")["count"]
    got = y25.groupby("age_band")["count"].sum()
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    # within a band, the 2024 mix
    y24 = t[t["year"] == 2024].set_index(["age_band", "provision"])["count"].fillna(0.0)
    mix24 = y24 / y24.groupby(level="age_band").transform("sum")
    mix25 = y25.set_index(["age_band", "provision"])["count"]
    mix25 = mix25 / mix25.groupby(level="age_band").transform("sum")
    pd.testing.assert_series_equal(mix25.sort_index(), mix24.reindex(mix25.index).sort_index(),
                                   check_names=False)


def test_a_published_year_is_untouched():
    t = sd.la_placements_by_age("Wiltshire")
    assert (t["flag"] == "").all() and sorted(t["year"].unique()) == [2024, 2025]


@pytest.mark.parametrize("code", ["812", "873"])
def test_placements_are_really_unpublished_in_the_dfe_file(code, source_dir):
    raw = pd.read_csv(source_dir / "dfe-sen2-2025" / "caseload.csv", dtype=str)
    rows = raw[(raw["old_la_code"] == code) & (raw["time_period"] == "202425")]
    assert len(rows) and rows["ehcplans"].ne("x").any()
    for column in ("mainstream_total", "special_la_maintained", "special_independent"):
        assert (rows[column] == "x").all()


# --- Dorset + BCP footprint: money data under Dorset (838) and BCP (839) ---------------------

def test_the_dorset_bcp_footprint_adds_up_its_members_money_data():
    fp = sd.la_funded_places("835+836+837").set_index(["year", "place_type"])
    parts = [sd.la_funded_places(c).set_index(["year", "place_type"]) for c in ("838", "839")]
    total = parts[0][["places", "deduction_gbp"]].add(parts[1][["places", "deduction_gbp"]])
    pd.testing.assert_frame_equal(fp[["places", "deduction_gbp"]].fillna(0),
                                  total.fillna(0).reindex(fp.index))
    block = hn.la_high_needs_block("835+836+837")
    assert "basic_entitlement_rate" not in set(block["line"])        # a rate does not add up
    one = block.query("year == 2024 and line == 'high_needs_block'")["value"].item()
    each = [hn.la_high_needs_block(c).query("year == 2024 and line == 'high_needs_block'")
            ["value"].item() for c in ("838", "839")]
    assert one == pytest.approx(sum(each))
    with pytest.raises(KeyError, match="no rows"):    # a rate table is not added up
        hn.la_dsg_deficit("835+836+837")


# --- Barking and Dagenham: its statistical neighbours were dropped by the data build --------

def test_barking_and_dagenham_has_its_statistical_neighbours():
    assert sd.statistical_neighbours("Barking and Dagenham")[:3] == ["308", "821", "313"]


def test_the_build_reads_the_first_la_of_the_neighbours_sheet(source_dir):
    built = _neighbours(source_dir)
    first = built[built["la_code"] == "301"].sort_values("rank")
    assert first["neighbour_code"].tolist()[:2] == ["308", "821"] and len(first) == 10
    assert set(built["la_code"]) == set(sd.load_table("neighbours")["la_code"])


# --- the four that run ---------------------------------------------------------------------

@pytest.mark.parametrize("code", ["812", "873", "835+836+837", "301"])
def test_the_las_that_used_to_fail_now_run(code, swept):
    status, tables = swept
    row = status.loc[code]
    assert row["status"] == "ok", row["message"]
    assert row["stopped_by"] in ("optimal", "gap_limit", "node_limit")
    for name in ("forecast", "demand", "capital_programme", "dsg_trajectory"):
        assert code in set(tables[name]["la_code"])
    demand = tables["demand"][tables["demand"]["la_code"] == code]
    assert demand["demand"].sum() > 0
