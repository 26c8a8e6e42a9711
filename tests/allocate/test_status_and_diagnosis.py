"""Honest solver status, contradictory policies, input errors, determinism."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sufficiency.allocate import Policy, SolverOutcome, optimise
from sufficiency.errors import ValidationError

from sufficiency.allocate.solve import highs_available


def county_like(seed=0, n_set=30, n_proj=40):
    rng = np.random.default_rng(seed)
    needs, phases, areas = ["ASD", "SEMH", "SLD", "MLD"], ["primary", "secondary"], list("ABCDE")
    years = list(range(2026, 2032))
    d = pd.MultiIndex.from_product([years, needs, phases, areas],
                                   names=["year", "need", "phase", "area"]).to_frame(index=False)
    d["demand"] = rng.poisson(20, len(d)) * (1 + 0.1 * (d["year"] - 2026))
    s = pd.DataFrame({"setting": [f"S{i:02d}" for i in range(n_set)],
                      "provision": "special_maintained", "area": rng.choice(areas, n_set),
                      "capacity": rng.integers(10, 80, n_set).astype(float),
                      "cost_per_place": rng.uniform(20e3, 35e3, n_set)})
    s.loc[len(s)] = ["Indep", "special_independent", "A", np.inf, 60e3]
    g = [(st, n, p) for st in s["setting"] for n in rng.choice(needs, 2, replace=False)
         for p in phases]
    g = pd.DataFrame(g, columns=["setting", "need", "phase"])
    j = pd.DataFrame({"project": [f"J{i:02d}" for i in range(n_proj)],
                      "setting": rng.choice(s["setting"][:-1], n_proj),
                      "places": rng.integers(10, 60, n_proj).astype(float),
                      "capital_cost": rng.uniform(0.5e6, 5e6, n_proj),
                      "lead_time": rng.integers(0, 3, n_proj),
                      "group": rng.choice(["g1", "g2", None, None], n_proj)})
    return d, s, g, j


def test_time_limit_is_not_reported_optimal(solver):
    d, s, g, j = county_like()
    plan = optimise(d, s, g, j, policy=Policy(capital_budget=3e6), solver=solver,
                    time_limit=0.01, duals=False)
    o = plan.outcome
    assert isinstance(o, SolverOutcome)
    if o.termination == "time_limit":
        assert o.status in ("feasible", "no_solution")
        assert not o.proven_optimal
        if o.has_solution:
            assert "NOT PROVEN OPTIMAL" in plan.summary()
    else:  # solved before the clock was checked
        assert o.status == "optimal" and o.gap is not None and o.gap <= 1e-4


def test_optimal_outcome_carries_bound_and_gap(solver):
    d, s, g, j = county_like(n_set=10, n_proj=8)
    o = optimise(d, s, g, j, solver=solver, duals=False).outcome
    assert o.status == "optimal" and o.termination == "optimal"
    assert o.best_bound == pytest.approx(o.objective, rel=1e-4)
    assert o.gap <= 1e-4 and o.solver == solver


def _tiny():
    d = pd.DataFrame({"year": [2026, 2027], "need": "ASD", "phase": "primary",
                      "demand": [12.0, 12.0]})
    s = pd.DataFrame({"setting": ["Oak", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [8, None], "cost_per_place": [25_000, 60_000]})
    g = pd.DataFrame({"setting": ["Oak", "Indep"], "need": "ASD", "phase": "primary"})
    return d, s, g


def test_continuity_over_capacity_is_diagnosed(solver):
    d, s, g = _tiny()
    e = pd.DataFrame({"setting": ["Oak"], "need": "ASD", "phase": "primary", "count": [10.0]})
    plan = optimise(d, s, g, existing=e, solver=solver)
    assert plan.status == "infeasible"
    txt = " ".join(plan.diagnosis["constraint"]) + " ".join(plan.diagnosis["explanation"])
    assert "capacity" in txt and "continuity" in txt and "Oak" in txt
    assert "contradict" in plan.summary()


def test_revenue_budget_against_continuity_is_diagnosed(solver):
    d, s, g = _tiny()
    e = pd.DataFrame({"setting": ["Indep"], "need": "ASD", "phase": "primary", "count": [10.0]})
    plan = optimise(d, s, g, existing=e, policy=Policy(revenue_budget={2027: 500_000}),
                    solver=solver)
    assert plan.status == "infeasible"
    names = " ".join(plan.diagnosis["constraint"])
    assert "revenue_budget" in names and "continuity" in names
    assert (plan.diagnosis["explanation"].str.contains("2027")).any()


def test_elastic_diagnosis_without_iis():
    from sufficiency.allocate.diagnose import diagnose
    from sufficiency.allocate.model import build_model
    from sufficiency.allocate.validate import validate

    d, s, g = _tiny()
    e = pd.DataFrame({"setting": ["Oak"], "need": "ASD", "phase": "primary", "count": [10.0]})
    m, _ = build_model(validate(d, s, g, existing=e))
    out = diagnose(m, method="elastic")
    assert len(out) >= 1
    assert out["explanation"].str.contains("Oak").all()


def test_unplaced_never_infeasible(solver):
    d, s, g = _tiny()
    d = d.assign(demand=1000.0)
    plan = optimise(d, s.iloc[:1], g.iloc[:1], solver=solver)
    assert plan.status == "optimal"
    assert plan.unplaced["unplaced"].sum() == pytest.approx(2 * 992)


@pytest.mark.parametrize("table, change, words", [
    ("designation", lambda t: t.assign(setting=["Oak", "Nowhere"]),
     ["designation", "row 3", "'setting'", "settings table"]),
    ("settings", lambda t: t.assign(capacity=[-1, None]),
     ["settings", "row 2", "'capacity'", ">= 0"]),
    ("demand", lambda t: t.assign(demand=[5, "many"]), ["demand", "row 3", "'demand'", "number"]),
])
def test_validation_messages(table, change, words):
    d, s, g = _tiny()
    tables = {"demand": d, "settings": s, "designation": g}
    tables[table] = change(tables[table])
    with pytest.raises(ValidationError) as err:
        optimise(tables["demand"], tables["settings"], tables["designation"])
    for w in words:
        assert w in str(err.value)


def test_project_opening_before_lead_time():
    d, s, g = _tiny()
    j = pd.DataFrame({"project": ["P"], "setting": ["Oak"], "places": [10.0],
                      "capital_cost": [1e6], "lead_time": [2], "opening_year": [2027]})
    with pytest.raises(ValidationError, match=r"projects: row 2, column 'opening_year'.*lead_time"):
        optimise(d, s, g, j)


def test_existing_more_than_demand():
    d, s, g = _tiny()
    e = pd.DataFrame({"setting": ["Oak"], "need": "ASD", "phase": "primary", "count": [20.0]})
    with pytest.raises(ValidationError, match="exceed the demand"):
        optimise(d, s, g, existing=e)


def test_all_problems_reported_together():
    d, s, g = _tiny()
    with pytest.raises(ValidationError) as err:
        optimise(d.assign(demand=-1.0), s.assign(cost_per_place=-5), g)
    assert len(err.value.problems) == 2


def test_same_input_same_plan(solver):
    d, s, g, j = county_like(n_set=12, n_proj=10)
    a = optimise(d, s, g, j, solver=solver)
    b = optimise(d.sample(frac=1, random_state=1), s.iloc[::-1], g.sample(frac=1, random_state=2),
                 j.iloc[::-1], solver=solver)
    for name in ("placements", "capital_programme", "cost_by_year", "unplaced", "utilisation"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name),
                                      check_exact=False, rtol=1e-6, atol=1e-6)
    assert a.outcome.objective == pytest.approx(b.outcome.objective, rel=1e-9)


def test_docs_show_the_schemas():
    from pathlib import Path

    from sufficiency.allocate.schema import SCHEMAS, schema_markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "allocate.md").read_text()
    for name in SCHEMAS:
        assert schema_markdown(name) in doc, f"docs/allocate.md: schema of {name} out of date"


def _needs_branching():
    """New schools of awkward sizes against growing demand: the LP relaxation without the
    cover cuts opens them in part, so neither solver closes the gap at the root node (checked
    for both)."""
    rng = np.random.default_rng(2)
    needs, sites, years = ["ASD", "SEMH", "SLD", "MLD"], [f"S{i:02d}" for i in range(20)], \
        list(range(2026, 2032))
    d = pd.DataFrame([(y, n, "primary", float(rng.integers(3, 15) + 2 * k))
                      for k, y in enumerate(years) for n in needs],
                     columns=["year", "need", "phase", "demand"])
    s = pd.DataFrame({"setting": sites + ["Indep"],
                      "provision": ["special_maintained"] * 20 + ["special_independent"],
                      "capacity": [0.0] * 20 + [np.inf],
                      "cost_per_place": list(rng.integers(15, 35, 20) * 1000.0) + [60_000.0]})
    g = pd.DataFrame([(st, n, "primary") for st in sites for n in needs if rng.random() < 0.5]
                     + [("Indep", n, "primary") for n in needs],
                     columns=["setting", "need", "phase"])
    j = pd.DataFrame({"project": [f"P{i:02d}" for i in range(20)], "setting": sites,
                      "places": rng.integers(4, 25, 20).astype(float),
                      "capital_cost": rng.integers(100, 1500, 20) * 1000.0})
    return d, s, g, j


def test_a_node_limit_stops_the_same_way_on_a_loaded_machine(solver, monkeypatch):
    """The deterministic stopping rule: a node limit that is always hit gives the same plan
    twice, the second time with every core busy (a wall-clock limit would not)."""
    import functools
    import importlib
    import subprocess
    import sys

    from sufficiency.allocate.model import build_model

    # the cover cuts (model.define_cover_cuts) close this model at the root node: built
    # without them, as before issue 16, it needs branching with both solvers
    opt = importlib.import_module("sufficiency.allocate.optimise")
    monkeypatch.setattr(opt, "build_model", functools.partial(build_model, cover_cuts=False))
    d, s, g, j = _needs_branching()
    kw = dict(solver=solver, mip_gap=0.0, node_limit=1, duals=False,
              policy=Policy(integer_placements=True))
    quiet = optimise(d, s, g, j, **kw)
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 1)]
    try:
        loaded = optimise(d, s, g, j, **kw)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    for plan in (quiet, loaded):
        o = plan.outcome
        assert o.termination == "node_limit" and o.status == "feasible"
        assert o.reproducible and o.gap > 1e-4 and "node limit" in o.describe()
        assert "NOT PROVEN OPTIMAL" in plan.summary()
    for name in ("placements", "capital_programme", "cost_by_year", "unplaced"):
        pd.testing.assert_frame_equal(getattr(quiet, name), getattr(loaded, name),
                                      check_exact=True)
    assert quiet.outcome.objective == loaded.outcome.objective
    # invariants hold at the node limit as at the optimum
    placed = quiet.placements.groupby(["year", "need"])["placed"].sum()
    unplaced = quiet.unplaced.groupby(["year", "need"])["unplaced"].sum()
    total = placed.add(unplaced, fill_value=0.0)
    want = d.set_index(["year", "need"])["demand"]
    pd.testing.assert_series_equal(total.reindex(want.index), want, check_names=False)


def test_a_wall_clock_stop_is_reported_as_not_reproducible():
    o = SolverOutcome("cbc", "feasible", "time_limit", 10.0, 9.0, 0.1, 120.0)
    assert not o.reproducible
    assert "wall-clock time limit (not reproducible)" in o.describe()
    assert SolverOutcome("cbc", "feasible", "node_limit", 10.0, 9.0, 0.1, 1.0).reproducible


@pytest.mark.skipif(not highs_available(), reason="highspy is not installed")
def test_highs_prints_nothing_to_standard_output():
    """HiGHS prints a banner when a process makes its first solver object, before its options
    can be set; a solve with HiGHS must leave the process's standard output alone."""
    import subprocess
    import sys

    code = ("import pandas as pd\n"
            "from sufficiency.allocate import optimise\n"
            "d = pd.DataFrame({'year': [2026], 'need': ['ASD'], 'phase': ['primary'], "
            "'demand': [3.0]})\n"
            "s = pd.DataFrame({'setting': ['Oak'], 'provision': ['special_maintained'], "
            "'capacity': [5.0], 'cost_per_place': [1.0]})\n"
            "g = pd.DataFrame({'setting': ['Oak'], 'need': ['ASD'], 'phase': ['primary']})\n"
            "plan = optimise(d, s, g, solver='highs')\n"
            "assert plan.status == 'optimal'\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(__file__).resolve().parents[2])] + os.environ.get("PYTHONPATH", "").split(
            os.pathsep)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)
    assert done.stdout == ""
