"""Where outputs go: checked before the run, locked during it, never clobbering anything else.

Rules (``sufficiency run/compare --out DIR [--force]``):

- ``DIR`` must not exist, or (with ``--force``) be an earlier output folder of this tool,
  recognised by its ``manifest.json`` (``"library": "sufficiency"``). ``--force`` never replaces
  a file, a folder without that manifest, or a folder holding (or inside which lie) the run's
  own inputs: the scenario files and every file they name.
- The location is checked writable before the run starts (a staging folder is created and
  removed beside it), not discovered after an hour of work.
- A lock (``.DIR.lock`` beside it, an OS advisory lock released when the process ends, even if
  killed) stops two runs writing one folder.
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
    """An advisory lock on an output folder, held while a run writes it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "results"
    >>> with OutputLock(out):
    ...     try:
    ...         OutputLock(out).acquire()
    ...     except Exception as err:
    ...         print(type(err).__name__)
    ValidationError
    """

    def __init__(self, out):
        self.out = Path(out)
        self.path = self.out.resolve().parent / f".{self.out.resolve().name}.lock"
        self.handle = None

    def acquire(self) -> "OutputLock":
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock, the rename is atomic
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(5):
            handle = open(self.path, "a+")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                owner = handle.read().strip()
                handle.close()
                raise ValidationError(
                    f"--out {self.out}: another sufficiency run ({owner or 'a process'}) is "
                    "writing to it; wait for it to finish or choose another folder") from None
            try:  # the holder before us may have removed the file as we opened it
                same = os.stat(self.path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            handle.close()
        else:  # pragma: no cover - five races in a row
            raise ValidationError(f"--out {self.out}: could not lock it; try again")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self.handle = handle
        return self

    def release(self) -> None:
        if self.handle is not None:
            try:
                self.path.unlink()
            except OSError:
                pass
            self.handle.close()
            self.handle = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False


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
