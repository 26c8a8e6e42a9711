"""Outputs are never lost: --force, the lock, interrupted runs, bugs and closed pipes (issue 15)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sufficiency.cli import main
from sufficiency.report.output_dir import OutputLock, is_tool_output

REPO = Path(__file__).resolve().parents[2]
FAST = ("name: fast\ndata: {la: Wiltshire}\nforecast: {n_paths: 50, horizon: 3}\n"
        "allocate: {enabled: false}\nfinance: {enabled: false}\n"
        "report: {charts: false, workbook: false}\n")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "s.yaml").write_text(FAST)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_force_replaces_an_earlier_output_and_nothing_else(folder, capsys):
    assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 0
    assert is_tool_output(folder / "out")
    (folder / "out" / "stale.txt").write_text("from an earlier run")
    assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 2       # no --force
    assert (folder / "out" / "stale.txt").exists()
    assert main(["run", "s.yaml", "--out", "out", "--force", "--quiet"]) == 0
    assert not (folder / "out" / "stale.txt").exists()
    assert (folder / "out" / "manifest.json").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["out", "s.yaml"]   # no leftovers


def test_a_second_run_into_a_locked_folder_is_refused_before_it_starts(folder, capsys):
    with OutputLock(folder / "out"):
        assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 2
    assert "another sufficiency run" in capsys.readouterr().err
    assert not (folder / "out").exists()


def test_two_real_runs_into_one_folder_do_not_both_succeed(folder):
    cmd = [sys.executable, "-m", "sufficiency.cli", "run", "s.yaml", "--out", "out", "--quiet"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    first = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (folder / ".out.lock").exists() and time.time() < deadline:
        time.sleep(0.05)
    second = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True)
    out, err = first.communicate(timeout=300)
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 2], (out, err, second.stderr)
    assert "another sufficiency run" in second.stderr or "exists" in second.stderr
    assert "Traceback" not in err + second.stderr


def test_ctrl_c_while_writing_leaves_the_earlier_output_whole(folder, monkeypatch, capsys):
    assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 0
    before = sorted(p.name for p in (folder / "out").rglob("*"))
    import sufficiency.report as rep

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(rep, "render_html", interrupted)
    monkeypatch.setattr(rep, "write_workbook", interrupted)
    (folder / "s.yaml").write_text(FAST.replace("charts: false, workbook: false",
                                                "charts: false, workbook: true"))
    assert main(["run", "s.yaml", "--out", "out", "--force", "--quiet"]) == 130
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in (folder / "out").rglob("*")) == before
    assert sorted(p.name for p in folder.iterdir()) == ["out", "s.yaml"]


def test_sigterm_mid_run_leaves_nothing_half_written(folder):
    cmd = [sys.executable, "-m", "sufficiency.cli", "run", "s.yaml", "--out", "out"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (folder / ".out.lock").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    if (folder / "out").exists():   # it finished writing first: then the output is whole
        import json

        manifest = json.loads((folder / "out" / "manifest.json").read_text())
        assert all((folder / "out" / f).is_file() for f in manifest["outputs"])
    else:
        assert proc.returncode == 130, err
    assert not [p for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_an_unexpected_error_is_reported_as_a_bug_with_a_log(folder, monkeypatch, capsys):
    import sufficiency.workflow as wf

    def broken(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr(wf, "run_scenario", broken)
    assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "bug in sufficiency" in err and "ZeroDivisionError" in err
    log = Path(err.split("Details are in ")[1].split(";")[0])
    text = log.read_text()
    assert "sufficiency" in text and "Traceback" in text and "ZeroDivisionError" in text
    log.unlink()
    assert not (folder / "out").exists()


def test_a_closed_pipe_is_quiet(folder):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "sufficiency.cli", "validate", "s.yaml"],
                            cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()   # like `| head` exiting before we write
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err
    assert proc.returncode in (0, 141)


def test_solver_without_a_plan_fails_the_run_and_writes_nothing(folder, monkeypatch, capsys):
    from sufficiency.allocate import solve as S

    def nothing(m, solver, **kw):
        return (S.SolverOutcome(solver, "no_solution", "time_limit", None, None, None, 1.0,
                                "stopped on time"), None, None, 0.0)

    monkeypatch.setattr(S, "_raw_solve", nothing)
    (folder / "s.yaml").write_text(FAST.replace("allocate: {enabled: false}",
                                                "allocate: {enabled: true}"))
    assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "gave no plan" in err and "time_limit" in err and "Traceback" not in err
    assert not (folder / "out").exists()
