"""Read a user's table (CSV or Excel) and check it against a schema, naming every problem's place.

Officers' spreadsheets arrive as CSV saved by Excel (often Windows-1252, sometimes with ``;``),
as ``.xlsx`` with a title above the header, with blank lines, thousands separators and typos.
:func:`read_table` turns any of them into text cells with the row number *as the user's editor
or spreadsheet shows it*; :func:`check_table` checks the cells against a schema and returns a
typed frame and every problem, each naming the file (and sheet), the row, the column and what
was expected.

A schema is a :class:`pandas.DataFrame` with one row per column of the table:

==============  ===========================================================================
``column``      name (matched ignoring case, spaces, hyphens and underscores)
``type``        ``str``, ``int``, ``float`` or ``code:<vocabulary>`` (``need``, ``phase``,
                ``provision``, ``age_band``)
``unit``        unit of a number (for messages and docs)
``required``    the column must be present (and a cell blank only if it has a default)
``default``     value of a blank cell (``None``: blank is an error if required, else NaN)
``min, max``    range of a number (``max = inf`` allows ``inf`` as "unlimited")
``description`` meaning, for the documentation
==============  ===========================================================================

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "s.csv")
>>> _ = open(path, "w").write("setting,capacity\\n\\nOak,12\\nElm,-3\\n")
>>> schema = make_schema([("setting", "str", "", True), ("capacity", "float", "places", True,
...                        None, 0, 1e5)])
>>> frame, problems, notes = check_table(read_table(path), schema)
>>> print(problems[0].replace(path, "s.csv"))
s.csv, line 4, column 'capacity': '-3': expected a number of places from 0 to 100,000
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .vocabulary import NEED_ALIASES, NEED_AREAS, NEEDS, PHASES, PROVISIONS, THREE_TIER_PHASES, \
    AGE_BANDS, suggest

__all__ = ["MAX_TABLE_BYTES", "SCHEMA_COLUMNS", "make_schema", "Table", "read_table",
           "PHASE_ALIASES", "PROVISION_ALIASES", "Vocabulary", "check_table", "raise_problems"]

#: Largest table read (bytes): far above any LA's settings or history file.
MAX_TABLE_BYTES = 50_000_000

SCHEMA_COLUMNS = ["column", "type", "unit", "required", "default", "min", "max", "description"]


def make_schema(rows) -> pd.DataFrame:
    """A schema from tuples ``(column, type, unit, required[, default, min, max, description])``."""
    full = []
    for r in rows:
        r = tuple(r) + (None,) * (8 - len(r))
        full.append(r[:7] + ((r[7] or ""),))
    return pd.DataFrame(full, columns=SCHEMA_COLUMNS)


@dataclass
class Table:
    """A table as read: text cells, the user's row numbers and where it came from.

    Attributes
    ----------
    cells : DataFrame
        One column per header cell (names as written), every cell a stripped string.
    rows : list of int
        For each row of ``cells``, its line (CSV) or row (Excel) number as the user sees it.
    source : str
        ``file`` or ``file [sheet 'name']``, used at the start of every message.
    unit : str
        ``"line"`` for text files, ``"row"`` for spreadsheets.
    notes : list of str
        Things worth saying that are not errors (encoding, separator).
    """

    cells: pd.DataFrame
    rows: list
    source: str
    unit: str = "line"
    notes: list = field(default_factory=list)
    header_row: int = 1

    def at(self, i) -> str:
        """``"file, line 7"`` for row index ``i`` (or several, summarised)."""
        idx = [i] if np.isscalar(i) else list(i)
        nums = [self.rows[k] for k in idx]
        shown = ", ".join(str(n) for n in nums[:8]) + (f" and {len(nums) - 8} more"
                                                      if len(nums) > 8 else "")
        word = self.unit if len(nums) == 1 else self.unit + "s"
        return f"{self.source}, {word} {shown}"


def read_table(path, sheet=None, header_row: int | None = None, expect=(),
               prefer_sheet: str | None = None) -> Table:
    """Read a CSV or Excel table into text cells, keeping the user's row numbers.

    Parameters
    ----------
    path : str or Path
        ``.csv`` / ``.txt`` (UTF-8, else Windows-1252; ``,`` ``;`` tab or ``|`` separated) or
        ``.xlsx`` / ``.xlsm``.
    sheet : str or int, optional
        Excel sheet name or 0-based position (default the first).
    header_row : int, optional
        Line / row number of the header (1-based). Default: the first row naming any of
        ``expect`` (so a title or notes above the header are skipped), else the first
        non-blank row.
    expect : sequence of str
        Column names the header should contain (to find it).
    prefer_sheet : str, optional
        With no ``sheet``, read the sheet of this name if the workbook has one (so one
        workbook can hold the settings, designation and projects sheets), else the first.

    Raises
    ------
    ValidationError
        The file cannot be read as a table; the message names it and says why.
    """
    path = Path(path)
    if path.is_dir():
        raise ValidationError(f"{path}: is a folder; expected a CSV or Excel file")
    if not path.exists():
        raise ValidationError(f"{path}: no such file; expected a CSV or Excel file")
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as err:
        raise ValidationError(f"{path}: cannot be read ({err.strerror})") from None
    if size > MAX_TABLE_BYTES:
        raise ValidationError(f"{path}: {size:,} bytes; expected a table of at most "
                              f"{MAX_TABLE_BYTES:,} bytes")
    if suffix in (".xlsx", ".xlsm"):
        grid, source, notes = _excel_rows(path, sheet, prefer_sheet)
        unit = "row"
    elif suffix == ".xls":
        raise ValidationError(f"{path}: old Excel 97-2003 format (.xls); expected .xlsx or "
                              ".csv (open it in Excel and Save As .xlsx)")
    elif suffix in (".csv", ".txt", ".tsv", ""):
        if sheet not in (None, 0):
            raise ValidationError(f"{path}: sheet {sheet!r} given for a CSV file; expected a "
                                  "sheet only for an Excel workbook")
        grid, notes = _csv_rows(path)
        source, unit = str(path), "line"
    else:
        raise ValidationError(f"{path}: unsupported file type {suffix!r}; expected .csv or "
                              ".xlsx")
    return _to_table(grid, source, unit, notes, header_row, expect)


def _decode(path: Path) -> tuple[str, list[str]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:100_000]:
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return raw.decode("utf-16"), [f"{path}: read as UTF-16"]
            except UnicodeDecodeError:
                pass
        if raw[:4] == b"PK\x03\x04":
            raise ValidationError(f"{path}: is an Excel or zip file named {path.suffix!r}; "
                                  "expected a CSV text file (or name it .xlsx)")
        raise ValidationError(f"{path}: holds NUL bytes, so it is not a text file; expected a "
                              "CSV saved as text")
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
    try:
        return raw.decode("cp1252"), [f"{path}: not UTF-8 (first at line {line}); read as "
                                      "Windows-1252 (Excel's 'CSV' on Windows)"]
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ValidationError(f"{path}, line {line}: byte {raw[err.start]:#04x} is neither "
                              "UTF-8 nor Windows-1252; expected the file saved as CSV UTF-8")


def _csv_rows(path: Path):
    text, notes = _decode(path)
    sample = "\n".join(text.splitlines()[:20])
    delimiter = ","
    counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
    # the header decides: 'area;share' then '0,6' is ';'-separated with decimal commas
    header = next((line for line in text.splitlines() if line.strip()), "")
    heads = {d: header.count(d) for d in counts}
    if heads[","] == 0 and max(heads.values()) > 0:
        delimiter = max(heads, key=heads.get)
    elif counts[","] == 0 and max(counts.values()) > 0:
        delimiter = max(counts, key=counts.get)
    if delimiter != ",":
        notes.append(f"{path}: columns separated by {delimiter!r}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid = []
    start = 1
    try:
        for record in reader:
            grid.append((start, [c.strip() for c in record]))
            start = reader.line_num + 1
    except csv.Error as err:
        raise ValidationError(f"{path}, line {reader.line_num}: cannot be read as CSV ({err}); "
                              "expected comma-separated values with balanced quotes") from None
    return grid, notes


def _excel_rows(path: Path, sheet, prefer=None):
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise ValidationError(f"{path}: not a readable Excel workbook ({type(err).__name__}); "
                              "expected an .xlsx file saved by Excel") from None
    names = book.sheetnames
    try:
        if sheet is None:
            lookup = {_norm(n): n for n in names}
            name = lookup.get(_norm(prefer), names[0]) if prefer else names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise ValidationError(f"{path}: sheet {sheet} does not exist; the workbook has "
                                      f"{len(names)} sheet(s): {names}")
            name = names[sheet]
        else:
            lookup = {n.strip().lower(): n for n in names}
            name = lookup.get(str(sheet).strip().lower())
            if name is None:
                raise ValidationError(f"{path}: no sheet named {sheet!r}; expected one of "
                                      f"{names}{suggest(str(sheet), names)}")
        ws = book[name]
        grid = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            grid.append((number, [_cell_text(v) for v in values]))
    finally:
        book.close()
    return grid, f"{path} [sheet '{name}']", []


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", str(name).strip().lower()).strip("_")


def _to_table(grid, source, unit, notes, header_row, expect) -> Table:
    filled = [(n, cells) for n, cells in grid if any(c != "" for c in cells)]
    if not filled:
        raise ValidationError(f"{source}: is empty; expected a header row naming the columns"
                              + (f" ({', '.join(expect)})" if expect else ""))
    if header_row is not None:
        found = [i for i, (n, _) in enumerate(filled) if n == header_row]
        if not found:
            raise ValidationError(f"{source}: {unit} {header_row} (the header) is blank or "
                                  "missing; expected the row naming the columns")
        h = found[0]
    else:
        wanted = {_norm(e) for e in expect}
        h = next((i for i, (_, cells) in enumerate(filled[:30])
                  if wanted & {_norm(c) for c in cells}), 0)
    header_line, header = filled[h]
    while header and header[-1] == "":
        header = header[:-1]
    problems = []
    for j, name in enumerate(header):
        if name == "":
            problems.append(f"{source}, {unit} {header_line}: column {j + 1} has no name; "
                            "expected a name in every header cell")
    seen = {}
    for name in header:
        key = _norm(name)
        if key and key in seen:
            problems.append(f"{source}, {unit} {header_line}: column {name!r} appears twice "
                            f"(also as {seen[key]!r}); expected each column once")
        seen.setdefault(key, name)
    rows, lines = [], []
    for n, cells in filled[h + 1:]:
        if len(cells) > len(header):
            extra = [c for c in cells[len(header):] if c != ""]
            if extra:
                problems.append(f"{source}, {unit} {n}: {len(cells)} values for "
                                f"{len(header)} columns (extra {extra[:3]}); expected one value "
                                "per column (a stray separator or an unquoted comma?)")
                continue
        rows.append((cells + [""] * len(header))[:len(header)])
        lines.append(n)
    if problems:
        raise ValidationError(f"{source}: {len(problems)} problem(s):\n  " +
                              "\n  ".join(problems), problems)
    if not rows:
        raise ValidationError(f"{source}: has a header ({unit} {header_line}) but no rows "
                              "of data; expected one row per record below it")
    cells = pd.DataFrame(rows, columns=header, dtype=object)
    return Table(cells=cells, rows=lines, source=source, unit=unit, notes=notes,
                 header_row=header_line)


# --- checking --------------------------------------------------------------------------------

#: Labels people use for phases, mapped to the phase names (case and spaces ignored).
PHASE_ALIASES = {"ks1": "primary", "ks2": "primary", "key_stage_1": "primary",
                 "key_stage_2": "primary", "reception": "primary", "infant": "primary",
                 "junior": "primary", "ks3": "secondary", "ks4": "secondary",
                 "key_stage_3": "secondary", "key_stage_4": "secondary",
                 "ks5": "post-16", "key_stage_5": "post-16", "sixth_form": "post-16",
                 "post16": "post-16", "post_16": "post-16", "post19": "post-19",
                 "post_19": "post-19", "nursery": "early years", "eyfs": "early years",
                 "early_years": "early years", "ey": "early years"}

#: Labels people use for provision types (case and spaces ignored).
PROVISION_ALIASES = {"independent": "special_independent",
                     "independent_special": "special_independent",
                     "non_maintained": "special_non_maintained", "nmss": "special_non_maintained",
                     "special": "special_maintained", "maintained_special": "special_maintained",
                     "special_academy": "special_maintained", "arp": "resource_base",
                     "resourced_provision": "resource_base", "sen_unit": "resource_base",
                     "pru": "ap", "alternative_provision": "ap", "fe": "fe_college",
                     "college": "fe_college", "spi": "specialist_post16"}


@dataclass
class Vocabulary:
    """The codes a ``code:`` column accepts and how other labels map onto them.

    ``need`` accepts the DfE need codes and the LA's need groups (the Code of Practice areas by
    default): a table in need codes is mapped onto the groups the demand is stated in.
    """

    needs: dict = field(default_factory=lambda: dict(NEED_AREAS))
    phases: tuple = tuple(PHASES["phase"])

    @classmethod
    def for_phases(cls, system: str = "standard") -> "Vocabulary":
        table = THREE_TIER_PHASES if system == "three_tier" else PHASES
        return cls(phases=tuple(table["phase"]))

    def options(self, kind: str) -> list[str]:
        if kind == "need":
            return sorted(set(self.needs)) + sorted(set(self.needs.values()))
        if kind == "phase":
            return list(self.phases)
        if kind == "provision":
            return list(PROVISIONS["provision"])
        if kind == "age_band":
            return list(AGE_BANDS["age_band"]) + ["all"]
        raise KeyError(kind)

    def map(self, kind: str, value: str):
        """``(mapped value or None, how)``; ``how`` is '' for an exact code."""
        v = value.strip()
        key = _norm(v)
        if kind == "need":
            groups = {_norm(g): g for g in set(self.needs.values())}
            codes = {c.upper(): c for c in self.needs}
            if key in groups:
                return groups[key], ""
            code = codes.get(v.upper()) or codes.get(NEED_ALIASES.get(v.upper(), ""))
            if code:
                return self.needs[code], f"need code {code} -> group {self.needs[code]}"
            return None, ""
        if kind == "phase":
            exact = {_norm(p): p for p in self.phases}
            if key in exact:
                return exact[key], ""
            alias = PHASE_ALIASES.get(key)
            if alias in self.phases:
                return alias, f"{v} -> {alias}"
            return None, ""
        if kind == "provision":
            exact = {_norm(p): p for p in PROVISIONS["provision"]}
            if key in exact:
                return exact[key], ""
            names = {_norm(n): p for p, n in zip(PROVISIONS["provision"], PROVISIONS["name"])}
            alias = PROVISION_ALIASES.get(key) or names.get(key)
            if alias:
                return alias, f"{v} -> {alias}"
            return None, ""
        exact = {_norm(o): o for o in self.options(kind)}
        return exact.get(key), ""

    def hint(self, kind: str, value: str) -> str:
        options = self.options(kind)
        if kind == "need":
            return suggest(value, options, NEED_ALIASES)
        hint = suggest(value, options)
        if not hint:
            near = [o for o in options if _norm(value) and _norm(value) in _norm(o)]
            if near:
                hint = f" (did you mean {', '.join(repr(o) for o in near[:3])}?)"
        return hint


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _parse_number(text: str):
    """A number from a cell: thousands separators, £ and spaces are allowed; '' -> None.

    A comma must separate thousands (``25,000``); a decimal comma (``0,6``, ``25000,50``) is
    not read as a number (it would be 6 or 2,500,050).
    """
    t = text.replace("£", "").replace(" ", "").replace("\u00a0", "")
    if "," in t:
        if not _THOUSANDS.match(t):
            return "bad"
        t = t.replace(",", "")
    if t == "":
        return None
    if t.lower() in ("inf", "+inf", "infinity", "unlimited"):
        return math.inf
    if t.lower() in ("-inf", "-infinity"):
        return -math.inf
    if t.lower() == "nan":
        return math.nan
    if not _NUMBER.match(t):
        return "bad"
    number = float(t)
    return number if math.isfinite(number) else "bad"   # 1e400: an overflow, not 'unlimited'



def check_table(table: Table, schema: pd.DataFrame, vocabulary: Vocabulary | None = None,
                name: str = "table"):
    """Check a :class:`Table` against ``schema``; return ``(frame, problems, notes)``.

    ``frame`` has one column per schema column (absent optional columns filled with their
    default), numbers as float, codes mapped onto the vocabulary, and the user's row numbers in
    ``frame.attrs["rows"]``. ``problems`` lists every error, each naming the file, the row(s),
    the column and what was expected; the frame is usable only when it is empty. Column names
    match ignoring case, spaces, hyphens and underscores (``Lead time`` is ``lead_time``).
    """
    vocabulary = vocabulary or Vocabulary()
    problems, notes = [], list(table.notes)
    src, unit = table.source, table.unit
    by_norm = {_norm(c): c for c in table.cells.columns}
    known = {_norm(c): c for c in schema["column"]}
    out = pd.DataFrame(index=range(len(table.cells)))
    present = {}
    for r in schema.itertuples(index=False):
        col = by_norm.get(_norm(r.column))
        if col is None:
            if r.required:
                others = [c for c in table.cells.columns if _norm(c) not in known]
                problems.append(f"{src}, {unit} {table.header_row}: required column "
                                f"{r.column!r} is missing{_close_columns(r.column, others)}; expected "
                                f"columns {', '.join(schema.loc[schema['required'], 'column'])}"
                                f" (found {', '.join(map(str, table.cells.columns))})")
            continue
        present[r.column] = col
    for c in table.cells.columns:
        if _norm(c) not in known:
            hint = suggest(c, list(schema["column"]))
            if hint:
                problems.append(f"{src}, {unit} {table.header_row}: column {c!r} is not a "
                                f"column of the {name} table{hint}")
            else:
                notes.append(f"{src}: column {c!r} is not part of the {name} table and was "
                             "ignored")
    if problems and any("required column" in p for p in problems):
        return None, problems, notes
    for r in schema.itertuples(index=False):
        if r.column not in present:
            out[r.column] = _default(r)
            continue
        text = table.cells[present[r.column]].astype(str).str.strip()
        if r.type in ("int", "float"):
            out[r.column] = _numbers(table, text, r, problems)
        elif r.type.startswith("code:"):
            out[r.column] = _codes(table, text, r, vocabulary, problems, notes)
        else:
            blank = text == ""
            if r.required and r.default is None and blank.any():
                problems.append(f"{table.at(np.flatnonzero(blank))}, column {r.column!r}: "
                                "blank; expected a value")
            out[r.column] = text.where(~blank, _default(r))
    out.attrs["rows"] = list(table.rows)
    out.attrs["source"] = src
    return out, problems, notes


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def _close_columns(name: str, others) -> str:
    """'did you mean' for a missing column: close spelling, or one name inside the other."""
    hint = suggest(name, others)
    if hint:
        return hint
    n = _norm(name)
    near = [o for o in others if _norm(o) and (_norm(o) in n or n in _norm(o))]
    return f" (did you mean {', '.join(repr(o) for o in near[:3])}?)" if near else ""


def _default(r):
    if r.default is None:
        return np.nan if r.type in ("int", "float") else None
    return r.default


def _numbers(table: Table, text: pd.Series, r, problems: list) -> pd.Series:
    values = text.map(_parse_number)
    bad = values.map(lambda v: isinstance(v, str))
    blank = values.isna() & ~bad
    what = "a year" if r.unit == "year" else f"a number{' of ' + r.unit if r.unit else ''}"
    comma = text.str.replace(r"[£\s]", "", regex=True).str.fullmatch(r"[+-]?\d+,\d+") & bad
    if comma.any():   # a decimal comma: name it, with the number meant
        for i in np.flatnonzero(comma.to_numpy())[:3]:
            meant = text.iloc[i].replace("£", "").replace(" ", "").replace(",", ".")
            problems.append(f"{table.at(i)}, column {r.column!r}: {text.iloc[i]!r} has a "
                            f"decimal comma; expected {what} with a decimal point (did you "
                            f"mean {meant}?)")
    lo = -math.inf if r.min is None or pd.isna(r.min) else float(r.min)
    hi = math.inf if r.max is None or pd.isna(r.max) else float(r.max)
    show = (lambda x: f"{x:.0f}") if r.unit == "year" else _num
    span = f" from {show(lo)} to {show(hi)}" if math.isfinite(lo) and math.isfinite(hi) else \
        (f" of {show(lo)} or more" if math.isfinite(lo) else "")
    _report(table, bad & ~comma, r.column, text, f"{what}{span}", problems)
    if r.required and r.default is None:
        _report(table, blank & (text == ""), r.column, text, f"{what}; found a blank", problems,
                show=False)
    num = values.where(~bad, None).astype(float)
    nan_text = num.isna() & (text.str.lower() == "nan")
    _report(table, nan_text, r.column, text, what, problems)
    inf = np.isinf(num)
    allowed_inf = hi == math.inf and r.default is not None and np.isinf(r.default or 0)
    if not allowed_inf:
        _report(table, inf, r.column, text, f"{what} (finite){span}", problems)
    finite = num.notna() & ~inf
    _report(table, finite & ((num < lo) | (num > hi)), r.column, text, f"{what}{span}",
            problems)
    if r.type == "int":
        _report(table, finite & (num != np.round(num)), r.column, text, "a whole number",
                problems)
    default = _default(r)
    return num.where(~(blank | bad), default if isinstance(default, (int, float)) else np.nan)


def _codes(table, text, r, vocabulary: Vocabulary, problems, notes) -> pd.Series:
    kind = r.type.split(":", 1)[1]
    mapped = {}
    for value in text.unique():
        if value == "":
            mapped[value] = (r.default, "")
            continue
        mapped[value] = vocabulary.map(kind, value)
    out = text.map(lambda v: mapped[v][0])
    blank = text == ""
    if r.required and r.default is None and blank.any():
        problems.append(f"{table.at(np.flatnonzero(blank))}, column {r.column!r}: blank; "
                        f"expected a {kind} code")
    for value, (code, how) in mapped.items():
        mask = (text == value).to_numpy()
        if value != "" and code is None:
            problems.append(f"{table.at(np.flatnonzero(mask))}, column {r.column!r}: "
                            f"{value!r} is not a {kind}{vocabulary.hint(kind, value)}; expected "
                            f"one of {vocabulary.options(kind)}")
        elif how:
            notes.append(f"{table.at(np.flatnonzero(mask))}, column {r.column!r}: {how}")
    return out


def _report(table, mask, column, text, expected, problems, show=True):
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    idx = np.flatnonzero(mask)
    values = [text.iloc[i] for i in idx[:3]]
    shown = (", ".join(repr(v) if v != "" else "blank" for v in values)
             + (" ..." if len(idx) > 3 else "") + ": ") if show else ""
    problems.append(f"{table.at(idx)}, column {column!r}: {shown}expected {expected}")


def raise_problems(problems: list, what: str) -> None:
    """Raise one :class:`ValidationError` listing every problem (nothing when empty)."""
    if problems:
        raise ValidationError(f"{what}: {len(problems)} problem(s):\n  " + "\n  ".join(problems),
                              problems)
