"""The national sweep: every LA asked for gets a status, the national tables are the stacked
per-LA runs, reruns resume, failures and Ctrl-C are contained, and Dask gives the same bytes."""
import functools
import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sufficiency as sf
from sufficiency.cli import main
from sufficiency.errors import DataWarning, ValidationError
from sufficiency.national import (NATIONAL_TABLES, _Result, _run_la, all_las, la_seed,
                                  la_tables, select_las, sweep)
from sufficiency.scenario import load_scenario
from sufficiency.scenario_run import SKIPPABLE
from sufficiency.workflow import run_scenario

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "scenarios" / "example.yaml"
# two real LAs that run, one whose real history cannot be forecast (skipped, with why), one
# name that is no LA (failed)
LAS = "Rutland, Hartlepool, City of London, Rutlandshire"


@functools.lru_cache(maxsize=None)
def fast_file() -> Path:
    """The example scenario with fewer paths and years (a test LA takes a second or two), as a
    file, so the command line can run it too."""
    path = Path(tempfile.mkdtemp(prefix="sweep-test-")) / "fast.yaml"
    path.write_text(f"extends: {EXAMPLE}\nforecast:\n  n_paths: 100\n  horizon: 4\n")
    return path


def fast(**overrides):
    return load_scenario(fast_file(), overrides=overrides)


def national_bytes(out: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted((out / "national").glob("*.csv"))}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "run"
    lines = []
    result = sweep(fast(), las=LAS, out=out, progress=lines.append)
    return out, result, lines


# --- choosing LAs and seeds -------------------------------------------------------------------

def test_all_las_is_every_la_once_on_its_continuous_footprint():
    codes = all_las()
    assert len(codes) == len(set(codes)) and 145 <= len(codes) <= 155
    assert {"865", "886", "857", "835+836+837", "928", "909"} <= set(codes)
    # England and the members of reorganised LAs are not run separately
    assert not {"E92000001", "835", "836", "837", "940", "941", "942", "943"} & set(codes)
    assert list(select_las("all")["la_code"]) == codes


def test_select_las_keeps_names_with_commas_drops_duplicates_and_explains_unknown_names():
    chosen = select_las("Kent, Bristol, City of, 886,Kingston upon Hull, City of, Rutlandshire")
    assert list(chosen["requested"]) == ["Kent", "Bristol, City of", "Kingston upon Hull, City of",
                                         "Rutlandshire"]
    assert list(chosen["la_code"]) == ["886", "801", "810", ""]
    assert "did you mean 'Rutland'" in chosen["error"].iloc[-1]
    assert list(select_las(["865", "Wiltshire"])["la_code"]) == ["865"]


def test_la_seed_depends_on_the_scenario_seed_and_the_la_only():
    expected = int.from_bytes(hashlib.sha256(b"0/865").digest()[:4], "big") % 2**31
    assert la_seed(0, "865") == expected
    assert la_seed(0, "865") != la_seed(1, "865") and la_seed(0, "865") != la_seed(0, "886")
    assert all(0 <= la_seed(s, c) < 2**31 for s in (0, 7, 2**40) for c in ("201", "835+836+837"))


# --- the in-process sweep -------------------------------------------------------------------------

