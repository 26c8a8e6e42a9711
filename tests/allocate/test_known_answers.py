"""Hand-solved instances: known optimal cost and decisions."""

import pandas as pd
import pytest

from sufficiency.allocate import Cap, Policy, optimise

# in_year_capital: these hand-solved cases let a project with lead time 0 spend and open in the
# first plan year (the default forbids capital in the financial year under way: see
# test_no_capital_in_the_financial_year_under_way)
NO_DISCOUNT = Policy(discount_rate=0.0, in_year_capital=True)


def test_shared_capacity_and_designation(solver):
    # Oak (8 places, £25k) takes ASD and SEMH; the independent (£60k, unlimited) only ASD.
    # Best: 8 SEMH at Oak, 10 ASD independent, 2 SEMH unplaced: 200k + 600k + 2 x 250k penalty.
    d = pd.DataFrame({"year": 2026, "need": ["ASD", "SEMH"], "phase": "primary",
                      "demand": [10.0, 10.0]})
    s = pd.DataFrame({"setting": ["Oak", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [8, None], "cost_per_place": [25_000, 60_000]})
    g = pd.DataFrame({"setting": ["Oak", "Oak", "Indep"], "need": ["ASD", "SEMH", "ASD"],
                      "phase": "primary"})
    plan = optimise(d, s, g, solver=solver)
    assert plan.status == "optimal"
    assert plan.outcome.objective == pytest.approx(1_300_000)
    assert plan.total_cost == pytest.approx(800_000)
    pl = plan.placements.set_index(["setting", "need"])["placed"]
    assert pl[("Oak", "SEMH")] == pytest.approx(8)
    assert pl[("Indep", "ASD")] == pytest.approx(10)
    assert plan.unplaced["unplaced"].sum() == pytest.approx(2)
    # one more place at Oak takes an unplaced SEMH child: saves 250k - 25k
    mv = plan.marginal_place_value.set_index(["setting", "need"])["value"]
    assert mv[("Oak", "SEMH")] == pytest.approx(225_000)


def test_build_choice_alternative_sites(build_case, solver):
    # A: £500k, lead 1 -> opens 2027: 10 x 50k + 20 x 20k + 500k = 1.40m
    # B: £550k, lead 0 -> opens 2026: 30 x 20k + 550k = 1.15m; no build: 30 x 50k = 1.50m.
    # A and B are alternative sites: at most one. Optimal: B in 2026.
    d, s, g, j = build_case
    plan = optimise(d, s, g, j, policy=NO_DISCOUNT, solver=solver)
    assert plan.status == "optimal"
    assert plan.total_cost == pytest.approx(1_150_000)
    cp = plan.capital_programme
    assert cp["project"].tolist() == ["B"]
    assert cp["opening_year"].tolist() == [2026]
    assert cp["capital_cost"].tolist() == pytest.approx([550_000])


def test_capital_budget_forces_later_cheaper_project(build_case, solver):
    # Budget of £520k in 2026 rules out B (spent in 2026); A's £500k is spent in 2027
    # (its one year of lead time, ending with the opening year 2027 = FY 2026-27): 1.40m.
    d, s, g, j = build_case
    pol = Policy(discount_rate=0.0, capital_budget={2026: 520_000}, in_year_capital=True)
    plan = optimise(d, s, g, j, policy=pol, solver=solver)
    assert plan.total_cost == pytest.approx(1_400_000)
    assert plan.capital_programme[["project", "opening_year"]].values.tolist() == [["A", 2027]]
    cby = plan.cost_by_year.groupby("year")["capital"].sum()
    assert cby[2027] == pytest.approx(500_000)


def test_no_capital_in_the_financial_year_under_way(build_case, solver):
    # By default nothing that is not committed spends in 2026 (FY 2025-26, under way): B
    # (lead 0) can open in 2027 at the soonest, A (lead 1) too, 2026 + 1. A is cheaper:
    # 10 x 50k (2026, independent) + 20 x 20k + 500k = 1.40m, all capital in 2027.
    d, s, g, j = build_case
    plan = optimise(d, s, g, j, policy=Policy(discount_rate=0.0), solver=solver)
    assert plan.capital_programme[["project", "opening_year"]].values.tolist() == [["A", 2027]]
    cby = plan.cost_by_year.groupby("year")["capital"].sum()
    assert cby.get(2026, 0.0) == 0.0 and cby[2027] == pytest.approx(500_000)
    assert plan.total_cost == pytest.approx(1_400_000)
    # a committed project may still spend in the first year
    jc = j.assign(opening_year=[None, 2026])
    plan = optimise(d, s, g, jc, policy=Policy(discount_rate=0.0), solver=solver)
    assert plan.capital_programme["project"].tolist() == ["B"]
    assert plan.cost_by_year.groupby("year")["capital"].sum()[2026] == pytest.approx(550_000)


def test_total_budget_rules_out_building(build_case, solver):
    d, s, g, j = build_case
    pol = Policy(discount_rate=0.0, capital_budget_total=400_000)
    plan = optimise(d, s, g, j, policy=pol, solver=solver)
    assert plan.total_cost == pytest.approx(1_500_000)
    assert len(plan.capital_programme) == 0


def test_discounting_green_book(build_case, solver):
    d, s, g, j = build_case
    plan = optimise(d, s, g, j, solver=solver,
                    policy=Policy(in_year_capital=True))  # default 3.5%
    f = [1, 1 / 1.035, 1 / 1.035 ** 2]
    b = 550_000 + 200_000 * sum(f)
    a = 500_000 * f[1] + 500_000 + 200_000 * (f[1] + f[2])  # A's capital spent in 2027
    assert b < a
    assert plan.total_cost == pytest.approx(b)
    row = plan.assumptions.set_index("name").loc["discount_rate"]
    assert row["value"] == 0.035 and "Green Book" in row["source"]


def test_min_size_project_sized_to_demand(solver):
    # 8 children for 2 years; independent 50k; special project: 100k + 20k per place,
    # up to 20 places, at least 5. Build 8: 100k + 160k + 2 x 8 x 20k = 580k < 800k.
    d = pd.DataFrame({"year": [2026, 2027], "need": "SLD", "phase": "secondary",
                      "demand": [8.0, 8.0]})
    s = pd.DataFrame({"setting": ["New", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [0, None], "cost_per_place": [20_000, 50_000]})
    g = pd.DataFrame({"setting": ["New", "Indep"], "need": "SLD", "phase": "secondary"})
    j = pd.DataFrame({"project": ["new school"], "setting": ["New"], "places": [20.0],
                      "capital_cost": [100_000.0], "capital_cost_per_place": [20_000.0],
                      "min_size": [5.0]})
    plan = optimise(d, s, g, j, policy=NO_DISCOUNT, solver=solver)
    assert plan.total_cost == pytest.approx(580_000)
    assert plan.capital_programme["places"].tolist() == pytest.approx([8.0])


def test_travel_cost_and_limit(solver):
    # Two areas, two equal schools with 5 places each; children go to the nearer one.
    d = pd.DataFrame({"year": 2026, "need": "ASD", "phase": "primary", "area": ["N", "S"],
                      "demand": [5.0, 5.0]})
    s = pd.DataFrame({"setting": ["North", "South"], "provision": "special_maintained",
                      "capacity": [5, 5], "cost_per_place": [20_000, 20_000]})
    g = pd.DataFrame({"setting": ["North", "South"], "need": "ASD", "phase": "primary"})
    t = pd.DataFrame({"area": ["N", "N", "S", "S"], "setting": ["North", "South"] * 2,
                      "cost": [1_000, 6_000, 6_000, 1_000], "minutes": [10, 70, 70, 10]})
    plan = optimise(d, s, g, travel=t, policy=NO_DISCOUNT, solver=solver)
    assert plan.total_cost == pytest.approx(10 * 21_000)
    # South closes to ASD (capacity 0): with a 60-minute limit, S children are unplaced
    s2 = s.assign(capacity=[10, 0])
    plan = optimise(d, s2, g, travel=t, policy=Policy(discount_rate=0, max_travel_minutes=60),
                    solver=solver)
    assert plan.unplaced.set_index("area")["unplaced"].to_dict() == pytest.approx({"S": 5.0})
    plan = optimise(d, s2, g, travel=t, policy=NO_DISCOUNT, solver=solver)
    assert len(plan.unplaced) == 0
    assert plan.total_cost == pytest.approx(5 * 21_000 + 5 * 26_000)


def test_independent_share_cap(solver):
    # 10 new ASD children, 4 maintained places; at most 50% of new placements independent:
    # 4 maintained + 4 independent, 2 unplaced.
    d = pd.DataFrame({"year": 2026, "need": "ASD", "phase": "primary", "demand": [10.0]})
    s = pd.DataFrame({"setting": ["Oak", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [4, None], "cost_per_place": [25_000, 60_000]})
    g = pd.DataFrame({"setting": ["Oak", "Indep"], "need": "ASD", "phase": "primary"})
    plan = optimise(d, s, g, policy=Policy(caps=[Cap.independent_share(0.5)]), solver=solver)
    pl = plan.placements.set_index("setting")["placed"]
    assert pl["Indep"] == pytest.approx(4) and pl["Oak"] == pytest.approx(4)
    assert plan.unplaced["unplaced"].sum() == pytest.approx(2)


def test_continuity_keeps_existing_placements(solver):
    # 6 children already at the independent stay; 4 new go to Oak (room for 10).
    d = pd.DataFrame({"year": [2026, 2027], "need": "ASD", "phase": "primary",
                      "demand": [10.0, 10.0]})
    s = pd.DataFrame({"setting": ["Oak", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [10, None], "cost_per_place": [25_000, 60_000]})
    g = pd.DataFrame({"setting": ["Oak", "Indep"], "need": "ASD", "phase": "primary"})
    e = pd.DataFrame({"year": [2026], "setting": ["Indep"], "need": "ASD", "phase": "primary",
                      "count": [6.0]})
    plan = optimise(d, s, g, existing=e, policy=NO_DISCOUNT, solver=solver)
    pl = plan.placements.set_index(["year", "setting"])
    assert pl.loc[(2026, "Indep"), "placed"] == pytest.approx(6)
    assert pl.loc[(2026, "Indep"), "new"] == pytest.approx(0)
    assert pl.loc[(2027, "Oak"), "placed"] == pytest.approx(10)  # moved on in 2027
    assert plan.total_cost == pytest.approx(6 * 60_000 + 4 * 25_000 + 10 * 25_000)


def test_integer_placements(solver):
    d = pd.DataFrame({"year": 2026, "need": "ASD", "phase": "primary", "demand": [3.5]})
    s = pd.DataFrame({"setting": ["Oak"], "provision": "special_maintained",
                      "capacity": [10], "cost_per_place": [10_000]})
    g = pd.DataFrame({"setting": ["Oak"], "need": "ASD", "phase": "primary"})
    plan = optimise(d, s, g, policy=Policy(integer_placements=True), solver=solver)
    assert plan.placements["placed"].tolist() == pytest.approx([3.0])
    assert plan.unplaced["unplaced"].sum() == pytest.approx(0.5)


def test_designation_cap(solver):
    d = pd.DataFrame({"year": 2026, "need": ["ASD", "SLD"], "phase": "primary",
                      "demand": [10.0, 10.0]})
    s = pd.DataFrame({"setting": ["Oak"], "provision": "special_maintained",
                      "capacity": [15], "cost_per_place": [10_000]})
    g = pd.DataFrame({"setting": ["Oak", "Oak"], "need": ["ASD", "SLD"], "phase": "primary",
                      "cap": [6, None]})
    plan = optimise(d, s, g, solver=solver)
    pl = plan.placements.set_index("need")["placed"]
    assert pl.sum() == pytest.approx(15)
    assert pl["ASD"] <= 6 + 1e-9


def test_forecast_column_and_summary(solver):
    fc = pd.DataFrame({"year": 2026, "need": "ASD", "phase": "primary", "mean": [4.0],
                       "p90": [6.0]})
    s = pd.DataFrame({"setting": ["Oak"], "provision": "special_maintained",
                      "capacity": [5], "cost_per_place": [10_000]})
    g = pd.DataFrame({"setting": ["Oak"], "need": "ASD", "phase": "primary"})
    assert optimise(fc, s, g, solver=solver).unplaced.empty
    plan = optimise(fc, s, g, solver=solver, demand_column="p90")
    assert plan.unplaced["unplaced"].sum() == pytest.approx(1.0)
    text = plan.summary()
    assert "proven optimal" in text and "without a suitable place" in text


def test_committed_project_opens_as_committed(build_case, solver):
    # committing A (opening 2028) makes B unavailable (same group) -> 2 years independent
    d, s, g, j = build_case
    j = j.assign(opening_year=[2028, None])
    plan = optimise(d, s, g, j, policy=NO_DISCOUNT, solver=solver)
    cp = plan.capital_programme
    assert cp[["project", "opening_year", "committed"]].values.tolist() == [["A", 2028, True]]
    assert plan.total_cost == pytest.approx(20 * 50_000 + 10 * 20_000 + 500_000)


def test_committed_project_over_budget_is_diagnosed(build_case, solver):
    d, s, g, j = build_case
    j = j.assign(opening_year=[2027, None])
    plan = optimise(d, s, g, j, policy=Policy(capital_budget_total=100_000), solver=solver)
    assert plan.status == "infeasible"
    text = " ".join(plan.diagnosis["constraint"]) + " " + " ".join(plan.diagnosis["explanation"])
    assert "capital_budget_total" in text and "committed" in text


def test_project_places_designate_a_new_need(solver):
    # Oak takes SLD only and has 4 spare places; an ASD base at Oak (8 places, £100k, lead 1)
    # opens in 2027: ASD children go independent in 2026, to Oak from 2027.
    d = pd.DataFrame({"year": [2026, 2027, 2028], "need": "ASD", "phase": "primary",
                      "demand": [8.0, 8.0, 8.0]})
    s = pd.DataFrame({"setting": ["Oak", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [4, None], "cost_per_place": [20_000, 50_000]})
    g = pd.DataFrame({"setting": ["Oak", "Indep"], "need": ["SLD", "ASD"], "phase": "primary"})
    j = pd.DataFrame({"project": ["ASD base"], "setting": ["Oak"], "places": [8.0],
                      "capital_cost": [100_000.0], "lead_time": [1]})
    pp = pd.DataFrame({"project": ["ASD base"], "need": ["ASD"], "phase": ["primary"],
                       "places": [8.0]})
    plan = optimise(d, s, g, j, project_places=pp, policy=NO_DISCOUNT, solver=solver)
    pl = plan.placements.set_index(["year", "setting"])["placed"]
    assert pl[(2026, "Indep")] == pytest.approx(8)
    assert pl[(2027, "Oak")] == pytest.approx(8) and pl[(2028, "Oak")] == pytest.approx(8)
    assert plan.total_cost == pytest.approx(8 * 50_000 + 16 * 20_000 + 100_000)
    # without the need-specific places the project cannot help ASD children at Oak
    plan = optimise(d, s, g, j, policy=NO_DISCOUNT, solver=solver)
    assert len(plan.capital_programme) == 0
    assert plan.total_cost == pytest.approx(24 * 50_000)
