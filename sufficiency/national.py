"""The whole country in one command: run one scenario for many LAs, in-process or on Dask.

:func:`sweep` runs a scenario once per LA (the scenario's ``data.la`` replaced each time) and
writes one tidy national table per output, a status line per LA, and optionally each LA's full
workbook and report. It runs in this process (the default), on a Dask ``LocalCluster`` of
worker processes (``workers=N``) or on an existing Dask cluster (``client="tcp://host:port"``
or a :class:`dask.distributed.Client`); the national tables are byte for byte the same on
every executor.

The output folder::

    DIR/sweep.json                  what was swept: scenario name and digest, outputs
    DIR/status.csv                  every LA asked for: ok, failed (with the error) or skipped
    DIR/national/<table>.csv        one table per output; la_code, la_name first; rows by la_code
    DIR/la/<code>/status.json       the LA's record (written in the same atomic step as its rows)
    DIR/la/<code>/national/*.csv    the LA's rows of the national tables
    DIR/la/<code>/...               with outputs="full": results.xlsx, report.html, charts/ ...

Each LA's folder is written to a temporary folder and renamed into place, so an interrupted
sweep never leaves half an LA; rerunning into the same folder skips the LAs already done.

Seeds: each LA runs with ``seed = la_seed(scenario seed, la_code)``, so an LA's results
depend on the scenario and the LA, never on which worker ran it or in which order; the seed
used is in ``status.csv``. ``sufficiency run`` with ``seed: <that value>`` and ``data.la: <code>``
reproduces the LA's rows exactly.

Examples
--------
>>> import sufficiency as sf
>>> result = sf.sweep("scenarios/example.yaml", las="Rutland,Hartlepool",
...                   out="national-run")                       # doctest: +SKIP
>>> result.tables["dsg_trajectory"].groupby("la_name")["cumulative_deficit_gbp"].last()
...                                                             # doctest: +SKIP
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import time
import traceback
import uuid
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import DataWarning, ValidationError
from .scenario import Scenario, load_scenario
from .scenario_files import read_scenario_files

__all__ = ["sweep", "SweepResult", "NATIONAL_TABLES", "la_seed", "select_las", "all_las",
           "la_tables", "local_cluster", "largest_first", "DASK_SETTINGS"]

#: The national tables and what each holds (every one has ``la_code, la_name`` first).
NATIONAL_TABLES = {
    "forecast": "EHC plans forecast per year and age band: mean and quantiles",
    "demand": "specialist places needed per year, provision, need group and phase",
    "placements_summary": "the place plan's placements per year, provision, need and phase "
                          "(settings added up): placed, existing, new, revenue and transport £",
    "capital_programme": "projects the optimiser chose: opening year, places, capital cost £",
    "cost_by_year": "the place plan's revenue, transport and capital cost per year and provision",
    "dsg_trajectory": "High Needs income, spend and the cumulative DSG position per year and "
                      "finance scenario",
    "board_measures": "the measures LAs report to their boards, per year, history and plan",
}

OUTPUTS = ("tables", "full")
_FLOAT_FORMAT = "%.6f"      # as the tables/*.csv of `sufficiency run`
_STATUS_COLUMNS = ["la_code", "la_name", "requested", "status", "message", "seed", "attempts",
                   "seconds", "cpu_seconds", "solver_status", "stopped_by", "gap"]

#: Dask settings of the sweep's own ``LocalCluster`` (:func:`local_cluster`), and the ones to
#: give the workers of a cluster that runs sweeps (docs/national.md, "Running on a cluster").
#: Each LA is one long single-threaded task, so Dask's watching of its workers costs CPU and
#: gains nothing; measured on 15-30 LAs, 2 workers, back to back (benchmarks/national_sweep.py,
#: docs/national.md "Where the workers' extra CPU went"), Dask's defaults made an LA's CPU
#: time 1.25-1.30 times its in-process time, these settings 1.03 times. No result depends on
#: them.
DASK_SETTINGS = {
    # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in its workers' environment (to hand freed memory
    # back to the system): that fixes glibc's mmap threshold at 128 kB, so every pandas/numpy
    # array above it is mapped and unmapped afresh (3x the page faults), in the worker and in
    # the CBC solves it starts; None leaves glibc's default (adaptive thresholds), as in-process
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # the statistical profiler walks the running task's stack every 10 ms (for the dashboard)
    "distributed.worker.profile.enabled": False,
    # the event loop's responsiveness check (default every 20 ms), the system monitor
    # (psutil, default every 500 ms) and the memory monitors of the workers and their nannies
    # (default every 100 ms): each wakes a thread that takes the GIL from the running LA
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


# --- which LAs ------------------------------------------------------------------------------

def all_las() -> list[str]:
    """Every LA of the embedded data, as the codes a sweep runs for ``las="all"``.

    Reorganised LAs appear once, on their continuous footprint (e.g. ``"835+836+837"`` for
    Dorset and BCP), as in :func:`sufficiency.data.example_histories`; England is not included.

    Returns
    -------
    list of str
        LA codes, sorted.

    Examples
    --------
    >>> codes = all_las()
    >>> "865" in codes, "E92000001" in codes        # Wiltshire yes, England no
    (True, False)
    """
    from .data import BOUNDARY_CHANGES, las

    members = set()
    for _, row in BOUNDARY_CHANGES.iterrows():
        members |= set(row["old_codes"].split()) | set(row["new_codes"].split())
    codes = set(las()["la_code"]) - members - {"E92000001"}
    return sorted(codes | set(BOUNDARY_CHANGES["footprint_code"]))


def select_las(las="all") -> pd.DataFrame:
    """Resolve what a user asked for into LA codes, keeping what could not be resolved.

    Parameters
    ----------
    las : "all", str or list of str
        ``"all"``, a comma-separated string of LA names or codes (names that contain a comma,
        such as ``"Bristol, City of"``, are recognised), or a list.

    Returns
    -------
    DataFrame
        ``requested, la_code, la_name, error``: one row per LA asked for, in the order asked,
        duplicates dropped; ``la_code`` is empty and ``error`` says why (with "did you mean")
        where a name matched no LA.

    Examples
    --------
    >>> select_las("Kent, Bristol, City of, 886")["la_name"].tolist()
    ['Kent', 'Bristol, City of']
    >>> "did you mean 'Rutland'" in select_las("Rutlandshire")["error"].item()
    True
    """
    from .data import la_names, las as las_table, resolve_la

    table, names = las_table(), la_names()
    if isinstance(las, str) and las.strip().lower() == "all":
        requested = all_las()
    else:
        requested = _split_names(las, table) if isinstance(las, str) else [str(x) for x in las]
    rows, seen = [], set()
    for text in requested:
        try:
            code = resolve_la(text, table)
        except KeyError as err:
            rows.append((text, "", "", str(err.args[0])))
            continue
        if code in seen:
            continue
        seen.add(code)
        rows.append((text, code, names.get(code, code), ""))
    return pd.DataFrame(rows, columns=["requested", "la_code", "la_name", "error"])


def _split_names(text: str, table: pd.DataFrame) -> list[str]:
    """Split on commas, but keep "Bristol, City of" whole: a piece that is no LA by itself
    joins the one before when together they name an LA."""
    from .data import resolve_la

    def known(name):
        try:
            resolve_la(name, table)
            return True
        except KeyError:
            return False

    out = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        if out and not known(piece) and known(f"{out[-1]}, {piece}"):
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return out


def la_seed(seed: int, la_code: str) -> int:
    """The seed an LA runs with in a sweep: from the scenario's seed and the LA code only.

    Parameters
    ----------
    seed : int
        The scenario's ``seed``.
    la_code : str
        The LA's code.

    Returns
    -------
    int
        A number in ``[0, 2**31)``: the first four bytes of SHA-256 of ``"<seed>/<la_code>"``.

    Examples
    --------
    >>> la_seed(0, "865") == la_seed(0, "865"), la_seed(0, "865") == la_seed(0, "886")
    (True, False)
    """
    digest = hashlib.sha256(f"{int(seed)}/{la_code}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


# --- one LA -----------------------------------------------------------------------------------

def la_tables(run) -> dict[str, pd.DataFrame]:
    """One LA's rows of the national tables, from its :class:`~sufficiency.workflow.ScenarioRun`.

    Each table is the run's own (so changes to a stage's output flow through), with
    ``la_code`` and ``la_name`` inserted first; ``placements_summary`` adds the plan's
    placements up over settings and areas. A table whose stage did not run is left out.

    Examples
    --------
    >>> from sufficiency.scenario import load_scenario
    >>> from sufficiency.workflow import run_scenario
    >>> scenario = load_scenario("scenarios/example.yaml",
    ...                          overrides={"data.la": "Rutland", "forecast.n_paths": 50})
    >>> tables = la_tables(run_scenario(scenario))
    >>> list(tables["capital_programme"].columns[:3]), tables["demand"]["la_name"].iloc[0]
    (['la_code', 'la_name', 'project'], 'Rutland')
    """
    plan, deficit = run.allocation, run.deficit
    sources = {
        "forecast": run.forecast.table,
        "demand": run.demand,
        "placements_summary": _placements_summary(plan.placements) if plan is not None else None,
        "capital_programme": plan.capital_programme if plan is not None else None,
        "cost_by_year": plan.cost_by_year if plan is not None else None,
        "dsg_trajectory": deficit.trajectory if deficit is not None else None,
        "board_measures": run.measures,
    }
    out = {}
    for name, frame in sources.items():
        if frame is None:
            continue
        frame = frame.reset_index(drop=True).copy()
        for column in ("la_code", "la_name"):
            if column in frame:
                frame = frame.drop(columns=column)
        frame.insert(0, "la_name", run.la_name)
        frame.insert(0, "la_code", run.la_code)
        out[name] = frame
    return out


def _placements_summary(placements: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("year", "provision", "need", "phase") if c in placements]
    rates = [c for c in placements if c.startswith("cost_per") or c.endswith(("_share", "_rate"))
             or c == "utilisation"]
    values = [c for c in placements.select_dtypes("number") if c not in keys + rates]
    if not keys:
        return placements[values].sum().to_frame().T
    return placements.groupby(keys, as_index=False, sort=True)[values].sum()


@dataclass(frozen=True)
class _Task:
    code: str
    name: str
    requested: str
    scenario: Scenario
    seed: int
    outputs: str
    attempt: int = 1


@dataclass
class _Result:
    code: str
    name: str
    status: str                 # "ok", "failed" or "skipped" (data that cannot be run)
    message: str = ""
    seconds: float = 0.0
    seed: int = 0
    attempt: int = 1
    files: dict = field(default_factory=dict)     # path inside la/<code>/ -> bytes
    detail: str = ""            # the traceback of a failure
    solve: dict = field(default_factory=dict)     # solver_status, stopped_by, gap
    cpu: float = 0.0            # CPU seconds of the run: its process and the solves it started


def _solve_record(plan) -> tuple[dict, str]:
    """The place plan's solver status, why it stopped and its gap, for ``status.csv``; and a
    warning when it stopped on the wall clock (its tables then depend on the machine)."""
    if plan is None:
        return {}, ""
    o = plan.outcome
    record = {"solver_status": o.status, "stopped_by": o.termination,
              "gap": "" if o.gap is None else f"{float(o.gap):.6f}"}
    warning = ""
    if not o.reproducible:
        warning = (f"the {o.solver.upper()} solve stopped at the wall-clock time limit "
                   f"(allocate.time_limit) after {o.solve_time:.0f} s: the plan kept is the best "
                   "found by then, which depends on the machine's speed and load, so this LA's "
                   "tables may differ on another run; lower allocate.node_limit (deterministic) "
                   "or raise allocate.time_limit")
    return record, warning


def _run_la(task: _Task) -> _Result:
    """Run one LA and return its files as bytes (so no shared file system is needed), with
    the CPU seconds it took (``cpu``: user + system time of this process, every thread of it,
    and of the solver processes the run started and waited for).

    An error in the LA's data or run is caught and returned as a failed result: only the
    infrastructure (a worker dying) makes a task fail.
    """
    before = _cpu_seconds()
    result = _run_one(task)
    result.cpu = _cpu_seconds() - before
    return result


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process (all its threads) and of its finished,
    waited-for children (the CBC solves)."""
    try:
        import resource
    except ImportError:                  # not on Windows: this process only
        return time.process_time()
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run_one(task: _Task) -> _Result:
    from .scenario_run import SKIPPABLE
    from .workflow import run_scenario

    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            # tables only: leave out what no national table holds (nothing else changes)
            run = run_scenario(task.scenario, skip=SKIPPABLE if task.outputs == "tables" else ())
            files = {f"national/{name}.csv": _csv_bytes(frame)
                     for name, frame in la_tables(run).items()}
            if task.outputs == "full":
                files.update(_full_outputs(run))
            solve, warning = _solve_record(run.allocation)
    except ValidationError as err:
        reason = _unforecastable(task.code, err)
        if reason is None:
            message = " ".join(f"{type(err).__name__}: {err}".split())
            return _Result(task.code, task.name, "failed", message,
                           time.perf_counter() - start, task.seed, task.attempt,
                           detail=traceback.format_exc())
        return _Result(task.code, task.name, "skipped", reason, time.perf_counter() - start,
                       task.seed, task.attempt, detail=traceback.format_exc())
    except Exception as err:  # noqa: BLE001 - any failure of one LA is that LA's result
        message = " ".join(f"{type(err).__name__}: {err}".split())
        return _Result(task.code, task.name, "failed", message, time.perf_counter() - start,
                       task.seed, task.attempt, detail=traceback.format_exc())
    return _Result(task.code, task.name, "ok", warning, time.perf_counter() - start, task.seed,
                   task.attempt, files, solve=solve)


