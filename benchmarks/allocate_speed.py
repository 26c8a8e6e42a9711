"""Speed of the optimiser per LA in the national sweep: the CBC solve before and after issue 16.

For each LA of a sample (default: 20 LAs of varied size; ``--las slow``: the 20 slowest LAs of
the session-5 sweep, most of which go past the root pass), the example scenario is run up to
the place plan (``sufficiency sweep``'s tables-only settings: no marginal values) and the
optimiser's inputs are kept. Then, back to back in this process, the same ``optimise(...)``
call is timed twice:

* **before** (``--before main``, the default): the solve on main at the start of session 5:
  the MPS file written from the matrices, the root pass with session 5's options
  (``MAIN_ROOT_PASS``) and, when the root leaves the gap open, CBC's full branch and bound
  with its defaults (``MAIN_FULL_PASS``) up to the scenario's node limit;
  ``--before pulp``: the solve before issue 16's speed work: PuLP builds an ``LpProblem``
  from the matrices, writes its MPS file and runs its bundled CBC once with the scenario's
  gap, node limit and time limit (CBC's defaults otherwise);
* **after**: the current solve (``sufficiency.allocate.solve.ROOT_PASS`` and ``FULL_PASS``,
  the better of the two passes' plans kept), optionally with ``--after-node-limit`` or
  ``--after-options`` (the full pass's CBC options, ";"-separated, e.g.
  ``"DivingC off;strong 3"``) to measure a change before making it.

Both answers are verified against the model (``check_point``). Printed per LA: wall seconds
and CPU seconds (this process plus CBC, which is robust to a shared machine), the ratio
before / after, the objective of each, the difference (after - before, % of before), the
gap to CBC's bound and how each stopped. Then the median ratio and the largest objective
difference.

``--after-node-limit 0`` times the root pass alone (``allocate.node_limit: 0``) as "after".
The objective difference is the figure to watch: a plan more than 0.1% dearer than main's is
counted and listed at the end.

Usage::

    python benchmarks/allocate_speed.py [--las Kent,Derby,...|slow] [--scenario scenarios/example.yaml]
        [--repeat 1] [--before main|pulp] [--after-node-limit N] [--after-options "A;B"]
        [--cache inputs.pkl]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import resource
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np

SAMPLE = ("Kent,Wiltshire,Herefordshire,Derby,Leeds,Rutland,Doncaster,Dudley,Shropshire,Essex,"
          "Birmingham,Hartlepool,Torbay,Camden,Norfolk,Sheffield,Newham,Cornwall,Bristol,"
          "Lancashire")

#: The 20 slowest LAs of the session-5 in-process sweep (quiet machine; 12 of them go past the
#: root pass into the branch and bound, 6 of those stop on the node limit).
SLOW = ("Shropshire,North Somerset,East Riding of Yorkshire,Cheshire West and Chester,Stockport,"
        "Dudley,Sunderland,Doncaster,South Gloucestershire,Northamptonshire (footprint),Redbridge,"
        "Knowsley,Lancashire,Cambridgeshire,West Sussex,Sheffield,Barnet,Staffordshire,Surrey,"
        "Kent")

#: The CBC options of main's solve at the start of session 5 (the comparator ``--before main``).
MAIN_ROOT_PASS = ("preprocess off", "hOptions 1", "passC 20")
MAIN_FULL_PASS = ()


def capture(scenario: str, las: list[str]) -> dict:
    """Run the sweep's per-LA scenario up to the optimiser and keep its arguments."""
    import sufficiency as sf
    import sufficiency.allocate as al

    real = al.optimise
    seen = {}
    current = {}

    def spy(*args, **kwargs):
        seen[current["la"]] = (args, kwargs)
        raise _Captured()

    al.optimise = spy
    try:
        for la in las:
            current["la"] = la
            with tempfile.TemporaryDirectory() as out:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sf.sweep(scenario, las=[la], out=out, outputs="tables", force=True)
            if la not in seen:
                print(f"  {la}: no place plan (the sweep failed or skipped it)")
    finally:
        al.optimise = real
    return seen


