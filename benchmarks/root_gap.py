"""Root gaps of the allocation model with and without the cover cuts (issue 16).

The cover cuts (:func:`sufficiency.allocate.model.define_cover_cuts`) are valid inequalities
that round up, per path and year, the places opened to whole projects. This script measures
what they do to the national sweep's models: for each LA of a sample (default: the LAs that
took more than 3 s in the session-5 baseline sweep, the ones that went past CBC's root pass,
and a few quick ones), the example scenario is run up to the place plan (``sufficiency
sweep``'s tables-only settings) and the optimiser's inputs kept
(``benchmarks/allocate_speed.py``'s ``capture``). Then, back to back in this process, for the
model built without ("before") and with ("after") the cuts:

* the LP relaxation's objective (CBC's CLP, integrality dropped): the **LP bound**;
* the root gap: ``(best known plan - LP bound) / best known plan``, where the best known plan
  is the cheaper of the two final plans;
* the full ``optimise(...)`` call as the sweep makes it (root pass, then the branch and bound
  up to the node limit if the root leaves the gap open): whether it **stopped at the root**,
  its CPU seconds (this process plus CBC, ``resource.getrusage``: robust to a shared
  machine), its objective and gap to CBC's bound.

Printed per LA, then: how many LAs stop at the root, total and median CPU seconds, and the
distribution of the final objective after vs before (which must stay within the 0.5% gap:
both plans are within the gap of the same optimum).

Usage::

    python benchmarks/root_gap.py [--las Shropshire,...] [--scenario scenarios/example.yaml]
        [--cache inputs.pkl]
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.util
import os
import pickle
import resource
import statistics
import sys
from pathlib import Path

import numpy as np

SLOW = ("Shropshire,North Somerset,East Riding of Yorkshire,Cheshire West and Chester,Stockport,"
        "Dudley,Sunderland,Doncaster,South Gloucestershire,Northamptonshire (footprint),"
        "Redbridge,Knowsley,Lancashire,Cambridgeshire,West Sussex,Sheffield,Barnet,"
        "Staffordshire,Surrey")
QUICK = "Kent,Derby,Rutland,Wiltshire,Leeds,Birmingham"
SAMPLE = SLOW + "," + QUICK


def _capture(scenario, las):
    here = Path(__file__).resolve().parent / "allocate_speed.py"
    spec = importlib.util.spec_from_file_location("allocate_speed", here)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.capture(scenario, las)


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def lp_bound(args, kwargs, cover_cuts: bool) -> tuple[float, int]:
    """The LP relaxation's objective and the number of cover cuts of one LA's model."""
    from sufficiency.allocate.model import build_model
    from sufficiency.allocate.optimise import _demand_table, _unpack
    from sufficiency.allocate.solve import solve
    from sufficiency.allocate.validate import validate

    demand, settings = args[:2]
    kw = dict(kwargs)
    settings, designation, projects, travel, _, _ = _unpack(
        settings, kw.get("designation"), kw.get("projects"), kw.get("travel"))
    d = _demand_table(demand, kw.get("demand_column"), kw.get("years"))
    inputs = validate(d, settings, designation, projects, travel, kw.get("existing"),
                      kw["policy"], project_places=kw.get("project_places"),
                      initial=kw.get("initial"), carry=kw.get("carry"))
    m, _ = build_model(inputs, cover_cuts=cover_cuts)
    out, _, _, _ = solve(m, "cbc", integrality=np.zeros(m.n_cols, bool))
    cuts = m.row_blocks["cover_cut"].n if "cover_cut" in m.row_blocks else 0
    return out.objective, cuts


def run(args, kwargs, cover_cuts: bool):
    """The sweep's ``optimise`` call on a model built with or without the cuts."""
    from sufficiency.allocate.model import build_model

    opt = importlib.import_module("sufficiency.allocate.optimise")
    real = opt.build_model
    opt.build_model = functools.partial(build_model, cover_cuts=cover_cuts)
    try:
        c0 = _cpu()
        plan = opt.optimise(*args, **kwargs)
        return plan, _cpu() - c0
    finally:
        opt.build_model = real


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--las", default=SAMPLE,
                    help="LA names separated by commas, or by ';' when a name has a comma")
    ap.add_argument("--scenario", default="scenarios/example.yaml")
    ap.add_argument("--cache", default=None,
                    help="pickle file keeping the captured inputs between runs")
    a = ap.parse_args(argv)
    sep = ";" if ";" in a.las else ","   # names with a comma (Dorset's footprint): use ";"
    las = [x.strip() for x in a.las.split(sep) if x.strip()]
    if a.cache and os.path.exists(a.cache):
        with open(a.cache, "rb") as f:
            cases = pickle.load(f)
        missing = [la for la in las if la not in cases]
        if missing:
            print(f"capturing {len(missing)} LAs not in {a.cache} ...", flush=True)
            cases.update(_capture(a.scenario, missing))
            with open(a.cache, "wb") as f:
                pickle.dump(cases, f)
    else:
        print(f"capturing the optimiser's inputs for {len(las)} LAs ({a.scenario}) ...",
              flush=True)
        cases = _capture(a.scenario, las)
        if a.cache:
            with open(a.cache, "wb") as f:
                pickle.dump(cases, f)
    print(f"{'LA':28s} {'cuts':>4s} | {'LP bound £m before/after':>25s} | "
          f"{'root gap before/after':>21s} | {'stopped before/after':>27s} | "
          f"{'CPU s before/after':>18s} | {'final objective after vs before':>10s}")
    rows = []
    for la in las:
        if la not in cases:
            continue
        args, kwargs = cases[la]
        res = {}
        for cuts in (False, True):
            bound, n = lp_bound(args, kwargs, cuts)
            plan, cpu = run(args, kwargs, cuts)
            o = plan.outcome
            assert o.verified, la
            root = "root node" in o.message and "after the root pass" not in o.message
            res[cuts] = (bound, n, o, cpu, root)
        (b0, _, o0, c0, r0), (b1, n1, o1, c1, r1) = res[False], res[True]
        best = min(o0.objective, o1.objective)
        g0, g1 = (best - b0) / best, (best - b1) / best
        diff = (o1.objective - o0.objective) / o0.objective
        stop = lambda o, r: f"{o.termination}{' (root)' if r else ''}"  # noqa: E731
        rows.append((la, b0, b1, g0, g1, r0, r1, c0, c1, diff, o0, o1))
        print(f"{la:28s} {n1:4d} | {b0 / 1e6:11.3f} / {b1 / 1e6:11.3f} | {g0:9.3%} / "
              f"{g1:9.3%} | {stop(o0, r0):>13s} / {stop(o1, r1):<13s} | {c0:7.2f} / "
              f"{c1:7.2f} | {diff:+.3%}", flush=True)
    if not rows:
        return
    n = len(rows)
    c0 = [r[7] for r in rows]
    c1 = [r[8] for r in rows]
    diffs = sorted(r[9] for r in rows)
    print(f"\n{n} LAs (CPU seconds of this process and CBC; the machine may be shared).")
    print(f"stopped at the root: before {sum(r[5] for r in rows)}, after {sum(r[6] for r in rows)}"
          f"; node limit reached: before {sum(r[10].termination == 'node_limit' for r in rows)},"
          f" after {sum(r[11].termination == 'node_limit' for r in rows)}")
    print(f"root gap (to the best known plan): median before {statistics.median(r[3] for r in rows):.3%}"
          f", after {statistics.median(r[4] for r in rows):.3%}; largest before "
          f"{max(r[3] for r in rows):.3%}, after {max(r[4] for r in rows):.3%}")
    print(f"CPU: total before {sum(c0):.1f} s, after {sum(c1):.1f} s ({sum(c0) / sum(c1):.2f}x);"
          f" median per LA before {statistics.median(c0):.2f} s, after "
          f"{statistics.median(c1):.2f} s")
    q = np.quantile(diffs, [0.0, 0.25, 0.5, 0.75, 1.0])
    print("final objective after vs before: min {:+.3%}, q1 {:+.3%}, median {:+.3%}, "
          "q3 {:+.3%}, max {:+.3%}".format(*q))
    worst = max(diffs)
    print(f"largest increase {worst:+.3%} "
          f"({'within' if worst <= 0.005 else 'BEYOND'} the 0.5% gap tolerance)")


if __name__ == "__main__":
    sys.exit(main())
