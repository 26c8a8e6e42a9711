"""``report.html``: one self-contained page an officer can send to a board.

Headline figures, the charts (embedded as PNG data, so the page has no other files), the key
tables and the assumptions. No scripts, no external fonts or styles: it opens anywhere.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;margin:2em auto;max-width:1100px;color:#222;
line-height:1.4;padding:0 1em}
h1{color:#1f5f8b;margin-bottom:0}h2{color:#1f5f8b;border-bottom:2px solid #dde7f0;
padding-bottom:.2em;margin-top:2em}.sub{color:#555;margin-top:.2em}
.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1.5em 0}
.card{background:#f3f7fa;border-left:5px solid #1f5f8b;padding:.8em 1.2em;min-width:180px;flex:1}
.card .v{font-size:1.7em;font-weight:bold;color:#1f5f8b}.card .l{font-size:.9em;color:#444}
table{border-collapse:collapse;margin:1em 0;font-size:.85em}
th{background:#dde7f0;text-align:left;padding:.3em .6em}
td{border-bottom:1px solid #e5e5e5;padding:.25em .6em;text-align:right}
td:first-child{text-align:left}img{max-width:100%;margin:1em 0;border:1px solid #eee}
.note{font-size:.85em;color:#555}
"""


def render_html(title: str, subtitle: str, headlines: list[tuple[str, str]],
                charts: list[tuple[str, Path, str]], tables: list[tuple[str, pd.DataFrame, str]],
                assumptions: pd.DataFrame, notes: list[str]) -> str:
    """Build the page.

    Parameters
    ----------
    headlines : list of (label, value text)
    charts : list of (heading, PNG path, what an officer should take from it)
    tables : list of (heading, DataFrame, caption)
    assumptions : DataFrame with ``parameter, value, unit, source``
    notes : list of str, shown at the end (data notes, illustrative labels)
    """
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{_e(title)}</h1><p class='sub'>{_e(subtitle)}</p>", "<div class='cards'>"]
    for label, value in headlines:
        parts.append(f"<div class='card'><div class='v'>{_e(value)}</div>"
                     f"<div class='l'>{_e(label)}</div></div>")
    parts.append("</div>")
    for heading, path, caption in charts:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        parts.append(f"<h2>{_e(heading)}</h2><p>{_e(caption)}</p>"
                     f"<img alt='{_e(heading)}' src='data:image/png;base64,{data}'>")
    for heading, frame, caption in tables:
        parts.append(f"<h2>{_e(heading)}</h2><p>{_e(caption)}</p>{table_html(frame)}")
    parts.append("<h2>Assumptions</h2><p>Every parameter this run used, its value and where it "
                 "comes from.</p>")
    parts.append(table_html(assumptions))
    if notes:
        parts.append("<h2>Notes</h2><ul class='note'>" +
                     "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    parts.append("<p class='note'>Contains public sector information licensed under the Open "
                 "Government Licence v3.0. Source: Department for Education. Made with "
                 "sufficiency.</p></body></html>")
    return "\n".join(parts)


def table_html(frame: pd.DataFrame, max_rows: int = 60) -> str:
    """A plain HTML table with thousands separators (first ``max_rows`` rows)."""
    shown = frame.head(max_rows)
    head = "".join(f"<th>{_e(c)}</th>" for c in shown.columns)
    rows = []
    for row in shown.itertuples(index=False):
        cells = "".join(f"<td>{_e(_fmt(c, v))}</td>" for c, v in zip(shown.columns, row))
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p class='note'>{len(frame) - max_rows} more rows in results.xlsx</p>" \
        if len(frame) > max_rows else ""
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{more}"


def _fmt(column: str, value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        if column.endswith("_gbp") or column.startswith("cost"):
            return f"£{value:,.0f}"
        if "share" in column:
            return f"{value:.1%}"
        return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"
    if isinstance(value, int) and column not in ("year", "opening_year"):
        return f"{value:,d}"
    return str(value)


def _e(text) -> str:
    return html.escape(str(text), quote=True)
