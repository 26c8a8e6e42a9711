"""The ``sufficiency`` command: run, compare, backtest, validate, start and sweep scenarios.

Exit codes: 0 success; 1 the run failed (e.g. the optimiser gave no plan); 2 bad usage or
invalid input (the message says what and where); 3 an internal error, a bug in sufficiency
(the message names the log file written with the details); 130 interrupted (Ctrl-C or
SIGTERM: nothing half-written is left); 141 the output pipe was closed (``... | head``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from . import __version__
from .errors import DataWarning, SolverError, ValidationError

__all__ = ["main"]

#: Exit codes.
OK, FAILED, INVALID, BUG, INTERRUPTED, BROKEN_PIPE = 0, 1, 2, 3, 130, 141


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so ``with`` blocks clean up as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise _Terminated()

__all__ = ["main"]


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return INVALID
    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (e.g. called from a worker)
        previous = None
    try:
        code = args.handler(args)
        sys.stdout.flush()   # a closed pipe shows here, inside the handling below
        return code
    except ValidationError as err:
        _error(f"error: {err}")
        return INVALID
    except (FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError,
            PermissionError) as err:
        name = f" ({err.filename})" if getattr(err, "filename", None) else ""
        message = (err.strerror if err.strerror else (err.args[0] if err.args else str(err)))
        _error(f"error: {message}{name}")
        return INVALID
    except SolverError as err:
        _error(f"error: {err}")
        return FAILED
    except (KeyboardInterrupt, _Terminated):
        _error("interrupted: nothing half-written was left behind")
        return INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return BROKEN_PIPE
    except Exception as err:  # noqa: BLE001 - every other error is a bug: say so, log it
        log = _bug_log(argv, err)
        _error(f"internal error: {type(err).__name__}: {err}\nThis is a bug in sufficiency "
               f"{__version__}, not a problem with your input. Details are in {log}; please "
               "report it with that file.")
        return BUG
    finally:
        if previous is not None:
            try:
                signal.signal(signal.SIGTERM, previous)
            except ValueError:
                pass


def _error(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError, OSError):
        pass


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so Python's exit flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _bug_log(argv, err) -> str:
    """Write the details of an unexpected error to a log file; return its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = "\n".join([
        f"sufficiency {__version__} internal error, {stamp}",
        f"python {platform.python_version()} on {platform.platform()}",
        f"command: sufficiency {' '.join(map(str, argv if argv is not None else sys.argv[1:]))}",
        f"working folder: {os.getcwd()}", "",
        "".join(traceback.format_exception(type(err), err, err.__traceback__))])
    for folder in (tempfile.gettempdir(), os.getcwd()):
        try:
            fd, path = tempfile.mkstemp(prefix=f"sufficiency-bug-{stamp}-", suffix=".log",
                                        dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except OSError:
            continue
    return "(no log could be written)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sufficiency",
        description="Plan specialist SEND school places: forecast EHC plan demand, allocate "
                    "places and the capital programme, cost the High Needs deficit plan.")
    parser.add_argument("--version", action="version", version=f"sufficiency {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="forecast, allocate, cost and report one scenario",
                         description="Run a scenario end to end and write the workbook, charts, "
                                     "report and manifest to --out.")
    run.add_argument("scenario", help="scenario YAML file, e.g. scenarios/example.yaml")
    run.add_argument("--out", required=True, help="output folder (must not exist, or --force)")
    run.add_argument("--force", action="store_true", help="replace an existing output folder")
    run.add_argument("--quiet", action="store_true", help="no progress messages")
    run.set_defaults(handler=_run)

    compare = sub.add_parser("compare", help="run several scenarios side by side",
                             description="Run scenarios and write their results side by side, "
                                         "with the differences from the first.")
    compare.add_argument("scenarios", nargs="+", help="two or more scenario files")
    compare.add_argument("--out", required=True, help="output folder")
    compare.add_argument("--force", action="store_true", help="replace an existing folder")
    compare.add_argument("--quiet", action="store_true", help="no progress messages")
    compare.set_defaults(handler=_compare)

    backtest = sub.add_parser("backtest", help="accuracy of the forecast on the LA's own history",
                              description="Rolling-origin backtest of the scenario's forecast "
                                          "models on its own history.")
    backtest.add_argument("scenario", help="scenario YAML file")
    backtest.add_argument("--horizon", type=int, default=5, help="years ahead (default 5)")
    backtest.add_argument("--quiet", action="store_true", help="no progress messages")
    backtest.set_defaults(handler=_backtest)

    validate = sub.add_parser("validate", help="check a scenario or data file",
                              description="Check a scenario (.yaml) or a history file "
                                          "(.csv/.xlsx) and report every problem found.")
    validate.add_argument("file", help="scenario .yaml or history .csv/.xlsx")
    validate.set_defaults(handler=_validate)

    new = sub.add_parser("new-scenario", help="write a starting scenario for an LA",
                         description="Write a commented starting scenario for any LA in the "
                                     "embedded data.")
    new.add_argument("--la", required=True, help="LA code or name, e.g. 'Herefordshire'")
    new.add_argument("--out", required=True, help="scenario file to write")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    new.set_defaults(handler=_new_scenario)

    sweep = sub.add_parser("sweep", help="run a scenario for every LA (or several)",
                           description="Run a scenario for each LA (data.la replaced) in this "
                                       "process or on Dask; write national/<table>.csv and "
                                       "status.csv to --out. Rerunning into --out resumes.")
    sweep.add_argument("scenario", help="scenario YAML file, e.g. scenarios/example.yaml")
    sweep.add_argument("--las", default="all", help="'all' (default) or LA names or codes, "
                                                    "comma-separated, e.g. 'Kent,Rutland'")
    sweep.add_argument("--out", required=True, help="sweep folder (rerun it to resume)")
    sweep.add_argument("--workers", type=int, help="worker processes on a local Dask cluster")
    sweep.add_argument("--scheduler", help="'local' or a Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--outputs", choices=["tables", "full"], default="tables",
                       help="tables (default) or full: also each LA's workbook and report")
    sweep.add_argument("--force", action="store_true", help="discard --out and run every LA")
    sweep.add_argument("--quiet", action="store_true", help="no progress messages")
    sweep.set_defaults(handler=_sweep)
    return parser


