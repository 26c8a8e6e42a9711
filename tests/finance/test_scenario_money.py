"""A scenario's own money settings reach the plan: its opening balance overrides the estimate,
its dated income lines (Safety Valve payments, block transfers) are income in their year, and the
deficit says whether it peaks."""
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sufficiency.finance as fin
from sufficiency.data import la_data
from sufficiency.finance.la_inputs import backcast_and_opening
from sufficiency.scenario import income_lines_frame, load_scenario, scenario_from_dict

REPO = Path(__file__).resolve().parents[2]
NO_LINES = pd.DataFrame(columns=["year", "line", "amount_gbp"])


@pytest.fixture(scope="module")
def wiltshire():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return la_data("Wiltshire")


def opening(data, scenario, first_year=2026):
    return backcast_and_opening(
        data, first_year=first_year, given_gbp=scenario.get("finance.opening_balance_gbp"),
        income_lines=income_lines_frame(scenario), income_growth=0.03,
        independent_fee_growth=0.04, label="Wiltshire")


def test_the_scenarios_balance_overrides_the_estimate_which_is_still_shown(wiltshire):
    own = scenario_from_dict({"data": {"la": "Wiltshire"},
                              "finance": {"opening_balance_gbp": -56_200_000}})
    _, given, notes = opening(wiltshire, own)
    _, estimated, said = opening(wiltshire, scenario_from_dict({"data": {"la": "Wiltshire"}}))
    assert estimated.status == "estimated" and any("(estimated)" in n for n in said)
    assert given.status == "given" and given.balance_gbp == -56_200_000
    assert given.estimate_gbp == pytest.approx(estimated.balance_gbp)
    assert not any("(estimated)" in n for n in notes)
    steps = list(given.derivation["step"])
    # the estimate's lines, in order, then the scenario's figure
    assert steps == ["published balance end of 2021-22", "reconciliation 2021-22",
                     "in-year gap 2022-23", "in-year gap 2023-24", "in-year gap 2024-25",
                     "given by the scenario (overrides the estimate)"]
    d = estimated.derivation
    # each line's running balance is the one before plus its amount (the reconciliation is
    # shown, not carried)
    carried = d[d["step"] != "reconciliation 2021-22"]
    assert carried["amount_gbp"].cumsum().to_numpy() == pytest.approx(
        carried["balance_gbp"].to_numpy())
    assert "-£56.2m" not in estimated.summary() and "£56.2m" in given.summary()


def test_safety_valve_example_lists_dated_income_lines_in_the_tables(wiltshire):
    scenario = load_scenario(REPO / "scenarios" / "example-safety-valve.yaml")
    lines = income_lines_frame(scenario)
    assert set(lines["line"]) == {"Safety Valve", "Schools block transfer (1%)"}
    assert lines.query("line == 'Safety Valve'")["amount_gbp"].sum() == pytest.approx(67e6)
    # lines before the plan go into the opening balance, one row a year
    _, ob, _ = opening(wiltshire, scenario)
    _, plain, _ = opening(wiltshire, scenario_from_dict({"data": {"la": "Wiltshire"}}))
    listed = ob.derivation[ob.derivation["step"].str.startswith("listed income")]
    assert list(listed["year"]) == [2024, 2025]
    before = lines[lines["year"] < 2026]["amount_gbp"].sum()
    assert ob.balance_gbp == pytest.approx(plain.balance_gbp + before)
    # lines in the plan are income in their year, on their own row of the DSG summary
    f = pd.DataFrame({"year": [2026, 2027, 2028, 2029], "mean": [3000.0] * 4})
    mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
    plan = fin.deficit_plan(f, mix=mix, income=80e6, income_lines=lines, goal_seek=False,
                            opening_balance_gbp=ob)
    table = plan.tables["dsg_financial_summary_unmitigated"]
    for line in ("Safety Valve", "Schools block transfer (1%)"):
        for year in (2026, 2027, 2028, 2029):
            expected = lines.query("line == @line and year == @year")["amount_gbp"].sum()
            assert table.loc[f"Income: {line}", year] == pytest.approx(expected)
    assert table.loc["Total income", 2027] == pytest.approx(
        table.loc["High Needs Block allocation", 2027]
        + lines.query("year == 2027")["amount_gbp"].sum())


def test_a_deficit_still_rising_at_the_end_has_no_peak():
    f = pd.DataFrame({"year": [2026, 2027, 2028], "mean": [100.0, 110.0, 120.0]})
    mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
    plan = fin.deficit_plan(f, mix=mix, income=2.5e6, income_growth=0.0, inflation=0.0,
                            goal_seek=False)
    p = plan.peak("unmitigated")
    # £26,000 a place: 2027-28 spends 120 x 26,000 = £3.12m against £2.5m
    assert p["rising"] and p["year"] == 2028
    assert p["in_year_last_gbp"] == pytest.approx(2.5e6 - 3.12e6)
    assert p["deficit_gbp"] == pytest.approx(3 * 26_000 * 110 - 3 * 2.5e6)


def test_the_assumptions_say_whether_the_opening_balance_is_estimated_or_given(wiltshire):
    f = pd.DataFrame({"year": [2026, 2027], "mean": [3000.0, 3100.0]})
    mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
    _, estimated, _ = opening(wiltshire, scenario_from_dict({"data": {"la": "Wiltshire"}}))
    _, given, _ = opening(wiltshire, scenario_from_dict(
        {"data": {"la": "Wiltshire"}, "finance": {"opening_balance_gbp": -56_200_000}}))

    def source(balance):
        plan = fin.deficit_plan(f, mix=mix, income=80e6, goal_seek=False,
                                opening_balance_gbp=balance)
        row = plan.assumptions.set_index("name").loc["opening_balance_gbp"]
        return row["value"], row["source"]

    value, text = source(estimated)
    assert value == pytest.approx(estimated.balance_gbp) and text.startswith("estimated:")
    value, text = source(given)
    assert value == -56_200_000 and text.startswith("given by the scenario")
    assert f"-£{-estimated.balance_gbp / 1e6:,.1f}m" in text      # the estimate beside it
    assert source(-1e6)[1].startswith("given")
