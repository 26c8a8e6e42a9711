"""The cover cuts (model.define_cover_cuts): valid, and they raise the LP bound (issue 16)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sufficiency.allocate import Policy, optimise
from sufficiency.allocate.model import build_model
from sufficiency.allocate.solve import highs_available, solve
from sufficiency.allocate.validate import validate


def _one_school():
    """10 children, one year; a new school of 20 places (£100k, built within the year) or
    independent places."""
    d = pd.DataFrame({"year": [2026], "need": "ASD", "phase": "primary", "demand": [10.0]})
    s = pd.DataFrame({"setting": ["New", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [0.0, np.inf], "cost_per_place": [20_000.0, 50_000.0]})
    g = pd.DataFrame({"setting": ["New", "Indep"], "need": "ASD", "phase": "primary"})
    j = pd.DataFrame({"project": ["Build"], "setting": ["New"], "places": [20.0],
                      "capital_cost": [100_000.0], "lead_time": [0]})
    return validate(d, s, g, j, policy=Policy(discount_rate=0.0, tail_years=0.0,
                                                 in_year_capital=True))


def _lp_and_mip(m, solver="cbc"):
    lp, _, _, _ = solve(m, solver, integrality=np.zeros(m.n_cols, bool))
    mip, _, _, _ = solve(m, solver, mip_gap=0.0)
    return lp.objective, mip.objective


def test_hand_worked_cut_raises_the_lp_bound_to_the_integer_optimum():
    # Without the cut the relaxation opens half the school (10 of 20 places): 10 x £20k +
    # 0.5 x £100k = £250,000. An integer plan opens it (£200k + £100k = £300,000) or places
    # all 10 independently (£500,000). The cut: b = 10 children - 0 places, delta = 20,
    # beta = 0.5, f = 0.5: open + (indep + unplaced) / 10 >= 1, i.e. 10 open + indep + unplaced
    # >= 10. With open = a < 1 the LP must place 10 - 10a independently: £500k - £200k a,
    # least at a = 1: the bound becomes £300,000, the integer optimum.
    inp = _one_school()
    m0, _ = build_model(inp, cover_cuts=False)
    m1, _ = build_model(inp)
    assert "cover_cut" not in m0.row_blocks
    cut = m1.row_blocks["cover_cut"]
    assert cut.n == 1 and cut.index["divisor"].tolist() == [20.0]
    assert m1.row_lower[cut.start] == pytest.approx(10.0)
    row = m1.matrix("csr")[cut.start]
    coef = {m1.col_name(c).split("[")[0]: v for c, v in zip(row.indices, row.data)}
    assert coef == pytest.approx({"open": 10.0, "cover_slack": 1.0})
    # the slack column is the independent placements plus the unplaced children
    row = m1.matrix("csr")[m1.row_blocks["cover_slack_sum"].start]
    coef = {m1.col_name(c).split("[")[0]: v for c, v in zip(row.indices, row.data)}
    assert coef == pytest.approx({"cover_slack": 1.0, "x": -1.0, "unplaced": -1.0})
    assert _lp_and_mip(m0) == pytest.approx((250_000.0, 300_000.0))
    assert _lp_and_mip(m1) == pytest.approx((300_000.0, 300_000.0))


def test_no_cut_when_the_places_needed_are_whole_projects():
    # 20 children and a 20-place school: beta = 1, nothing to round (f = 0): no cut
    inp = _one_school()
    inp.demand["demand"] = 20.0
    m, _ = build_model(inp)
    assert "cover_cut" not in m.row_blocks


def random_case(seed):
    """Growing demand, lumpy projects at a full and a new school, a dear independent and a
    cheap post-16 option, children carried forward from an initial independent cohort."""
    rng = np.random.default_rng(seed)
    years = list(range(2026, 2026 + int(rng.integers(1, 4))))
    needs = ["ASD", "SEMH"][: int(rng.integers(1, 3))]
    phases = ["primary", "post-16"]
    d = pd.DataFrame([(y, n, p, float(rng.integers(2, 15) + 6 * k))
                      for k, y in enumerate(years) for n in needs for p in phases],
                     columns=["year", "need", "phase", "demand"])
    s = pd.DataFrame({"setting": ["Old", "New", "Indep", "Post16"],
                      "provision": ["special_maintained", "special_maintained",
                                    "special_independent", "specialist_post16"],
                      "capacity": [float(rng.integers(0, 15)), 0.0, np.inf, np.inf],
                      "cost_per_place": [20_000.0, 20_000.0, float(rng.integers(30, 70)) * 1e3,
                                         8_000.0]})
    g = pd.DataFrame([(st_, n, p) for st_ in ("Old", "New", "Indep") for n in needs
                      for p in phases] + [("Post16", n, "post-16") for n in needs],
                     columns=["setting", "need", "phase"])
    k = int(rng.integers(1, 4))
    j = pd.DataFrame({"project": [f"J{i}" for i in range(k)],
                      "setting": rng.choice(["Old", "New"], k),
                      "places": rng.integers(3, 30, k).astype(float),
                      "capital_cost": rng.integers(0, 300, k) * 1000.0,
                      "capital_cost_per_place": rng.integers(0, 40, k) * 1000.0,
                      "lead_time": rng.integers(0, 2, k),
                      "min_size": np.where(rng.random(k) < 0.3, 2.0, np.nan)})
    initial = pd.DataFrame({"setting": "Indep", "need": needs[0], "phase": "primary",
                            "count": [float(rng.integers(0, 8))]})
    carry = pd.DataFrame([(y, prov, "primary", "primary", float(rng.uniform(0.5, 1.0)))
                          for y in years for prov in ("special_maintained",
                                                      "special_independent")],
                         columns=["year", "provision", "phase_from", "phase", "rate"])
    pol = Policy(discount_rate=0.035, tail_years=float(rng.integers(0, 4)),
                 in_year_capital=bool(rng.random() < 0.5),
                 step_down_share=float(rng.choice([0.0, 0.1])),
                 unplaced_penalty=float(rng.choice([60_000.0, 250_000.0])))
    return d, s, g, j, initial, carry, pol


def _models(seed):
    d, s, g, j, initial, carry, pol = random_case(seed)
    inp = validate(d, s, g, j, policy=pol, initial=initial, carry=carry)
    return build_model(inp, cover_cuts=False)[0], build_model(inp)[0]


def test_the_random_cases_do_get_cuts():
    """Guards the property test below from checking models without a single cut."""
    with_cuts = sum("cover_cut" in _models(seed)[1].row_blocks for seed in range(20))
    assert with_cuts >= 10


@pytest.mark.skipif(not highs_available(), reason="solves exactly with HiGHS (test extra)")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_the_cuts_never_change_the_optimum(seed):
    """Same MIP optimum with and without the cuts (both solved exactly by HiGHS), and the
    LP bound never falls."""
    m0, m1 = _models(seed)
    lp0, mip0 = _lp_and_mip(m0, "highs")
    lp1, mip1 = _lp_and_mip(m1, "highs")
    # HiGHS accepts integers within mip_feasibility_tolerance (1e-6): its optimum may differ
    # from the exact one by up to 1e-6 per unit of |cost|
    tolerance = 1e-6 * max(1.0, float(np.abs(m0.cost).sum()))
    assert mip1 == pytest.approx(mip0, abs=tolerance)
    assert lp1 >= lp0 - tolerance
    assert lp1 <= mip1 + tolerance


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_plans_with_the_cuts_keep_the_invariants(seed):
    """Placements within capacity plus places opened; placed + unplaced = demand (+ children
    carried beyond it)."""
    d, s, g, j, initial, carry, pol = random_case(seed)
    plan = optimise(d, s, g, j, initial=initial, carry=carry, policy=pol, duals=False)
    assert plan.outcome.verified
    u = plan.utilisation
    assert (u["placed"] <= u["capacity"] + 1e-6).all()
    placed = plan.placements.groupby(["year", "need", "phase"])["placed"].sum()
    unplaced = plan.unplaced.groupby(["year", "need", "phase"])["unplaced"].sum()
    over = plan.over_demand.groupby(["year", "need", "phase"])["over_demand"].sum()
    dem = d.groupby(["year", "need", "phase"])["demand"].sum()
    total = placed.reindex(dem.index, fill_value=0) + unplaced.reindex(dem.index, fill_value=0)
    assert total.to_numpy() == pytest.approx(
        (dem + over.reindex(dem.index, fill_value=0)).to_numpy(), abs=1e-6)