#: What each column of ``sufficiency backtest`` means (printed under the table).
BACKTEST_COLUMNS = {
    "model": "the forecasting method scored",
    "horizon": "years ahead of the forecast origin",
    "n": "forecasts scored (one per origin year with a known outcome)",
    "median_ape_pct": "median absolute error, as a % of the published figure",
    "mase": "mean absolute scaled error: error divided by that of a naive 'same as last "
            "year' forecast (below 1 beats it)",
    "median_scaled_error": "median of the same scaled errors (below 1 beats the naive "
                           "forecast in most years)",
    "median_pe_pct": "median signed error, % (above 0: the forecast ran high)",
    "bias_pct": "mean signed error, % (above 0: the forecast ran high)",
    "over_share": "share of forecasts above the published figure (0.5 = no bias)",
    "coverage80": "share of published figures inside the 80% band (0.8 = honest band)",
    "coverage90": "share of published figures inside the 90% band (0.9 = honest band)",
}


def _progress(quiet: bool):
    start = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return say


def _input_files(scenario) -> list[Path]:
    from .scenario import FILE_KEYS

    files = [Path(p) for p in scenario.chain]
    for key in FILE_KEYS:
        if scenario.get(key):
            files.append(Path(scenario.resolve(scenario.get(key))))
    return files


class _ticking:
    """Say ``message`` every ``every`` seconds while a long step without its own progress runs."""

    def __init__(self, say, message: str, every: float = 5.0):
        import threading

        self.say, self.message, self.every = say, message, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._tick, daemon=True)

    def _tick(self):
        start = time.perf_counter()
        while not self.stop.wait(self.every):
            self.say(f"{self.message} ({time.perf_counter() - start:.0f}s)")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        return False


def _run(args) -> int:
    from .report import write_outputs
    from .report.output_dir import OutputLock, check_output
    from .report.page import summary
    from .scenario import load_scenario
    from .workflow import run_scenario

    scenario = load_scenario(args.scenario)
    out = Path(args.out)
    check_output(out, args.force, _input_files(scenario))
    with OutputLock(out):
        check_output(out, args.force, _input_files(scenario))  # again, now that we hold it
        say = _progress(args.quiet)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            result = run_scenario(scenario, progress=say)
        say(f"writing outputs to {out}")
        write_outputs(result, out, force=args.force, progress=say)
        say("done")
    print(summary(result))
    print(f"\nwritten to {out}/: results.xlsx, report.html, charts/*.png, manifest.json")
    return OK


def _compare(args) -> int:
    from .report import compare_runs, run_names, write_comparison
    from .report.output_dir import OutputLock, check_output
    from .scenario import load_scenario
    from .workflow import run_scenario

    if len(args.scenarios) < 2:
        raise ValidationError("compare: expected two or more scenario files")
    scenarios = [load_scenario(p) for p in args.scenarios]
    # scenarios that share a name are all kept, named (and foldered) by their files
    out = Path(args.out)
    inputs = [f for s in scenarios for f in _input_files(s)]
    check_output(out, args.force, inputs)
    with OutputLock(out):
        check_output(out, args.force, inputs)
        say = _progress(args.quiet)
        runs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            for scenario in scenarios:
                say(f"scenario {scenario.name}")
                runs.append(run_scenario(scenario, progress=say))
        names = run_names(runs)
        say("comparing the headline figures")
        table = compare_runs(runs, names)
        write_comparison(runs, table, out, force=args.force, names=names, progress=say)
        say("done")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    print(f"\nwritten to {out}/: comparison.xlsx, comparison.csv and one folder per scenario")
    return OK


