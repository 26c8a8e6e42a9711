"""Invariants on random small instances (hypothesis)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sufficiency.allocate import Cap, Policy, optimise
from sufficiency.allocate.solve import highs_available

FAST = "highs" if highs_available() else "cbc"
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def random_instance(seed, n_year, n_set, n_need, n_phase, n_area, n_proj, budgets, existing):
    rng = np.random.default_rng(seed)
    years = list(range(2030, 2030 + n_year))
    needs = [f"N{i}" for i in range(n_need)]
    phases = [f"P{i}" for i in range(n_phase)]
    areas = [f"A{i}" for i in range(n_area)]
    d = pd.MultiIndex.from_product([years, needs, phases, areas],
                                   names=["year", "need", "phase", "area"]).to_frame(index=False)
    d["demand"] = rng.integers(0, 12, len(d)).astype(float)
    prov = rng.choice(["special_maintained", "resource_base", "special_independent"], n_set)
    cap = rng.integers(0, 25, n_set).astype(float)
    cap[prov == "special_independent"] = np.inf
    s = pd.DataFrame({"setting": [f"S{i}" for i in range(n_set)], "provision": prov,
                      "area": rng.choice(areas, n_set), "capacity": cap,
                      "cost_per_place": rng.integers(10, 70, n_set) * 1000.0})
    g = [(st_, n, p, (float(rng.integers(1, 15)) if rng.random() < 0.3 else np.nan))
         for st_ in s["setting"] for n in needs for p in phases if rng.random() < 0.6]
    g = pd.DataFrame(g, columns=["setting", "need", "phase", "cap"])
    limited = s.loc[np.isfinite(s["capacity"]), "setting"].to_numpy()
    j = None
    if n_proj and len(limited):
        j = pd.DataFrame({"project": [f"J{i}" for i in range(n_proj)],
                          "setting": rng.choice(limited, n_proj),
                          "places": rng.integers(1, 20, n_proj).astype(float),
                          "capital_cost": rng.integers(0, 400, n_proj) * 1000.0,
                          "lead_time": rng.integers(0, 3, n_proj),
                          "group": rng.choice(["a", "b", None], n_proj)})
        if rng.random() < 0.5:
            j["min_size"] = np.where(rng.random(n_proj) < 0.5, 1.0, np.nan)
            j["capital_cost_per_place"] = rng.integers(0, 30, n_proj) * 1000.0
    t = pd.DataFrame([(a, st_, float(rng.integers(0, 5000)), float(rng.integers(5, 90)))
                      for a in areas for st_ in s["setting"]],
                     columns=["area", "setting", "cost", "minutes"])
    kw = {}
    if budgets:
        kw = dict(capital_budget={y: float(rng.integers(0, 500)) * 1000 for y in years},
                  capital_budget_total=float(rng.integers(0, 800)) * 1000,
                  caps=[Cap.independent_share(float(rng.uniform(0.1, 0.9)))],
                  max_travel_minutes=60.0)
    e = None
    if existing and len(g):
        # a few children already placed, within demand and capacity so the policy is consistent
        row = g.iloc[int(rng.integers(len(g)))]
        cell = d[(d["need"] == row["need"]) & (d["phase"] == row["phase"])].iloc[0]
        room = s.set_index("setting").loc[row["setting"], "capacity"]
        k = min(cell["demand"], room, row["cap"] if np.isfinite(row["cap"]) else np.inf, 3.0)
        e = pd.DataFrame({"year": [cell["year"]], "setting": [row["setting"]],
                          "need": [row["need"]], "phase": [row["phase"]],
                          "area": [cell["area"]], "count": [float(k)]})
    return d, s, g, j, t, e, Policy(**kw)


instances = st.builds(
    random_instance, seed=st.integers(0, 2**31), n_year=st.integers(1, 3),
    n_set=st.integers(1, 4), n_need=st.integers(1, 2), n_phase=st.integers(1, 2),
    n_area=st.integers(1, 2), n_proj=st.integers(0, 3), budgets=st.booleans(),
    existing=st.booleans())


def check_invariants(plan, d, s, g, j, t, e, pol):
    assert plan.status == "optimal", plan.outcome
    tol = 1e-6
    pl, un = plan.placements, plan.unplaced
    keys = ["year", "need", "phase", "area"]
    # placed + unplaced = demand in every cell
    placed = pl.groupby(keys)["placed"].sum()
    unpl = un.groupby(keys)["unplaced"].sum() if len(un) else pd.Series(dtype=float)
    dem = d.set_index(keys)["demand"]
    tot = placed.reindex(dem.index, fill_value=0) + unpl.reindex(dem.index, fill_value=0)
    np.testing.assert_allclose(tot.to_numpy(), dem.to_numpy(), atol=1e-6)
    assert (pl["placed"] >= -tol).all()
    if len(un):
        assert (un["unplaced"] >= -tol).all()
    # no placement where the setting is not designated
    des = set(map(tuple, g[["setting", "need", "phase"]].to_numpy()))
    assert all(tuple(r) in des for r in pl[["setting", "need", "phase"]].to_numpy())
    # travel limit
    if pol.max_travel_minutes is not None and len(pl):
        mins = t.set_index(["area", "setting"])["minutes"]
        new = pl[pl["existing"] <= 0]  # children already placed stay, however far
        used = pd.MultiIndex.from_frame(new[["area", "setting"]])
        assert (mins.reindex(used).to_numpy() <= pol.max_travel_minutes).all()
    # capacity including opened projects, from their opening year
    cp = plan.capital_programme
    cap = s.set_index("setting")["capacity"]
    use = pl.groupby(["year", "setting"])["placed"].sum()
    for (y, st_), v in use.items():
        extra = cp[(cp["setting"] == st_) & (cp["opening_year"] <= y)]["places"].sum()
        assert v <= cap[st_] + extra + tol
    # designation caps
    capped = g[g["cap"].notna()].set_index(["setting", "need", "phase"])["cap"]
    byc = pl.groupby(["year", "setting", "need", "phase"])["placed"].sum()
    for (y, st_, n, p), v in byc.items():
        if (st_, n, p) in capped.index:
            assert v <= capped[(st_, n, p)] + tol
    # continuity
    if e is not None:
        for r in e.itertuples(index=False):
            m = pl[(pl["year"] == r.year) & (pl["setting"] == r.setting) & (pl["need"] == r.need)
                   & (pl["phase"] == r.phase) & (pl["area"] == r.area)]["placed"].sum()
            assert m >= r.count - tol
    # projects: at most once, at most one per group, opening years possible, budgets
    assert cp["project"].is_unique
    if len(cp):
        jj = j.set_index("project")
        first = int(d["year"].min())
        for r in cp.itertuples(index=False):
            assert r.opening_year >= first + jj.loc[r.project, "lead_time"]
            assert r.opening_year <= int(d["year"].max())
            assert r.places <= jj.loc[r.project, "places"] + tol
        grp = cp["project"].map(jj["group"]).dropna()
        assert grp.is_unique
    capex = plan.cost_by_year.groupby("year")["capital"].sum()
    if isinstance(pol.capital_budget, dict):
        for y, b in pol.capital_budget.items():
            assert capex.get(y, 0.0) <= b + 1e-3
    if pol.capital_budget_total is not None:
        assert capex.sum() <= pol.capital_budget_total + 1e-3
    # caps: independent share of new placements
    for c in pol.caps:
        for y, grp_ in pl.groupby("year"):
            new = grp_["new"]
            inside = grp_["provision"].isin(c.provisions)
            assert new[inside].sum() <= c.max_share * new.sum() + 1e-6


@SETTINGS
@given(instances)
def test_invariants_hold(inst):
    d, s, g, j, t, e, pol = inst
    plan = optimise(d, s, g, j, travel=t, existing=e, policy=pol, solver=FAST)
    check_invariants(plan, d, s, g, j, t, e, pol)


@SETTINGS
@given(instances, st.integers(1, 40), st.integers(0, 300))
def test_adding_a_project_never_costs_more(inst, places, cost_k):
    d, s, g, j, t, e, pol = inst
    limited = s.loc[np.isfinite(s["capacity"]), "setting"]
    if not len(limited):
        return
    base = optimise(d, s, g, j, travel=t, existing=e, policy=pol, solver=FAST, mip_gap=0,
                    duals=False)
    extra = pd.DataFrame({"project": ["ZZ extra"], "setting": [limited.iloc[0]],
                          "places": [float(places)], "capital_cost": [cost_k * 1000.0]})
    j2 = extra if j is None else pd.concat([j, extra], ignore_index=True)
    more = optimise(d, s, g, j2, travel=t, existing=e, policy=pol, solver=FAST, mip_gap=0,
                    duals=False)
    assert more.outcome.objective <= base.outcome.objective * (1 + 1e-9) + 1e-6


@pytest.mark.skipif(not highs_available(), reason="needs highspy to compare with CBC")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_cbc_and_highs_agree(inst):
    d, s, g, j, t, e, pol = inst
    a = optimise(d, s, g, j, travel=t, existing=e, policy=pol, solver="cbc", duals=False)
    b = optimise(d, s, g, j, travel=t, existing=e, policy=pol, solver="highs", mip_gap=0,
                 duals=False)
    assert a.outcome.objective == pytest.approx(b.outcome.objective, rel=1e-6, abs=1e-3)


@pytest.mark.skipif(not highs_available(), reason="uses highspy directly")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_dropping_dominated_options_keeps_the_optimal_cost(inst):
    from sufficiency.allocate.model import build_model
    from sufficiency.allocate.solve import solve_highs
    from sufficiency.allocate.validate import validate

    d, s, g, j, t, e, pol = inst
    inputs = validate(d, s, g, j, t, e, pol)
    costs = []
    for reduce in (True, False):
        m, _ = build_model(inputs, reduce_dominated=reduce)
        if m.n_cols == 0:
            return
        out, _, _ = solve_highs(m, mip_gap=0)
        costs.append(out.objective)
    assert costs[0] == pytest.approx(costs[1], rel=1e-7, abs=1e-4)
