"""Today's placement mix, the levers and the place plan on the same footing (issue 13, item 6):
the same demand, the same rule for new local places, their capital and transport, and the
difference between them in named parts that add up."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sufficiency.data.vocabulary import SPECIALIST
from sufficiency.data import placement_mix
from sufficiency.finance import deficit_plan
from sufficiency.finance.plan import LIKE_FOR_LIKE_PARTS

DSG_PARTS = [p for p, dsg, _ in LIKE_FOR_LIKE_PARTS if dsg]


def _hand_plan():
    """One year, flat prices (the 2023-24 defaults): 100 children, 30 in maintained special
    (£26,000), 20 independent (£63,000), 50 mainstream (£8,000). The place plan places 40 in
    maintained special at its own £25,000 and 5 independently, leaves 5 without a place, and
    builds 10 places for £500,000 (capacity 35 in 2026, so 25 existed)."""
    fc = pd.DataFrame({"year": [2026], "mean": [100.0]})
    mix = pd.DataFrame({"provision": ["mainstream", "special_maintained", "special_independent"],
                        "share": [0.5, 0.3, 0.2]})
    placed = pd.DataFrame({"year": 2026, "provision": ["special_maintained",
                                                       "special_independent"],
                           "placed": [40.0, 5.0]})
    plan = SimpleNamespace(
        placements=placed,
        cost_by_year=pd.DataFrame({"year": 2026, "provision": ["special_maintained",
                                                               "special_independent"],
                                   "revenue": [40 * 25_000.0, 5 * 63_000.0], "transport": 0.0,
                                   "capital": [500_000.0, 0.0]}),
        capital_programme=pd.DataFrame({"project": ["new wing"], "setting": ["Oak"],
                                        "provision": ["special_maintained"],
                                        "opening_year": [2026], "places": [10.0],
                                        "capital_cost": [500_000.0], "committed": [False]}),
        utilisation=pd.DataFrame({"year": [2026, 2026], "setting": ["Oak", "Indep"],
                                  "provision": ["special_maintained", "special_independent"],
                                  "capacity": [35.0, np.inf]}),
        unplaced=pd.DataFrame({"year": [2026], "need": ["ASD"], "phase": ["primary"],
                               "area": ["all"], "unplaced": [5.0]}))
    return deficit_plan(fc, mix=mix, income=3e6, inflation=0.0, allocation=plan,
                        goal_seek=False)


def test_difference_in_named_parts_worked_by_hand():
    plan = _hand_plan()
    like = plan.like_for_like.set_index("scenario")
    # today's mix: 30 local placements, 25 places exist -> 5 new, at the plan's £50,000 a place
    assert like.loc["unmitigated", "new_local_places"] == pytest.approx(5.0)
    assert like.loc["unmitigated", "capital_gbp"] == pytest.approx(250_000.0)
    parts = plan.like_for_like_parts.query("scenario == 'allocation_plan'").set_index("part")["gbp"]
    average = (30 * 26_000 + 20 * 63_000) / 50          # £40,800 a specialist placement
    assert parts["demand"] == pytest.approx((45 + 5 - 50) * average)           # 0
    assert parts["unplaced"] == pytest.approx(-5 * average)                    # -204,000
    assert parts["placement"] == pytest.approx(40 * 26_000 + 5 * 63_000 - 45 * average)  # -481,000
    assert parts["cost_per_place"] == pytest.approx(40 * (25_000 - 26_000))   # -40,000
    assert parts["other_spend"] == pytest.approx(0.0, abs=1e-6)
    # one transport rule: 70% of maintained special and 85% of independent pupils at £9,800
    assert parts["transport"] == pytest.approx((40 - 30) * 0.7 * 9_800 + (5 - 20) * 0.85 * 9_800)
    assert parts["capital"] == pytest.approx(500_000 - 250_000)
    assert parts["total"] == pytest.approx(-725_000 - 56_350 + 250_000)
    # the parts add up: DSG parts to the deficit difference, all to the total cost difference
    deficit = plan.final_deficit()
    assert parts[DSG_PARTS].sum() == pytest.approx(deficit["allocation_plan"]
                                                   - deficit["unmitigated"])
    assert parts.drop("total").sum() == pytest.approx(parts["total"])
    text = plan.like_for_like_text()
    assert "more local places" in text and "The answer is with the optimised place plan" in text
    assert "children left without a place -£0.2m" in text


def _projection():
    """A placement projection by year (as the flow account gives it) and its specialist
    demand by need and phase."""
    rows = []
    for year, (ms, sm, si) in zip([2026, 2027, 2028], [(60, 30, 10), (70, 36, 14),
                                                        (80, 42, 18)]):
        rows += [(year, "5-10", "mainstream", ms), (year, "5-10", "special_maintained", sm),
                 (year, "5-10", "special_independent", si)]
    return pd.DataFrame(rows, columns=["year", "age_band", "provision", "stock"])


def test_no_lever_no_project_same_demand_every_year():
    allocate = pytest.importorskip("sufficiency.allocate")
    stock = _projection()
    spec = stock[stock["provision"].isin(SPECIALIST)].groupby("year")["stock"].sum()
    demand = pd.DataFrame({"year": spec.index, "need": "ASD", "phase": "primary",
                           "demand": spec.to_numpy()})
    settings = pd.DataFrame({"setting": ["Oak", "Indep"],
                             "provision": ["special_maintained", "special_independent"],
                             "capacity": [40, None], "cost_per_place": [26_000, 63_000]})
    designation = pd.DataFrame({"setting": ["Oak", "Indep"], "need": "ASD", "phase": "primary"})
    opt = allocate.optimise(demand, settings, designation)
    forecast = stock.groupby(["year", "age_band"], as_index=False)["stock"].sum().rename(
        columns={"stock": "mean"})
    mix = placement_mix(stock, year="each", by="age_band", value="stock", empty="drop")
    plan = deficit_plan(forecast, mix=mix, income=5e6,
                        allocation=opt, goal_seek=False, mix_basis="a test projection")
    mine = plan.placements.query("scenario == 'unmitigated'")
    mine = mine[mine["provision"].isin(SPECIALIST)].groupby("year")["count"].sum()
    placed = opt.placements.groupby("year")["placed"].sum()
    unplaced = opt.unplaced.groupby("year")["unplaced"].sum().reindex(placed.index).fillna(0)
    np.testing.assert_allclose(mine.to_numpy(), spec.to_numpy())
    np.testing.assert_allclose((placed + unplaced).to_numpy(), spec.to_numpy())
    parts = plan.like_for_like_parts.set_index("part")["gbp"]
    assert parts["demand"] == pytest.approx(0.0, abs=1e-3)
    assert parts["capital"] == pytest.approx(0.0)                     # nothing built either way
    deficit = plan.final_deficit()
    assert parts[DSG_PARTS].sum() == pytest.approx(deficit["allocation_plan"]
                                                   - deficit["unmitigated"])
    assert parts.drop("total").sum() == pytest.approx(parts["total"])
    assert plan.mix_basis == "a test projection" and "a test projection" in plan.like_for_like_text()


def test_the_run_costs_the_demand_the_place_plan_is_given(example_run):
    """The example scenario (no levers; the optimiser builds projects): today's placement mix
    and the place plan cost the same specialist demand each year, and the difference between
    them decomposes into parts that add up."""
    plan = example_run.deficit
    mine = plan.placements.query("scenario == 'unmitigated'")
    mine = mine[mine["provision"].isin(SPECIALIST)].groupby("year")["count"].sum()
    demand = example_run.demand.groupby("year")["demand"].sum()
    np.testing.assert_allclose(mine.to_numpy(), demand.reindex(mine.index).to_numpy(), rtol=1e-9)
    parts = plan.like_for_like_parts.query("scenario == 'allocation_plan'").set_index("part")["gbp"]
    unplaced = example_run.allocation.unplaced
    if not len(unplaced):
        assert abs(parts["demand"]) < 1.0
    deficit = plan.final_deficit()
    assert parts[DSG_PARTS].sum() == pytest.approx(deficit["allocation_plan"]
                                                   - deficit["unmitigated"])
    assert parts.drop("total").sum() == pytest.approx(parts["total"])
    assert "flow account" in plan.mix_basis