def test_status_lists_every_la_asked_for(swept):
    out, result, lines = swept
    status = pd.read_csv(out / "status.csv", dtype={"la_code": str}, keep_default_na=False)
    by = status.set_index("requested")
    assert set(by.index) == {"Rutland", "Hartlepool", "City of London", "Rutlandshire"}
    assert by.loc["Rutland", "status"] == "ok" and by.loc["Hartlepool", "status"] == "ok"
    assert by.loc["City of London", "status"] == "skipped"                 # its real data
    assert "cannot be forecast by age band" in by.loc["City of London", "message"]
    assert by.loc["Rutlandshire", "status"] == "failed"
    assert "did you mean 'Rutland'" in by.loc["Rutlandshire", "message"]
    assert by.loc["Rutland", "seed"] == str(la_seed(0, "857"))
    assert not result.ok and len(result.failed) == 1
    # the place plan's solver status, why it stopped (never the wall clock here) and its gap
    for la in ("Rutland", "Hartlepool"):
        assert by.loc[la, "solver_status"] in ("optimal", "feasible")
        assert by.loc[la, "stopped_by"] in ("optimal", "gap_limit", "node_limit")
        assert 0 <= float(by.loc[la, "gap"]) <= 0.005 or by.loc[la, "stopped_by"] == "node_limit"
    assert by.loc["Rutlandshire", "solver_status"] == by.loc["Rutlandshire", "gap"] == ""
    # the CPU time each LA took (its process and its solves), beside its wall time; a name
    # that matched no LA ran nothing
    for la in ("Rutland", "Hartlepool"):
        assert float(by.loc[la, "cpu_seconds"]) > 0 and float(by.loc[la, "seconds"]) > 0
        record = json.loads((out / "la" / by.loc[la, "la_code"] / "status.json").read_text())
        assert record["cpu_seconds"] == pytest.approx(float(by.loc[la, "cpu_seconds"]), abs=0.01)
    assert float(by.loc["Rutlandshire", "cpu_seconds"]) == 0
    # on screen: each LA as it finishes, with counts and time left; the failures said
    assert any(line.startswith("857 Rutland ok") and "left" in line for line in lines)
    assert any("SKIPPED" in line and "City of London" in line for line in lines)
    assert any("FAILED 'Rutlandshire'" in line for line in lines)


def test_national_tables_are_the_stacked_per_la_runs_in_la_code_order(swept):
    out, result, _ = swept
    assert set(result.tables) == set(NATIONAL_TABLES)
    for name, frame in result.tables.items():
        assert list(frame.columns[:2]) == ["la_code", "la_name"], name
        codes = list(frame["la_code"].unique())                         # failed LAs left out
        assert codes == sorted(codes) and set(codes) <= {"805", "857"}, name
        if name in ("forecast", "demand", "dsg_trajectory", "board_measures"):
            assert codes == ["805", "857"], name
        assert (frame["la_code"].map({"805": "Hartlepool", "857": "Rutland"})
                == frame["la_name"]).all()
    # Rutland's rows are exactly what its own run gives with the seed the sweep used
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        run = run_scenario(fast(**{"data.la": "857", "seed": la_seed(0, "857")}))
    own = la_tables(run)
    for name, frame in own.items():
        text = (out / "national" / f"{name}.csv").read_text().splitlines()
        mine = frame.to_csv(index=False, lineterminator="\n", float_format="%.6f").splitlines()
        assert [line for line in text if line.startswith("857,")] == mine[1:], name
    # the summary adds the plan's placements up over settings
    placed = own["placements_summary"].groupby("year")["placed"].sum()
    direct = run.allocation.placements.groupby("year")["placed"].sum()
    pd.testing.assert_series_equal(placed, direct)


def test_a_rerun_resumes_and_gives_the_same_bytes(swept, tmp_path):
    out, _, _ = swept
    before = national_bytes(out)
    ran, lines = [], []

    def counting(task):
        ran.append(task.code)
        return _run_la(task)

    again = sweep(fast(), las=LAS, out=out, progress=lines.append, _run=counting)
    assert ran == ["201"]                      # only the LA not done is tried again
    assert dict(zip(again.status["requested"], again.status["status"])) == {
        "Rutlandshire": "failed", "City of London": "skipped", "Hartlepool": "skipped",
        "Rutland": "skipped"}
    assert any(line.startswith("resuming") and "2 LA(s) already done" in line for line in lines)
    assert national_bytes(out) == before
    kept = again.status.set_index("requested")
    assert kept.loc["Rutland", "stopped_by"] in ("optimal", "gap_limit", "node_limit")


