"""Children stay where they are placed: carry rates, step-downs within a ceiling (issue 12)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sufficiency.allocate import Policy, optimise

TOL = 1e-6


def _case(step_down_share=0.03):
    """Independent only in 2026; a 100-place local school opens in 2027 (lead 1, no capital in
    2026, the financial year under way)."""
    years = [2026, 2027, 2028]
    d = pd.DataFrame([(y, "ASD", p, n) for y in years
                      for p, n in (("primary", 50.0), ("secondary", 80.0))],
                     columns=["year", "need", "phase", "demand"])
    s = pd.DataFrame({"setting": ["Local", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [0.0, np.inf], "cost_per_place": [20_000.0, 50_000.0]})
    g = pd.DataFrame([(st_, "ASD", p) for st_ in ("Local", "Indep")
                      for p in ("primary", "secondary")], columns=["setting", "need", "phase"])
    j = pd.DataFrame({"project": ["Build"], "setting": ["Local"], "places": [100.0],
                      "capital_cost": [0.0], "lead_time": [1]})
    initial = pd.DataFrame({"setting": "Indep", "need": "ASD", "phase": ["primary", "secondary"],
                            "count": [40.0, 60.0]})
    carry = pd.DataFrame([(y, prov, a, b, r) for y in years
                          for prov in ("special_maintained", "special_independent")
                          for a, b, r in (("primary", "primary", 0.8),
                                          ("primary", "secondary", 0.1),
                                          ("secondary", "secondary", 0.7))],
                         columns=["year", "provision", "phase_from", "phase", "rate"])
    pol = Policy(discount_rate=0.0, step_down_share=step_down_share)
    return d, s, g, j, initial, carry, pol


def test_independent_cohort_falls_only_by_leavers_and_the_step_down_cap(solver):
    # Hand-solved. 2026: no local place yet, all 130 children independent.
    # 2027: carried 0.8 x 50 = 40 primary; 0.7 x 80 + 0.1 x 50 = 61 secondary, of whom the 5
    #   moving up may step down, at most 3% x 130 = 3.9: independent 40 + 61 - 3.9 = 97.1.
    # 2028: 0.8 x 40 = 32 primary; 0.7 x 57.1 + 0.1 x 40 = 43.97 secondary, step-downs at
    #   most 3% x 97.1 = 2.913 (of 4 moving up): independent 32 + 43.97 - 2.913 = 73.057.
    # Every other child goes to the cheaper local school (100 places, open from 2027).
    d, s, g, j, initial, carry, pol = _case()
    plan = optimise(d, s, g, j, initial=initial, carry=carry, policy=pol, solver=solver)
    assert plan.status == "optimal"
    pl = plan.placements
    ind = pl[pl["setting"] == "Indep"].groupby("year")["placed"].sum()
    assert ind.tolist() == pytest.approx([130.0, 97.1, 73.057])
    sd = plan.step_downs.groupby("year")["stepped_down"].sum()
    assert sd.reindex([2026, 2027, 2028], fill_value=0.0).tolist() == pytest.approx(
        [0.0, 3.9, 2.913])
    assert set(plan.step_downs["phase"]) == {"secondary"}
    assert len(plan.over_demand) == 0
    local = pl[pl["setting"] == "Local"].groupby("year")["placed"].sum()
    assert local[2027] == pytest.approx(130 - 97.1)
    assert plan.capital_programme["opening_year"].tolist() == [2027]
    # the carried children are "existing", the rest "new"
    ex = pl[(pl["setting"] == "Indep") & (pl["year"] == 2027)].set_index("phase")
    assert ex.loc["primary", "existing"] == pytest.approx(40.0)
    assert ex.loc["secondary", "existing"] == pytest.approx(61 - 3.9)


def test_without_the_lever_nobody_leaves_independent_but_leavers(solver):
    d, s, g, j, initial, carry, pol = _case(step_down_share=0.0)
    plan = optimise(d, s, g, j, initial=initial, carry=carry, policy=pol, solver=solver)
    ind = plan.placements.query("setting == 'Indep'").groupby("year")["placed"].sum()
    # 2027: 40 + 61 = 101; 2028: 0.8 x 40 + 0.7 x 61 + 0.1 x 40 = 78.7
    assert ind.tolist() == pytest.approx([130.0, 101.0, 78.7])
    assert len(plan.step_downs) == 0
    row = plan.assumptions.set_index("name").loc["step_down_share"]
    assert row["value"] == 0.0 and "no step-down" in row["source"]


def test_without_carry_the_stock_is_replaced_from_scratch(solver):
    # the behaviour issue 12 replaces: every child re-placed each year, independent emptied
    d, s, g, j, _, _, pol = _case()
    plan = optimise(d, s, g, j, policy=pol, solver=solver)
    ind = plan.placements.query("setting == 'Indep'").groupby("year")["placed"].sum()
    assert ind.reindex([2026, 2027, 2028], fill_value=0).tolist() == pytest.approx(
        [130.0, 30.0, 30.0])


def test_children_stay_when_demand_falls_below_them(solver):
    # demand for secondary falls to 20 in 2027 but 0.7 x 80 + 0.1 x 50 = 61 are carried in:
    # they stay (41 over the forecast), nobody is moved, and the unmet count stays 0
    d, s, g, j, initial, carry, pol = _case(step_down_share=0.0)
    d.loc[(d["year"] == 2027) & (d["phase"] == "secondary"), "demand"] = 20.0
    plan = optimise(d, s, g, j, initial=initial, carry=carry, policy=pol, solver=solver)
    assert plan.status == "optimal"
    ov = plan.over_demand.set_index(["year", "phase"])["over_demand"]
    assert ov[(2027, "secondary")] == pytest.approx(41.0)
    sec = plan.placements.query("year == 2027 and phase == 'secondary'")["placed"].sum()
    assert sec == pytest.approx(61.0)
    assert len(plan.unplaced) == 0


def test_carry_needs_valid_rates():
    from sufficiency.errors import ValidationError

    d, s, g, j, initial, carry, pol = _case()
    bad = carry.assign(rate=carry["rate"] * 2)
    with pytest.raises(ValidationError, match="carry: .*adding up to at most 1"):
        optimise(d, s, g, j, initial=initial, carry=bad, policy=pol)
    with pytest.raises(ValidationError, match="initial: children placed before the plan need"):
        optimise(d, s, g, j, initial=initial, policy=pol)


@st.composite
def instances(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    years = [2026, 2027, 2028]
    phases = ["primary", "secondary"]
    n_local = draw(st.integers(1, 3))
    settings_ = [(f"L{i}", "special_maintained", float(rng.integers(5, 40)),
                  float(rng.integers(15, 30)) * 1000) for i in range(n_local)]
    settings_ += [("Indep", "special_independent", np.inf, 60_000.0)]
    s = pd.DataFrame(settings_, columns=["setting", "provision", "capacity", "cost_per_place"])
    g = pd.DataFrame([(r[0], "ASD", p) for r in settings_ for p in phases],
                     columns=["setting", "need", "phase"])
    stay = {p: float(rng.uniform(0.5, 0.95)) for p in phases}
    up = float(rng.uniform(0.0, 1.0 - stay["primary"]))
    carry = pd.DataFrame([(y, prov, a, b, r) for y in years
                          for prov in ("special_maintained", "special_independent")
                          for a, b, r in (("primary", "primary", stay["primary"]),
                                          ("primary", "secondary", up),
                                          ("secondary", "secondary", stay["secondary"]))],
                         columns=["year", "provision", "phase_from", "phase", "rate"])
    # children already placed, within each local setting's capacity
    init = []
    for r in settings_:
        room = r[2] if np.isfinite(r[2]) else 50.0
        k = float(rng.uniform(0, room))
        split = float(rng.uniform(0, 1))
        init += [(r[0], "ASD", "primary", k * split), (r[0], "ASD", "secondary", k * (1 - split))]
    initial = pd.DataFrame(init, columns=["setting", "need", "phase", "count"])
    # demand at least what can be carried into each cell, plus joiners
    prev = initial.groupby("phase")["count"].sum()
    rows = []
    for y in years:
        cur = {"primary": stay["primary"] * prev["primary"] + float(rng.uniform(0, 20)),
               "secondary": stay["secondary"] * prev["secondary"] + up * prev["primary"]
               + float(rng.uniform(0, 20))}
        rows += [(y, "ASD", p, cur[p]) for p in phases]
        prev = pd.Series(cur)
    d = pd.DataFrame(rows, columns=["year", "need", "phase", "demand"])
    j = pd.DataFrame({"project": ["Grow"], "setting": ["L0"], "places": [30.0],
                      "capital_cost": [float(rng.integers(0, 500)) * 1000], "lead_time": [1]})
    share = float(rng.choice([0.0, 0.1, 0.5]))
    return d, s, g, j, initial, carry, Policy(step_down_share=share), stay


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_existing_placements_never_move_outside_a_transition(inst):
    d, s, g, j, initial, carry, pol, stay = inst
    plan = optimise(d, s, g, j, initial=initial, carry=carry, policy=pol, duals=False)
    assert plan.status == "optimal"
    assert len(plan.over_demand) == 0
    pl = plan.placements.set_index(["year", "setting", "phase"])["placed"]
    ini = initial.set_index(["setting", "phase"])["count"]
    for (setting, phase), n in ini.items():
        prev = n
        for y in (2026, 2027, 2028):
            now = float(pl.get((y, setting, phase), 0.0))
            assert now >= stay[phase] * prev - TOL  # same setting, same phase: still there
            prev = now
    # the invariants of every plan
    cap = s.set_index("setting")["capacity"]
    used = plan.placements.groupby(["year", "setting"])["placed"].sum()
    built = plan.capital_programme
    for (y, setting), n in used.items():
        extra = built[(built["setting"] == setting) & (built["opening_year"] <= y)]["places"].sum()
        assert n <= cap[setting] + extra + TOL
    placed = plan.placements.groupby(["year", "phase"])["placed"].sum()
    unmet = plan.unplaced.groupby(["year", "phase"])["unplaced"].sum() if len(plan.unplaced) \
        else pd.Series(dtype=float)
    dem = d.set_index(["year", "phase"])["demand"]
    for k, v in dem.items():
        assert placed.get(k, 0.0) + unmet.get(k, 0.0) == pytest.approx(v, abs=1e-5)
    # step-downs within the ceiling
    if len(plan.step_downs):
        ind = plan.placements.query("provision == 'special_independent'").groupby("year")[
            "placed"].sum()
        for y, n in plan.step_downs.groupby("year")["stepped_down"].sum().items():
            base = ind.get(y - 1, 0.0) if y > 2026 else \
                initial.loc[initial["setting"] == "Indep", "count"].sum()
            assert n <= pol.step_down_share * base + TOL
