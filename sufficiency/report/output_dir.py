"""Where outputs go: checked before the run, locked during it, never clobbering anything else.

Rules (``sufficiency run/compare --out DIR [--force]``):

- ``DIR`` must not exist, or (with ``--force``) be an earlier output folder of this tool,
  recognised by its ``manifest.json`` (``"library": "sufficiency"``). ``--force`` never replaces
  a file, a folder without that manifest, or a folder holding (or inside which lie) the run's
  own inputs: the scenario files and every file they name.
- The location is checked writable before the run starts (a staging folder is created and
  removed beside it), not discovered after an hour of work.
- A lock (``.DIR.lock`` beside it: an OS lock released when the process ends, even if killed,
  with ``fcntl`` or Windows' ``msvcrt``; elsewhere a file created exclusively, a stale one
  from a dead process taken over) stops two runs writing one folder (:class:`OutputLock`).
- Outputs are written into a staging folder and renamed into place at the end
  (:func:`sufficiency.report.write_outputs`), so an interrupted run leaves the old folder or
  nothing, never half of one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ValidationError

__all__ = ["is_tool_output", "check_output", "OutputLock"]

MANIFEST = "manifest.json"


def is_tool_output(path) -> bool:
    """True when ``path`` is a folder written by this tool (its manifest says so).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> is_tool_output(d)
    False
    >>> _ = (d / "manifest.json").write_text('{"library": "sufficiency"}')
    >>> is_tool_output(d)
    True
    """
    path = Path(path)
    manifest = path / MANIFEST
    if not path.is_dir() or not manifest.is_file():
        return False
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("library") == "sufficiency"


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def check_output(out, force: bool, inputs=()) -> Path:
    """Check ``out`` can take this run's outputs; raise :class:`ValidationError` if not.

    ``inputs`` are the files the run reads (scenario chain and the tables it names): ``out``
    may not hold any of them. Nothing is written or removed (bar a probe folder, removed).
    """
    out = Path(out)
    target = out.resolve()
    for f in inputs:
        f = Path(f).resolve()
        if f == target or _inside(f, target):
            raise ValidationError(f"--out {out}: holds the input {f}; expected an output folder "
                                  "that holds no input (choose another, e.g. results/)")
    if target == Path.cwd().resolve() or target == Path(target.anchor):
        raise ValidationError(f"--out {out}: is the current folder or the root; expected a "
                              "folder of its own for the outputs (e.g. results/)")
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise ValidationError(f"--out {out}: exists and is not a folder; expected a folder "
                                  "name (--force never replaces a file)")
        if not force:
            raise ValidationError(f"--out {out}: exists; pass --force to replace it "
                                  "(nothing was written)")
        if not is_tool_output(out):
            raise ValidationError(f"--out {out}: exists and is not an output folder of "
                                  f"sufficiency (no {MANIFEST} written by it); --force only "
                                  "replaces earlier outputs: choose another folder")
    parent = target.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ValidationError(f"--out {out}: {existing} is not a folder; expected a folder path")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{target.name}.probe-", dir=parent)
        os.rmdir(probe)
    except OSError as err:
        raise ValidationError(f"--out {out}: cannot write in {parent} ({err.strerror or err}); "
                              "expected a folder you can write to (checked before the run, "
                              "nothing was done)") from None
    return out


class OutputLock:
    """A lock on an output folder, held while a run writes it; works on every platform.

    The lock is the file ``.DIR.lock`` beside the folder, holding the owner (process id, host,
    start time). How it is held, by ``method``:

    ``"fcntl"`` (Linux, macOS)
        an advisory ``flock`` on the file: released by the operating system when the process
        ends, however it ends.
    ``"msvcrt"`` (Windows)
        ``msvcrt.locking`` on the file's first byte: also released when the process ends.
    ``"file"`` (anywhere else)
        the file is created with ``O_CREAT | O_EXCL`` (only one process can); a lock left by a
        process that has died (its process id no longer runs on this host) is stale and taken
        over; one from another host is reported with its owner and the file to delete.

    The default is the first of these the platform has.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "results"
    >>> for method in ("file", None):
    ...     with OutputLock(out, method=method):
    ...         try:
    ...             OutputLock(out, method=method).acquire()
    ...         except Exception as err:
    ...             print(type(err).__name__)
    ValidationError
    ValidationError
    """

    METHODS = ("fcntl", "msvcrt", "file")

    def __init__(self, out, method: str | None = None):
        if method not in (None,) + self.METHODS:
            raise ValueError(f"method={method!r}; expected one of {self.METHODS} or None")
        self.out = Path(out)
        self.path = self.out.resolve().parent / f".{self.out.resolve().name}.lock"
        self.method = method
        self.handle = None
        self.owner = ""

    @staticmethod
    def default_method() -> str:
        """``fcntl`` where it exists, else ``msvcrt`` (Windows), else ``file``."""
        for name in ("fcntl", "msvcrt"):
            try:
                __import__(name)
            except ImportError:
                continue
            return name
        return "file"

    def _busy(self, owner: str, extra: str = "") -> ValidationError:
        return ValidationError(f"--out {self.out}: another sufficiency run ({owner or 'a process'})"
                               f" is writing to it; wait for it to finish or choose another "
                               f"folder{extra}")

    def _stamp(self) -> str:
        import datetime as dt
        import socket

        return (f"pid {os.getpid()} host {socket.gethostname()} started "
                f"{dt.datetime.now().isoformat(timespec='seconds')}")

    def acquire(self) -> "OutputLock":
        method = self.method or self.default_method()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = self._stamp()
        if method == "file":
            return self._acquire_file()
        locker = _os_locker(method)
        for _ in range(5):
            handle = open(self.path, "a+")
            try:
                locker(handle, True)
            except OSError:
                try:
                    handle.seek(0)
                    owner = handle.read().strip()
                except OSError:
                    owner = ""
                handle.close()
                raise self._busy(owner) from None
            try:  # the holder before us may have removed the file as we opened it
                same = os.stat(self.path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            locker(handle, False)
            handle.close()
        else:  # pragma: no cover - five races in a row
            raise ValidationError(f"--out {self.out}: could not lock it; try again")
        handle.seek(0)
        handle.truncate()
        handle.write(self.owner)
        handle.flush()
        self.handle, self._locker = handle, locker
        return self

    def _acquire_file(self) -> "OutputLock":
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = _read(self.path)
                if owner is None:   # removed as we looked: try again
                    continue
                stale = _stale(owner)
                if stale is None:
                    raise self._busy(owner, f" (if no run is going, delete {self.path})") \
                        from None
                if not stale or not _take_over(self.path, owner):
                    raise self._busy(owner) from None
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(self.owner)
            self.handle = "file"
            return self
        raise ValidationError(f"--out {self.out}: could not lock it; try again")

    def release(self) -> None:
        if self.handle is None:
            return
        if self.handle == "file":
            if _read(self.path) == self.owner:   # never remove a lock someone else took over
                try:
                    self.path.unlink()
                except OSError:
                    pass
        else:
            try:
                self.path.unlink()
            except OSError:  # Windows: an open file cannot be removed; it is reused next time
                pass
            try:
                self._locker(self.handle, False)
            except OSError:
                pass
            self.handle.close()
        self.handle = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False


def _os_locker(method: str):
    """``lock(handle, on)`` for an operating-system lock that dies with the process."""
    if method == "fcntl":
        import fcntl

        def lock(handle, on):
            fcntl.flock(handle.fileno(), (fcntl.LOCK_EX | fcntl.LOCK_NB) if on else fcntl.LOCK_UN)
        return lock
    import msvcrt

    def lock(handle, on):
        # one byte far past the owner's text, so another process can still read who holds it
        handle.seek(_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK if on else msvcrt.LK_UNLCK, 1)
        handle.seek(0)
    return lock


#: Where the Windows lock's byte is (Windows locks a byte range, and allows one past the end).
_LOCK_OFFSET = 1 << 30


def _read(path: Path):
    try:
        return path.read_text(errors="replace").strip()
    except FileNotFoundError:
        return None
    except OSError:
        return ""


def _stale(owner: str):
    """True: the lock's process is gone; False: it runs; None: cannot tell (another host, or a
    lock file this version did not write)."""
    import re
    import socket

    m = re.match(r"pid (\d+) host (\S+)", owner)
    if not m or m.group(2) != socket.gethostname():
        return None
    return not _alive(int(m.group(1)))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        kernel = ctypes.windll.kernel32
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ok = kernel.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel.CloseHandle(handle)
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _take_over(path: Path, owner: str) -> bool:
    """Move a stale lock aside (one process wins the rename); False if it was not the one we
    judged stale (another process took it over first: it is theirs)."""
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return True   # gone already: try to create it
    if _read(aside) != owner:  # a live lock, taken over by someone else: put it back
        try:
            os.link(aside, path)
        except OSError:
            pass
        os.unlink(aside)
        return False
    os.unlink(aside)
    return True


def replace_dir(tmp: Path, out: Path) -> None:
    """Move the finished staging folder ``tmp`` to ``out``, replacing an earlier output."""
    os.chmod(tmp, 0o755)
    if out.exists():
        if not is_tool_output(out):
            shutil.rmtree(tmp, ignore_errors=True)
            raise ValidationError(f"{out}: is not an output folder of sufficiency; refusing to "
                                  "replace it")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)
