"""The malformed-input corpus: every case is rejected cleanly by both `validate` and `run`.

Each file in ``corpus/`` describes one input a person might really give (a typo, a percentage
for a rate, a spreadsheet saved in Windows-1252, a hostile YAML file...):

``files``        text files to write (UTF-8); ``cp1252``: text files to write as Windows-1252;
``base64``       binary files; ``excel``: workbooks ``{file: {sheet: [[cell, ...], ...]}}``;
``dirs``         empty folders to create;
``commands``     argument lists (default: ``validate s.yaml`` and ``run s.yaml --out out``);
``exit``         the exit code every command must return (2: invalid input);
``expect``       text every command's error output must contain (the file, the line or row,
                 the column or key, what was expected).

For every command: the exit code is the one expected, there is no traceback, every expected
text is in the message, and no file in the folder was removed, changed or added (a rejected run
writes nothing).
"""

import base64
import hashlib
import signal
from pathlib import Path

import pytest
import yaml

from sufficiency.cli import main

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(CORPUS.glob("*.yaml"))
DEFAULT_COMMANDS = [["validate", "s.yaml"], ["run", "s.yaml", "--out", "out", "--quiet"]]


def materialise(spec: dict, root: Path) -> None:
    for name in spec.get("dirs", []):
        (root / name).mkdir(parents=True, exist_ok=True)
    for name, text in (spec.get("files") or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode("utf-8"))
    for name, text in (spec.get("cp1252") or {}).items():
        (root / name).write_bytes(text.encode("cp1252"))
    for name, data in (spec.get("base64") or {}).items():
        (root / name).write_bytes(base64.b64decode(data))
    for name, sheets in (spec.get("excel") or {}).items():
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for sheet, rows in sheets.items():
            ws = book.create_sheet(sheet)
            for row in rows:
                ws.append(row)
        book.save(root / name)


def snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "dir" for p in sorted(root.rglob("*"))}


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def test_corpus_is_large_and_covers_every_surface():
    names = [c.stem for c in CASES]
    assert len(names) >= 60
    for surface in ("scenario", "history", "settings", "designation", "projects", "travel",
                    "existing", "costs", "output", "cli"):
        assert any(n.startswith(surface) for n in names), surface


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_malformed_input_is_rejected_cleanly(case, tmp_path, monkeypatch, capsys):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    materialise(spec, tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    for argv in spec.get("commands") or DEFAULT_COMMANDS:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(120)
        try:
            code = main(list(argv))
        except _Timeout:
            pytest.fail(f"{case.stem}: {' '.join(argv)} hung for 120 s")
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        out, err = capsys.readouterr()
        where = f"{case.stem}: sufficiency {' '.join(argv)}"
        assert code == spec["exit"], f"{where}: exit {code}\n{err}"
        assert "Traceback" not in out + err, f"{where}: traceback\n{err}"
        for text in spec["expect"]:
            assert text in out + err, f"{where}: {text!r} not in the message:\n{out}{err}"
        assert snapshot(tmp_path) == before, f"{where}: files changed\n{err}"
