"""DfE tables add up; goal-seek hits zero at the target year."""
import numpy as np
import pandas as pd
import pytest

from sufficiency.finance import tables as T
from sufficiency.finance.goalseek import growth_reduction_needed, new_places_needed, seek
from sufficiency.finance.levers import Lever
from sufficiency.finance.spend import cost_placements, spend_by_year
from sufficiency.finance.trajectory import dsg_trajectory

PROVS = ["mainstream", "resource_base", "special_maintained", "special_non_maintained",
         "special_independent", "ap", "fe_college", "specialist_post16", "early_years",
         "elsewhere", "unknown"]
BANDS = ["under 5", "5-10", "11-15", "16-19", "20-25"]


def placements(seed=0):
    rng = np.random.default_rng(seed)
    rows = [(y, b, n, p, rng.uniform(0, 30)) for y in (2026, 2027) for b in BANDS
            for n in T.NEEDS for p in PROVS]
    return pd.DataFrame(rows, columns=["year", "age_band", "need", "provision", "count"])


def test_totals_equal_the_sum_of_rows():
    p = placements()
    grand = p.groupby("year")["count"].sum()
    for table in (T.by_placement_category(p), T.by_age_group(p), T.by_need(p)):
        body = table.drop(index="Total")
        assert (table.loc["Total"] - body.sum()).abs().max() < 1e-9
        assert table.loc["Total"].to_numpy() == pytest.approx(grand.to_numpy())
    assert len(T.by_placement_category(p)) == 8 and len(T.by_need(p)) == 14
    assert len(T.by_age_group(p)) == 6
    scap = T.scap_specialist(p)
    body = scap.drop(index="Total", level=0)
    for ph in ("primary", "secondary"):
        assert scap.loc[("Total", ph)].to_numpy() == pytest.approx(
            body.xs(ph, level="phase").sum().to_numpy())
    assert scap.loc[("Total", "all")].to_numpy() == pytest.approx(
        body.sum().to_numpy())
    specialist = p[p["age_band"].isin(["5-10", "11-15"]) & p["provision"].isin(T.SCAP_TYPES)]
    assert scap.loc[("Total", "all")].to_numpy() == pytest.approx(
        specialist.groupby("year")["count"].sum().to_numpy())


def test_display_rounds_after_totalling():
    t = pd.DataFrame({2026: [1.4, 1.4, 1.4]}, index=["a", "b", "c"])
    t.loc["Total"] = t.sum()
    shown = T.display(t)
    assert shown.loc["Total", 2026] == 4.0  # round(4.2), not 1 + 1 + 1
    assert list(T.display(t, financial_years=True).columns) == ["2025-26"]


def test_financial_summary_rows_add_up():
    p = placements()[["year", "provision", "count"]]
    costed = cost_placements(p)
    spend = spend_by_year(costed, other_spend_gbp=1e6)
    income = pd.DataFrame({"year": [2026, 2027], "income_gbp": [5e6, 5.5e6]})
    traj = dsg_trajectory(spend, income, -1e6)
    fs = T.financial_summary(traj, costed)
    spend_rows = [r for r in fs.index if r.startswith("Spend")]
    assert fs.loc[spend_rows].sum().to_numpy() == pytest.approx(fs.loc["Total spend"].to_numpy())
    assert (fs.loc["High Needs Block income"] - fs.loc["Total spend"]).to_numpy() == pytest.approx(
        fs.loc["In-year balance"].to_numpy())
    assert (fs.loc["Cumulative balance brought forward"] + fs.loc["In-year balance"]).to_numpy() \
        == pytest.approx(fs.loc["Cumulative balance carried forward"].to_numpy())
    assert fs.loc["Cumulative balance brought forward", 2026] == -1e6


def series():
    return pd.DataFrame({"year": [2026, 2027, 2028, 2029] * 2,
                         "provision": ["special_maintained"] * 4 + ["special_independent"] * 4,
                         "count": [400.0, 440, 484, 532, 100, 110, 121, 133]})


def balance_at(placements, income, year, opening):
    spend = spend_by_year(cost_placements(placements, inflation=0.0))
    t = dsg_trajectory(spend, income, opening)
    return t.set_index("year").loc[year, "cumulative_balance_gbp"]


def test_goal_seek_growth_reduction_hits_zero():
    income = pd.DataFrame({"year": [2026, 2027, 2028, 2029], "income_gbp": 18.0e6})
    r = growth_reduction_needed(series(), income, 2029, 2027, opening_balance_gbp=-1e6,
                                inflation=0.0)
    assert r.achievable and 0 < r.value < 1
    mitigated = Lever("x", "fewer_new_plans", {"share": r.value, "from_year": 2027}).apply(series())
    assert abs(balance_at(mitigated, income, 2029, -1e6)) < 50  # £, brentq tolerance
    assert "growth" in r.summary()


def test_goal_seek_new_places_hits_zero_or_says_why():
    income = pd.DataFrame({"year": [2026, 2027, 2028, 2029], "income_gbp": 18.2e6})
    r = new_places_needed(series(), income, 2029, 2026, opening_balance_gbp=-2e6, inflation=0.0)
    assert r.achievable
    mitigated = Lever("x", "new_places", {"per_year": r.value, "from_year": 2026}).apply(series())
    assert abs(balance_at(mitigated, income, 2029, -2e6)) < 100
    hopeless = new_places_needed(series(), income, 2029, 2026, opening_balance_gbp=-1e9,
                                 inflation=0.0)
    assert not hopeless.achievable and np.isnan(hopeless.value)
    assert "not achievable" in hopeless.summary()
    fine = seek(lambda x: 5.0, 0, 1, "fewer_new_plans", 2029)
    assert fine.achievable and fine.value == 0
