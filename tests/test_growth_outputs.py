"""Issue 11 in the run: the long-run growth assumption is stated in every output, the growth is
split into demographic and prevalence parts, plans per 1,000 by age band are written, and the
scenario chooses the long-run assumption."""
import pandas as pd
import pytest

from sufficiency.cli import main
from sufficiency.report.page import summary
from sufficiency.report.tables import output_tables
from sufficiency.scenario import load_scenario
from sufficiency.workflow import _forecast, _history, _population, _read_la
from sufficiency.scenario_files import read_scenario_files

from .conftest import EXAMPLE, REPO


def _inputs(s):
    """The LA's tables (read once, as a run does) and the history the run forecasts."""
    data = _read_la(s)
    _, _, hist = _history(s, read_scenario_files(s), data, [])
    return data, hist


def test_every_output_states_the_long_run_assumption(example_run, example_out):
    a = output_tables(example_run)["assumptions"].set_index("parameter")["value"]
    assert a["forecast: long-run growth"].startswith("long-run growth: annual growth converges "
                                                     "to 5.0% a year")
    assert a["forecast.long_run"] == "converge"
    assert "long-run growth: annual growth converges" in summary(example_run)
    html = (example_out / "report.html").read_text(encoding="utf-8")
    assert "long-run growth: annual growth converges to 5.0% a year" in html


def test_growth_split_adds_up_and_names_both_parts(example_run):
    split = output_tables(example_run)["growth_split"]
    assert (split["demographic_effect"] + split["prevalence_effect"] - split["growth"]).abs() \
        .max() < 1e-6
    last = split[split["year"] == split["year"].max()].set_index("age_band")
    bands = last.drop(index="all")
    assert last.loc["all", "demographic_effect"] == pytest.approx(
        bands["demographic_effect"].sum())
    assert "demographic" in summary(example_run) and "prevalence" in summary(example_run)


def test_plans_per_1000_history_and_forecast(example_run):
    t = output_tables(example_run)["plans_per_1000"]
    assert set(t["basis"]) == {"history (DfE SEN2)", "forecast (mean)"}
    assert t["year"].min() == 2019                # reverse ageing trusted 5 years back
    row = t[(t["year"] == 2025) & (t["age_band"] == "all")].iloc[0]
    assert row["per_1000"] == pytest.approx(row["count"] / row["population"] * 1000)


@pytest.mark.parametrize("long_run, words", [
    ("trend", "the forecast trend continues"),
    ("national_path", "England follows a national path (1,000,000 in 2033)")])
def test_scenario_chooses_the_long_run_assumption(long_run, words):
    s = load_scenario(EXAMPLE, overrides={"forecast.long_run": long_run})
    data, hist = _inputs(s)
    f = _forecast(s, hist, data, population=_population(s, hist, data))
    a = f.assumptions.set_index("name")["value"]
    assert words in a["long-run growth"]


def test_trend_grows_faster_than_convergence_here():
    # Wiltshire grew about 15% a year recently: the trend carries that on, convergence to 5%
    # bends it down, so the trend's 2033 total is higher
    out = {}
    for lr in ("trend", "converge"):
        s = load_scenario(EXAMPLE, overrides={"forecast.long_run": lr})
        data, hist = _inputs(s)
        f = _forecast(s, hist, data, population=_population(s, hist, data))
        out[lr] = f.table.query("age_band == 'all'")["mean"].iloc[-1]
    assert out["trend"] > out["converge"]


def test_unknown_long_run_is_a_clear_error(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("forecast:\n",
                                                        "forecast:\n  long_run: plateau\n", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="long_run"):
        load_scenario(path)


def test_backtest_speaks_the_planners_language(capsys):
    assert main(["backtest", str(REPO / "scenarios" / "herefordshire.yaml")]) == 0
    out = capsys.readouterr().out
    assert "5 years ahead: typically" in out
    assert "the 80% band held for" in out


def test_prevalence_model_uses_the_aged_population():
    s = load_scenario(EXAMPLE, overrides={"forecast.model": "prevalence"})
    data, hist = _inputs(s)
    pop = _population(s, hist, data)
    f = _forecast(s, hist, data, population=pop)
    assert set(f.model["model"]) == {"prevalence"}
    assert f.model["description"].str.contains("prevalence per 1,000").all()
    # the count is the projected rate times the population aged forward: the 5-10 band's
    # plans per 1,000 in the last year equal mean / population * 1000
    last = f.table["year"].max()
    row = f.table[(f.table["year"] == last) & (f.table["age_band"] == "5-10")].iloc[0]
    p = pop[(pop["year"] == last) & (pop["age_band"] == "5-10")]["population"].item()
    split = f.components.set_index(["age_band", "year"]).loc[("5-10", last)]
    assert split["per_1000_mean"] == pytest.approx(row["mean"] / p * 1000)
