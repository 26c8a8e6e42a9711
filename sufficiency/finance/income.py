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

__all__ = ["DEFAULT_GROWTH", "DEFAULT_GROWTH_SOURCE", "ANNOUNCED_GROWTH", "fy_to_year",
           "financial_year_label", "income_growth_path", "income_growth_table",
           "project_income", "income_base", "la_income_base", "historical_growth"]

#: Growth of the High Needs Block a year after the last announced year (assumption; see
#: DEFAULT_GROWTH_SOURCE). ``finance.income_growth`` in a scenario sets it.
DEFAULT_GROWTH = 0.03
DEFAULT_GROWTH_SOURCE = ("assumption: 3% a year after 2025-26, the last year with announced "
                         "allocations. The only published envelope beyond it is the Spending "
                         "Review 2025 (June 2025): the core schools budget, high needs included, "
                         "rises from £64.8bn in 2025-26 to £69.5bn in 2028-29, +2.4% a year in "
                         "cash; the high needs NFF floors were +3% (2024-25) and +7% (2025-26); "
                         "England's block before deductions grew 12.1% a year 2020-21 to 2023-24 "
                         "(£7.06bn to £9.95bn, ESFA DSG allocations, embedded). 3% is above the "
                         "Spending Review's average for the whole budget and far below the "
                         "recent growth of the block")

#: High Needs Block growth announced by the DfE for the years after the embedded ESFA
#: allocations (which end in 2023-24): ``{year (census convention): (rate, source)}``. The NFF
#: floor per head of the 2-18 population is taken for every LA (most LAs sit on it; the gains
#: limit is the most an LA can get), without the population change.
ANNOUNCED_GROWTH = {
    2025: (0.03, "DfE, The national funding formulae for schools and high needs 2024-25 (July "
                 "2023): every LA at least +3% per head of its 2-18 population on 2023-24, gains "
                 "limited to +5%; the floor taken"),
    2026: (0.07, "DfE, Schools and high needs NFF 2025-26 policy document (November 2024): "
                 "every LA at least +7% per head on 2024-25, gains up to +10% (the £1bn high "
                 "needs increase of the October 2024 Budget); the floor taken"),
}


def fy_to_year(fy_start) -> int:
    """Financial-year start (2023 for 2023-24) -> census-convention ``year`` (2024).

    Examples
    --------
    >>> fy_to_year(2023)
    2024
    """
    return int(fy_start) + 1


def income_growth_path(growth: float | dict = DEFAULT_GROWTH,
                       announced: dict | None = None) -> dict:
    """High Needs Block growth by year: the DfE's announced rates, then ``growth``.

    Parameters
    ----------
    growth : float or dict
        Growth a year after the last announced year (a float), or a complete ``{year: rate}``
        path, returned as given (years not in it take the last rate before them).
    announced : dict, optional
        ``{year: (rate, source)}``; default :data:`ANNOUNCED_GROWTH`.

    Returns
    -------
    dict
        ``{year: rate}`` for :func:`project_income` (the last entry carries on).

    Examples
    --------
    >>> income_growth_path(0.02)
    {2025: 0.03, 2026: 0.07, 2027: 0.02}
    """
    if isinstance(growth, dict):
        return {int(y): float(r) for y, r in growth.items()}
    announced = ANNOUNCED_GROWTH if announced is None else announced
    path = {int(y): float(rate) for y, (rate, _) in sorted(announced.items())}
    path[max(path) + 1 if path else 0] = float(growth)
    return path


def income_growth_table(years, growth: float | dict = DEFAULT_GROWTH, base_year: int = 2024,
                        source: str = DEFAULT_GROWTH_SOURCE) -> pd.DataFrame:
    """The growth of the High Needs Block used in each year after ``base_year``, and why.

    Returns
    -------
    DataFrame
        ``year, financial_year, rate, basis, source``: ``basis`` is ``announced`` (the DfE's
        NFF floor, :data:`ANNOUNCED_GROWTH`) or ``assumption`` (``growth``, with ``source``).

    Examples
    --------
    >>> income_growth_table([2026, 2027])[["year", "rate", "basis"]].values.tolist()
    [[2025, 0.03, 'announced'], [2026, 0.07, 'announced'], [2027, 0.03, 'assumption']]
    """
    years = sorted({int(y) for y in years})
    path = income_growth_path(growth)
    given = isinstance(growth, dict)
    rows = []
    for y in range(int(base_year) + 1, (years[-1] if years else base_year) + 1):
        rate = _at(path, y, default=0.0, carry=True)
        if not given and y in ANNOUNCED_GROWTH:
            rows.append((y, financial_year_label(y), rate, "announced", ANNOUNCED_GROWTH[y][1]))
        else:
            rows.append((y, financial_year_label(y), rate, "assumption",
                         "given year by year" if given else source))
    return pd.DataFrame(rows, columns=["year", "financial_year", "rate", "basis", "source"])


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

    A notebook convenience: :func:`income_base` of :func:`sufficiency.data.highneeds.
    la_high_needs_block`.

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

    return income_base(highneeds.la_high_needs_block(la), year, label=repr(la))


def income_base(high_needs_block: pd.DataFrame, year: int | None = None,
                label: str = "the LA") -> tuple[float, int, float]:
    """The High Needs Block allocation before deductions of one year, without import/export.

    Parameters
    ----------
    high_needs_block : DataFrame
        ``year, line, value``: one LA's DSG allocation lines
        (:func:`sufficiency.data.highneeds.la_high_needs_block`, ``year`` = census year).
    year : int, optional
        Census year (default the latest).
    label : str
        How the LA is named in an error.

    Returns
    -------
    (allocation_gbp, year, import_export_gbp)

    Examples
    --------
    >>> block = pd.DataFrame({"year": 2024, "line": ["total_before_deductions",
    ...                       "import_export_adjustment"], "value": [50e6, -1e6]})
    >>> income_base(block)
    (51000000.0, 2024, -1000000.0)
    """
    block = high_needs_block
    year = int(block["year"].max()) if year is None else int(year)
    rows = block[block["year"] == year].set_index("line")["value"]
    if "total_before_deductions" not in rows:
        raise ValidationError(f"high needs block for {label}: no total_before_deductions in "
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