def test_a_tables_only_sweep_skips_the_marginal_values_it_does_not_write():
    from sufficiency.national import _for_la

    assert _for_la(fast(), "857", 1, "tables").get("allocate.marginal_values") is False
    assert _for_la(fast(), "857", 1, "full").get("allocate.marginal_values") is True
    assert "allocate.marginal_values" not in str(fast().config)      # not the user's scenario


def test_a_tables_only_sweep_skips_what_no_national_table_holds(monkeypatch):
    # run_scenario's explicit option, not a global: tables-only runs skip the SCAP table and
    # the goal seeks, full runs (workbook and report) skip nothing; the tables themselves are
    # unchanged (the test above compares a tables-only sweep's rows with a full run's, byte
    # for byte)
    from sufficiency import workflow
    from sufficiency.national import _Task, _for_la

    asked = []

    def recording(scenario, progress=None, **kwargs):
        asked.append(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setattr(workflow, "run_scenario", recording)
    for outputs in ("tables", "full"):
        task = _Task("857", "Rutland", "Rutland", _for_la(fast(), "857", 1, outputs), 1, outputs)
        assert _run_la(task).status == "failed"
    assert asked == [{"skip": SKIPPABLE}, {"skip": ()}]
    assert set(SKIPPABLE) == {"scap", "goal_seek", "report_tables"}


def test_a_run_that_skips_parts_leaves_them_empty_and_changes_nothing_else():
    scenario = fast(**{"data.la": "Rutland", "allocate.enabled": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        full, lean = run_scenario(scenario), run_scenario(scenario, skip=SKIPPABLE)
    assert len(full.scap) and lean.scap.empty
    assert full.deficit.goal_seek and not lean.deficit.goal_seek
    assert full.skipped == () and lean.skipped == ("goal_seek", "report_tables", "scap")
    for name, frame in la_tables(full).items():
        pd.testing.assert_frame_equal(frame, la_tables(lean)[name], check_exact=True)
    pd.testing.assert_frame_equal(full.deficit.spend, lean.deficit.spend, check_exact=True)
    with pytest.raises(ValueError, match="did you mean 'scap'"):
        run_scenario(scenario, skip=["scpa"])


def test_a_different_scenario_cannot_resume_into_the_same_folder(swept):
    out, _, _ = swept
    with pytest.raises(ValidationError, match="different settings"):
        sweep(fast(**{"forecast.n_paths": 101}), las="Rutland", out=out)


def test_a_failing_stage_fails_its_la_only(tmp_path, monkeypatch):
    from sufficiency import workflow

    real = workflow._allocate

    def exploding(scenario, la_code, *args, **kwargs):
        if la_code == "805":
            raise RuntimeError("solver exploded")
        return real(scenario, la_code, *args, **kwargs)

    monkeypatch.setattr(workflow, "_allocate", exploding)
    result = sweep(fast(), las="Hartlepool,Rutland", out=tmp_path / "s")
    status = dict(zip(result.status["la_code"], result.status["status"]))
    assert status == {"805": "failed", "857": "ok"}
    assert "RuntimeError: solver exploded" in result.failed["message"].item()
    record = json.loads((tmp_path / "s" / "la" / "805" / "status.json").read_text())
    assert "solver exploded" in record["traceback"]
    assert set(result.tables["demand"]["la_code"]) == {"857"}


def test_ctrl_c_keeps_completed_las_and_the_rerun_finishes(tmp_path):
    out = tmp_path / "s"
    calls = []

    def interrupted(task):
        calls.append(task.code)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return _run_la(task)

    with pytest.raises(KeyboardInterrupt):
        sweep(fast(), las="Rutland,Hartlepool,Darlington", out=out, _run=interrupted)
    status = pd.read_csv(out / "status.csv", dtype={"la_code": str})
    assert list(status["status"]) == ["skipped", "skipped", "ok"]     # 805, 841, 857
    assert (status["message"].iloc[:2] == "not run: the sweep was interrupted").all()
    assert sorted(p.name for p in (out / "la").iterdir()) == ["857"]  # nothing half-written
    assert set(pd.read_csv(out / "national" / "demand.csv", dtype=str)["la_code"]) == {"857"}
    result = sweep(fast(), las="Rutland,Hartlepool,Darlington", out=out)
    assert list(result.status["status"]) == ["ok", "ok", "skipped"]


def test_outputs_full_writes_each_las_report_and_force_runs_again(tmp_path):
    out = tmp_path / "s"
    sweep(fast(), las="Rutland", out=out)
    result = sweep(fast(), las="Rutland", out=out, outputs="full")   # tables-only is not enough
    assert list(result.status["status"]) == ["ok"]
    folder = out / "la" / "857"
    for name in ("results.xlsx", "report.html", "manifest.json", "tables/forecast.csv",
                 "national/forecast.csv"):
        assert (folder / name).exists(), name
    ran = []

    def stub(task):
        ran.append(task.code)
        return _Result(task.code, task.name, "ok", seed=task.seed,
                       files={"national/demand.csv": b"la_code,la_name,demand\n857,Rutland,1\n"})

    assert list(sweep(fast(), las="Rutland", out=out, _run=stub).status["status"]) == ["skipped"]
    assert ran == []
    forced = sweep(fast(), las="Rutland", out=out, force=True, _run=stub)
    assert ran == ["857"] and list(forced.status["status"]) == ["ok"]
    assert not (folder / "report.html").exists()          # the old results were discarded
    assert set(forced.tables) == {"demand"}


def test_a_scenario_with_its_own_history_cannot_be_swept(tmp_path):
    history = tmp_path / "h.csv"
    history.write_text("year,count\n2020,1\n2021,2\n2022,3\n")
    scenario = fast(**{"data.history": str(history)})
    with pytest.raises(ValidationError, match="data.history"):
        sweep(scenario, las="Rutland", out=tmp_path / "s")


def test_a_bad_file_the_scenario_names_stops_the_sweep_before_any_la(tmp_path, capsys):
    """A costs table with a misspelt column is one located error and exit 2 before any LA
    runs (it used to fail every LA in turn and exit 1); no output folder is made."""
    (tmp_path / "costs.csv").write_text("provision,cost per plce\nspecial_maintained,25000\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {fast_file()}\nfinance:\n  costs: costs.csv\n")
    with pytest.raises(ValidationError, match="did you mean 'cost_per_place'"):
        sweep(scenario, las="Rutland", out=tmp_path / "s")
    assert not (tmp_path / "s").exists()
    assert main(["sweep", str(scenario), "--las", "Rutland", "--out", str(tmp_path / "s"),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "costs.csv, line 1" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_sweep_is_on_the_package_and_the_command_line(tmp_path, capsys):
    assert sf.sweep is sweep
    code = main(["sweep", str(fast_file()), "--las", "Rutland,Rutlandshire", "--out",
                 str(tmp_path / "s"), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 1                             # some LA failed
    assert "1 ok, 1 failed" in printed and "Rutlandshire" in printed
    assert (tmp_path / "s" / "national" / "forecast.csv").exists()
    assert main(["sweep", str(fast_file()), "--las", "Rutland", "--out", str(tmp_path / "s"),
                 "--quiet"]) == 0               # resumed: Rutland done, nothing failed


# --- Dask ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    from sufficiency.national import local_cluster

    with local_cluster(2, memory_limit="1GiB") as cluster, \
            distributed.Client(cluster) as client:
        yield cluster, client


def test_dask_gives_byte_identical_national_tables(swept, cluster, tmp_path):
    out, _, _ = swept
    _, client = cluster
    result = sweep(fast(), las=LAS, out=tmp_path / "d", client=client)
    assert dict(zip(result.status["requested"], result.status["status"])) == {
        "Rutlandshire": "failed", "City of London": "skipped", "Hartlepool": "ok",
        "Rutland": "ok"}
    assert national_bytes(tmp_path / "d") == national_bytes(out)
    ran = result.status[result.status["status"] == "ok"]
    assert (ran["cpu_seconds"] > 0).all()           # measured on the worker, sent back
    # the same through the scheduler's address, as --scheduler tcp://... does
    again = sweep(fast(), las="Hartlepool", out=tmp_path / "t",
                  client=cluster[0].scheduler_address)
    assert list(again.status["status"]) == ["ok"]
    hartlepool = [line for line in (out / "national" / "forecast.csv").read_text().splitlines()
                  if line.startswith("805,")]
    assert (tmp_path / "t" / "national" / "forecast.csv").read_text().splitlines()[1:] == \
        hartlepool


def test_the_sweeps_cluster_runs_workers_without_dasks_per_task_overheads(cluster):
    from sufficiency.national import DASK_SETTINGS

    local, client = cluster

    def worker_settings(dask_worker):
        # defined here, not at module level: Dask ships it to the workers by value (a worker
        # of an installed package, as in CI, cannot import the tests package by name)
        import os

        import dask

        return {"MALLOC_TRIM_THRESHOLD_": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                "profiling": "profile" in dask_worker.periodic_callbacks,
                "memory monitor s": dask_worker.memory_manager.memory_monitor_interval,
                "tick": dask.config.get("distributed.admin.tick.interval"),
                "system monitor": dask.config.get("distributed.admin.system-monitor.interval")}

    # Dask's default puts MALLOC_TRIM_THRESHOLD_=65536 into its workers' environment (and so
    # into the CBC solves they start); the sweep's cluster leaves the environment as it is
    for nanny in local.workers.values():
        assert "MALLOC_TRIM_THRESHOLD_" not in nanny.pre_spawn_env
    seen = client.run(worker_settings)
    assert len(seen) == 2
    for settings in seen.values():
        assert settings == {
            "MALLOC_TRIM_THRESHOLD_": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            "profiling": False, "memory monitor s": 1.0,
            "tick": DASK_SETTINGS["distributed.admin.tick.interval"],
            "system monitor": DASK_SETTINGS["distributed.admin.system-monitor.interval"]}


def test_the_cluster_settings_in_the_docs_are_the_sweeps():
    """docs/national.md gives the settings as a Dask YAML file for the workers of a cluster;
    it must say what DASK_SETTINGS says."""
    import yaml

    from sufficiency.national import DASK_SETTINGS

    text = (REPO / "docs" / "national.md").read_text()
    block = text.split("<!-- DASK_SETTINGS -->", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]

    def flat(tree, prefix=""):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from flat(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", value

    assert dict(flat(yaml.safe_load(block))) == DASK_SETTINGS


def test_dask_starts_the_largest_las_first(cluster, tmp_path):
    from sufficiency.national import largest_first

    # by EHC plans in the latest January: Kent > Wiltshire > Hartlepool > Rutland; a
    # footprint counts the LAs it was made of
    assert largest_first(["857", "805", "886", "865"]) == ["886", "865", "805", "857"]
    assert largest_first(["857", "835+836+837"]) == ["835+836+837", "857"]
    _, client = cluster

    def started_at(task):         # a closure: Dask ships it to the workers by value
        import time
        begun = time.time()
        time.sleep(0.5)
        return _Result(task.code, task.name, "ok", f"{begun!r}", seed=task.seed)

    result = sweep(fast(), las="Rutland, Hartlepool, Kent, Wiltshire", out=tmp_path / "o",
                   client=client, _run=started_at)
    begun = dict(zip(result.status["la_code"], result.status["message"].astype(float)))
    # two workers: the two largest start first, the two smallest when they are done
    assert max(begun["886"], begun["865"]) < min(begun["805"], begun["857"])


def test_national_tables_line_up_las_whose_columns_differ(tmp_path):
    from sufficiency.national import _write_national

    for code, text in (("857", "la_code,la_name,year,a\n857,Rutland,2026,1.5\n"),
                       ("805", "la_code,la_name,year,b\n805,Hartlepool,2026,\"x, y\"\n"),
                       ("886", "la_code,la_name,year,a\n886,Kent,2026,2.0\n")):
        (tmp_path / "la" / code / "national").mkdir(parents=True)
        (tmp_path / "la" / code / "national" / "demand.csv").write_text(text)
        (tmp_path / "la" / code / "national" / "forecast.csv").write_text(
            text.replace(",b", ",a").replace('"x, y"', "3.0"))
    tables = _write_national(tmp_path, ["886", "857", "805"])
    assert (tmp_path / "national" / "demand.csv").read_text() == (
        "la_code,la_name,year,b,a\n805,Hartlepool,2026,\"x, y\",\n857,Rutland,2026,,1.5\n"
        "886,Kent,2026,,2.0\n")
    assert (tmp_path / "national" / "forecast.csv").read_text() == (
        "la_code,la_name,year,a\n805,Hartlepool,2026,3.0\n857,Rutland,2026,1.5\n"
        "886,Kent,2026,2.0\n")
    assert list(tables["forecast"]["la_code"]) == ["805", "857", "886"]


def test_a_worker_that_dies_has_its_la_retried_once(cluster, tmp_path):
    _, client = cluster
    marker = tmp_path / "died-once"

    def dies_once(task):          # a closure: Dask ships it to the workers by value
        if task.code == "857" and not marker.exists():
            marker.write_text("x")
            os._exit(1)           # the worker process dies mid-task
        return _run_la(task)

    result = sweep(fast(), las="Rutland,Hartlepool", out=tmp_path / "s", client=client,
                   _run=dies_once)
    status = result.status.set_index("la_code")
    assert marker.exists()
    assert status.loc["857", "status"] == "ok" and status.loc["857", "attempts"] == 2
    assert status.loc["805", "status"] == "ok"


def test_a_worker_that_dies_twice_fails_its_la_only(cluster, tmp_path):
    _, client = cluster

    def always_dies(task):
        if task.code == "857":
            os._exit(1)
        return _run_la(task)

    result = sweep(fast(), las="Rutland,Hartlepool", out=tmp_path / "s", client=client,
                   _run=always_dies)
    status = result.status.set_index("la_code")
    assert status.loc["857", "status"] == "failed" and status.loc["857", "attempts"] == 2
    assert "died 2 times" in status.loc["857", "message"]
    assert status.loc["805", "status"] == "ok"


def test_workers_option_starts_a_local_cluster(swept, tmp_path):
    pytest.importorskip("distributed")
    out, _, _ = swept
    code = main(["sweep", str(fast_file()), "--las", "Rutland", "--out", str(tmp_path / "w"),
                 "--workers", "1", "--quiet"])
    assert code == 0
    for name, data in national_bytes(tmp_path / "w").items():
        lines = data.decode().splitlines()
        whole = (out / "national" / name).read_text().splitlines()
        assert lines == whole[:1] + [line for line in whole if line.startswith("857,")], name


def test_bad_executor_options_are_explained(tmp_path, monkeypatch, capsys):
    with pytest.raises(ValidationError, match="applies to a local cluster"):
        sweep(fast(), las="Rutland", out=tmp_path / "a", client="tcp://127.0.0.1:1", workers=2)
    with pytest.raises(ValidationError, match="expected 'local' or a Dask scheduler address"):
        sweep(fast(), las="Rutland", out=tmp_path / "b", client="127.0.0.1:8786")
    with pytest.raises(ValidationError, match="outputs"):
        sweep(fast(), las="Rutland", out=tmp_path / "c", outputs="everything")

    def missing():
        raise ImportError("running on Dask needs dask.distributed: pip install "
                          "'sufficiency[dask]'")

    monkeypatch.setattr("sufficiency.national._distributed", missing)
    code = main(["sweep", str(fast_file()), "--las", "Rutland", "--out", str(tmp_path / "d"),
                 "--workers", "2", "--quiet"])
    assert code == 2 and "sufficiency[dask]" in capsys.readouterr().err
