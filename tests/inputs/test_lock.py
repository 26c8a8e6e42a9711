"""The output-folder lock on every platform: fcntl (Linux, macOS), msvcrt (Windows, simulated
here) and an exclusively created lock file with stale-lock detection (anywhere else)."""

import builtins
import fcntl
import socket
import subprocess
import sys
import types

import pytest

from sufficiency.cli import main
from sufficiency.errors import ValidationError
from sufficiency.report import output_dir
from sufficiency.report.output_dir import OutputLock

FAST = ("name: fast\ndata: {la: Wiltshire}\nforecast: {n_paths: 50, horizon: 3}\n"
        "allocate: {enabled: false}\nfinance: {enabled: false}\n"
        "report: {charts: false, workbook: false}\n")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("method", ["fcntl", "file"])
def test_one_holder_at_a_time_and_the_lock_file_says_who(tmp_path, method):
    out = tmp_path / "results"
    with OutputLock(out, method=method) as held:
        text = (tmp_path / ".results.lock").read_text()
        assert text.startswith("pid ") and socket.gethostname() in text
        with pytest.raises(ValidationError, match="another sufficiency run .pid "):
            OutputLock(out, method=method).acquire()
        assert held.handle is not None
    assert not (tmp_path / ".results.lock").exists()
    with OutputLock(out, method=method):   # free again once released
        pass


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    lock = tmp_path / ".results.lock"
    lock.write_text(f"pid {_dead_pid()} host {socket.gethostname()} started 2026-01-01T00:00:00")
    with OutputLock(tmp_path / "results", method="file"):
        assert f"pid {__import__('os').getpid()} " in lock.read_text()
    assert not lock.exists()
    assert list(tmp_path.iterdir()) == []   # nothing left beside it


def test_a_lock_from_another_host_or_an_unknown_writer_is_left_alone(tmp_path):
    lock = tmp_path / ".results.lock"
    for text in ("pid 1 host some-other-machine started 2026-01-01T00:00:00", "garbage"):
        lock.write_text(text)
        with pytest.raises(ValidationError, match=f"if no run is going, delete .*results.lock"):
            OutputLock(tmp_path / "results", method="file").acquire()
        assert lock.read_text() == text


def test_releasing_never_removes_a_lock_someone_else_holds(tmp_path):
    lock = OutputLock(tmp_path / "results", method="file").acquire()
    (tmp_path / ".results.lock").write_text("pid 1 host elsewhere started now")
    lock.release()
    assert (tmp_path / ".results.lock").exists()


def _without_fcntl(monkeypatch, msvcrt=None):
    """The interpreter as on Windows: no fcntl; msvcrt if given."""
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "fcntl" or (name == "msvcrt" and msvcrt is None):
            raise ImportError(f"No module named {name!r}")
        if name == "msvcrt":
            return msvcrt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


def _fake_msvcrt(calls: list):
    """msvcrt.locking on top of flock, recording where each lock was taken."""
    m = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0)

    def locking(fd, mode, nbytes):
        import os

        calls.append((mode, os.lseek(fd, 0, os.SEEK_CUR), nbytes))
        fcntl.flock(fd, (fcntl.LOCK_EX | fcntl.LOCK_NB) if mode == m.LK_NBLCK else fcntl.LOCK_UN)

    m.locking = locking
    return m


def test_without_fcntl_the_lock_uses_msvcrt_where_windows_has_it(tmp_path, monkeypatch):
    calls = []
    _without_fcntl(monkeypatch, _fake_msvcrt(calls))
    assert OutputLock.default_method() == "msvcrt"
    out = tmp_path / "results"
    with OutputLock(out):
        with pytest.raises(ValidationError, match="another sufficiency run .pid "):
            OutputLock(out).acquire()
    # a byte past the owner's text is locked (so the owner stays readable), then unlocked
    assert calls[0] == (2, output_dir._LOCK_OFFSET, 1) and calls[-1][0] == 0
    assert not (tmp_path / ".results.lock").exists()


def test_without_fcntl_or_msvcrt_a_run_still_refuses_a_locked_folder(tmp_path, monkeypatch,
                                                                      capsys):
    (tmp_path / "s.yaml").write_text(FAST)
    monkeypatch.chdir(tmp_path)
    _without_fcntl(monkeypatch)
    assert OutputLock.default_method() == "file"
    with OutputLock(tmp_path / "out"):
        assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 2
    assert "another sufficiency run" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["run", "s.yaml", "--out", "out", "--quiet"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]
