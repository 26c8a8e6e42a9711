"""What placing flows costs the optimiser: the Wiltshire example with and without carry.

The same instance (the example scenario's demand, illustrative settings and candidate
projects) solved three ways, median of ``--runs`` runs each, CBC at the scenario's 0.5% gap:

* ``stock``: every year's demand placed from scratch (the model before issue 12; the
  comparator);
* ``flows``: the children placed in January 2025 carried forward with the flow account's
  rates (children stay where they are placed), no step-down lever;
* ``flows + step-downs``: the same with the step-down lever at the evidence ceiling (35.1%).

Prints solve and end-to-end ``optimise`` seconds, the ratio to ``stock``, the solver status
and gap, and the independent / non-maintained path.

    python benchmarks/flows_allocate.py [--runs 3] [--solver cbc]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import sufficiency.allocate as al
import sufficiency.data as sd
from sufficiency import flows as fl
from sufficiency import workflow as wf
from sufficiency.scenario import load_scenario


def capture(path="scenarios/example.yaml"):
    """The optimise call the example scenario makes (arguments), without solving it."""
    seen = {}

    def spy(*args, **kwargs):
        seen["args"], seen["kwargs"] = args, kwargs
        raise StopIteration

    real = al.optimise
    al.optimise = spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wf.run_scenario(load_scenario(path))
    except StopIteration:
        pass
    finally:
        al.optimise = real
    return seen["args"], seen["kwargs"]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--solver", default="cbc")
    a = ap.parse_args(argv)
    args, kwargs = capture()
    base = {k: v for k, v in kwargs.items() if k not in ("initial", "carry")}
    base["solver"] = a.solver
    pol = kwargs["policy"]
    variants = {
        "stock": dict(base),
        "flows": dict(base, initial=kwargs["initial"], carry=kwargs["carry"]),
        "flows + step-downs": dict(base, initial=kwargs["initial"], carry=kwargs["carry"],
                                   policy=al.Policy(**{**pol.__dict__,
                                                       "step_down_share": fl.STEP_DOWN_SHARE})),
    }
    rows = {}
    for name, kw in variants.items():
        solve, total = [], []
        for _ in range(a.runs):
            t = time.perf_counter()
            plan = al.optimise(*args, **kw)
            total.append(time.perf_counter() - t)
            solve.append(plan.timings["solve"])
        pl = plan.placements
        path = pl[pl["provision"].isin(sd.INDEPENDENT)].groupby("year")["placed"].sum()
        rows[name] = (statistics.median(solve), statistics.median(total),
                      plan.outcome.describe(), path.round(0).astype(int).tolist())
    ref = rows["stock"][1]
    print(f"Wiltshire example, {a.solver}, median of {a.runs} run(s) (shared machine)")
    for name, (s, t, status, path) in rows.items():
        print(f"  {name:20s} solve {s:6.2f} s, optimise {t:6.2f} s = {t / ref:5.1f} x stock")
        print(f"  {'':20s} {status}")
        print(f"  {'':20s} independent + non-maintained 2026-: {path}")


if __name__ == "__main__":
    main()
