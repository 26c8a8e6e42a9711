"""Reports: the workbook, the charts, ``report.html`` and ``manifest.json``, written atomically.

Everything is written into a temporary folder beside the target and renamed into place at
the end, so a failed run never leaves a half-written output; an existing folder is replaced
only with ``force=True``.

The run object passed in provides ``tables()`` (sheet name -> DataFrame), ``headlines()``
(label, value), ``charts()`` (file name, heading, caption, a function returning a Figure),
``notes``, ``manifest()`` and ``title`` / ``subtitle`` (see :class:`sufficiency.workflow.ScenarioRun`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .charts import save_png
from .html import render_html
from .workbook import write_workbook

__all__ = ["write_outputs", "write_comparison", "write_workbook", "render_html"]


def write_outputs(run, out, force: bool = False) -> Path:
    """Write a scenario run's outputs to folder ``out``.

    Produces ``results.xlsx``, ``charts/*.png``, ``report.html`` and ``manifest.json`` (and the
    tables as CSV in ``tables/`` for scripts). Returns the folder.
    """
    out = Path(out)
    with _atomic_dir(out, force) as tmp:
        config = run.scenario.config.get("report", {}) if run.scenario else {}
        tables = run.tables()
        if config.get("workbook", True):
            write_workbook(tables, tmp / "results.xlsx")
        (tmp / "tables").mkdir()
        for name, frame in tables.items():
            frame.to_csv(tmp / "tables" / f"{name}.csv", index=False, lineterminator="\n",
                         float_format="%.6f")
        charts = []
        if config.get("charts", True):
            (tmp / "charts").mkdir()
            for filename, heading, caption, make in run.charts():
                path = tmp / "charts" / filename
                save_png(make(), path)
                charts.append((heading, path, caption))
        if config.get("html", True):
            page = render_html(run.title, run.subtitle, run.headlines(), charts,
                               run.report_tables(), tables["assumptions"], run.notes)
            (tmp / "report.html").write_text(page, encoding="utf-8")
        manifest = run.manifest()
        manifest["outputs"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")
                                     if p.is_file())
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
    return out


def write_comparison(runs, table: pd.DataFrame, out, force: bool = False) -> Path:
    """Write each run into ``out/<scenario name>/`` and the side-by-side table beside them."""
    out = Path(out)
    with _atomic_dir(out, force) as tmp:
        sheets = {"comparison": table}
        for run in runs:
            write_outputs(run, tmp / _slug(run.name), force=True)
            for name, frame in run.comparison_tables().items():
                sheets[f"{_slug(run.name)[:18]}_{name}"[:31]] = frame
        write_workbook(sheets, tmp / "comparison.xlsx")
        table.to_csv(tmp / "comparison.csv", index=False, lineterminator="\n")
    return out


def _slug(name: str) -> str:
    keep = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    return "-".join(p for p in keep.split("-") if p) or "scenario"


class _atomic_dir:
    def __init__(self, out: Path, force: bool):
        self.out, self.force = Path(out), force

    def __enter__(self) -> Path:
        if self.out.exists() and not self.force:
            raise FileExistsError(f"{self.out} exists; pass --force to replace it")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        return self.tmp

    def __exit__(self, kind, value, tb):
        if kind is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        os.chmod(self.tmp, 0o755)
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, old)
            os.replace(self.tmp, self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, self.out)
        return False
