"""How long does the whole country take? Every LA x the example scenario, tables only, on three
executors, with the speed-up against running in this process.

    python benchmarks/national_sweep.py                  # all LAs, the three executors
    python benchmarks/national_sweep.py --limit 10       # the first 10 LAs (a quick look)
    python benchmarks/national_sweep.py --every 5        # every 5th LA (30 LAs, a subset)
    python benchmarks/national_sweep.py --las Rutland,Kent --executors in-process,workers

Executors (the comparator is the first, in-process):

- ``in-process``: ``sufficiency sweep`` with no ``--workers``: one LA after another here;
- ``workers``: ``sufficiency sweep --workers 2``: a Dask ``LocalCluster`` of 2 worker processes
  started (and stopped) by the sweep, its start-up inside the wall time;
- ``scheduler``: ``sufficiency sweep --scheduler tcp://...``: an existing Dask cluster, started
  beforehand with the ``dask scheduler`` and ``dask worker --nworkers 2 --nthreads 1``
  commands (their start-up is outside the wall time; their import warm-up is inside);
- ``processes`` (not run unless asked for: ``--executors in-process,processes,workers``): no
  Dask, 2 in-process sweeps side by side, each on every other LA in ``largest_first`` order:
  what two plain processes sharing the machine cost per LA (``per_LA_cpu_ratio``), beside
  which the Dask executors' own cost shows; each LA's rows are compared with in-process.

Each executor runs in its own process, sampled every 0.2 s with psutil for the peak resident
memory of its whole process tree (plus the scheduler and workers for ``scheduler``) and of its
largest single process. Time per LA is the LA's own run time from ``status.csv`` (median and
90th percentile). ``cpu_s`` is the CPU time (user + system) of the executor's processes and
their children (Dask workers, CBC solves), from the operating system's accounting of finished
child processes, and ``cores_busy = cpu_s / wall``: how many cores the executor kept busy on
average (2 workers on a quiet 2-core machine can reach 2; less means it waited on something
else: other programs on the machine, the scheduler, a slow last LA). The national tables of
every executor are compared byte for byte with the in-process ones. No timing is asserted
anywhere: the figures depend on the machine and on what else it is running
(``os.cpu_count()`` and the load average are printed).

What explains the speed-up is printed after the main table, per executor:

- **CPU per process kind** (the sampler's last reading of each process's user + system time):
  the sweep's own process (``client``: with ``--workers`` it also holds Dask's scheduler and
  the nannies; in-process it runs the LAs), ``scheduler`` and ``nanny`` processes (an existing
  cluster), the ``workers``, and the ``CBC`` solves (the workers' or the in-process sweep's
  finished children); ``sampled`` is their sum against ``cpu_s``;
- **per-LA CPU** from ``status.csv``'s ``cpu_seconds`` (the LA's process, all its threads, and
  its solves): the sum, the median, and the median ratio per LA against in-process: above 1,
  each LA costs more CPU on that executor (Dask's threads, memory settings, two processes
  sharing caches); ``cpu_s`` minus the LAs' sum is the cost outside any LA (start-up, imports,
  scheduling, writing results);
- **the tail**: the LAs' own seconds list-scheduled on the workers in the order submitted
  (``largest_first``) against a perfect split of the same seconds: the time lost at the end to
  one worker finishing a last LA while the other idles.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(REPO / "scenarios" / "example.yaml"))
    parser.add_argument("--limit", type=int, help="only the first N LAs (default: all)")
    parser.add_argument("--every", type=int, help="only every N-th LA in code order (a subset "
                        "that spans the country)")
    parser.add_argument("--las", help="only these LAs (names or codes, comma-separated)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executors", default="in-process,workers,scheduler")
    parser.add_argument("--keep", help="folder to keep the sweeps in (default: a temp folder)")
    args = parser.parse_args()

    from sufficiency.national import all_las

    if args.las:
        from sufficiency.national import select_las

        chosen = select_las(args.las)
        if (chosen["error"] != "").any():
            raise SystemExit("; ".join(chosen.loc[chosen["error"] != "", "error"]))
        las = list(chosen["la_code"])
    else:
        las = all_las()[:: args.every or 1][: args.limit]
    subset = len(las) < len(all_las())
    root = Path(args.keep or tempfile.mkdtemp(prefix="national-sweep-"))
    print(f"national sweep benchmark: {len(las)} LAs x {Path(args.scenario).name}, tables only; "
          f"os.cpu_count() = {os.cpu_count()}, load average at start "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rows, explain, per_la = [], [], {}
    for name in args.executors.split(","):
        out = root / name
        extra, cluster, parts = [], None, [(out, las)]
        if name == "workers":
            extra = ["--workers", str(args.workers)]
        elif name == "scheduler":
            cluster = _Cluster(args.workers)
            extra = ["--scheduler", cluster.address]
        elif name == "processes":
            from sufficiency.national import largest_first

            order = largest_first(las)
            parts = [(out / f"part-{k + 1}", order[k::args.workers])
                     for k in range(args.workers)]
        elif name != "in-process":
            raise SystemExit(f"unknown executor {name!r}: expected in-process, workers, "
                             "scheduler, processes")
        commands = [[sys.executable, "-m", "sufficiency.cli", "sweep", args.scenario, "--las",
                     ",".join(part) if subset or len(parts) > 1 else "all", "--out", str(folder),
                     "--force", "--quiet"] + extra for folder, part in parts]
        print(f"\n{name}: {len(commands)} x {' '.join(commands[0][2:6])} ... {' '.join(extra)}",
              flush=True)
        before = _child_cpu()
        try:
            wall, peak_total, peak_one, code, kinds = _measure(commands,
                                                               cluster.pids if cluster else [])
        finally:
            if cluster:
                cluster.close()
        cpu = _child_cpu() - before
        status = pd.concat([pd.read_csv(folder / "status.csv", dtype={"la_code": str})
                            for folder, _ in parts], ignore_index=True)
        ok = status[status["status"] == "ok"]
        if "cpu_seconds" not in ok:            # a sweep from before status.csv had it
            ok = ok.assign(cpu_seconds=float("nan"))
        ran = ok["seconds"]
        explain.append({"executor": name, "cpu_s": cpu, **kinds,
                        "sampled": sum(kinds.values()),
                        "LAs_cpu_s": ok["cpu_seconds"].sum(),
                        "outside_LAs_cpu_s": cpu - ok["cpu_seconds"].sum(),
                        "per_LA_cpu_median_s": ok["cpu_seconds"].median(),
                        **_tail(ok, args.workers if name != "in-process" else 1,
                                [part for _, part in parts] if len(parts) > 1 else None)})
        per_la[name] = ok.set_index("la_code")["cpu_seconds"]
        rows.append({"executor": name, "LAs ok": int((status["status"] == "ok").sum()),
                     "failed": int((status["status"] == "failed").sum()),
                     "wall_s": wall, "per_LA_median_s": ran.median(),
                     "per_LA_p90_s": ran.quantile(0.9),
                     "peak_rss_total_MB": peak_total / 2**20,
                     "peak_rss_largest_MB": peak_one / 2**20, "cpu_s": cpu,
                     "cores_busy": cpu / wall, "exit": code})
        print(f"  {wall:.1f}s wall, exit code {code}", flush=True)
    table = pd.DataFrame(rows)
    table["speedup_vs_in_process"] = table["wall_s"].iloc[0] / table["wall_s"]
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    print(f"\nload average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    detail = pd.DataFrame(explain)
    kinds = [k for k in ("client", "scheduler", "nanny", "workers", "CBC", "other")
             if k in detail]
    detail[kinds] = detail[kinds].fillna(0.0)
    comparator = detail["executor"].iloc[0]
    detail["per_LA_cpu_ratio"] = [float((per_la[name] / per_la[comparator]).dropna().median())
                                  for name in detail["executor"]]
    print(f"\nwhere the CPU went (seconds; per_LA_cpu_ratio: median over LAs of the LA's CPU "
          f"against {comparator}; tail_s: list-scheduling loss at the end):")
    detail = detail[["executor", "cpu_s", "sampled"] + kinds + [
        "LAs_cpu_s", "outside_LAs_cpu_s", "per_LA_cpu_median_s", "per_LA_cpu_ratio", "tail_s"]]
    print(detail.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    first = root / table["executor"].iloc[0] / "national"
    for name in table["executor"].iloc[1:]:
        if name == "processes":         # no national tables: each LA's own rows compared
            mine = {p.relative_to(p.parents[3]): p.read_bytes()
                    for p in (root / name).glob("part-*/la/*/national/*.csv")}
            theirs = {p.relative_to(p.parents[3]): p.read_bytes()
                      for p in (first.parent / "la").glob("*/national/*.csv")}
            print(f"each LA's rows of processes byte-identical to {table['executor'].iloc[0]}: "
                  f"{'yes' if mine == theirs else 'NO'}")
            continue
        same = all((first / p.name).read_bytes() == p.read_bytes()
                   for p in sorted((root / name / "national").glob("*.csv")))
        same = same and sorted(p.name for p in first.glob("*.csv")) == \
            sorted(p.name for p in (root / name / "national").glob("*.csv"))
        print(f"national tables of {name} byte-identical to {table['executor'].iloc[0]}: "
              f"{'yes' if same else 'NO'}")
    status = pd.read_csv(root / table["executor"].iloc[0] / "status.csv", dtype={"la_code": str},
                         keep_default_na=False)
    ran = status[status["status"] == "ok"]
    print(f"\nhow the solves stopped ({table['executor'].iloc[0]}): "
          + ", ".join(f"{k} {v}" for k, v in ran["stopped_by"].value_counts().items()))
    slow = ran.assign(seconds=ran["seconds"].astype(float)).nlargest(5, "seconds")
    print("slowest LAs: " + ", ".join(f"{r.la_name} {r.seconds:.1f}s ({r.stopped_by})"
                                      for r in slow.itertuples(index=False)))
    skipped = status[status["message"].str.startswith("not run: the DfE")]
    if len(skipped):
        print(f"skipped, their data cannot be run ({len(skipped)}): "
              + ", ".join(skipped["la_name"]))
    failed = status[status["status"] == "failed"]
    if len(failed):
        print(f"\nLAs that failed ({len(failed)}):")
        for row in failed.itertuples(index=False):
            print(f"  {row.la_code} {row.la_name}: {row.message[:110]}")
    print(f"\nsweeps kept in {root}" if args.keep else "")
    return 0


def _child_cpu() -> float:
    """User + system CPU seconds of every finished child process (and theirs, once waited
    for): the executor's processes, its Dask workers and their CBC solves."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure(commands, extra_pids):
    """Run the commands side by side; sample their process trees (and the cluster's) every
    0.2 s for memory and for each process's CPU time, by kind."""
    import psutil

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    start = time.perf_counter()
    processes = [subprocess.Popen(command, env=env) for command in commands]
    peaks = {"total": 0, "one": 0}
    seen = {}                       # pid -> (kind, own CPU s, finished children's CPU s)
    done = threading.Event()

    def sample():
        roots = [psutil.Process(p.pid) for p in processes] + \
            [psutil.Process(p) for p in extra_pids]
        clients = {p.pid for p in processes}
        while not done.is_set():
            sizes = []
            for root in roots:
                try:
                    tree = [root] + root.children(recursive=True)
                except psutil.NoSuchProcess:
                    continue
                for p in tree:
                    try:
                        with p.oneshot():
                            sizes.append(p.memory_info().rss)
                            cpu = p.cpu_times()
                            kind = seen[p.pid][0] if p.pid in seen else \
                                _kind(p, clients, extra_pids)
                        seen[p.pid] = (kind, cpu.user + cpu.system,
                                       cpu.children_user + cpu.children_system)
                    except psutil.NoSuchProcess:
                        pass
            if sizes:
                peaks["total"] = max(peaks["total"], sum(sizes))
                peaks["one"] = max(peaks["one"], max(sizes))
            done.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    code = max(process.wait() for process in processes)
    wall = time.perf_counter() - start
    done.set()
    thread.join()
    kinds = {}
    workers = any(kind == "workers" for kind, _, _ in seen.values())
    for kind, own, children in seen.values():
        if kind == "cbc":
            continue                # counted in its parent's children, once it was waited for
        kinds[kind] = kinds.get(kind, 0.0) + own
        if kind == "workers" or (kind == "client" and not workers):
            kinds["CBC"] = kinds.get("CBC", 0.0) + children
    return wall, peaks["total"], peaks["one"], code, kinds


