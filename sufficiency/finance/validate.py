"""Input checks for :mod:`sufficiency.finance`: every problem raises
:class:`~sufficiency.errors.ValidationError` naming the input, the rows (1-based as a spreadsheet
user sees them, the header being row 1), the column and what was expected."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["require", "numeric"]


def require(frame, columns, name: str) -> None:
    """``frame`` is a DataFrame holding ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValidationError(f"{name}: missing columns {missing}; found {list(frame.columns)}")


def numeric(frame: pd.DataFrame, column: str, name: str, minimum: float | None = None) -> None:
    """``column`` holds finite numbers (>= ``minimum`` when given)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | ~np.isfinite(values.fillna(0))
    if minimum is not None:
        bad |= values < minimum
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:10])
        more = "" if bad.sum() <= 10 else f" (and {int(bad.sum()) - 10} more)"
        expect = "a number" if minimum is None else f"a number >= {minimum:g}"
        raise ValidationError(f"{name}: rows {rows}{more}, column {column}: expected {expect}")
