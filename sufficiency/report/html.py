"""``report.html``: one self-contained page a board reads in five minutes.

The page opens with the headline figures and a summary in sentences, then one section per
question (demand, places, money, the DfE tables), each chart a figure with alt text and a
caption, each table with a caption; long tables are summarised here and given whole in the
workbook. Then the assumptions the run used and the notes. Charts are embedded as PNG data,
so the page has no other files; no scripts, no external fonts or styles: it opens anywhere.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from .formats import cell_text

__all__ = ["render_html", "table_html"]

#: A cell that reads as a number (right-aligned): 1,234 / £12.3m / -£5 / 12.5% / 1 to 2.
_NUMBER = re.compile(r"-?£?-?[\d,.]+[m%]?( to -?£?[\d,.]+[m%]?)?")

_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;margin:2em auto;max-width:1100px;color:#222;
line-height:1.45;padding:0 1em}
h1{color:#1f5f8b;margin-bottom:0}h2{color:#1f5f8b;border-bottom:2px solid #dde7f0;
padding-bottom:.2em;margin-top:2em}h3{color:#333;margin-top:1.6em}.sub{color:#555;margin-top:.2em}
.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1.5em 0}
.card{background:#f3f7fa;border-left:5px solid #1f5f8b;padding:.8em 1.2em;min-width:180px;flex:1}
.card .v{font-size:1.6em;font-weight:bold;color:#1f5f8b}.card .l{font-size:.9em;color:#444}
.summary{font-size:1.05em;background:#fbfbf7;border:1px solid #e6e6d8;padding:.6em 1.2em}
.summary p{margin:.5em 0}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.85em}
caption{text-align:left;font-weight:bold;padding:.3em 0;color:#333}
th{background:#dde7f0;text-align:left;padding:.3em .6em;vertical-align:bottom}
td{border-bottom:1px solid #e5e5e5;padding:.25em .6em;text-align:left}
td.n{text-align:right;white-space:nowrap}figure{margin:1em 0}img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#444;margin-top:.3em}.note{font-size:.85em;color:#555}
nav{font-size:.9em}nav a{margin-right:1em}
"""


def render_html(title: str, subtitle: str, headlines: list[tuple[str, str]],
                charts: list, tables: list, assumptions: pd.DataFrame, notes: list[str],
                summary: list[str] | None = None, sections: list[str] | None = None) -> str:
    """Build the page.

    Parameters
    ----------
    headlines : list of (label, value text)
    charts : list of (heading, PNG path, caption[, alt text[, section]])
    tables : list of (heading, DataFrame, caption[, section])
        Frames are shown as they are (text) or formatted by column unit (numbers).
    assumptions : DataFrame
        The assumptions the run used (shown whole).
    notes : list of str
        Shown at the end (data notes, illustrative labels).
    summary : list of str, optional
        Paragraphs of the opening summary.
    sections : list of str, optional
        Section headings in page order; charts and tables name theirs.

    Examples
    --------
    >>> page = render_html("T", "s", [("EHC plans", "6,383")], [], [], pd.DataFrame(), [],
    ...                    summary=["Six thousand children."])
    >>> "Six thousand children." in page and "<h1>T</h1>" in page
    True
    """
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{_e(title)}</h1><p class='sub'>{_e(subtitle)}</p>"]
    if headlines:
        parts.append("<div class='cards'>")
        for label, value in headlines:
            parts.append(f"<div class='card'><div class='v'>{_e(value)}</div>"
                         f"<div class='l'>{_e(label)}</div></div>")
        parts.append("</div>")
    if summary:
        parts.append("<h2 id='summary'>Summary</h2><div class='summary'>" +
                     "".join(f"<p>{_e(p)}</p>" for p in summary) + "</div>")
    charts = [_chart(c) for c in charts]
    tables = [_table(t) for t in tables]
    order = list(sections or [])
    for item in charts + tables:
        if item["section"] not in order:
            order.append(item["section"])
    if len(order) > 1:
        parts.append("<nav>" + "".join(f"<a href='#{_anchor(s)}'>{_e(s)}</a>" for s in order)
                     + "<a href='#assumptions'>Assumptions</a></nav>")
    for section in order:
        items_c = [c for c in charts if c["section"] == section]
        items_t = [t for t in tables if t["section"] == section]
        if not items_c and not items_t:
            continue
        parts.append(f"<h2 id='{_anchor(section)}'>{_e(section)}</h2>")
        for c in items_c:
            data = base64.b64encode(Path(c["path"]).read_bytes()).decode("ascii")
            parts.append(f"<h3>{_e(c['heading'])}</h3><figure>"
                         f"<img alt='{_e(c['alt'])}' src='data:image/png;base64,{data}'>"
                         f"<figcaption>{_e(c['caption'])}</figcaption></figure>")
        for t in items_t:
            parts.append(f"<h3>{_e(t['heading'])}</h3>"
                         f"{table_html(t['frame'], caption=t['caption'])}")
    parts.append("<h2 id='assumptions'>Assumptions</h2><p>Every assumption this run used, with "
                 "the value it used and where it comes from.</p>")
    parts.append(table_html(assumptions, max_rows=500,
                            caption="Assumptions used by this run"))
    if notes:
        parts.append("<h2>Notes</h2><ul class='note'>" +
                     "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    parts.append("<p class='note'>Contains public sector information licensed under the Open "
                 "Government Licence v3.0. Source: Department for Education. Made with "
                 "sufficiency.</p></body></html>")
    return "\n".join(parts)


def table_html(frame: pd.DataFrame, max_rows: int = 60, caption: str | None = None) -> str:
    """An HTML table (first ``max_rows`` rows); numbers formatted by their column's unit."""
    shown = frame.head(max_rows)
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in shown.columns)
    rows = []
    for row in shown.itertuples(index=False):
        texts = [v if isinstance(v, str) else cell_text(str(c), v)
                 for c, v in zip(shown.columns, row)]
        cells = "".join(f"<td class='n'>{_e(t)}</td>" if _NUMBER.fullmatch(t) and j else
                        f"<td>{_e(t)}</td>" for j, t in enumerate(texts))
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p class='note'>{len(frame) - max_rows} more rows in results.xlsx</p>" \
        if len(frame) > max_rows else ""
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>" \
        f"{more}"


def _chart(item) -> dict:
    heading, path, caption = item[:3]
    alt = item[3] if len(item) > 3 else heading
    section = item[4] if len(item) > 4 else "Charts"
    return {"heading": heading, "path": path, "caption": caption, "alt": alt,
            "section": section}


def _table(item) -> dict:
    heading, frame, caption = item[:3]
    section = item[3] if len(item) > 3 else "Tables"
    return {"heading": heading, "frame": frame, "caption": caption, "section": section}


def _anchor(text: str) -> str:
    return "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")


def _e(text) -> str:
    return html.escape(str(text), quote=True)
