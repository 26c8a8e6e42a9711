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
from .compare import compare_runs, run_names
from .html import render_html
from .manifest import manifest as run_manifest
from .output_dir import is_tool_output, replace_dir
from .tables import assumptions_used, comparison_tables, output_tables
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
    charts : list of (file name, heading, caption, alt text, section, function returning a
        Figure); alt text and section may be left out.
    page_tables : list of (heading, DataFrame, caption[, section])
        The tables shown in ``report.html`` (summaries of the long ones).
    tables : dict of DataFrame
        Every table by sheet name (the workbook and ``tables/*.csv``); ``assumptions`` first.
    notes : list of str
    manifest : dict
    config : dict
        The scenario's ``report`` section (``workbook``, ``charts``, ``html``: bool).
    summary : list of str
        The opening summary in sentences.
    assumptions : DataFrame or None
        The assumptions as a person reads them (only what the run used, values as given),
        shown on the page and in the workbook; ``tables["assumptions"]`` keeps the machine
        form for ``tables/assumptions.csv``.
    sections : list of str
        The page's sections in order.
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
    summary: list = field(default_factory=list)
    assumptions: pd.DataFrame | None = None
    sections: list = field(default_factory=list)


def build_report(run: ScenarioRun) -> Report:
    """Everything the outputs of ``run`` say (nothing is drawn or written yet)."""
    return Report(title=page.title(run), subtitle=page.subtitle(run),
                  headlines=page.headlines(run), charts=page.chart_specs(run),
                  page_tables=page.page_tables(run), tables=output_tables(run),
                  notes=[page.note_words(n) for n in run.notes], manifest=run_manifest(run),
                  config=run.scenario.config.get("report", {}),
                  summary=page.summary_paragraphs(run), assumptions=assumptions_used(run),
                  sections=list(page.SECTIONS))


def write_outputs(run: ScenarioRun, out, force: bool = False, progress=None) -> Path:
    """Write a scenario run's outputs to folder ``out`` (see :func:`write_report`)."""
    say = progress or (lambda message: None)
    say("preparing the tables, summary and charts")
    return write_report(build_report(run), out, force=force, progress=progress)


def write_report(report: Report, out, force: bool = False, progress=None) -> Path:
    """Write a report to folder ``out``.

    Produces ``results.xlsx``, ``charts/*.png``, ``report.html`` and ``manifest.json`` (and the
    tables as CSV in ``tables/`` for scripts: machine names, DfE layouts with their labels).
    ``progress`` is called with a short message before each step. Returns the folder.
    """
    out = Path(out)
    say = progress or (lambda message: None)
    with _atomic_dir(out, force) as tmp:
        config, tables = report.config, report.tables
        people = dict(tables)
        if report.assumptions is not None:
            people["assumptions"] = report.assumptions
        if config.get("workbook", True):
            say(f"writing results.xlsx ({len(people)} sheets)")
            write_workbook(people, tmp / "results.xlsx")
        (tmp / "tables").mkdir()
        for name, frame in tables.items():
            frame.to_csv(tmp / "tables" / f"{name}.csv", index=False, lineterminator="\n",
                         float_format="%.6f")
        charts = []
        if config.get("charts", True):
            (tmp / "charts").mkdir()
            for i, item in enumerate(report.charts, start=1):
                filename, heading, caption, make = item[0], item[1], item[2], item[-1]
                say(f"drawing chart {i} of {len(report.charts)}: {heading}")
                path = tmp / "charts" / filename
                save_png(make(), path)
                charts.append((heading, path, caption) + tuple(item[3:-1]))
        if config.get("html", True):
            say("writing report.html")
            shown = report.assumptions if report.assumptions is not None \
                else tables["assumptions"]
            html = render_html(report.title, report.subtitle, report.headlines, charts,
                               report.page_tables, shown, report.notes,
                               summary=report.summary, sections=report.sections)
            (tmp / "report.html").write_text(html, encoding="utf-8")
        manifest = dict(report.manifest)
        manifest.setdefault("library", "sufficiency")   # how --force recognises our folders
        manifest["outputs"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")
                                     if p.is_file())
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
    return out


def write_comparison(runs: list[ScenarioRun], table: pd.DataFrame, out,
                     force: bool = False, names: list[str] | None = None,
                     progress=None) -> Path:
    """Write each run into ``out/<scenario>/`` and the side-by-side table beside them
    (``table``: :func:`compare_runs`). Every run is kept: ``names`` (default
    :func:`~sufficiency.report.compare.run_names`) name clashing scenarios by file.
    ``comparison.xlsx`` is formatted like a run's workbook, its sheet names readable and
    unique ("Wiltshire mitigated - measures")."""
    out = Path(out)
    names = names or run_names(runs)
    say = progress or (lambda message: None)
    with _atomic_dir(out, force) as tmp:
        sheets = {"comparison": table}
        folders = []
        for i, (run, name) in enumerate(zip(runs, names), start=1):
            folder = _slug(name)
            while folder in folders:
                folder += "-2"
            folders.append(folder)
            say(f"writing the outputs of {name} ({i} of {len(runs)}) to {folder}/")
            write_outputs(run, tmp / folder, force=True)
            short = _short_name(run, name, i, [n for n in names if n != name])
            for kind, frame in comparison_tables(run).items():
                sheets[f"{short} - {kind}"] = frame
        say("writing comparison.xlsx")
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


def _short_name(run, name: str, i: int, others: list) -> str:
    """A name short enough for a sheet ("<name> - measures" within 31 characters): the
    scenario's name, else its file's name, else "Scenario <i>"."""
    stem = Path(str(run.scenario.path or "")).stem
    for candidate in (name, stem, f"Scenario {i}"):
        if candidate and len(candidate) <= 20 and candidate not in others:
            return candidate
    return f"Scenario {i}"


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