def _unforecastable(code: str, err: ValidationError) -> str | None:
    """Why an LA is skipped when its own published history (a sweep always runs on the
    embedded DfE series) cannot be forecast: too few plans for series of positive counts by
    age band (City of London, Isles of Scilly); None for any other error (a failure)."""
    if not str(err).startswith("history:"):
        return None
    from .data import la_history

    try:
        h = la_history(code)
        total = h[h["age_band"] == "all"].dropna(subset=["count"]).iloc[-1]
        size = f"{total['count']:,.0f} EHC plans in January {int(total['year'])}"
    except (KeyError, IndexError):
        size = "its EHC plans"
    found = [" ".join(p.split()) for p in (err.problems or [str(err)])]
    problems = "; ".join(found[:2]) + (f" (and {len(found) - 2} more)" if len(found) > 2 else "")
    return (f"not run: the DfE's published history for this LA ({size}) cannot be forecast by "
            f"age band: {problems}")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n",
                        float_format=_FLOAT_FORMAT).encode("utf-8")


def _full_outputs(run) -> dict:
    from .report import write_outputs

    tmp = Path(tempfile.mkdtemp(prefix="sufficiency-sweep-"))
    try:
        folder = write_outputs(run, tmp / "out")
        return {str(p.relative_to(folder)): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- executors ----------------------------------------------------------------------------------

def _in_process(tasks, run, say):
    for task in tasks:
        try:
            yield run(task)
        except Exception as err:  # noqa: BLE001 - as on Dask: one LA's failure is its own
            yield _Result(task.code, task.name, "failed",
                          " ".join(f"{type(err).__name__}: {err}".split()), seed=task.seed,
                          attempt=task.attempt, detail=traceback.format_exc())


def _on_dask(client, tasks, run, say, retries: int = 1):
    """Submit one task per LA and yield results as they complete; a task whose worker died is
    submitted again (once by default); Ctrl-C or an error cancels what is still queued."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    tag = uuid.uuid4().hex[:8]
    _warm_workers(client)
    # the largest LAs first (their solves take longest): the last LAs to finish are small
    # ones, so the workers end together instead of one waiting on a large LA started late
    order = largest_first([task.code for task in tasks])
    rank = {code: len(order) - i for i, code in enumerate(order)}

    def submit(task):
        return client.submit(run, task, key=f"sufficiency-sweep-{tag}-{task.code}-"
                                            f"{task.attempt}", pure=False,
                             priority=rank.get(task.code, 0))

    pending = {}
    for task in sorted(tasks, key=lambda t: -rank.get(t.code, 0)):
        pending[submit(task)] = task
    queue = as_completed(list(pending))
    try:
        for future in queue:
            task = pending.pop(future)
            try:
                yield future.result()
            except KilledWorker as err:
                if task.attempt <= retries:
                    say(f"{task.code} {task.name}: the worker running it died; retrying "
                        f"(attempt {task.attempt + 1})")
                    again = replace(task, attempt=task.attempt + 1)
                    new = submit(again)
                    pending[new] = again
                    queue.add(new)
                else:
                    yield _Result(task.code, task.name, "failed",
                                  f"the worker running it died {task.attempt} times ({err})",
                                  seed=task.seed, attempt=task.attempt)
            except Exception as err:  # noqa: BLE001 - e.g. a result that cannot travel back
                yield _Result(task.code, task.name, "failed",
                              " ".join(f"{type(err).__name__}: {err}".split()),
                              seed=task.seed, attempt=task.attempt)
            finally:
                future.release()
    finally:
        if pending:
            client.cancel(list(pending))


def largest_first(codes) -> list[str]:
    """LA codes ordered by their EHC plans in the latest January, largest first (ties and LAs
    without figures by code): the order a Dask sweep submits them in.

    A footprint (``"835+836+837"``, ``"928"``) counts the plans of the LAs it was made of.

    Examples
    --------
    >>> largest_first(["857", "886", "865"])         # Rutland, Kent, Wiltshire
    ['886', '865', '857']
    """
    from .data import BOUNDARY_CHANGES
    from .data.example import load_table

    history = load_table("history_age")
    totals = history[(history["age_band"] == "all") & history["count"].notna()]
    latest = totals.sort_values("year", kind="stable").groupby("la_code")["count"].last()
    members = {row.footprint_code: row.old_codes.split()
               for row in BOUNDARY_CHANGES.itertuples(index=False)}
    size = {code: float(sum(latest.get(m, 0.0) for m in members.get(code, [code])))
            for code in codes}
    return sorted(codes, key=lambda code: (-size[code], code))


def _warm() -> None:
    """Import the run's modules and read the embedded tables a run uses, once per worker."""
    from .data import la_data
    from .finance.costs import lognormal_fee
    from .workflow import run_scenario  # noqa: F401 - the import is the point

    lognormal_fee()            # scipy.stats
    la_data("857")             # the embedded tables every LA's run reads (cached per process)


def _warm_workers(client) -> None:
    """Warm every worker before the LAs are submitted (imports and tables, in parallel), so
    an LA's run time is its own; a worker that cannot warm up is left to fail on its LA."""
    try:
        client.run(_warm)
    except Exception:  # noqa: BLE001 - the LA's own task reports any real problem
        pass


def _distributed():
    try:
        import distributed
    except ImportError as err:
        raise ImportError("running on Dask needs dask.distributed: pip install "
                          "'sufficiency[dask]'") from err
    return distributed


def local_cluster(workers: int = 2, **kwargs):
    """A Dask ``LocalCluster`` set up as :func:`sweep` uses it, on loopback.

    One single-threaded worker process per LA in flight; a worker gets one task at a time
    (``worker-saturation`` 1.0), and a task whose worker dies is not retried by the scheduler
    (``allowed-failures`` 0) because :func:`sweep` retries it once itself and records the
    attempt in ``status.csv``. The workers run with :data:`DASK_SETTINGS`: glibc's own
    memory thresholds, no profiler, and Dask's monitors woken less often, so an LA takes
    about the CPU time it takes in-process.

    Parameters
    ----------
    workers : int
        Worker processes.
    **kwargs
        Passed to ``distributed.LocalCluster`` (e.g. ``memory_limit="1GiB"``).

    Examples
    --------
    >>> from dask.distributed import Client                     # doctest: +SKIP
    >>> with local_cluster(2) as cluster, Client(cluster) as client:   # doctest: +SKIP
    ...     result = sweep("scenarios/example.yaml", las="Rutland", out="s", client=client)
    """
    import dask

    distributed = _distributed()
    settings = {"distributed.scheduler.allowed-failures": 0,
                "distributed.scheduler.worker-saturation": 1.0, **DASK_SETTINGS}
    options = dict(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                   dashboard_address=":0",     # any free port: never clash with another
                   silence_logs=logging.ERROR)  # the sweep says itself when a worker dies
    options.update(kwargs)
    with dask.config.set(settings):
        return distributed.LocalCluster(**options)


class _Dask:
    """The Dask client to use and what to close afterwards."""

    def __init__(self, client, workers):
        self.client, self.cluster, self.own_client = client, None, False
        if client is not None and not isinstance(client, str):
            return                      # the caller's Client: theirs to close
        Client = _distributed().Client
        if client is None or client == "local":
            self.cluster = local_cluster(workers or os.cpu_count() or 1)
            self.client = Client(self.cluster)
        elif client.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
            if workers is not None:
                raise ValidationError(f"workers = {workers}: applies to a local cluster; the "
                                      f"cluster at {client} has the workers it was started with")
            try:
                self.client = Client(client, timeout="30s")
            except OSError as err:
                raise ValidationError(f"scheduler {client}: no Dask scheduler answered ({err}); "
                                      "expected the address `dask scheduler` prints, e.g. "
                                      "tcp://10.0.0.5:8786") from err
        else:
            raise ValidationError(f"scheduler {client!r}: expected 'local' or a Dask scheduler "
                                  "address such as 'tcp://10.0.0.5:8786'")
        self.own_client = True

    def describe(self) -> str:
        n = len(self.client.scheduler_info().get("workers", {}))
        where = "a local Dask cluster" if self.cluster is not None else \
            f"the Dask cluster at {self.client.scheduler.address}"
        return f"{where} with {n} worker(s)"

    def close(self):
        if self.own_client:
            try:
                self.client.close()
            finally:
                if self.cluster is not None:
                    self.cluster.close()


# --- the sweep ----------------------------------------------------------------------------------

@dataclass
class SweepResult:
    """What :func:`sweep` wrote.

    Attributes
    ----------
    out : Path
        The sweep folder.
    status : DataFrame
        ``status.csv``: ``la_code, la_name, requested, status, message, seed, attempts,
        seconds, cpu_seconds, solver_status, stopped_by, gap`` for every LA asked for
        (``seconds`` is the run's wall time and ``cpu_seconds`` the CPU time of the process
        that ran it, all its threads, and of its solver processes; both 0 when skipped; ``solver_status``, ``stopped_by`` and ``gap`` are the place
        plan's :class:`~sufficiency.allocate.SolverOutcome` ``status``, ``termination`` and
        ``gap``: ``stopped_by == "time_limit"`` means the wall clock stopped the solve and the
        LA's tables may differ on another run, which ``message`` then says).
    tables : dict of str to DataFrame
        The national tables (``national/<name>.csv``) by name.
    """

    out: Path
    status: pd.DataFrame
    tables: dict

    @property
    def failed(self) -> pd.DataFrame:
        """The LAs that failed, with their messages."""
        return self.status[self.status["status"] == "failed"]

    @property
    def ok(self) -> bool:
        """True when no LA failed."""
        return not len(self.failed)


def sweep(scenario, las="all", out="sweep", *, client=None, workers: int | None = None,
          outputs: str = "tables", force: bool = False, progress=None,
          _run=None) -> SweepResult:
    """Run a scenario for many LAs and write the national tables.

    Parameters
    ----------
    scenario : Scenario, str or Path
        The scenario (its ``data.la`` is replaced by each LA in turn). A scenario with its own
        ``data.history`` cannot be swept (the history would be the same for every LA).
    las : "all", str or list of str
        ``"all"`` (every LA of the embedded data, :func:`all_las`), or LA names / codes,
        comma-separated or as a list. A name that matches no LA is reported as failed.
    out : str or Path
        The sweep folder (created if missing). Rerunning into the same folder resumes: LAs
        already done with this scenario are skipped and their results kept.
    client : None, "local", "tcp://host:port" or dask.distributed.Client
        Where to run: None runs in this process unless ``workers`` is given; "local" starts a
        Dask ``LocalCluster`` of worker processes on this machine; an address connects to an
        existing Dask scheduler; a ``Client`` is used as it is (and left open).
    workers : int, optional
        Worker processes of the local cluster (implies ``client="local"``); default the
        number of CPUs.
    outputs : {"tables", "full"}
        "tables" writes the national tables only; "full" also writes each LA's workbook,
        report, charts and manifest under ``la/<code>/``.
    force : bool
        Discard what the folder holds and run every LA again.
    progress : callable, optional
        Called with a line of text per LA (done / failed / remaining, elapsed, time left) and
        for the start and end of the sweep.

    Returns
    -------
    SweepResult
        The status of every LA and the national tables.

    Raises
    ------
    ValidationError
        A scenario that cannot be swept, an unknown ``outputs``, or a folder holding a sweep of
        a different scenario (use another folder or ``force=True``).
    KeyboardInterrupt
        Re-raised after a Ctrl-C, once the LAs already completed and ``status.csv`` are written.

    Notes
    -----
    The national tables are assembled from each LA's own CSV text (numbers written with six
    decimals, as ``sufficiency run`` writes ``tables/*.csv``) in ``la_code`` order, so they are
    the same bytes whichever executor ran the LAs and in whichever order they finished.
    Workers need the same versions of sufficiency, pandas and numpy, and any file the scenario
    names (``allocate.settings`` ...) at the same path.

    Examples
    --------
    >>> import sufficiency as sf
    >>> result = sf.sweep("scenarios/example.yaml", las="Rutland, Hartlepool",
    ...                   out="national-run")                    # doctest: +SKIP
    >>> result.status[["la_name", "status"]]                     # doctest: +SKIP
          la_name status
    0  Hartlepool     ok
    1     Rutland     ok
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if outputs not in OUTPUTS:
        raise ValidationError(f"outputs = {outputs!r}: expected one of {list(OUTPUTS)}")
    if scenario.get("data.history"):
        raise ValidationError(f"{scenario.path}: data.history is set ({scenario.get('data.history')}"
                              "): a sweep replaces data.la per LA but would use this one file "
                              "for every LA; expected a scenario on the embedded data")
    if workers is not None and workers < 1:
        raise ValidationError(f"workers = {workers}: expected 1 or more")
    # the files the scenario names are checked once, as `sufficiency validate` checks them,
    # before any LA runs: a bad file is one located error (exit 2), not every LA failing
    read_scenario_files(scenario).raise_if_any(str(scenario.path))
    say = progress or (lambda message: None)
    run = _run or _run_la
    out = Path(out)
    digest = _digest(scenario)
    _prepare(out, scenario, digest, outputs, force)

    chosen = select_las(las)
    status = {}
    for row in chosen.itertuples(index=False):
        if row.error:
            status[row.requested] = _status_row("", "", row.requested, "failed", row.error)
            say(f"FAILED {row.requested!r}: {row.error}")
    todo, done = [], []
    for row in chosen[chosen["error"] == ""].itertuples(index=False):
        seed = la_seed(scenario.get("seed") or 0, row.la_code)
        if _done(out, row.la_code, digest, outputs):
            done.append(row)
            before = _record(out, row.la_code)
            status[row.la_code] = _status_row(row.la_code, row.la_name, row.requested, "skipped",
                                              "done in an earlier run of this sweep; kept",
                                              seed=seed, **{k: before.get(k, "") for k in
                                                            ("solver_status", "stopped_by",
                                                             "gap")})
            continue
        todo.append(_Task(row.la_code, row.la_name, row.requested,
                          _for_la(scenario, row.la_code, seed, outputs), seed, outputs))
    if done:
        say(f"resuming in {out}: {len(done)} LA(s) already done are skipped and kept "
            f"({', '.join(r.la_name for r in done[:5])}{', ...' if len(done) > 5 else ''})")

    by_code = {task.code: task for task in todo}
    dask, stopped = None, "the sweep stopped before it"
    try:
        if todo and (client is not None or workers is not None):
            dask = _Dask(client, workers)
            say(f"running {len(todo)} LA(s) on {dask.describe()}")
            results = _on_dask(dask.client, todo, run, say)
        else:
            if todo:
                say(f"running {len(todo)} LA(s) in this process")
            results = _in_process(todo, run, say)
        meter = _Meter(len(todo), say)
        for result in results:
            _commit(out, result, digest, outputs)
            task = by_code[result.code]
            status[result.code] = _status_row(result.code, result.name, task.requested,
                                              result.status, result.message, result.seed,
                                              result.attempt, result.seconds, result.cpu,
                                              **result.solve)
            meter.tick(result)
    except KeyboardInterrupt:
        stopped = "the sweep was interrupted"
        say("interrupted: the LAs completed so far are kept; rerun the same command to resume")
        raise
    except BaseException as err:
        stopped = f"the sweep stopped ({type(err).__name__}: {err})"
        raise
    finally:
        if dask is not None:
            try:
                dask.close()
            except Exception:  # noqa: BLE001 - closing after Ctrl-C may complain; nothing to do
                pass
        for task in todo:
            if task.code not in status:
                status[task.code] = _status_row(task.code, task.name, task.requested, "skipped",
                                                f"not run: {stopped}",
                                                seed=task.seed)
        order = list(chosen["la_code"].where(chosen["la_code"] != "", chosen["requested"]))
        table = pd.DataFrame([status[k] for k in order if k in status], columns=_STATUS_COLUMNS)
        table = table.sort_values(["la_code", "requested"], kind="stable").reset_index(drop=True)
        _write_atomic(out / "status.csv", table.to_csv(index=False, lineterminator="\n",
                                                       float_format="%.2f").encode())
        ok = list(table.loc[table["status"].isin(["ok", "skipped"]) &
                            (table["la_code"] != ""), "la_code"])
        ok = [c for c in ok if _done(out, c, digest, outputs)]
        tables = _write_national(out, ok)
    counts = table["status"].value_counts()
    say(f"finished: {counts.get('ok', 0)} ok, {counts.get('failed', 0)} failed, "
        f"{counts.get('skipped', 0)} skipped; national tables in {out / 'national'}, "
        f"status in {out / 'status.csv'}")
    return SweepResult(out, table, tables)


def _digest(scenario: Scenario) -> str:
    """SHA-256 of the scenario without its ``data.la`` (which the sweep replaces)."""
    config = copy.deepcopy(scenario.config)
    config.get("data", {}).pop("la", None)
    text = json.dumps({"config": config, "version": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _for_la(scenario: Scenario, code: str, seed: int, outputs: str = "full") -> Scenario:
    """The scenario for one LA: its code and seed; a tables-only sweep skips the marginal
    value of a place (an LP re-solve per LA that no national table holds; the plan is the
    same)."""
    config = copy.deepcopy(scenario.config)
    config.setdefault("data", {})["la"] = code
    config["seed"] = seed
    if outputs == "tables":
        config.setdefault("allocate", {})["marginal_values"] = False
    return Scenario(config=config, path=scenario.path, chain=list(scenario.chain))


def _prepare(out: Path, scenario: Scenario, digest: str, outputs: str, force: bool) -> None:
    meta = out / "sweep.json"
    if out.exists() and force:
        for name in ("la", "national"):
            shutil.rmtree(out / name, ignore_errors=True)
        for name in ("status.csv", "sweep.json"):
            (out / name).unlink(missing_ok=True)
    elif meta.exists():
        old = json.loads(meta.read_text(encoding="utf-8"))
        if old.get("scenario_digest") != digest:
            raise ValidationError(
                f"{out}: holds a sweep of scenario {old.get('scenario')!r} with different "
                f"settings (digest {old.get('scenario_digest', '')[:12]}, this one "
                f"{digest[:12]}); expected the same scenario to resume: use another --out, or "
                "--force to discard it")
    elif out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not a sweep folder (no sweep.json); "
                              "use another --out, or --force to write into it")
    (out / "la").mkdir(parents=True, exist_ok=True)
    for stale in (out / "la").glob(".tmp-*"):      # left by an interrupted run
        shutil.rmtree(stale, ignore_errors=True)
    for stale in (out / "la").glob(".old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    text = json.dumps({"scenario": scenario.name, "scenario_file": str(scenario.path),
                       "scenario_digest": digest, "sufficiency": __version__,
                       "seed": scenario.get("seed"),
                       "seeds": "per LA: la_seed(seed, la_code), see status.csv",
                       "national_tables": NATIONAL_TABLES}, indent=2, sort_keys=True)
    _write_atomic(meta, (text + "\n").encode())


def _record(out: Path, code: str) -> dict:
    """The LA's ``status.json`` from an earlier run ({} if absent or unreadable)."""
    path = out / "la" / code / "status.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _done(out: Path, code: str, digest: str, outputs: str) -> bool:
    record = _record(out, code)
    return (record.get("status") == "ok" and record.get("scenario_digest") == digest
            and (outputs == "tables" or record.get("outputs") == "full"))


def _commit(out: Path, result: _Result, digest: str, outputs: str) -> None:
    """Write one LA's folder under a temporary name, then rename it into place."""
    target = out / "la" / result.code
    tmp = out / "la" / f".tmp-{result.code}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for relative, data in sorted(result.files.items()):
        path = tmp / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    record = {"la_code": result.code, "la_name": result.name, "status": result.status,
              "message": result.message, "seed": result.seed, "attempts": result.attempt,
              "seconds": round(result.seconds, 3), "cpu_seconds": round(result.cpu, 3),
              "outputs": outputs, **result.solve,
              "scenario_digest": digest, "traceback": result.detail}
    (tmp / "status.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if target.exists():
        old = out / "la" / f".old-{result.code}-{os.getpid()}"
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_national(out: Path, codes: list[str]) -> dict:
    """Stack the LAs' own CSV text (every byte kept) in la_code order: header once, then each
    LA's rows; LAs whose tables have different columns are lined up by column name."""
    folder = out / "national"
    tmp = out / f".national.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tables = {}
    for name in NATIONAL_TABLES:
        paths = [path for code in sorted(codes)
                 if (path := out / "la" / code / "national" / f"{name}.csv").exists()]
        if not paths:
            continue
        texts = [path.read_bytes() for path in paths]
        heads = [text.split(b"\n", 1) for text in texts]
        if len({head[0] for head in heads}) == 1:   # the same columns: the text, stacked
            (tmp / f"{name}.csv").write_bytes(
                heads[0][0] + b"\n" + b"".join(head[1] if len(head) > 1 else b""
                                              for head in heads))
        else:   # columns differ between LAs: line them up (a missing column left empty)
            parts = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in paths]
            text = pd.concat(parts, ignore_index=True).fillna("")
            text.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
        tables[name] = pd.read_csv(tmp / f"{name}.csv", dtype={"la_code": str})
    if folder.exists():
        old = out / f".national.old-{os.getpid()}"
        os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, folder)
    return tables