def _backtest(args) -> int:
    from .scenario import load_scenario
    from .workflow import backtest_scenario

    scenario = load_scenario(args.scenario)
    say = _progress(getattr(args, "quiet", False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with _ticking(say, "still backtesting"):
            table = backtest_scenario(scenario, horizon=args.horizon, progress=say)
    say("done")
    print(table.to_string(index=False))
    print("\nColumns:")
    for column in table.columns:
        if column in BACKTEST_COLUMNS:
            print(f"  {column:<20} {BACKTEST_COLUMNS[column]}")
    from .forecast.backtest import accuracy_in_words

    chosen = scenario.get("forecast.model")
    words = accuracy_in_words(table, chosen)
    if words:
        print(f"\nIn words ({chosen}, the scenario's model, on this LA's own past; median "
              "error, bias and how often the 80% band held):")
        for line in words:
            print("  " + line)
    return 0


def _validate(args) -> int:
    path = Path(args.file)
    if path.suffix.lower() in (".yaml", ".yml"):
        from .scenario import load_scenario
        from .scenario_files import read_scenario_files

        scenario = load_scenario(path)
        files = read_scenario_files(scenario)
        files.raise_if_any(str(path))
        for note in scenario.notes + files.notes:
            print(f"note: {note}")
        named = [str(p) for p in _input_files(scenario)[len(scenario.chain):]]
        print(f"{path}: valid scenario {scenario.name!r} "
              f"({' -> '.join(str(p) for p in scenario.chain)})"
              + (f"; files checked: {', '.join(named)}" if named else ""))
        return OK
    from .data import read_history

    frame = read_history(path, on_error="set_aside")
    report = frame.attrs["validation"]
    print(report.summary())
    if len(report.set_aside):
        print(report.set_aside.to_string(index=False))
    unusable = _history_unforecastable(frame, str(path)) if len(frame) else []
    for problem in unusable:
        print(f"error: {problem}", file=sys.stderr)
    return OK if report.ok and not unusable else INVALID


def _history_unforecastable(frame, source: str) -> list[str]:
    """Why the usable rows of a history file cannot be forecast (empty if they can): each
    series (per age band when the file has age bands, else the yearly total) must run up to
    the same last year without gaps and end in at least ``MIN_OBS`` positive years, the
    check a scenario naming the file makes before its run."""
    from .data.validate import own_history_by_age_band
    from .errors import ValidationError
    from .forecast.validate import MIN_OBS, check_history

    h = own_history_by_age_band(frame)
    bands = h[h["age_band"] != "all"]
    series = bands[["year", "age_band", "count"]] if len(bands) else \
        h[h["age_band"] == "all"][["year", "count"]]
    try:
        check_history(series.reset_index(drop=True), name=source, min_obs=MIN_OBS)
    except ValidationError as err:
        return [p + (" (after adding up the rows of each year and age band)"
                     if "series" in p else "") for p in err.problems]
    return []


def _new_scenario(args) -> int:
    from .scenario_schema import starting_scenario

    out = Path(args.out)
    if out.exists() and not args.force:
        raise FileExistsError(f"{out} exists; pass --force to overwrite it")
    try:
        text = starting_scenario(args.la)
    except KeyError as err:
        raise ValidationError(f"--la {args.la!r}: {err.args[0] if err.args else err}") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}; run it with: sufficiency run {out} --out results")
    return OK


def _sweep(args) -> int:
    from .national import sweep

    try:
        result = sweep(args.scenario, las=args.las, out=args.out, client=args.scheduler,
                       workers=args.workers, outputs=args.outputs, force=args.force,
                       progress=_progress(args.quiet))
    except ImportError as err:              # --workers / --scheduler without the dask extra
        print(f"error: {err}", file=sys.stderr)
        return 2
    counts = result.status["status"].value_counts()
    print(f"{len(result.status)} LAs: {counts.get('ok', 0)} ok, {counts.get('failed', 0)} "
          f"failed, {counts.get('skipped', 0)} skipped (done earlier, or data that cannot be "
          "run)")
    for row in result.failed.itertuples(index=False):
        print(f"  failed: {row.la_name or row.requested}: {row.message}")
    for row in result.status[result.status["message"].str.startswith("not run: the DfE")] \
            .itertuples(index=False):
        print(f"  skipped: {row.la_name}: {row.message}")
    print(f"\nwritten to {result.out}/: national/*.csv, status.csv")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
