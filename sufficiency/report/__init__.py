"""Reports: everything a person reads, built from a run and written atomically.

A :class:`~sufficiency.workflow.ScenarioRun` holds the stages' results; this package turns it
into what people read: the workbook's tables (:mod:`~sufficiency.report.tables`), the page's
headlines, captions, tables and chart choices (:mod:`~sufficiency.report.page`), the one label
map (:mod:`~sufficiency.report.labels`), the manifest (:mod:`~sufficiency.report.manifest`)
and scenario comparisons (:mod:`~sufficiency.report.compare`). :func:`build_report` gathers
them into a :class:`Report`; :func:`write_report` writes it.

Everything is written into a temporary folder beside the target and renamed into place at
the end, so a failed run never leaves a half-written output; an existing folder is replaced
only with ``force=True``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ValidationError
from ..workflow import ScenarioRun
from . import page
from .charts import save_png
from .compare import compare_runs
from .html import render_html
from .manifest import manifest as run_manifest
from .output_dir import is_tool_output, replace_dir
from .tables import comparison_tables, output_tables
from .workbook import write_workbook

__all__ = ["Report", "build_report", "write_report", "write_outputs", "write_comparison",
           "compare_runs", "write_workbook", "render_html"]


@dataclass
class Report:
    """What the outputs of one run say, ready to write.

    Attributes
    ----------
    title, subtitle : str
    headlines : list of (label, value text)
    charts : list of (file name, heading, caption, function returning a Figure)
    page_tables : list of (heading, DataFrame, caption)
        The tables shown in ``report.html``.
    tables : dict of DataFrame
        Every table by sheet name (the workbook and ``tables/*.csv``); ``assumptions`` first.
    notes : list of str
    manifest : dict
    config : dict
        The scenario's ``report`` section (``workbook``, ``charts``, ``html``: bool).
    """

    title: str
    subtitle: str
    headlines: list
    charts: list
    page_tables: list
    tables: dict
    notes: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)


def build_report(run: ScenarioRun) -> Report:
    """Everything the outputs of ``run`` say (nothing is drawn or written yet)."""
    return Report(title=page.title(run), subtitle=page.subtitle(run),
                  headlines=page.headlines(run), charts=page.chart_specs(run),
                  page_tables=page.page_tables(run), tables=output_tables(run),
                  notes=run.notes, manifest=run_manifest(run),
                  config=run.scenario.config.get("report", {}))


def write_outputs(run: ScenarioRun, out, force: bool = False) -> Path:
    """Write a scenario run's outputs to folder ``out`` (see :func:`write_report`)."""
    return write_report(build_report(run), out, force=force)


def write_report(report: Report, out, force: bool = False) -> Path:
    """Write a report to folder ``out``.

    Produces ``results.xlsx``, ``charts/*.png``, ``report.html`` and ``manifest.json`` (and the
    tables as CSV in ``tables/`` for scripts). Returns the folder.
    """
    out = Path(out)
    with _atomic_dir(out, force) as tmp:
        config, tables = report.config, report.tables
        if config.get("workbook", True):
            write_workbook(tables, tmp / "results.xlsx")
        (tmp / "tables").mkdir()
        for name, frame in tables.items():
            frame.to_csv(tmp / "tables" / f"{name}.csv", index=False, lineterminator="\n",
                         float_format="%.6f")
        charts = []
        if config.get("charts", True):
            (tmp / "charts").mkdir()
            for filename, heading, caption, make in report.charts:
                path = tmp / "charts" / filename
                save_png(make(), path)
                charts.append((heading, path, caption))
        if config.get("html", True):
            html = render_html(report.title, report.subtitle, report.headlines, charts,
                               report.page_tables, tables["assumptions"], report.notes)
            (tmp / "report.html").write_text(html, encoding="utf-8")
        manifest = dict(report.manifest)
        manifest.setdefault("library", "sufficiency")   # how --force recognises our folders
        manifest["outputs"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")
                                     if p.is_file())
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
    return out


def write_comparison(runs: list[ScenarioRun], table: pd.DataFrame, out,
                     force: bool = False) -> Path:
    """Write each run into ``out/<scenario name>/`` and the side-by-side table beside them
    (``table``: :func:`compare_runs`)."""
    out = Path(out)
    slugs = [_slug(run.name) for run in runs]
    if len(set(slugs)) < len(slugs):
        dup = sorted({s for s in slugs if slugs.count(s) > 1})
        raise ValidationError(f"compare: scenarios share the name(s) {dup}, so their folders "
                              "would overwrite each other; expected a distinct 'name:' each")
    with _atomic_dir(out, force) as tmp:
        sheets = {"comparison": table}
        for run in runs:
            write_outputs(run, tmp / _slug(run.name), force=True)
            for name, frame in comparison_tables(run).items():
                sheets[f"{_slug(run.name)[:18]}_{name}"[:31]] = frame
        write_workbook(sheets, tmp / "comparison.xlsx")
        table.to_csv(tmp / "comparison.csv", index=False, lineterminator="\n")
        from .. import __version__

        manifest = {"library": "sufficiency", "version": __version__, "kind": "comparison",
                    "scenarios": [run.name for run in runs],
                    "outputs": sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")
                                      if p.is_file())}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True)
                                           + "\n", encoding="utf-8")
    return out


def _slug(name: str) -> str:
    keep = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    return "-".join(p for p in keep.split("-") if p) or "scenario"


class _atomic_dir:
    """Write into a staging folder beside ``out``; rename it into place only on success."""

    def __init__(self, out: Path, force: bool):
        self.out, self.force = Path(out), force

    def __enter__(self) -> Path:
        if self.out.exists() or self.out.is_symlink():
            if not self.out.is_dir() or self.out.is_symlink():
                raise FileExistsError(f"{self.out} exists and is not a folder; a file is never "
                                      "replaced")
            if not self.force:
                raise FileExistsError(f"{self.out} exists; pass --force to replace it")
            if not is_tool_output(self.out):
                raise FileExistsError(f"{self.out} exists and is not an output folder of "
                                      "sufficiency (no manifest.json); it is never replaced")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        return self.tmp

    def __exit__(self, kind, value, tb):
        if kind is not None:   # any failure, Ctrl-C included: the staging folder goes
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        replace_dir(self.tmp, self.out)
        return False
