"""Input checks for :mod:`sufficiency.forecast`, and the panel every model works on.

A *panel* is the history reshaped for vectorised models: one row per series (a combination
of the key columns), one column per year, ``NaN`` where a series has no value. Every check
raises :class:`sufficiency.errors.ValidationError` naming the series (its key values), the
column and what was expected, with every problem listed at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["VALUE_COLUMNS", "IGNORED_COLUMNS", "MIN_OBS", "Panel", "key_columns",
           "check_history", "check_horizon", "check_quantiles", "quantile_name"]

#: Columns that are never keys.
VALUE_COLUMNS = ("count",)
#: Columns ignored when present in a history (metadata, not keys).
IGNORED_COLUMNS = ("flag", "la_name", "source", "note")
#: Fewest positive observations a series needs (two growth rates).
MIN_OBS = 3


@dataclass
class Panel:
    """History as a matrix: ``values[i, t]`` is series ``i`` in ``years[t]``.

    Attributes
    ----------
    keys : DataFrame
        One row per series, the key columns (may have no columns: a single series).
    years : ndarray of int
        Consecutive years, oldest first.
    values : ndarray of float, shape (n_series, n_years)
        Counts; ``NaN`` where missing (before a series starts).
    """

    keys: pd.DataFrame
    years: np.ndarray
    values: np.ndarray

    @property
    def key_names(self) -> list[str]:
        return list(self.keys.columns)

    def __len__(self) -> int:
        return len(self.keys)

    def label(self, i: int) -> str:
        """The series' key values as ``col=value`` text (for messages)."""
        if not self.key_names:
            return "the series"
        return ", ".join(f"{k}={v!r}" for k, v in self.keys.iloc[i].items())

    def upto(self, year: int) -> "Panel":
        """The panel truncated at ``year`` (inclusive): what was known at that origin."""
        keep = self.years <= year
        return Panel(self.keys, self.years[keep], self.values[:, keep])

    def subset(self, rows) -> "Panel":
        rows = np.asarray(rows)
        return Panel(self.keys.iloc[rows].reset_index(drop=True), self.years,
                     self.values[rows])

    def n_positive_tail(self) -> np.ndarray:
        """Length of each series' trailing run of positive values."""
        pos = np.isfinite(self.values) & (self.values > 0)
        # count trailing Trues
        rev = pos[:, ::-1]
        first_false = np.where(rev.all(axis=1), rev.shape[1], np.argmin(rev, axis=1))
        return first_false


def key_columns(history: pd.DataFrame) -> list[str]:
    """The key columns of a history: every column but ``year``, ``count`` and metadata."""
    return [c for c in history.columns
            if c not in ("year",) + VALUE_COLUMNS + IGNORED_COLUMNS]


