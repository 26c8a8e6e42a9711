"""The Excel workbook: one sheet per table, formatted for people, reproducible bytes.

Frozen header row, bold headers, column widths fitted to the content, number formats by
column name (``_gbp`` -> £ with thousands separators, shares -> %, counts -> whole numbers).
The file's internal timestamps are fixed, so the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd

_FIXED_TIME = dt.datetime(2020, 1, 1)


def number_format(column: str) -> str | None:
    """The Excel number format for a column, from its name (units are in column names)."""
    name = column.lower()
    if name.endswith("_gbp") or name.startswith("cost") or "gbp" in name:
        return '"£"#,##0;[Red]-"£"#,##0'
    if name.endswith(("share", "_pc", "_rate")) or name.startswith("share"):
        return "0.0%"
    if name in ("year", "opening_year", "first_year", "last_year", "origin"):
        return "0"
    if name in ("count", "demand", "capacity", "places", "mean", "placed", "unplaced") or \
            name.startswith("p") and name[1:].isdigit():
        return "#,##0"
    return None


def write_workbook(sheets: dict[str, pd.DataFrame], path) -> None:
    """Write ``{sheet name: DataFrame}`` to an .xlsx at ``path`` (sheet order kept).

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
    for name, frame in sheets.items():
        ws = wb.create_sheet(_sheet_name(name))
        frame = frame.reset_index(drop=True)
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        for j, column in enumerate(frame.columns, start=1):
            cell = ws.cell(row=1, column=j)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            fmt = number_format(str(column))
            if fmt:
                for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    c.number_format = fmt
            width = max([len(str(column))] + [len(_text(v)) for v in frame[column].head(200)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A2"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "sufficiency"
    wb.save(path)
    _fix_zip_times(Path(path))


def _sheet_name(name: str) -> str:
    bad = '[]:*?/\\'
    clean = "".join("_" if ch in bad else ch for ch in name)
    return clean[:31]


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


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}"
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