def _kind(p, client_pids, cluster_pids) -> str:
    """client, scheduler, nanny, workers, cbc or other, from the process's place and command."""
    if p.pid in client_pids:
        return "client"
    line = " ".join(p.cmdline())
    if "cbc" in p.name().lower():
        return "cbc"
    if "resource_tracker" in line:
        return "other"
    if p.pid in cluster_pids:
        return "scheduler" if " scheduler" in line else "nanny"
    if "multiprocessing.spawn" in line or "dask worker" in line or "dask-worker" in line:
        return "workers"
    return "other"


def _tail(ok, workers: int, parts=None) -> dict:
    """The LAs' own seconds list-scheduled on the workers in the order a sweep submits them
    (or added up over fixed ``parts``), against a perfect split: the loss at the end to one
    worker finishing while others idle."""
    from sufficiency.national import largest_first

    seconds = ok.set_index("la_code")["seconds"].astype(float)
    if workers <= 1:
        return {"tail_s": 0.0}
    if parts is not None:
        busy = [seconds.reindex(part).sum() for part in parts]
        return {"tail_s": max(busy) - seconds.sum() / workers}
    busy = [0.0] * workers
    for code in largest_first(list(seconds.index)):
        busy[busy.index(min(busy))] += seconds[code]
    return {"tail_s": max(busy) - seconds.sum() / workers}