class _Captured(Exception):
    pass


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


_RESULT = re.compile(r"^Result - (.*)$", re.M)
_BOUND = re.compile(r"^Lower bound:\s+(\S+)", re.M)


def solve_before(m, *, time_limit=None, mip_gap=None, threads=None, msg=False, lb=None, ub=None,
                 integrality=None, presolve=None, node_limit=None, **_):
    """The CBC solve before issue 16's speed work: PuLP problem, PuLP's MPS, one CBC run."""
    import pulp
    from pulp import constants as C

    from sufficiency.allocate.solve import OPTIMALITY_GAP, SolverOutcome, _gap

    t0 = time.perf_counter()
    prob, var, cons = m.to_pulp(col_lower=lb, col_upper=ub, integrality=integrality)
    integ = m.integrality if integrality is None else integrality
    is_mip = bool(np.any(integ))
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "cbc.log")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=mip_gap,
                                       threads=threads, logPath=log, presolve=presolve,
                                       maxNodes=int(node_limit) if node_limit is not None
                                       and is_mip else None,
                                       options=["preprocess off"] if presolve is False else None)
        prob.solve(solver)
        text = open(log).read()
    result = _RESULT.search(text).group(1).strip() if _RESULT.search(text) else ""
    has = prob.sol_status in (C.LpSolutionOptimal, C.LpSolutionIntegerFeasible)
    x = np.array([v.varValue or 0.0 for v in var]) if has else None
    duals = (np.array([c.pi or 0.0 for c in cons]) if has and not is_mip else None)
    obj = float(m.cost @ x) if has else None
    found = _BOUND.search(text)
    bound = float(found.group(1)) if (found and is_mip) else obj
    low = result.lower()
    if "node limit" in low:
        status, term = "feasible", "node_limit"
    elif "time" in low:
        status, term = "feasible", "time_limit"
    elif has:
        status, term = "optimal", "optimal"
    else:
        status, term = "infeasible", "infeasible"
    gap = _gap(obj, bound)
    if status == "optimal" and gap is not None and gap > OPTIMALITY_GAP:
        status, term = "feasible", "gap_limit"
    out = SolverOutcome("cbc", status, term, obj, bound, gap, time.perf_counter() - t0, result)
    return out, x, duals, 0.0


def _with_options(root_options, full_options):
    """``solve_cbc`` with the given pass options."""
    import sufficiency.allocate.solve as S

    real = S.solve_cbc

    def solve(m, **kw):
        return real(m, root_options=root_options, full_options=full_options, **kw)

    return solve


