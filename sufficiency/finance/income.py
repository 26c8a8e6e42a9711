"""High Needs Block income: a base allocation, a growth assumption and adjustments.

Income here is the High Needs Block allocation **before** the ESFA deductions for directly funded
places (ESFA allocation tables, column [C] of the LA summary / ``total_before_deductions`` of the
high needs block table): the costs in :mod:`sufficiency.finance.costs` include place funding for
academy places, which the ESFA pays out of that allocation. Use the after-deductions figure only
with costs that leave academy place funding out.

Years follow the census convention (``year`` 2024 = financial year 2023-24), as in the ESFA
tables :mod:`sufficiency.data.highneeds` returns; :func:`fy_to_year` converts a financial-year
start (2023) read elsewhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.vocabulary import financial_year_label
from ..errors import ValidationError

__all__ = ["DEFAULT_GROWTH", "DEFAULT_GROWTH_SOURCE", "fy_to_year", "financial_year_label",
           "project_income", "la_income_base", "historical_growth"]

#: Default growth of the High Needs Block a year (assumption; see DEFAULT_GROWTH_SOURCE).
DEFAULT_GROWTH = 0.03
DEFAULT_GROWTH_SOURCE = ("assumption: 3% a year, the high needs NFF funding floor for 2024-25 "
                         "(minimum increase per head); England's block grew ~12% a year "
                         "2020-21 to 2023-24 (ESFA DSG allocations)")


def fy_to_year(fy_start) -> int:
    """Financial-year start (2023 for 2023-24) -> census-convention ``year`` (2024).

    Examples
    --------
    >>> fy_to_year(2023)
    2024
    """
    return int(fy_start) + 1


def project_income(base_gbp: float, years, base_year: int, growth: float | dict = DEFAULT_GROWTH,
                   import_export_gbp: float | dict = 0.0, other_income_gbp: float | dict = 0.0
                   ) -> pd.DataFrame:
    """Project the High Needs Block allocation year by year.

    Parameters
    ----------
    base_gbp : float
        The allocation in ``base_year`` (£, before deductions, excluding import/export).
    years : iterable of int
        Years to project (census convention).
    base_year : int
        The year of ``base_gbp``.
    growth : float or dict
        Annual growth (0.03 = 3%), or ``{year: rate}`` (years not given use the last rate given
        before them, or 0).
    import_export_gbp : float or dict
        The import/export adjustment (£ a year, or ``{year: £}``), added as given.
    other_income_gbp : float or dict
        Other income to the block (a schools block transfer, a Safety Valve payment ...), £.

    Returns
    -------
    DataFrame
        ``year, allocation_gbp, import_export_gbp, other_income_gbp, income_gbp``.

    Examples
    --------
    >>> project_income(100e6, [2025, 2026], 2024, growth=0.03)["income_gbp"].round().tolist()
    [103000000.0, 106090000.0]
    """
    years = sorted({int(y) for y in years})
    if not np.isfinite(base_gbp) or base_gbp < 0:
        raise ValidationError(f"income: base_gbp {base_gbp!r}; expected a non-negative amount in £")
    rows, level = [], float(base_gbp)
    horizon = range(min(base_year, years[0]), years[-1] + 1) if years else []
    levels = {}
    for y in horizon:
        if y > base_year:
            level *= 1.0 + _at(growth, y, default=0.0, carry=True)
        levels[y] = level if y >= base_year else np.nan
    for y in years:
        if y < base_year:
            raise ValidationError(f"income: year {y} is before base_year {base_year}")
        rows.append((y, levels[y], _at(import_export_gbp, y), _at(other_income_gbp, y)))
    out = pd.DataFrame(rows, columns=["year", "allocation_gbp", "import_export_gbp",
                                      "other_income_gbp"])
    out["income_gbp"] = out["allocation_gbp"] + out["import_export_gbp"] + out["other_income_gbp"]
    return out


def la_income_base(la, year: int | None = None) -> tuple[float, int, float]:
    """An LA's latest High Needs Block allocation before deductions, from the embedded tables.

    Returns
    -------
    (allocation_gbp, year, import_export_gbp)
        The allocation excluding the import/export adjustment, its year (census convention) and
        that year's import/export adjustment.

    Examples
    --------
    >>> base, year, imp = la_income_base("Derby")
    >>> year, round(base + imp)
    (2024, 56648963)
    """
    from ..data import highneeds

    block = highneeds.la_high_needs_block(la)
    year = int(block["year"].max()) if year is None else int(year)
    rows = block[block["year"] == year].set_index("line")["value"]
    if "total_before_deductions" not in rows:
        raise ValidationError(f"high needs block for {la!r}: no total_before_deductions in "
                              f"{financial_year_label(year)}")
    imp = float(rows.get("import_export_adjustment", 0.0))
    return float(rows["total_before_deductions"]) - imp, year, imp


def historical_growth(la) -> float:
    """Average annual growth of an LA's High Needs Block before deductions, 2020-21 to latest.

    Examples
    --------
    >>> 0.05 < historical_growth("Derby") < 0.25
    True
    """
    from ..data import highneeds

    block = highneeds.la_high_needs_block(la)
    series = block[block["line"] == "total_before_deductions"].set_index("year")["value"].sort_index()
    if len(series) < 2 or series.iloc[0] <= 0:
        raise ValidationError(f"high needs block for {la!r}: fewer than two years")
    span = series.index[-1] - series.index[0]
    return float((series.iloc[-1] / series.iloc[0]) ** (1.0 / span) - 1.0)


def _at(value, year: int, default: float = 0.0, carry: bool = False) -> float:
    if isinstance(value, dict):
        if year in value:
            return float(value[year])
        if carry:
            earlier = [y for y in value if y <= year]
            return float(value[max(earlier)]) if earlier else default
        return default
    if isinstance(value, pd.Series):
        return float(value.get(year, default))
    return float(value)
