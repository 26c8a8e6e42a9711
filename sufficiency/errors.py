"""Exceptions and warnings shared by every stage of ``sufficiency``."""

from __future__ import annotations

__all__ = ["ValidationError", "SolverError", "DataWarning"]


class ValidationError(ValueError):
    """Input that cannot be used as given.

    The message names the input (file or argument), the rows (1-based, as a user sees them in
    a spreadsheet, counting the header as row 1), the column and what was expected.

    Attributes
    ----------
    problems : list of str
        Every problem found, one line each, so a user can fix them all in one pass.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [message])
        super().__init__(message)


class SolverError(RuntimeError):
    """The optimiser gave no usable plan (no solution in the time limit, or a solution that
    broke the model's own constraints twice). The message says which and what to change."""


class DataWarning(UserWarning):
    """A data quality note: suppressed cells, a collection break, an estimated value."""
