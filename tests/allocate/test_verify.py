"""Every solver answer is checked against the model before it becomes a plan (issue 15)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sufficiency.allocate import optimise
from sufficiency.allocate import solve as S
from sufficiency.allocate.model import LinearModel, build_model
from sufficiency.allocate.policy import Policy
from sufficiency.allocate.validate import validate
from sufficiency.allocate.verify import check_point


def cbc_misfire_instance():
    """A real instance (found by random search) on which CBC 2.10's Cgl preprocessing
    misfires ("Postprocessed model is infeasible") and CBC reports as optimal a point that puts
    12 children in a setting with 1 place. The true optimum is 1,018,067.63 (HiGHS agrees)."""
    d = pd.DataFrame({"year": [2026, 2026, 2027, 2027], "need": "A",
                      "phase": ["primary", "secondary"] * 2, "demand": [7.0, 5.0, 3.0, 5.0]})
    s = pd.DataFrame({"setting": ["S0", "S1"], "provision": "special_maintained",
                      "capacity": [9.0, 1.0], "cost_per_place": [54000.0, 48000.0]})
    g = pd.DataFrame({"setting": ["S0", "S1", "S1"], "need": "A",
                      "phase": ["primary", "primary", "secondary"]})
    j = pd.DataFrame({"project": ["J0", "J1", "J2"], "setting": ["S1", "S0", "S1"],
                      "places": [6.0, 1.0, 10.0], "capital_cost": [272000.0, 54000.0, 136000.0],
                      "group": "g"})
    return d, s, g, j, Policy(unplaced_penalty=52000.0)


def test_check_point_names_the_broken_row_and_recomputes_the_objective():
    m = LinearModel()
    m.add_cols("x", pd.DataFrame({"i": [0, 1]}), 0, 10, integer=True)
    m.add_rows("cap", pd.DataFrame({"setting": ["Oak"]}), -np.inf, 7, [0, 0], [0, 1], [1, 1])
    m.add_objective("cost", [0, 1], [3.0, 5.0])
    assert check_point(m, [3, 4]).ok and check_point(m, [3, 4]).objective == 29.0
    bad = check_point(m, [4, 4])
    assert not bad.ok and "cap[setting=Oak]" in bad.worst and "8 > upper bound 7" in bad.worst
    assert not check_point(m, [3, 11]).ok          # column bound
    assert not check_point(m, [2.5, 0]).ok         # integrality
    assert not check_point(m, [np.nan, 0]).ok      # garbage
    assert not check_point(m, [1.0]).ok            # wrong length
    assert check_point(m, [7 + 1e-9, 0]).ok        # solver tolerance accepted


def test_real_cbc_misfire_is_caught_and_resolved():
    d, s, g, j, pol = cbc_misfire_instance()
    plan = optimise(d, s, g, j, policy=pol, solver="cbc")
    assert plan.outcome.verified and plan.status == "optimal"
    assert plan.outcome.objective == pytest.approx(1018067.6328502416, rel=1e-9)
    # the plan respects capacity: at most 1 + places built at S1 in each year
    placed = plan.placements.groupby(["year", "setting"])["placed"].sum()
    built = plan.capital_programme.set_index("setting")["places"].groupby(level=0).sum()
    for (year, setting), n in placed.items():
        cap = s.set_index("setting")["capacity"][setting] + built.get(setting, 0.0)
        assert n <= cap + 1e-6
    assert (plan.unplaced["unplaced"] <= d["demand"].sum()).all()


def _corrupt(real, times):
    """A solver that returns a point breaking the model's rows on its first ``times`` calls."""
    calls = {"n": 0}

    def fake(m, solver, **kw):
        out, x, duals, t = real(m, solver, **kw)
        calls["n"] += 1
        if calls["n"] <= times and x is not None:
            x = x.copy()
            x[m.col_blocks["x"].ids] += 5.0   # more children placed than demand / places
        return out, x, duals, t

    return fake, calls


@pytest.mark.parametrize("solver", ["cbc", "highs"] if S.highs_available() else ["cbc"])
def test_a_broken_point_is_solved_again_without_presolve(monkeypatch, build_case, solver):
    d, s, g, j = build_case
    fake, calls = _corrupt(S._raw_solve, times=1)
    monkeypatch.setattr(S, "_raw_solve", fake)
    plan = optimise(d, s, g, j, solver=solver, duals=False)
    assert calls["n"] >= 2
    assert plan.outcome.verified and plan.status == "optimal"
    assert "re-solved without presolve" in plan.outcome.message
    assert plan.total_cost == pytest.approx(optimise(d, s, g, j, duals=False).total_cost)