def timed(args, kwargs, before, after_options=None):
    """Time one ``optimise`` call: ``before`` is "pulp", "main" or False (the current solve)."""
    import sufficiency.allocate.solve as S
    from sufficiency.allocate import optimise

    real = S.solve_cbc
    if before == "pulp":
        S.solve_cbc = solve_before
    elif before == "main":
        S.solve_cbc = _with_options(MAIN_ROOT_PASS, MAIN_FULL_PASS)
    elif after_options is not None:
        S.solve_cbc = _with_options(None, after_options)
    try:
        c0, t0 = _cpu(), time.perf_counter()
        plan = optimise(*args, **kwargs)
        return plan, time.perf_counter() - t0, _cpu() - c0
    finally:
        S.solve_cbc = real


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--las", default=SAMPLE, help="LA names, comma-separated, or 'slow'")
    ap.add_argument("--before", choices=("main", "pulp"), default="main",
                    help="the comparator: main's solve at the start of session 5, or PuLP's")
    ap.add_argument("--after-options", default=None,
                    help="CBC options of the full pass for 'after', ';'-separated")
    ap.add_argument("--scenario", default="scenarios/example.yaml")
    ap.add_argument("--repeat", type=int, default=1, help="timings per LA (median kept)")
    ap.add_argument("--after-node-limit", type=int, default=None,
                    help="node limit of the 'after' solve (default: the scenario's); 0 = the "
                         "root pass alone")
    ap.add_argument("--cache", default=None,
                    help="pickle file keeping the captured inputs between runs")
    a = ap.parse_args(argv)
    las = [x.strip() for x in (SLOW if a.las == "slow" else a.las).split(",") if x.strip()]
    after_options = (None if a.after_options is None else
                     tuple(o.strip() for o in a.after_options.split(";") if o.strip()))
    print(f"capturing the optimiser's inputs for {len(las)} LAs ({a.scenario}) ...", flush=True)
    kept = {}
    if a.cache and os.path.exists(a.cache):
        with open(a.cache, "rb") as f:
            kept = pickle.load(f)
    missing = [la for la in las if la not in kept]
    if missing:
        kept.update(capture(a.scenario, missing))
        if a.cache:
            with open(a.cache, "wb") as f:
                pickle.dump(kept, f)
    cases = {la: kept[la] for la in las if la in kept}
    print(f"{'LA':14s} {'built':>5s} | {'before wall/cpu':>15s} | "
          f"{'after wall/cpu':>15s} | {'ratio wall/cpu':>14s} | {'objective diff':>14s} | "
          f"{'gap before/after':>16s} | stopped before / after")
    rows = []
    for la, (args, kwargs) in cases.items():
        res = {}
        for before in (a.before, False):
            kw = dict(kwargs)
            if not before and a.after_node_limit is not None:
                kw["node_limit"] = a.after_node_limit
            runs = [timed(args, kw, before, after_options) for _ in range(a.repeat)]
            plan = runs[0][0]
            res[bool(before)] = (plan, statistics.median(r[1] for r in runs),
                                 statistics.median(r[2] for r in runs))
        (pb, wb, cb), (pa, wa, ca) = res[True], res[False]
        ob, oa = pb.outcome, pa.outcome
        assert ob.verified and oa.verified, la
        diff = (oa.objective - ob.objective) / abs(ob.objective)
        rows.append((la, wb, cb, wa, ca, diff, ob, oa))
        print(f"{la:14s} {len(pa.capital_programme):5d} | {wb:6.2f} / {cb:6.2f} | "
              f"{wa:6.2f} / {ca:6.2f} | {wb / wa:5.2f}x / {cb / ca:5.2f}x | {diff:+13.3%} | "
              f"{ob.gap:7.2%} / {oa.gap:6.2%} | {ob.termination} / {oa.termination}"
              f"{' (root)' if 'root node' in oa.message else ''}", flush=True)
    rw = [r[1] / r[3] for r in rows]
    rc = [r[2] / r[4] for r in rows]
    diffs = [r[5] for r in rows]
    print(f"\n{len(rows)} LAs. Median time per LA before {statistics.median(r[1] for r in rows):.2f} s"
          f" wall / {statistics.median(r[2] for r in rows):.2f} s CPU; after "
          f"{statistics.median(r[3] for r in rows):.2f} s wall / "
          f"{statistics.median(r[4] for r in rows):.2f} s CPU.")
    print(f"Median ratio before/after: {statistics.median(rw):.2f}x wall, "
          f"{statistics.median(rc):.2f}x CPU (min {min(rc):.2f}x, max {max(rc):.2f}x CPU). "
          f"Total CPU before {sum(r[2] for r in rows):.1f} s, after {sum(r[4] for r in rows):.1f} s.")
    print(f"Objective after - before: median {statistics.median(diffs):+.3%}, "
          f"largest {max(diffs):+.3%}, smallest {min(diffs):+.3%}.")
    past = [r for r in rows if "after the root pass" in r[7].message
            or "root pass's plan kept" in r[7].message]
    if past:
        print(f"The {len(past)} LAs past the root pass: CPU before {sum(r[2] for r in past):.1f} s, "
              f"after {sum(r[4] for r in past):.1f} s, ratio "
              f"{sum(r[2] for r in past) / sum(r[4] for r in past):.2f}x.")
    worse = [f"{r[0]} ({r[5]:+.3%})" for r in rows if r[5] > 0.001]
    print(f"LAs more than 0.1% dearer than before: {len(worse)}"
          + (f": {', '.join(worse)}" if worse else "."))
    return rows


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
