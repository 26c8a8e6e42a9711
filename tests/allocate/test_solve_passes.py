"""The two CBC passes of solve_cbc: the better plan is kept, a failing or fruitless full pass
falls back to the root pass's plan (never a wrong or worse plan), termination and gap right."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import sufficiency.allocate.cbc as C
from sufficiency.allocate import solve as S
from sufficiency.allocate.model import LinearModel
from sufficiency.allocate.verify import check_point


def _facility_model(demand, places, build_cost, place_cost, fallback_cost):
    """Open projects (binary, ``places`` each at ``build_cost``) or place at ``fallback_cost``.

    min sum_p build_cost[p] o_p + place_cost sum_p y_p + fallback_cost u
    s.t. sum_p y_p + u >= demand, y_p <= places[p] o_p.
    """
    k = len(places)
    m = LinearModel()
    o = m.add_cols("open", pd.DataFrame({"p": range(k)}), 0, 1, integer=True)
    y = m.add_cols("place", pd.DataFrame({"p": range(k)}), 0, np.inf)
    u = m.add_cols("fallback", pd.DataFrame({"u": [0]}), 0, np.inf)
    o, y, u = o.ids.tolist(), y.ids.tolist(), u.ids.tolist()
    cols = y + u
    m.add_rows("demand", pd.DataFrame({"r": [0]}), demand, np.inf, [0] * (k + 1), cols,
               [1.0] * (k + 1))
    ys, os_ = y, o
    m.add_rows("room", pd.DataFrame({"p": range(k)}), -np.inf, 0.0,
               list(range(k)) * 2, list(ys) + list(os_), [1.0] * k + [-float(p) for p in places])
    m.add_objective("cost", list(os_) + list(ys) + u,
                    list(build_cost) + [place_cost] * k + [fallback_cost])
    return m


@st.composite
def facility_models(draw):
    k = draw(st.integers(2, 7))
    places = [float(draw(st.integers(5, 40))) for _ in range(k)]
    build = [float(draw(st.integers(50, 900))) for _ in range(k)]
    demand = float(draw(st.integers(1, int(sum(places)))))
    return demand, places, build, 10.0, float(draw(st.integers(20, 80)))


def _brute_force(demand, places, build, place_cost, fallback):
    best = np.inf
    k = len(places)
    for mask in range(1 << k):
        cap = sum(places[p] for p in range(k) if mask >> p & 1)
        fixed = sum(build[p] for p in range(k) if mask >> p & 1)
        placed = min(cap, demand)
        best = min(best, fixed + placed * place_cost + (demand - placed) * fallback)
    return best


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facility_models())
def test_two_passes_find_the_same_optimum_as_one_full_solve(spec):
    m = _facility_model(*spec)
    two, x2, _, _ = S.solve_cbc(m, mip_gap=0.0)
    one, x1, _, _ = S.solve_cbc(m, mip_gap=0.0, root_pass=False)
    exact = _brute_force(*spec)
    assert two.status == one.status == "optimal"
    assert two.termination == "optimal" and two.gap is not None and two.gap <= S.OPTIMALITY_GAP
    assert two.objective == pytest.approx(one.objective, rel=1e-9, abs=1e-6)
    assert two.objective == pytest.approx(exact, rel=1e-9, abs=1e-6)
    assert check_point(m, x2).ok and check_point(m, x1).ok


HARD = (319.0, [56.0, 57.0, 56.0, 42.0, 22.0, 39.0, 48.0, 43.0, 36.0, 57.0],
        [829.0, 412.0, 819.0, 274.0, 560.0, 734.0, 784.0, 643.0, 302.0, 468.0], 10.0, 60.0)


def _hard_model():
    """Lumpy projects whose LP opens fractions: the root pass leaves a 1.4% gap at
    mip_gap=0 (its plan, 6,807, is the optimum, proven by the full pass)."""
    return _facility_model(*HARD)


def _passes(monkeypatch, full):
    """Patch run_cbc: the root pass (node_limit 0) runs for real, the full pass is ``full``."""
    real = C.run_cbc
    calls = []

    def fake(m, *, node_limit=None, **kw):
        calls.append(node_limit)
        if node_limit == 0:
            return real(m, node_limit=0, **kw)
        return full(real, m, node_limit=node_limit, **kw)

    monkeypatch.setattr(C, "run_cbc", fake)
    return calls


def _root_alone(m):
    out, x, _, _ = S.solve_cbc(m, mip_gap=0.0, node_limit=0)
    return out, x


def test_the_hard_model_goes_past_the_root_pass():
    m = _hard_model()
    root, _ = _root_alone(m)
    assert root.termination == "node_limit" and root.gap > 0
    out, x, _, _ = S.solve_cbc(m, mip_gap=0.0)
    assert "after the root pass" in out.message and out.status == "optimal"
    assert out.objective <= root.objective + 1e-6
    assert out.objective == pytest.approx(_brute_force(*HARD))


def test_a_failing_full_pass_keeps_the_root_plan(monkeypatch):
    m = _hard_model()
    root, xr = _root_alone(m)

    def crash(real, m, **kw):
        raise RuntimeError("CBC could not solve the model (exit code -11)")

    calls = _passes(monkeypatch, crash)
    out, x, duals, _ = S.solve_cbc(m, mip_gap=0.0, node_limit=500)
    assert calls == [0, 500]
    assert out.status == "feasible" and out.has_solution
    assert out.objective == pytest.approx(root.objective) and np.allclose(x, xr)
    assert out.termination == "node_limit"  # where the root pass stopped
    assert out.gap == pytest.approx(root.gap) and "the full pass failed" in out.message
    assert duals is None and check_point(m, x).ok
    # through solve(): verified, with the same plan
    v, xv, _, _ = S.solve(m, "cbc", mip_gap=0.0, node_limit=500)
    assert v.verified and v.objective == pytest.approx(root.objective)


def test_a_full_pass_without_a_plan_keeps_the_root_plan_and_its_limit(monkeypatch):
    m = _hard_model()
    root, _ = _root_alone(m)

    def nothing(real, m, **kw):
        run = real(m, **kw)
        run.x, run.head = None, "Stopped on nodes - no integer solution"
        run.log = run.log.replace("Result - Optimal solution found",
                                  "Result - Stopped on node limit")
        return run

    _passes(monkeypatch, nothing)
    out, x, _, _ = S.solve_cbc(m, mip_gap=0.0, node_limit=3)
    assert out.objective == pytest.approx(root.objective) and out.status == "feasible"
    assert out.termination == "node_limit" and "found no plan" in out.message
    assert out.best_bound <= out.objective and out.gap == pytest.approx(
        (out.objective - out.best_bound) / abs(out.objective))


def test_a_dearer_full_pass_plan_is_not_returned(monkeypatch):
    m = _hard_model()
    root, xr = _root_alone(m)

    def dearer(real, m, **kw):
        run = real(m, **kw)
        # the fallback bought for everyone: feasible, but dearer than the root pass's plan
        x = np.zeros(m.n_cols)
        x[-1] = HARD[0]
        run.x = x
        run.head = "Stopped on nodes - objective value 5820"
        run.log = run.log.replace("Result - Optimal solution found",
                                  "Result - Stopped on node limit")
        return run

    _passes(monkeypatch, dearer)
    out, x, _, _ = S.solve_cbc(m, mip_gap=0.0, node_limit=5)
    assert np.allclose(x, xr) and out.objective == pytest.approx(root.objective)
    assert out.objective < HARD[0] * 60.0
    assert out.termination == "node_limit" and "dearer plan" in out.message


def test_full_pass_options_reach_cbc_and_the_root_options_stay(monkeypatch):
    m = _hard_model()
    seen = []
    real = C.run_cbc

    def spy(m, *, options=(), node_limit=None, **kw):
        seen.append((node_limit, tuple(options)))
        return real(m, options=options, node_limit=node_limit, **kw)

    monkeypatch.setattr(C, "run_cbc", spy)
    S.solve_cbc(m, mip_gap=0.0, node_limit=50, full_options=("strong 3",))
    assert seen[0] == (0, S.ROOT_PASS)
    assert seen[1] == (50, ("strong 3",))
    seen.clear()
    S.solve_cbc(m, mip_gap=0.0, node_limit=50, presolve=False, full_options=("preprocess on",
                                                                             "strong 3"))
    # presolve=False keeps Cgl preprocessing off whatever the full-pass options say
    assert seen == [(50, ("presolve off", "preprocess off", "strong 3"))]


def test_same_inputs_same_plan():
    m = _hard_model()
    a, xa, _, _ = S.solve_cbc(m, mip_gap=0.0, node_limit=2)
    b, xb, _, _ = S.solve_cbc(m, mip_gap=0.0, node_limit=2)
    assert a.objective == b.objective and np.array_equal(xa, xb)


def test_a_root_pass_within_the_gap_is_the_answer_whatever_cbc_calls_its_stop(monkeypatch):
    # CBC can say "Stopped on node limit" for a root pass whose plan is already within the gap
    # (Rutland with the cover cuts: gap 0): no second pass, and the stop is named by the gap
    m = _hard_model()
    real = C.run_cbc
    calls = []

    def worded(m, *, node_limit=None, **kw):
        calls.append(node_limit)
        run = real(m, node_limit=node_limit, **kw)
        if node_limit == 0:
            run.log = run.log.replace("Result - Optimal solution found (within gap tolerance)",
                                      "Result - Stopped on node limit")
            run.head = run.head.replace("Optimal (within gap tolerance)", "Stopped on nodes")
        return run

    monkeypatch.setattr(C, "run_cbc", worded)
    out, x, _, _ = S.solve_cbc(m, mip_gap=0.02, node_limit=500)
    assert calls == [0]
    assert out.status == "feasible" and out.termination == "gap_limit"
    assert 0 < out.gap <= 0.02 and "at the root node" in out.message
    assert check_point(m, x).ok
    # outside the gap the same words still send the solve on to the full pass
    calls.clear()
    out, _, _, _ = S.solve_cbc(m, mip_gap=0.001, node_limit=500)
    assert calls == [0, 500] and out.status == "optimal"