def test_a_point_broken_twice_is_a_solver_error_never_a_plan(monkeypatch, build_case):
    d, s, g, j = build_case
    fake, _ = _corrupt(S._raw_solve, times=99)
    monkeypatch.setattr(S, "_raw_solve", fake)
    plan = optimise(d, s, g, j, duals=False)
    assert plan.status == "error" and not plan.outcome.has_solution
    assert len(plan.placements) == 0 and len(plan.capital_programme) == 0
    assert "breaks the model" in plan.outcome.message
    assert "No plan" in plan.summary() and "breaks the model" in plan.summary()


def test_a_solution_without_a_bound_gets_the_relaxation_bound(monkeypatch, build_case):
    d, s, g, j = build_case
    real = S._raw_solve

    def no_bound(m, solver, **kw):
        out, x, duals, t = real(m, solver, **kw)
        if out.has_solution and np.any(kw.get("integrality", m.integrality)):
            out = S.SolverOutcome(out.solver, "feasible", "time_limit", out.objective, None,
                                  None, out.solve_time, "stopped on time")
        return out, x, duals, t

    monkeypatch.setattr(S, "_raw_solve", no_bound)
    plan = optimise(d, s, g, j, duals=False)
    o = plan.outcome
    assert o.status == "feasible" and o.verified
    assert o.best_bound is not None and o.best_bound <= o.objective + 1e-6
    assert o.gap is not None and 0 <= o.gap < 1
    assert "LP relaxation" in o.message


def test_a_model_left_without_integers_still_has_bound_and_gap():
    # the project changes nothing (no demand), so presolve leaves CBC a plain LP
    d = pd.DataFrame({"year": [2026], "need": "ASD", "phase": "primary", "demand": [3.0]})
    s = pd.DataFrame({"setting": ["Oak"], "provision": "special_maintained", "capacity": [5.0],
                      "cost_per_place": [20_000.0]})
    g = pd.DataFrame({"setting": ["Oak"], "need": "ASD", "phase": "primary"})
    j = pd.DataFrame({"project": ["p"], "setting": ["Oak"], "places": [2.0],
                      "capital_cost": [1e5]})
    plan = optimise(d, s, g, j)
    assert plan.outcome.best_bound is not None and plan.outcome.gap == 0.0
    assert plan.outcome.verified


@st.composite
def instances(draw):
    years = list(range(2026, 2026 + draw(st.integers(1, 3))))
    needs = ["A", "B"][: draw(st.integers(1, 2))]
    phases = ["primary", "secondary"][: draw(st.integers(1, 2))]
    d = pd.DataFrame([(y, n, p, float(draw(st.integers(0, 14))))
                      for y in years for n in needs for p in phases],
                     columns=["year", "need", "phase", "demand"])
    ns = draw(st.integers(1, 3))
    s = pd.DataFrame({"setting": [f"S{i}" for i in range(ns)], "provision": "special_maintained",
                      "capacity": [float(draw(st.integers(0, 11))) for _ in range(ns)],
                      "cost_per_place": [draw(st.integers(10, 60)) * 1000.0 for _ in range(ns)]})
    g = pd.DataFrame([(f"S{i}", n, p) for i in range(ns) for n in needs for p in phases],
                     columns=["setting", "need", "phase"])
    nj = draw(st.integers(0, 3))
    j = pd.DataFrame({"project": [f"J{k}" for k in range(nj)],
                      "setting": [f"S{draw(st.integers(0, ns - 1))}" for _ in range(nj)],
                      "places": [float(draw(st.integers(1, 11))) for _ in range(nj)],
                      "capital_cost": [draw(st.integers(0, 500)) * 1000.0 for _ in range(nj)],
                      "group": "g" if draw(st.booleans()) else None}) if nj else None
    return d, s, g, j, Policy(unplaced_penalty=draw(st.integers(50, 300)) * 1000.0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_answer_is_verified_and_cbc_agrees_with_highs(case):
    d, s, g, j, pol = case
    m, _ = build_model(validate(d, s, g, j, policy=pol))
    out, x, _, _ = S.solve(m, "cbc")
    assert out.status == "optimal" and out.verified
    assert check_point(m, x).ok
    assert out.objective == pytest.approx(float(m.cost @ x))
    assert out.best_bound is not None and out.gap is not None
    if S.highs_available():
        h, xh, _, _ = S.solve(m, "highs")
        assert h.verified and check_point(m, xh).ok
        assert out.objective == pytest.approx(h.objective, rel=1e-6, abs=1e-3)
