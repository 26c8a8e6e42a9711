"""Whatever ``sufficiency validate`` accepts, ``sufficiency run`` accepts.

Two sources of inputs:

* every case of the malformed corpus (``corpus/``): when ``validate`` passes one (the output
  cases: the scenario is fine, the ``--out`` is not), ``run`` into a fresh folder must not
  reject it as invalid input (exit 2);
* ``accepted/``: unusual inputs that are valid (a lever in the last forecast year, income
  lines by financial year, a project opening in the last plan year, one workbook holding
  every table, a Windows-1252 costs file in everyday labels...): ``validate`` and ``run`` both
  succeed, with no traceback, and the notes named in ``expect`` are printed. These are the
  edges where the two checks used to disagree (the years of levers, projects and income lines
  were checked only after forecasting, or not at all).
"""

import hashlib
import importlib.util
from pathlib import Path

import pytest
import yaml

from sufficiency.cli import main

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("corpus_helpers", HERE / "test_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

ACCEPTED = sorted((HERE / "accepted").glob("*.yaml"))


def _validate(spec: dict, root: Path, monkeypatch, capsys) -> tuple[int, str]:
    corpus.materialise(spec, root)
    monkeypatch.chdir(root)
    code = main(["validate", "s.yaml"])
    out, err = capsys.readouterr()
    return code, out + err


def _scenarios_validate_passes(tmp_path_factory):
    """The corpus cases whose s.yaml validate accepts, one per distinct set of files."""
    seen, keep = set(), []
    for case in corpus.CASES:
        spec = yaml.safe_load(case.read_text(encoding="utf-8"))
        if "s.yaml" not in (spec.get("files") or {}):
            continue
        # the scenario and the files it names (the output cases share one scenario and differ
        # only in files beside it: it is run once, a full run of the example LA)
        text = spec["files"]["s.yaml"]
        named = {k: {name: body for name, body in (spec.get(k) or {}).items()
                     if name != "s.yaml" and name in text}
                 for k in ("files", "cp1252", "base64", "excel")}
        key = hashlib.sha256(yaml.safe_dump({"s.yaml": text, **named},
                                            sort_keys=True).encode()).hexdigest()
        if key not in seen:
            seen.add(key)
            keep.append((case, spec))
    return keep


def test_corpus_cases_that_validate_passes_run(tmp_path, monkeypatch, capsys):
    ran = []
    for case, spec in _scenarios_validate_passes(None):
        root = tmp_path / case.stem
        root.mkdir()
        code, text = _validate(spec, root, monkeypatch, capsys)
        assert "Traceback" not in text, f"{case.stem}: validate: traceback\n{text}"
        if code != 0:
            continue
        code = main(["run", "s.yaml", "--out", str(tmp_path / f"{case.stem}-out"), "--quiet"])
        out, err = capsys.readouterr()
        assert code != 2, f"{case.stem}: validate accepted it, run refused it:\n{err}"
        assert "Traceback" not in out + err, f"{case.stem}: run: traceback\n{err}"
        ran.append(case.stem)
    assert ran, "no corpus case passes validate: this test checks nothing"


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.stem for c in ACCEPTED])
def test_unusual_valid_inputs_pass_validate_and_run(case, tmp_path, monkeypatch, capsys):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    code, text = _validate(spec, tmp_path, monkeypatch, capsys)
    assert code == 0, f"{case.stem}: validate refused it:\n{text}"
    for expected in spec.get("expect") or []:
        assert expected in text, f"{case.stem}: {expected!r} not in validate's notes:\n{text}"
    code = main(["run", "s.yaml", "--out", "out", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, f"{case.stem}: validate accepted it, run failed ({code}):\n{err}"
    assert "Traceback" not in out + err
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_accepted_cases_exist_for_each_new_surface():
    names = {c.stem.split("-")[0] for c in ACCEPTED}
    assert {"levers", "project", "income", "existing", "costs", "travel", "one"} <= names