def _status_row(code, name, requested, status, message, seed="", attempts=0, seconds=0.0,
                cpu_seconds=0.0, solver_status="", stopped_by="", gap=""):
    return {"la_code": code, "la_name": name, "requested": requested, "status": status,
            "message": message, "seed": seed, "attempts": attempts, "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "solver_status": solver_status, "stopped_by": stopped_by, "gap": gap}


class _Meter:
    """Progress per LA: done, failed, skipped, remaining, elapsed and time left."""

    def __init__(self, total: int, say):
        self.total, self.say = total, say
        self.ok = self.failed = self.skipped = 0
        self.start = time.perf_counter()

    def tick(self, result: _Result) -> None:
        if result.status == "ok":
            self.ok += 1
            word = f"ok, but {result.message}" if result.message else "ok"
        elif result.status == "skipped":
            self.skipped += 1
            word = f"SKIPPED: {result.message}"
        else:
            self.failed += 1
            word = f"FAILED: {result.message}"
        finished = self.ok + self.failed + self.skipped
        left = self.total - finished
        elapsed = time.perf_counter() - self.start
        eta = elapsed / finished * left
        retry = f", attempt {result.attempt}" if result.attempt > 1 else ""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        self.say(f"{result.code} {result.name} {word} ({result.seconds:.1f}s{retry}) | "
                 f"{self.ok} done, {self.failed} failed{skipped}, {left} left | elapsed "
                 f"{_clock(elapsed)}, about {_clock(eta)} left")


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