def check_history(history, name: str = "history", min_obs: int = MIN_OBS) -> Panel:
    """Check a tidy history and return it as a :class:`Panel`.

    Parameters
    ----------
    history : DataFrame
        ``year`` (int), ``count`` (float, EHC plans, >= 0) and any key columns.
    name : str
        What to call the input in messages.
    min_obs : int
        Fewest trailing positive values each series must have.

    Raises
    ------
    ValidationError
        Missing columns, non-integer years, duplicate (keys, year) rows, gaps in a series,
        negative or missing counts, or a series with fewer than ``min_obs`` trailing positive
        values (leading zeros, like the 20-25 band before 2015, are allowed and ignored).

    Examples
    --------
    >>> import pandas as pd
    >>> p = check_history(pd.DataFrame({"year": [2020, 2021, 2022], "count": [10., 11, 12]}))
    >>> p.values.shape
    (1, 3)
    """
    problems: list[str] = []
    if not isinstance(history, pd.DataFrame):
        raise ValidationError(f"{name}: expected a pandas DataFrame with columns year, count "
                              f"and optional keys; got {type(history).__name__}")
    for col in ("year", "count"):
        if col not in history.columns:
            problems.append(f"{name}: column {col!r} is missing (columns are "
                            f"{list(history.columns)}); expected year, count and any keys")
    if problems:
        raise ValidationError(problems[0], problems)
    keys = key_columns(history)
    frame = history[keys + ["year", "count"]].copy()
    try:
        years = pd.to_numeric(frame["year"], errors="raise")
    except (ValueError, TypeError):
        bad = frame.index[pd.to_numeric(frame["year"], errors="coerce").isna()]
        raise ValidationError(f"{name}: column 'year' at rows {_rows(bad)}: expected an "
                              "integer year such as 2024") from None
    if (years != np.round(years)).any():
        bad = frame.index[years != np.round(years)]
        problems.append(f"{name}: column 'year' at rows {_rows(bad)}: expected whole years")
    frame["year"] = years.round().astype(int)
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = frame.index[counts.isna()]
    if len(bad):
        problems.append(f"{name}: column 'count' at rows {_rows(bad)}: expected a number "
                        "(missing or text); drop years that are not known")
    neg = frame.index[counts < 0]
    if len(neg):
        problems.append(f"{name}: column 'count' at rows {_rows(neg)}: expected a count >= 0")
    frame["count"] = counts.astype(float)
    for k in keys:
        if frame[k].isna().any():
            problems.append(f"{name}: column {k!r} at rows {_rows(frame.index[frame[k].isna()])}"
                            ": expected a value (key columns cannot be empty)")
    dup = frame.duplicated(keys + ["year"], keep=False)
    if dup.any():
        problems.append(f"{name}: rows {_rows(frame.index[dup])}: the same {keys + ['year']} "
                        "appears more than once; expected one row per series and year")
    if problems:
        raise ValidationError(problems[0], problems)
    if frame.empty:
        raise ValidationError(f"{name}: no rows; expected at least {min_obs} years per series")
    all_years = np.arange(frame["year"].min(), frame["year"].max() + 1)
    if keys:
        wide = frame.pivot(index=keys, columns="year", values="count")
        key_frame = wide.index.to_frame(index=False)
    else:
        wide = frame.set_index("year")[["count"]].T
        key_frame = pd.DataFrame(index=[0])
    wide = wide.reindex(columns=all_years)
    values = wide.to_numpy(dtype=float)
    panel = Panel(key_frame.reset_index(drop=True), all_years, values)
    for i in range(len(panel)):
        row = values[i]
        known = np.flatnonzero(np.isfinite(row))
        if len(known) and (np.diff(known) > 1).any():
            gap = [int(all_years[j]) for j in range(known[0], known[-1]) if not np.isfinite(row[j])]
            problems.append(f"{name}: series {panel.label(i)}: column 'year' has gaps "
                            f"({gap}); expected consecutive years")
        elif not len(known) or known[-1] != len(row) - 1:
            last = int(all_years[known[-1]]) if len(known) else None
            problems.append(f"{name}: series {panel.label(i)}: ends in {last}, other series in "
                            f"{int(all_years[-1])}; expected every series up to the same year")
    if problems:
        raise ValidationError(problems[0], problems)
    tail = panel.n_positive_tail()
    for i in np.flatnonzero(tail < min_obs) if min_obs > 0 else []:
        problems.append(f"{name}: series {panel.label(i)}: column 'count' has {tail[i]} positive "
                        f"value(s) at the end of the series; expected at least {min_obs} "
                        "consecutive positive years (growth models work on log counts)")
    if problems:
        raise ValidationError(problems[0], problems)
    return panel


def check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) \
            or not 1 <= horizon <= 30:
        raise ValidationError(f"horizon = {horizon!r}: expected an integer number of years "
                              "from 1 to 30")
    return int(horizon)


def check_quantiles(quantiles) -> tuple[float, ...]:
    q = tuple(float(x) for x in quantiles)
    if not q or any(not 0 < x < 1 for x in q):
        raise ValidationError(f"quantiles = {quantiles!r}: expected probabilities strictly "
                              "between 0 and 1, e.g. (0.05, 0.1, 0.5, 0.9, 0.95)")
    return tuple(sorted(set(q)))


def quantile_name(q: float) -> str:
    """``0.05 -> "p05"``, ``0.5 -> "p50"``, ``0.975 -> "p97.5"``."""
    pct = round(q * 100, 6)
    return f"p{int(pct):02d}" if pct == int(pct) else f"p{pct:g}"


def _rows(index) -> str:
    rows = [int(i) + 2 for i in list(index)[:8]]  # 1-based, header is row 1
    more = "" if len(index) <= 8 else f" and {len(index) - 8} more"
    return ", ".join(map(str, rows)) + more
