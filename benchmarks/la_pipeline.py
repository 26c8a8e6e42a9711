"""Time per LA outside the optimiser in a tables-only sweep, per stage: before and after.

A tables-only sweep (``sufficiency sweep SCENARIO --las all --out DIR``) runs, for each LA,
``run_scenario(scenario, skip=SKIPPABLE)`` and writes the LA's rows of the national tables
(:func:`sufficiency.national.la_tables`). This script runs exactly that for a sample of LAs
(default: 12 of varied size), with two versions of the package loaded side by side in this
one process:

* **before**: the package at a git revision (``--before``, default ``main``), extracted from
  git into a temporary folder and imported under the name ``sufficiency_before``;
* **after**: the package this script sits beside (the working tree).

For each LA the two runs follow each other (alternating which goes first), so both see the
same load on a shared machine. CPU time is this process's user + system time
(``time.process_time``); CBC runs in a child process and is not counted, and the Python part
of the solve (``allocate.solve.solve``: writing the MPS file, reading the answer, checking
it) is measured and taken out, so **outside** is the run's CPU time outside the optimiser's
solve. Per stage, CPU time is measured by wrapping the workflow's stage adapters (exclusive
of the stages nested inside them):

``other`` (the run's own glue), ``data`` (reading and slicing the LA's tables, the scenario's files, the history), ``forecast``
(population and the forecast paths), ``flows`` (the flow account and the new-placement mix),
``demand`` (need mix, demand), ``calibration`` (cost per placement), ``allocate`` (settings,
validation, results tables: the optimiser minus ``build`` and ``solve``), ``build``
(``allocate.model.build_model``), ``finance`` (the DSG plan), ``measures`` and ``tables``
(``la_tables`` and the CSV text the sweep writes).

The national tables of both runs are compared byte for byte (as the sweep writes them); any
difference is printed and the script exits with status 1. Printed: per stage, the median CPU
seconds per LA before and after and the ratio; per LA, outside-the-solver CPU before / after
and the ratio; then the median ratio over the LAs. No timing is asserted: the figures depend
on the machine and its load (printed).

Usage::

    python benchmarks/la_pipeline.py [--las Kent,Derby,...] [--before main] [--repeat 1]
        [--scenario scenarios/example.yaml]
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = ("Kent,Derby,Rutland,Shropshire,Birmingham,Hartlepool,Wiltshire,Camden,Norfolk,Bury,"
          "Cornwall,Isle of Wight")
STAGES = ("other", "data", "forecast", "flows", "demand", "calibration", "allocate", "build", "solve",
          "finance", "measures", "tables")


def load_before(ref: str, root: Path) -> str:
    """Extract the package at git ``ref`` into ``root`` as ``sufficiency_before``; its name."""
    blob = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref, "sufficiency"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(root, filter="data")
    (root / "sufficiency").rename(root / "sufficiency_before")
    # the few absolute imports inside the package must stay inside its own copy
    for path in (root / "sufficiency_before").rglob("*.py"):
        text = path.read_text()
        new = re.sub(r"\b(import|from) sufficiency\b", r"\1 sufficiency_before", text)
        if new != text:
            path.write_text(new)
    sys.path.insert(0, str(root))
    return "sufficiency_before"


class Meter:
    """Exclusive CPU seconds per stage, from wrappers around module functions."""

    def __init__(self):
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self.stack = []

    def wrap(self, module, name: str, stage: str):
        real = getattr(module, name, None)
        if real is None:
            return
        meter = self

        def timed(*args, **kwargs):
            meter._enter(stage)
            try:
                return real(*args, **kwargs)
            finally:
                meter._leave()

        setattr(module, name, timed)

    def _enter(self, stage):
        now = time.process_time()
        if self.stack:
            self.seconds[self.stack[-1][0]] += now - self.stack[-1][1]
        self.stack.append([stage, now])

    def _leave(self):
        now = time.process_time()
        stage, start = self.stack.pop()
        self.seconds[stage] += now - start
        if self.stack:
            self.stack[-1][1] = now

    def run(self, fn):
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self._enter("other")        # whatever no wrapper claims: the run's own glue
        try:
            return fn()
        finally:
            self._leave()


class Version:
    """One version of the package, instrumented, able to run one LA as the sweep does."""

    def __init__(self, package: str):
        self.pkg = importlib.import_module(package)
        mod = lambda name: importlib.import_module(f"{package}.{name}")  # noqa: E731
        self.workflow, self.national = mod("workflow"), mod("national")
        self.scenario_mod, self.run_mod = mod("scenario"), mod("scenario_run")
        self.errors = mod("errors")
        self.meter = m = Meter()
        wf = self.workflow
        for name, stage in (("_read_la", "data"), ("read_scenario_files", "data"),
                            ("_history", "data"), ("_population", "forecast"), ("_forecast", "forecast"),
                            ("_flows", "flows"), ("la_calibration", "calibration"),
                            ("_allocate", "allocate"), ("_finance", "finance"),
                            ("board_measures", "measures"), ("_scap", "demand")):
            m.wrap(wf, name, stage)
        m.wrap(wf.sd, "need_mix", "demand")
        flows = mod("flows")
        m.wrap(flows.Flows, "demand", "demand")
        optimise = mod("allocate.optimise")
        m.wrap(optimise, "build_model", "build")
        m.wrap(optimise, "solve", "solve")
        m.wrap(self.national, "la_tables", "tables")
        m.wrap(self.national, "_csv_bytes", "tables")

    def one(self, base, code: str) -> tuple[dict, dict]:
        """Run LA ``code`` tables-only; its national tables as CSV bytes and CPU per stage."""
        nat = self.national
        scenario = nat._for_la(base, code, nat.la_seed(base.get("seed"), code), "tables")

        def go():
            run = self.workflow.run_scenario(scenario, skip=self.run_mod.SKIPPABLE)
            return {name: nat._csv_bytes(frame) for name, frame in nat.la_tables(run).items()}

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", self.errors.DataWarning)
            tables = self.meter.run(go)
        return tables, dict(self.meter.seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--las", default=SAMPLE, help="comma-separated LA names or codes")
    parser.add_argument("--before", default="main", help="git revision to compare against")
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "example.yaml"))
    parser.add_argument("--repeat", type=int, default=1, help="runs per LA and version")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="la-pipeline-") as tmp:
        versions = {"before": Version(load_before(args.before, Path(tmp))),
                    "after": Version("sufficiency")}
        after = versions["after"]
        if Path(after.pkg.__file__).resolve().parent != REPO / "sufficiency":
            print(f"after is {after.pkg.__file__}, not this tree: set PYTHONPATH={REPO}")
            return 2
        bases = {k: v.scenario_mod.load_scenario(args.scenario) for k, v in versions.items()}
        las = after.national.select_las(args.las)
        las = las[las["la_code"] != ""]
        print(f"before: {args.before} ({_rev(args.before)}); after: the working tree; "
              f"{len(las)} LAs x {args.repeat}; {os.cpu_count()} CPUs, load "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for name, v in versions.items():      # warm: imports, embedded tables, caches
            v.one(bases[name], "865")

        per_la, stages, differ = [], {k: {s: [] for s in STAGES} for k in versions}, []
        for i, row in enumerate(las.itertuples()):
            cpu = {k: [] for k in versions}
            order = list(versions) if i % 2 == 0 else list(versions)[::-1]
            for _ in range(args.repeat):
                for name in order:
                    tables, seconds = versions[name].one(bases[name], row.la_code)
                    cpu[name].append(seconds)
                    if name == "before":
                        reference = tables
                    else:
                        mine = tables
            if reference != mine:
                bad = sorted(k for k in set(reference) | set(mine)
                             if reference.get(k) != mine.get(k))
                differ.append(f"{row.la_name}: {', '.join(bad)}")
            outside = {}
            for name in versions:
                runs = cpu[name]
                best = min(runs, key=lambda s: sum(s.values()) - s["solve"])
                for s in STAGES:
                    stages[name][s].append(best[s])
                outside[name] = sum(best.values()) - best["solve"]
            per_la.append((row.la_name, outside["before"], outside["after"]))
            print(f"  {row.la_name:<22} outside the solver: {outside['before']:.3f} s -> "
                  f"{outside['after']:.3f} s ({outside['before'] / outside['after']:.2f}x)",
                  flush=True)

    print("\nCPU seconds per LA by stage (median over the LAs; solve = the Python part of the "
          "solve, excluded from 'outside'):")
    print(f"{'stage':<12} {'before':>8} {'after':>8} {'ratio':>7}")
    for s in STAGES:
        b, a = (statistics.median(stages[k][s]) for k in ("before", "after"))
        print(f"{s:<12} {b:8.3f} {a:8.3f} {_ratio(b, a):>7}")
    b = statistics.median(x[1] for x in per_la)
    a = statistics.median(x[2] for x in per_la)
    ratios = [x[1] / x[2] for x in per_la]
    print(f"{'outside':<12} {b:8.3f} {a:8.3f} {_ratio(b, a):>7}   (median of the LAs' totals)")
    print(f"\nmedian ratio before / after over {len(per_la)} LAs: {statistics.median(ratios):.2f}x "
          f"(range {min(ratios):.2f}x - {max(ratios):.2f}x); load now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if differ:
        print("\nNATIONAL TABLES DIFFER:\n  " + "\n  ".join(differ))
        return 1
    print(f"national tables byte-identical before and after for all {len(per_la)} LAs")
    return 0


def _ratio(b, a):
    return f"{b / a:.2f}x" if a > 0 else "-"


def _rev(ref):
    out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", ref],
                         capture_output=True, text=True)
    return out.stdout.strip() or "?"


if __name__ == "__main__":
    sys.exit(main())
