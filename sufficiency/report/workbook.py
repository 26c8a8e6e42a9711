"""The Excel workbook: one sheet per table, in words and formatted for people, reproducible bytes.

Each tidy table is shown the way a person reads it: headers in words with their units
("Capital cost (£)"), codes as words ("Independent special school"), money as £ with
thousands separators (negatives red), shares as %, children and places as whole numbers,
years as plain years; sheet names are words too, unique and at most 31 characters. A table in
a DfE layout (:mod:`sufficiency.report.dfe`, ``attrs["unit"]`` set) keeps its template labels
and formats every year column by its unit. The machine names stay in ``tables/*.csv``.

Frozen header row, bold headers, column widths fitted to the content. The file's internal
timestamps are fixed, so the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd

from ..data.labels import LABELS, label, label_values, unit_of
from .formats import EXCEL_FORMATS, excel_format
from .labels import codes_as_words, lever_words

__all__ = ["number_format", "people_frame", "sheet_names", "write_workbook"]

_FIXED_TIME = dt.datetime(2020, 1, 1)


def number_format(column: str, table: str | None = None) -> str | None:
    """The Excel number format for a column, from its unit (:func:`formats.excel_format`).

    Examples
    --------
    >>> number_format("capital_cost_gbp")
    '"£"#,##0;[Red]-"£"#,##0'
    """
    return excel_format(column, table)


def people_frame(frame: pd.DataFrame, table: str | None = None) -> tuple[pd.DataFrame, list]:
    """A table as a person reads it: codes as words, headers in words with units.

    Returns the frame (renamed, codes labelled) and the Excel number format of each column
    (``None``: as it is). A DfE-layout frame (``attrs["unit"]``) keeps its labels; its
    numeric columns take the layout's unit.

    Examples
    --------
    >>> f, fmts = people_frame(pd.DataFrame({"provision": ["ap"], "capital_cost": [1.0]}))
    >>> list(f.columns), f.iloc[0, 0], fmts[1]
    (['Placement type', 'Capital cost (£)'], 'Alternative provision', '"£"#,##0;[Red]-"£"#,##0')
    """
    row_units = frame.attrs.get("row_units")
    frame = frame.reset_index(drop=True)
    unit = frame.attrs.get("unit")
    if row_units is not None:  # one unit per row (a comparison of headline figures)
        formats = [("rows", [EXCEL_FORMATS.get(u) for u in row_units])
                   if pd.api.types.is_numeric_dtype(frame[c]) else None for c in frame.columns]
        return frame.rename(columns={"measure": label("measure", "column")}), formats
    if unit is not None:
        formats = [EXCEL_FORMATS.get(unit) if pd.api.types.is_numeric_dtype(frame[c]) else None
                   for c in frame.columns]
        return frame, formats
    formats = [excel_format(str(c), table) for c in frame.columns]
    if {"measure", "value"} <= set(frame.columns):   # a long table of measures: each row's unit
        formats[list(frame.columns).index("value")] = (
            "rows", [EXCEL_FORMATS.get(_measure_unit(m)) for m in frame["measure"]])
    out = label_values(frame)
    if "lever" in out:          # a lever as the plan names it, in words
        out["lever"] = out["lever"].map(lambda v: lever_words(v) if isinstance(v, str) else v)
    if "baseline" in out:
        out["baseline"] = out["baseline"].map(lambda v: label(v, "scenario")
                                              if isinstance(v, str) else v)
    for column in ("summary", "source", "basis", "note", "flag"):
        if column in out:
            out[column] = out[column].map(lambda v: codes_as_words(v) if isinstance(v, str)
                                          else v)
    out.columns = _unique([label(str(c), "column", table) for c in frame.columns])
    return out, formats


def _measure_unit(code) -> str:
    """A measure's unit: the label table's, else from its name (``*_share`` is a share)."""
    rows = LABELS[(LABELS["kind"] == "measure") & (LABELS["key"] == code)]
    return str(rows["unit"].iloc[0]) if len(rows) else unit_of(str(code))


def sheet_names(names) -> dict:
    """Readable, unique sheet names (at most 31 characters) for table names, in order.

    Examples
    --------
    >>> sheet_names(["capital_programme", "dfe_dsg_financial_summary_allocation_plan"])
    {'capital_programme': 'Capital programme', 'dfe_dsg_financial_summary_allocation_plan': 'DSG finance (place plan)'}
    """
    out, used = {}, set()
    for name in names:
        text = _clean(_sheet_label(str(name)))[:31].rstrip()
        base, i = text, 2
        while text.lower() in used:
            suffix = f" ({i})"
            text = base[:31 - len(suffix)].rstrip() + suffix
            i += 1
        used.add(text.lower())
        out[name] = text
    return out


def write_workbook(sheets: dict[str, pd.DataFrame], path, people: bool = True) -> None:
    """Write ``{table name: DataFrame}`` to an .xlsx at ``path`` (sheet order kept).

    ``people=False`` keeps the machine headers and codes (sheet names still readable).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.xlsx")
    >>> write_workbook({"costs": pd.DataFrame({"year": [2026], "cost_gbp": [1.5e6]})}, p)
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    names = sheet_names(sheets)
    for name, frame in sheets.items():
        ws = wb.create_sheet(names[name])
        if people:
            shown, formats = people_frame(frame, str(name))
        else:
            shown = frame.reset_index(drop=True)
            formats = [excel_format(str(c), str(name)) for c in shown.columns]
        ws.append([str(c) for c in shown.columns])
        for row in shown.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        for j, column in enumerate(shown.columns, start=1):
            cell = ws.cell(row=1, column=j)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            fmt = formats[j - 1]
            if isinstance(fmt, tuple):  # per-row formats
                for (c,), row_fmt in zip(ws.iter_rows(min_row=2, min_col=j, max_col=j), fmt[1]):
                    if row_fmt:
                        c.number_format = row_fmt
                fmt = None
            elif fmt:
                for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    c.number_format = fmt
            width = max([min(len(str(column)), 28)] +
                        [len(_text(v, fmt)) for v in shown[column].head(200)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A2"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "sufficiency"
    wb.save(path)
    _fix_zip_times(Path(path))


def _sheet_label(name: str) -> str:
    """``dfe_<layout>_<scenario>`` -> "DSG finance (place plan)"; others from the label table."""
    m = re.fullmatch(r"(dfe_[a-z0-9_]+?)_(unmitigated|mitigated|allocation_plan)", name)
    if m:
        return f"{label(m.group(1), 'sheet')} ({label(m.group(2), 'scenario_short')})"
    return label(name, "sheet")


def _unique(headers: list) -> list:
    seen, out = {}, []
    for h in headers:
        n = seen.get(h, 0)
        seen[h] = n + 1
        out.append(h if n == 0 else f"{h} ({n + 1})")
    return out


def _clean(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", name)


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (list, dict, tuple)):
        return str(value)
    return value


def _text(value, fmt=None) -> str:
    if isinstance(value, float):
        if fmt and "%" in fmt:
            return f"{value:.1%}"
        return f"£{value:,.0f}" if fmt and "£" in fmt else f"{value:,.0f}"
    return str(value)


def _fix_zip_times(path: Path) -> None:
    """Rewrite the zip with fixed entry times so identical content gives identical bytes."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>2020-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