class _Cluster:
    """An existing Dask cluster: the ``dask scheduler`` and ``dask worker`` commands, given the
    sweep's Dask settings (``sufficiency.national.DASK_SETTINGS``) in a YAML file in the
    folder ``DASK_CONFIG`` names, as docs/national.md tells a cluster's owner to."""

    def __init__(self, workers: int):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        env["DASK_CONFIG"] = _settings_folder()
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
        self.scheduler = subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port",
                                           str(port), "--dashboard-address", ":0"], **quiet)
        self.worker = subprocess.Popen(["dask", "worker", self.address, "--nworkers",
                                        str(workers), "--nthreads", "1", "--no-dashboard"],
                                       **quiet)
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(workers, timeout=120)
        self.pids = [self.scheduler.pid, self.worker.pid]

    def close(self):
        for process in (self.worker, self.scheduler):
            process.terminate()
        for process in (self.worker, self.scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _settings_folder() -> str:
    """A folder holding DASK_SETTINGS as a Dask YAML file (dotted keys made nested)."""
    import yaml

    from sufficiency.national import DASK_SETTINGS

    tree = {}
    for key, value in DASK_SETTINGS.items():
        *path, last = key.split(".")
        node = tree
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    folder = tempfile.mkdtemp(prefix="dask-config-")
    Path(folder, "sufficiency-sweep.yaml").write_text(yaml.safe_dump(tree))
    return folder


if __name__ == "__main__":
    sys.exit(main())
