"""The deficit chart draws the band it promises; every figure says what it is; like for like."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from sufficiency.report import charts as ch
from sufficiency.report.compare import compare_runs
from sufficiency.report.page import deficit_chart_data, headlines, page_tables


def test_chart_data_has_a_band_for_every_scenario_with_paths(example_run):
    data = deficit_chart_data(example_run)
    plan = example_run.deficit
    for scenario in plan.scenarios:
        rows = plan.deficit_range().query("scenario == @scenario")
        with_paths = bool(rows["paths"].all())
        assert with_paths == plan.statistic(scenario).startswith("mean of")
    banded = data[data["band"]]
    assert len(banded) and banded[["p10", "p90"]].notna().all().all()
    assert (banded["p10"] >= banded["p90"]).all()     # balance: p10 of the deficit is the top
    # the line is the mean the tables show (balance = -deficit)
    t = plan.trajectory
    merged = t[["scenario", "year", "cumulative_deficit_gbp"]]
    assert np.allclose(np.sort(-data["mean"].to_numpy()),
                       np.sort(merged["cumulative_deficit_gbp"].to_numpy()))
    # a scenario without paths says so instead of pretending
    unbanded = data[~data["band"]]
    assert unbanded["variant"].str.contains("one run, no band").all()
    assert unbanded[["p10", "p90"]].isna().all().all()


def test_chart_shades_exactly_the_banded_variants(example_run):
    data = deficit_chart_data(example_run)
    fig = ch.deficit_chart(data)
    shaded = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(shaded) == data.loc[data["band"], "variant"].nunique()
    assert "mean of the paths" in fig.axes[0].get_title()


def test_headlines_name_the_statistic_and_the_answer(example_run):
    heads = dict(headlines(example_run))
    deficit = [k for k in heads if "DSG deficit at the end of" in k]
    assert deficit and all("(mean of" in k or "(one deterministic run, no paths)" in k for k in deficit)
    answer = [k for k in deficit if k.startswith("The answer")]
    assert len(answer) == 1 and "optimised place plan" in answer[0]
    assert any(k.startswith("Opening DSG deficit") and "(estimated)" in k for k in heads)


def test_scenarios_on_the_same_footing(example_run):
    like = example_run.deficit.like_for_like.set_index("scenario")
    plan = example_run.allocation
    assert like.loc["allocation_plan", "new_local_places"] == plan.capital_programme[
        "places"].sum()
    assert like.loc["allocation_plan", "capital_gbp"] == pytest.approx(
        plan.capital_programme["capital_cost"].sum())
    per_place = like.loc["allocation_plan", "capital_gbp"] / like.loc[
        "allocation_plan", "new_local_places"]
    mix = like.loc["unmitigated"]
    assert mix["new_local_places"] > 0
    assert mix["capital_gbp"] == pytest.approx(mix["new_local_places"] * per_place)
    # one transport rule: today's mix and the plan are within a factor of 2, not 10
    ratio = like.loc["unmitigated", "transport_gbp"] / like.loc["allocation_plan",
                                                                 "transport_gbp"]
    assert 0.5 < ratio < 2
    assert like["answer"].sum() == 1 and like.loc["allocation_plan", "answer"]
    tables = {h: (f, c) for h, f, c, *_ in page_tables(example_run)}
    frame, caption = tables["The scenarios on the same footing"]
    assert "(the answer)" in " ".join(frame["Scenario"])
    assert "more local places" in caption and "The answer is" in caption


def test_compare_shows_one_answer_per_scenario(example_run):
    table = compare_runs([example_run, example_run])
    rows = table.set_index("measure")
    answer = rows.loc[[m for m in rows.index if m.startswith("The answer: cumulative")][0]]
    name = table.columns[1]          # the same scenario twice: both kept, named apart
    assert len(table.columns) == 4 and table.columns[1].startswith(example_run.name)
    assert answer[name] == pytest.approx(example_run.deficit.answer()[1])
    assert "The answer: scenario" not in rows.index      # numbers only; the rule is the label


def test_chart_list_survives_a_plan_with_no_costs(example_run):
    """A plan that places and builds nothing has an empty cost table: the page draws no cost
    chart (it used to end in int(NaN), an internal error) and keeps the others."""
    import dataclasses

    from sufficiency.report.page import chart_specs

    plan = example_run.allocation
    empty = dataclasses.replace(plan, cost_by_year=plan.cost_by_year.iloc[0:0])
    run = dataclasses.replace(example_run, allocation=empty)
    names = [spec[0] for spec in chart_specs(run)]
    assert "cost_by_provision.png" not in names
    assert "cost_by_provision.png" in [spec[0] for spec in chart_specs(example_run)]
    assert "cumulative_deficit.png" in names


def test_summary_says_whether_the_answer_peaks_and_what_it_counts(example_run):
    """The answer's sentence says whether the deficit peaks inside the plan (from the
    trajectory, not a fixed phrase) and that it counts only the scenario's own levers and
    income lines, unlike a council's Safety Valve forecast."""
    from sufficiency.report.page import summary_paragraphs

    plan = example_run.deficit
    answer, _ = plan.answer()
    rows = plan.trajectory[plan.trajectory["scenario"] == answer].sort_values("year")
    text = " ".join(summary_paragraphs(example_run))
    peak = plan.peak(answer)
    last = rows.iloc[-1]
    highest_last = rows["cumulative_deficit_gbp"].iloc[-1] == rows["cumulative_deficit_gbp"].max()
    if highest_last and last["in_year_balance_gbp"] < 0:
        assert peak["rising"] and "has not peaked by the end of" in text
    else:
        assert not peak["rising"] and "It peaks at" in text
    assert peak["deficit_gbp"] == pytest.approx(rows["cumulative_deficit_gbp"].max())
    assert "Safety Valve or Delivering Better Value forecast" in text


def test_the_dsg_table_says_what_each_figure_is(example_run):
    """The DSG position written to the workbook and CSV carries, per scenario, whether its money
    is the mean of the simulated paths or one deterministic run."""
    from sufficiency.report.tables import output_tables

    table = output_tables(example_run)["dsg_trajectory"]
    said = table.groupby("scenario")["statistic"].unique()
    assert all(len(v) == 1 for v in said)
    assert said["unmitigated"][0].startswith("mean of ") and "simulated paths" in said[
        "unmitigated"][0]
    assert said["allocation_plan"][0] == "one deterministic run, no paths"
