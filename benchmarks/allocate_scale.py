"""Scale and speed of ``sufficiency.allocate``: model-build vs solve time, CBC vs HiGHS.

Generates a county-sized instance (80 settings, 13 needs, 5 phases, 10 areas, 10 years,
40 candidate projects) and a national-scale one (1,500 settings, 4 need groups, 5 phases,
150 areas, 10 years, 600 projects, travel limited to nearby settings), and prints, as the
median of ``--runs`` runs:

* validate + build: our vectorised construction of the sparse model;
* CBC: the MPS file written from the matrices + CBC (root pass, then branch and bound if the
  gap is open; see docs/allocate.md, "Speed of the solve");
* HiGHS: the same matrices handed to highspy;
* the floor: HiGHS called directly on the same, already-built matrices (``Highs.passModel``
  + ``run``), measured in the same run; our build + solve as a ratio to it (target <= 3x);
* for the county instance, PuLP's own HiGHS interface on the PuLP problem, for comparison.

Every solve stops at a 0.5% relative MIP gap or 120 s (the scenario defaults), whichever first.

Usage::

    python benchmarks/allocate_scale.py [--runs 3] [--threads 2] [--mip-gap 0.005]
        [--time-limit 120] [--skip-county] [--skip-national] [--cbc-national]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from sufficiency.allocate import Cap, Policy, optimise
from sufficiency.allocate.model import build_model
from sufficiency.allocate.solve import solve_cbc, solve_highs
from sufficiency.allocate.validate import validate

NEEDS13 = ["SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH",
           "NSA"]
GROUPS4 = ["cognition_learning", "communication_interaction", "semh", "sensory_physical"]
PHASES = ["early years", "primary", "secondary", "post-16", "post-19"]


def instance(n_settings, needs, n_areas, n_years, n_projects, seed=0, local=None):
    """A synthetic LA (or country): demand, settings, designation, projects, travel, policy.

    With ``local``, a maximum travel time keeps only settings within ``local`` areas of the
    child's area (and the out-of-area catch-all)."""
    rng = np.random.default_rng(seed)
    areas = [f"area{i:03d}" for i in range(n_areas)]
    years = list(range(2026, 2026 + n_years))
    d = pd.MultiIndex.from_product([years, needs, PHASES, areas],
                                   names=["year", "need", "phase", "area"]).to_frame(index=False)
    base = rng.gamma(2.0, 6.0, len(needs) * len(PHASES) * n_areas)
    growth = 1.0 + 0.06 * (d["year"] - years[0]).to_numpy()
    d["demand"] = np.round(np.tile(base, n_years) * growth, 1)
    kinds = rng.choice(["special_maintained", "resource_base", "ap", "special_independent"],
                       n_settings, p=[0.45, 0.35, 0.08, 0.12])
    cap = np.where(kinds == "resource_base", rng.integers(8, 25, n_settings),
                   rng.integers(60, 250, n_settings)).astype(float)
    cap[kinds == "special_independent"] = np.inf
    cost = {"special_maintained": 24e3, "resource_base": 16e3, "ap": 20e3,
            "special_independent": 58e3}
    s = pd.DataFrame({"setting": [f"setting{i:04d}" for i in range(n_settings)],
                      "provision": kinds, "area": rng.choice(areas, n_settings),
                      "capacity": cap,
                      "cost_per_place": [cost[k] * rng.uniform(0.85, 1.2) for k in kinds]})
    # out-of-area catch-all at a high cost, unlimited
    s.loc[len(s)] = ["out of area", "out_of_area", areas[0], np.inf, 70e3]
    rows = []
    for st, k in zip(s["setting"], s["provision"]):
        if k in ("special_independent", "out_of_area"):
            nn, pp = needs, PHASES
        elif k == "resource_base":
            nn, pp = rng.choice(needs, 1), rng.choice(PHASES[1:3], 1)
        else:
            nn = rng.choice(needs, min(len(needs), 4 if len(needs) > 4 else 2), replace=False)
            pp = PHASES[1:4] if rng.random() < 0.6 else PHASES[:3]
        rows += [(st, n, p) for n in nn for p in pp]
    g = pd.DataFrame(rows, columns=["setting", "need", "phase"])
    limited = s.loc[np.isfinite(s["capacity"]), "setting"].to_numpy()
    j = pd.DataFrame({"project": [f"project{i:03d}" for i in range(n_projects)],
                      "setting": rng.choice(limited, n_projects, replace=False),
                      "places": rng.choice([16, 30, 60, 100], n_projects).astype(float)})
    j["capital_cost"] = j["places"] * rng.uniform(60e3, 90e3, n_projects)  # ~£75k per place
    j["lead_time"] = rng.integers(1, 4, n_projects)
    j["group"] = [f"site{i // 2}" if i < n_projects // 4 else None for i in range(n_projects)]
    # travel: £ per child per year rising with distance between area indices
    ai = {a: i for i, a in enumerate(areas)}
    sa = s["area"].map(ai).to_numpy()
    t = pd.DataFrame({"area": np.repeat(areas, len(s)), "setting": np.tile(s["setting"], n_areas)})
    dist = np.abs(np.repeat(np.arange(n_areas), len(s)) - np.tile(sa, n_areas))
    t["minutes"] = 10.0 + 12.0 * dist
    t["cost"] = 1500.0 + 900.0 * dist
    oo = t["setting"].isin(["out of area"])
    t.loc[oo, ["minutes", "cost"]] = [30.0, 8000.0]
    # national: settings more than `local` areas away are beyond the travel limit
    budget = float(j["capital_cost"].sum() * 0.25)
    pol = Policy(capital_budget={y: budget / 3 for y in years}, capital_budget_total=budget,
                 caps=[Cap.independent_share(0.25)],
                 max_travel_minutes=None if local is None else 10.0 + 12.0 * local)
    return dict(demand=d, settings=s, designation=g, projects=j, travel=t, policy=pol)


#: Stopping rule for every solver in this benchmark (the scenario default: 0.5% gap, 120 s).
MIP_GAP = 0.005
TIME_LIMIT = 120.0


def floor_highs(m, threads):
    """HiGHS directly on the same, already-built arrays: passModel + run."""
    A = m.matrix("csc")
    arrays = (m.cost.copy(), m.col_lower, m.col_upper, m.row_lower, m.row_upper,
              A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data.copy(),
              m.integrality.astype(np.int32))
    import highspy

    t0 = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if threads:
        h.setOptionValue("threads", threads)
    h.setOptionValue("mip_rel_gap", MIP_GAP)
    h.setOptionValue("time_limit", TIME_LIMIT)
    h.setOptionValue("random_seed", 0)
    c, lb, ub, rl, ru, st, ix, v, it = arrays
    h.passModel(m.n_cols, m.n_rows, int(A.nnz), 1, 1, 0.0, c, lb, ub, rl, ru, st, ix, v, it)
    h.run()
    el = time.perf_counter() - t0
    return el, h.getInfo().objective_function_value


def pulp_highs(m, threads):
    """PuLP's own HiGHS interface (highspy through pulp.HiGHS) on the PuLP problem."""
    import pulp

    t0 = time.perf_counter()
    prob, var, cons = m.to_pulp()
    t1 = time.perf_counter()
    prob.solve(pulp.HiGHS(msg=False, threads=threads, gapRel=MIP_GAP, timeLimit=TIME_LIMIT))
    return t1 - t0, time.perf_counter() - t1, pulp.value(prob.objective)


def bench(name, inst, runs, threads, cbc=True, pulp_h=False):
    rec = {k: [] for k in ("build", "cbc_pulp", "cbc_solve", "highs_solve", "floor", "ratio",
                           "optimise_highs", "pulp_highs_build", "pulp_highs_solve")}
    objs = {}
    for r in range(runs):
        t0 = time.perf_counter()
        inputs = validate(inst["demand"], inst["settings"], inst["designation"], inst["projects"],
                          inst["travel"], None, inst["policy"])
        m, ctx = build_model(inputs)
        build = time.perf_counter() - t0
        out, x, _ = solve_highs(m, threads=threads, mip_gap=MIP_GAP, time_limit=TIME_LIMIT)
        objs["highs"] = out.objective
        fl, objs["floor"] = floor_highs(m, threads)
        rec["build"].append(build)
        rec["highs_solve"].append(out.solve_time)
        rec["floor"].append(fl)
        rec["ratio"].append((build + out.solve_time) / fl)
        if cbc:
            o2, _, _, tp = solve_cbc(m, threads=threads, mip_gap=MIP_GAP, time_limit=TIME_LIMIT)
            objs["cbc"] = o2.objective
            rec["cbc_pulp"].append(tp)
            rec["cbc_solve"].append(o2.solve_time)
        if pulp_h and r == 0:
            b, sv, objs["pulp_highs"] = pulp_highs(m, threads)
            rec["pulp_highs_build"].append(b)
            rec["pulp_highs_solve"].append(sv)
        t3 = time.perf_counter()
        plan = optimise(solver="highs", threads=threads, mip_gap=MIP_GAP, time_limit=TIME_LIMIT,
                        **inst)
        rec["optimise_highs"].append(time.perf_counter() - t3)
    med = {k: statistics.median(v) for k, v in rec.items() if v}
    print(f"\n== {name} [mip gap {MIP_GAP:.1%}, time limit {TIME_LIMIT:.0f} s, {threads} threads]")
    print(f"   {m.n_cols:,} columns ({int(m.integrality.sum())} integer), "
          f"{m.n_rows:,} rows, {m.matrix('csr').nnz:,} non-zeros; median of {runs} run(s)")
    print(f"  validate + build (ours, vectorised) {med['build']:8.2f} s")
    print(f"  HiGHS solve (highspy, our matrices) {med['highs_solve']:8.2f} s   "
          f"status {out.status}, gap {out.gap}")
    print(f"  floor: highspy passModel + run      {med['floor']:8.2f} s")
    print(f"  ours (build + HiGHS) / floor        {med['ratio']:8.2f} x   (target <= 3x)")
    if cbc:
        print(f"  CBC: solve (incl. MPS write/read)   {med['cbc_solve']:8.2f} s   "
              f"status {o2.status}, gap {o2.gap}")
        print(f"       of which the MPS file written  {med['cbc_pulp']:8.2f} s")
        print(f"  ours (build + CBC) / floor          "
              f"{(med['build'] + med['cbc_solve']) / med['floor']:8.2f} x")
    if pulp_h:
        print(f"  PuLP's HiGHS interface: build {med['pulp_highs_build']:.2f} s + solve "
              f"{med['pulp_highs_solve']:.2f} s = "
              f"{(med['build'] + med['pulp_highs_build'] + med['pulp_highs_solve']) / med['floor']:.2f}"
              " x floor (1 run)")
    print(f"  optimise(solver='highs') end to end {med['optimise_highs']:8.2f} s "
          "(incl. duals LP and result tables)")
    print("  objectives: " + ", ".join(f"{k} {v:,.0f}" if v is not None else f"{k} none"
                                       for k, v in objs.items()))
    return med


def main(argv=None):
    global MIP_GAP, TIME_LIMIT
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--cbc-national", action="store_true", help="also solve national with CBC")
    ap.add_argument("--skip-county", action="store_true")
    ap.add_argument("--mip-gap", type=float, default=MIP_GAP)
    ap.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    a = ap.parse_args(argv)
    MIP_GAP, TIME_LIMIT = a.mip_gap, a.time_limit
    if not a.skip_county:
        county = instance(80, NEEDS13, 10, 10, 40, seed=1)
        bench("county (80 settings, 13 needs, 5 phases, 10 areas, 10 years, 40 projects)",
              county, a.runs, a.threads, cbc=True, pulp_h=True)
        county4 = instance(80, GROUPS4, 10, 10, 40, seed=2)
        bench("county, 4 need groups", county4, a.runs, a.threads, cbc=True)
    if not a.skip_national:
        national = instance(1500, GROUPS4, 150, 10, 600, seed=3, local=2)
        bench("national (1,500 settings, 4 need groups, 5 phases, 150 areas, 10 years, "
              "600 projects)", national, 1, a.threads, cbc=a.cbc_national)


if __name__ == "__main__":
    main()
