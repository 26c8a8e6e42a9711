"""Read and check an LA's own history (CSV or Excel) in the tidy format.

The tidy format: one row per key combination, the keys as columns, one value column.

=============  ========  ======================================================================
column         required  meaning
=============  ========  ======================================================================
``year``       yes       January census year, whole number (2024 = the January 2024 return)
``count``      yes       children and young people with an EHC plan, whole number >= 0
``la_code``    no        DfE 3-digit old LA code (or any label of yours)
``need``       no        DfE primary need code: SPLD MLD SLD PMLD SEMH SLCN HI VI MSI PD ASD OTH NSA
``age_band``   no        under 5, 5-10, 11-15, 16-19, 20-25 (or ``all``)
``age``        no        single age 0-25
``phase``      no        a phase name (early years, primary, ... or your own: first, middle, high)
``provision``  no        a provision code from :data:`~sufficiency.data.vocabulary.PROVISIONS`
``area``       no        your planning locality (any label)
=============  ========  ======================================================================

Every problem is reported with the file, the row numbers (as a spreadsheet shows them: the
header is row 1) and the column, and says what was expected. Nothing is dropped silently:
with ``on_error="set_aside"`` bad rows are removed *and listed* in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .vocabulary import (AGE_BAND_ALIASES, AGE_BANDS, NEED_ALIASES, NEEDS, PROVISIONS,
                         age_band_of, suggest)

__all__ = ["HISTORY_SCHEMA", "ValidationReport", "read_history", "MAX_COUNT", "validate_history",
           "TOTAL_TOLERANCE", "own_history_by_age_band"]

#: The history schema as data: column, required, kind, allowed values, description.
HISTORY_SCHEMA = pd.DataFrame(
    [
        ("year", True, "int", None, "January census year"),
        ("count", True, "count", None, "EHC plans (children and young people)"),
        ("la_code", False, "label", None, "LA code"),
        ("need", False, "code", tuple(NEEDS["need"]), "DfE primary need code"),
        ("age_band", False, "code", tuple(AGE_BANDS["age_band"]) + ("all",), "age band"),
        ("age", False, "age", None, "single age 0-25"),
        ("phase", False, "label", None, "phase"),
        ("provision", False, "code", tuple(PROVISIONS["provision"]) + ("all",), "provision"),
        ("area", False, "label", None, "planning area"),
    ],
    columns=["column", "required", "kind", "allowed", "description"],
)


@dataclass(eq=False)  # compared by identity: pandas compares frames' attrs in concat
class ValidationReport:
    """What :func:`validate_history` found.

    Attributes
    ----------
    data : DataFrame
        The rows that passed, typed (``year`` int, ``count`` float, keys str).
    set_aside : DataFrame
        Rows removed, with their ``row`` number and the ``reason`` (empty when none).
    problems : list of str
        Errors, one line each (rows set aside or, with ``on_error="raise"``, the error raised).
    notes : list of str
        Warnings that did not remove rows (gaps in years, extra columns ignored).
    """

    data: pd.DataFrame
    set_aside: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    n_usable: int = -1

    def __post_init__(self):
        if self.n_usable < 0:
            self.n_usable = len(self.data)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        lines = [f"{self.n_usable} rows usable, {len(self.set_aside)} set aside"]
        lines += [f"error: {p}" for p in self.problems]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def read_history(path, sheet=None, on_error: str = "raise",
                 header_row: int | None = None) -> pd.DataFrame:
    """Read an LA's own EHC plan history from CSV or Excel and validate it.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.xls`` in the tidy format (see the module docs).
    sheet : int or str, optional
        Excel sheet to read, by name or 0-based position (default the first).
    on_error : {"raise", "set_aside"}
        ``"raise"``: any bad row raises :class:`~sufficiency.errors.ValidationError` listing
        every problem. ``"set_aside"``: bad rows are removed and listed in
        ``result.attrs["validation"]`` (a :class:`ValidationReport`; its ``data`` is left
        empty there, the frame itself is the data).
    header_row : int, optional
        Line (CSV) or row (Excel) of the header; default the first row naming ``year`` or
        ``count`` (a title above the table is skipped). Files are read by
        :func:`sufficiency.data.tables.read_table`: UTF-8 or Windows-1252, ``,`` or ``;``,
        blank lines skipped; row numbers in messages are the lines or rows the user sees.

    Returns
    -------
    DataFrame
        The validated history; its ``attrs["validation"]`` holds the report.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "h.csv")
    >>> pd.DataFrame({"year": [2024, 2025], "need": ["ASD", "SEMH"], "count": [10, 12]}).to_csv(path, index=False)
    >>> read_history(path)["count"].sum()
    np.float64(22.0)
    """
    from .tables import _norm, read_table

    table = read_table(path, sheet=sheet, header_row=header_row, expect=("year", "count"))
    raw = table.cells
    known = {_norm(c): c for c in HISTORY_SCHEMA["column"]}
    raw.columns = [known.get(_norm(c), c) for c in raw.columns]
    report = validate_history(raw, source=table.source, on_error=on_error, rows=table.rows)
    report.notes[:0] = table.notes
    out = report.data
    # the report kept on the frame holds no reference to the frame (pandas deep-copies attrs)
    out.attrs["validation"] = replace(report, data=out.iloc[:0].copy())
    return out


#: Largest count accepted on one row (England's total is about 640,000 EHC plans).
MAX_COUNT = 2_000_000


def validate_history(frame: pd.DataFrame, source: str = "history",
                     on_error: str = "raise", rows=None) -> ValidationReport:
    """Check a tidy history frame; see :func:`read_history` for the rules and ``on_error``.

    Row numbers in messages count the header as row 1 (the frame's first row is row 2), as a
    spreadsheet shows them, unless ``rows`` gives each row's number (as :func:`read_history`
    does, from the file's own lines). Besides each value, it checks that a total row
    (``age_band`` or ``provision`` ``all``) agrees with its parts when every part is given.
    """
    if on_error not in ("raise", "set_aside"):
        raise ValueError(f"on_error={on_error!r}; expected 'raise' or 'set_aside'")
    frame = frame.reset_index(drop=True).copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    known = list(HISTORY_SCHEMA["column"])
    missing = [c for c in HISTORY_SCHEMA.loc[HISTORY_SCHEMA["required"], "column"]
               if c not in frame.columns]
    if missing:
        hints = "".join(
            f"; column {m!r} is missing{suggest(m, [c for c in frame.columns if c not in known])}"
            for m in missing)
        raise ValidationError(
            f"{source}: required columns {missing} are missing (found {list(frame.columns)})"
            f"{hints}; expected at least 'year' and 'count'")
    notes = []
    extra = [c for c in frame.columns if c not in known]
    if extra:
        notes.append(f"{source}: columns {extra} are not part of the history format and were "
                     f"ignored{''.join(suggest(c, known) for c in extra)}")
    keys = [c for c in known if c in frame.columns and c != "count"]
    bad = pd.Series("", index=frame.index, dtype=object)
    problems = []
    numbers = np.asarray(rows) if rows is not None else np.arange(len(frame)) + 2

    def _rows(mask):
        found = numbers[np.asarray(mask, dtype=bool)].tolist()
        shown = ", ".join(map(str, found[:10]))
        return shown + (f" and {len(found) - 10} more" if len(found) > 10 else "")

    def fail(mask, column, expected):
        if not mask.any():
            return
        rows = _rows(mask)
        values = frame.loc[mask, column].astype(str).head(3).tolist()
        problems.append(f"{source}: column {column!r}, rows {rows}: values {values}; "
                        f"expected {expected}")
        bad[mask & (bad == "")] = f"{column}: expected {expected}"

    text = {c: frame[c].astype(str).str.strip() for c in keys + ["count"]}
    year = pd.to_numeric(text["year"], errors="coerce")
    fail(year.isna() | (year != np.round(year)), "year", "a whole year such as 2024")
    fail(year.notna() & ((year < 1990) | (year > 2100)), "year", "a year between 1990 and 2100")
    count = pd.to_numeric(text["count"], errors="coerce")
    fail(count.isna(), "count", "a number (a count of children)")
    fail(count.notna() & (count < 0), "count", "a count of 0 or more")
    fail(count.notna() & (count >= 0) & (count != np.round(count)), "count",
         "a whole number of children")
    fail(count.notna() & (count > MAX_COUNT), "count",
         f"a count of at most {MAX_COUNT:,} (England has about 640,000 EHC plans)")
    fail(count.notna() & ~np.isfinite(count), "count", "a finite count")
    for row in HISTORY_SCHEMA.itertuples(index=False):
        if row.column not in frame.columns or row.column in ("year", "count"):
            continue
        values = text[row.column]
        if row.kind == "code":
            unknown = ~values.isin(row.allowed)
            for value in sorted(values[unknown].unique())[:10]:
                mask = values == value
                hint = suggest(value, row.allowed, {"need": NEED_ALIASES,
                                                     "age_band": AGE_BAND_ALIASES}.get(row.column))
                fail(mask, row.column, f"one of {list(row.allowed)}{hint}")
        elif row.kind == "age":
            age = pd.to_numeric(values, errors="coerce")
            fail(age.isna() | (age < 0) | (age > 25) | (age != np.round(age)), row.column,
                 "a whole age from 0 to 25")
        else:
            fail(values == "", row.column, "a non-empty label")
    clean = bad == ""
    dup = frame[clean].duplicated(keys, keep=False)
    dup = dup.reindex(frame.index, fill_value=False)
    if dup.any():
        problems.append(f"{source}: rows {_rows(dup)} repeat the same key ({', '.join(keys)}); "
                        "expected one row per key combination (sum them first if they are parts)")
        bad[dup & (bad == "")] = f"duplicate key ({', '.join(keys)})"
    if not problems:
        problems += _totals(frame, year, count, keys, source, _rows)
    if problems and on_error == "raise":
        raise ValidationError(f"{source}: {len(problems)} problem(s) found:\n  " +
                              "\n  ".join(problems), problems)
    set_aside = frame[bad != ""].assign(row=numbers[(bad != "").to_numpy()],
                                        reason=bad[bad != ""])
    data = frame[bad == ""].copy()
    data["year"] = year[bad == ""].astype(int)
    data["count"] = count[bad == ""].astype(float)
    for c in keys:
        if c not in ("year",):
            data[c] = text[c][bad == ""] if c != "age" else \
                pd.to_numeric(text[c][bad == ""]).astype(int)
    data = data[keys + ["count"]].reset_index(drop=True)
    notes += _gaps(data, [k for k in keys if k != "year"], source)
    return ValidationReport(data=data, set_aside=set_aside.reset_index(drop=True),
                            problems=problems, notes=notes)


#: A total may differ from the sum of its parts by this much (rounding in published tables).
TOTAL_TOLERANCE = (1.0, 0.005)


def _totals(frame, year, count, keys, source, rows_of) -> list[str]:
    """Rows with ``all`` in a key must agree with the sum of the other values of that key."""
    problems = []
    parts_of = {"age_band": list(AGE_BANDS["age_band"]),
                "provision": None}   # provision: parts need not be complete, sum <= total
    for key, complete in parts_of.items():
        if key not in frame.columns:
            continue
        text = frame[key].astype(str).str.strip()
        if not (text == "all").any():
            continue
        others = [k for k in keys if k not in (key, "year")]
        data = pd.DataFrame({"year": year, "count": count, key: text})
        for k in others:
            data[k] = frame[k].astype(str).str.strip()
        for group, part in data.groupby(["year"] + others, sort=True):
            total = part[part[key] == "all"]
            pieces = part[part[key] != "all"]
            if len(total) != 1 or not len(pieces):
                continue
            t, p = float(total["count"].iloc[0]), float(pieces["count"].sum())
            whole = complete is None or set(complete) <= set(pieces[key])
            off = abs(t - p) if whole else max(0.0, p - t)
            if off > max(TOTAL_TOLERANCE[0], TOTAL_TOLERANCE[1] * abs(t)):
                label = dict(zip(["year"] + others, group if isinstance(group, tuple)
                                 else (group,)))
                problems.append(
                    f"{source}: rows {rows_of(frame.index.isin(total.index))} ({key} 'all', "
                    f"{label}) say {t:,.0f} but the {key} rows "
                    f"{rows_of(frame.index.isin(pieces.index))}"
                    f" add up to {p:,.0f}; expected the total to equal the sum of its parts "
                    "(fix one, or give only the parts)")
    return problems


def _gaps(data: pd.DataFrame, keys: list[str], source: str) -> list[str]:
    notes = []
    groups = data.groupby(keys) if keys else [((), data)]
    for key, group in groups:
        years = sorted(group["year"].unique())
        missing = sorted(set(range(years[0], years[-1] + 1)) - set(years)) if years else []
        if missing:
            label = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            notes.append(f"{source}: series {label or 'total'} has no rows for years {missing}; "
                         "forecasts need a continuous series (fill or confirm the gap)")
    return notes


def own_history_by_age_band(history: pd.DataFrame) -> pd.DataFrame:
    """An LA's own tidy history as ``year, age_band, count, flag`` with an ``all`` row a year.

    Keys other than the age band are summed over (or, when they have an ``all`` value, only
    those rows are kept, so a total is never added to its parts); single ages become age
    bands; years without an ``all`` row get one, the sum of their bands.

    Examples
    --------
    >>> h = pd.DataFrame({"year": [2024, 2024, 2024], "age_band": ["5-10", "5-10", "11-15"],
    ...                   "need": ["ASD", "SEMH", "ASD"], "count": [3.0, 4.0, 5.0]})
    >>> own_history_by_age_band(h)[["year", "age_band", "count"]].values.tolist()
    [[2024, '5-10', 7.0], [2024, '11-15', 5.0], [2024, 'all', 12.0]]
    """
    h = history.copy()
    if "age_band" not in h and "age" in h:
        h["age_band"] = age_band_of(h["age"].astype(int)).to_numpy()
    if "age_band" not in h:
        h["age_band"] = "all"
    for key in [c for c in h.columns if c not in ("year", "age_band", "count", "age")]:
        values = h[key].astype(str)
        if (values == "all").any():
            h = h[values == "all"]
    h = h.groupby(["year", "age_band"], as_index=False, sort=False)["count"].sum()
    bands = h[h["age_band"] != "all"]
    totals = h[h["age_band"] == "all"]
    missing = sorted(set(bands["year"]) - set(totals["year"]))
    if missing:
        add = bands[bands["year"].isin(missing)].groupby("year", as_index=False)["count"].sum()
        h = pd.concat([h, add.assign(age_band="all")], ignore_index=True)
    order = {b: i for i, b in enumerate(list(AGE_BANDS["age_band"]) + ["all"])}
    h = h.assign(_o=h["age_band"].map(order)).sort_values(["year", "_o"]).drop(columns="_o")
    return h.assign(flag="")[["year", "age_band", "count", "flag"]].reset_index(drop=True)
