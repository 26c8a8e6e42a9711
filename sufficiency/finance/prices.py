"""Price paths: how much a top-up, a place and an independent fee cost each year, and why.

A placement's cost moves with its price, and the prices of its parts move differently:

* **place funding** (£10,000 / £6,000 a place) is a cash rate, unchanged since 2013-14 (ESFA
  high needs operational guides): index flat;
* **top-ups** (element 3) are set by each LA's banding; most of a school's cost is staff, so the
  index follows the **teachers' pay awards** (STRB, each September), weighted to financial years
  (7/12 of the September award in the year it is paid, 5/12 of the one before);
* **independent fees** (independent and non-maintained special schools, specialist post-16
  institutions) follow **CPI** (ONS series D7G7, the annual average of the calendar year in which
  the financial year starts);
* **transport** (general fund, not the DSG) follows CPI;
* **central** high-needs services (SEN support, AP and hospital services, therapies) follow the
  pay index.

Past years use the published figures (:data:`PRICE_HISTORY`). Beyond the last published figure
each series grows at a stated assumption (:data:`PRICE_ASSUMPTIONS`); the growth of independent
fees is its own parameter (``independent_fee_growth``) because it drives most LAs' deficits.

``year`` is the census convention (2026 = financial year 2025-26); a rate for ``year`` Y is the
growth from Y-1 to Y.

Examples
--------
>>> from sufficiency.finance.prices import price_index
>>> idx = price_index([2022, 2023], base_year=2022)
>>> round(float(idx.query("series == 'independent_fee' and year == 2023")["index"].item()), 3)
1.091
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["SERIES", "STRB", "CPI", "CASH", "PRICE_HISTORY", "PRICE_ASSUMPTIONS",
           "COMPONENT_SERIES", "price_rates", "price_index"]

SERIES = ("place_funding", "top_up", "independent_fee", "transport", "central")

STRB = ("teachers' pay awards, England (School Teachers' Review Body reports and DfE "
        "announcements): September 2016 1%, 2017 1%, 2018 2% (3.5% main range, 2% upper, 1.5% "
        "leadership), 2019 2.75%, 2020 3.1% (average), 2021 0% (freeze), 2022 5%, 2023 6.5%, 2024 "
        "5.5%, 2025 4%; financial year = 7/12 of the September award + 5/12 of the one before")
CPI = ("ONS consumer prices index, annual average rate (D7G7): 2016 0.7%, 2017 2.7%, 2018 2.5%, "
       "2019 1.8%, 2020 0.9%, 2021 2.6%, 2022 9.1%, 2023 7.3%, 2024 2.5%; financial year Y-1 to Y "
       "takes the calendar year Y-1")
CASH = ("ESFA high needs funding operational guides: place funding £10,000 (special, AP) and "
        "£6,000 (resourced provision, FE) a place, unchanged since 2013-14")

_SEPT_AWARD = {2016: 0.01, 2017: 0.01, 2018: 0.02, 2019: 0.0275, 2020: 0.031, 2021: 0.0,
               2022: 0.05, 2023: 0.065, 2024: 0.055, 2025: 0.04}
_CPI = {2016: 0.007, 2017: 0.027, 2018: 0.025, 2019: 0.018, 2020: 0.009, 2021: 0.026,
        2022: 0.091, 2023: 0.073, 2024: 0.025}


def _history() -> pd.DataFrame:
    rows = []
    for year in range(2018, 2027):
        # financial year (year-1)-(year): April year-1 .. March year
        pay = 7 / 12 * _SEPT_AWARD[year - 1] + 5 / 12 * _SEPT_AWARD[year - 2]
        rows.append(("top_up", year, pay, STRB))
        rows.append(("central", year, pay, STRB))
        rows.append(("place_funding", year, 0.0, CASH))
        if year - 1 in _CPI:
            rows.append(("independent_fee", year, _CPI[year - 1], CPI))
            rows.append(("transport", year, _CPI[year - 1], CPI))
    return pd.DataFrame(rows, columns=["series", "year", "rate", "source"])


#: Published annual growth by series and ``year`` (census convention): ``series, year, rate,
#: source``. Rates for ``year`` Y are the growth from Y-1 to Y.
PRICE_HISTORY = _history()

#: Growth a year after the last published figure of each series: ``series, rate, source``.
PRICE_ASSUMPTIONS = pd.DataFrame(
    [
        ("place_funding", 0.0, "assumption: cash rates stay at £10,000 / £6,000 (" + CASH + ")"),
        ("top_up", 0.03, "assumption: 3% a year, pay awards settling near the 2025 award (4%) "
         "less efficiency; the DfE's special-school minimum funding guarantee was 3% in 2023-24"),
        ("independent_fee", 0.04, "assumption (parameter independent_fee_growth): CPI target 2% "
         "plus 2 points; independent providers' annual fee uplifts have run above CPI"),
        ("transport", 0.03, "assumption: 3% a year (CPI target 2% plus fuel and driver wages)"),
        ("central", 0.03, "assumption: as top-ups (staff costs)"),
    ],
    columns=["series", "rate", "source"],
)

#: Which price series each part of a placement's cost follows.
COMPONENT_SERIES = {"place_funding_gbp": "place_funding", "top_up_gbp": "top_up",
                    "fee_gbp": "independent_fee", "transport_gbp": "transport",
                    "central_gbp": "central"}


def price_rates(years, history: pd.DataFrame | None = None,
                assumptions: pd.DataFrame | dict | None = None,
                independent_fee_growth: float | None = None) -> pd.DataFrame:
    """Annual growth of each price series in each year, published where known.

    Parameters
    ----------
    years : iterable of int
        Census-convention years (2026 = 2025-26).
    history : DataFrame, optional
        ``series, year, rate, source`` replacing :data:`PRICE_HISTORY` (an LA's own uplifts).
    assumptions : DataFrame or dict, optional
        Growth beyond the history: ``series, rate[, source]`` or ``{series: rate}``; default
        :data:`PRICE_ASSUMPTIONS`.
    independent_fee_growth : float, optional
        Growth of independent fees a year beyond the history (overrides the assumption).

    Returns
    -------
    DataFrame
        ``series, year, rate, source, published`` (``published`` False where the assumption
        is used).

    Examples
    --------
    >>> r = price_rates([2023, 2030]).query("series == 'top_up'")
    >>> [round(float(x), 4) for x in r["rate"]], r["published"].tolist()
    ([0.0292, 0.03], [True, False])
    """
    hist = PRICE_HISTORY if history is None else history
    for col in ("series", "year", "rate"):
        if col not in hist:
            raise ValidationError(f"price history: missing column {col!r}; expected series, "
                                  "year, rate, source")
    beyond = _assumption_table(assumptions)
    if independent_fee_growth is not None:
        rate = float(independent_fee_growth)
        if not np.isfinite(rate) or rate <= -1:
            raise ValidationError(f"independent_fee_growth {rate!r}: expected a rate above -1 "
                                  "(0.04 = 4% a year)")
    assumed = {series: (float(rate), source) for series, rate, source
               in zip(beyond["series"], beyond["rate"], beyond["source"])}
    if independent_fee_growth is not None:
        assumed["independent_fee"] = (rate, "parameter independent_fee_growth")
    sources = hist["source"] if "source" in hist else ["given"] * len(hist)
    known = {(series, int(year)): (float(rate), source) for series, year, rate, source
             in zip(hist["series"], hist["year"], hist["rate"], sources)}
    rows, span = [], sorted({int(y) for y in years})
    for series in SERIES:
        assumed_rate, assumed_source = assumed[series]
        for year in span:
            if (series, year) in known:
                rate, source = known[(series, year)]
                rows.append((series, year, rate, source, True))
            else:
                rows.append((series, year, assumed_rate, assumed_source, False))
    return pd.DataFrame(rows, columns=["series", "year", "rate", "source", "published"])


def price_index(years, base_year: int, **kwargs) -> pd.DataFrame:
    """Price level of each series in each year relative to ``base_year`` (index 1 there).

    Parameters
    ----------
    years : iterable of int
        Census-convention years, before or after ``base_year``.
    base_year : int
        The year whose prices the costs are in (e.g. the calibration year).
    **kwargs
        Passed to :func:`price_rates` (``history``, ``assumptions``,
        ``independent_fee_growth``).

    Returns
    -------
    DataFrame
        ``series, year, index, rate, published, source``.

    Examples
    --------
    >>> i = price_index([2021, 2022, 2023], base_year=2022).query("series == 'place_funding'")
    >>> i["index"].tolist()
    [1.0, 1.0, 1.0]
    """
    years = sorted({int(y) for y in years})
    base_year = int(base_year)
    if set(kwargs) <= {"history", "assumptions", "independent_fee_growth"} and \
            kwargs.get("history") is None and kwargs.get("assumptions") is None:
        # the published paths and the module's assumptions: the same index for the same
        # years, base year and fee growth, whichever LA asks (a run asks ~10 times)
        fee = kwargs.get("independent_fee_growth")
        return _published_index(tuple(years), base_year,
                                None if fee is None else float(fee)).copy()
    return _index(years, base_year, **kwargs)


@functools.lru_cache(maxsize=256)
def _published_index(years: tuple, base_year: int, independent_fee_growth) -> pd.DataFrame:
    """:func:`price_index` on :data:`PRICE_HISTORY` and :data:`PRICE_ASSUMPTIONS` (cached by
    its arguments; callers get a copy)."""
    return _index(list(years), base_year, independent_fee_growth=independent_fee_growth)


def _index(years: list, base_year: int, **kwargs) -> pd.DataFrame:
    span = range(min(years + [base_year]), max(years + [base_year]) + 1)
    rates = price_rates(span, **kwargs)
    # each series' level chained from base_year, year by year (plain floats: the same
    # products as a pandas loop, without its overhead; a run calls this ~20 times)
    growth: dict = {}
    for series, year, rate in zip(rates["series"], rates["year"], rates["rate"]):
        growth.setdefault(series, {})[int(year)] = rate
    levels = {}
    for series, g in growth.items():
        level = {base_year: 1.0}
        for y in range(base_year + 1, span[-1] + 1):
            level[y] = level[y - 1] * (1.0 + g[y])
        for y in range(base_year - 1, span[0] - 1, -1):
            level[y] = level[y + 1] / (1.0 + g[y + 1])
        levels[series] = level
    frame = rates[rates["year"].isin(years)].reset_index(drop=True)
    frame["index"] = pd.Series([levels[s][int(y)] for s, y in zip(frame["series"], frame["year"])],
                               dtype=float)
    return frame[["series", "year", "index", "rate", "published", "source"]]


def _assumption_table(assumptions) -> pd.DataFrame:
    base = PRICE_ASSUMPTIONS.copy()
    if assumptions is None:
        return base
    if isinstance(assumptions, dict):
        assumptions = pd.DataFrame({"series": list(assumptions), "rate": list(assumptions.values())})
    unknown = sorted(set(assumptions["series"]) - set(SERIES))
    if unknown:
        raise ValidationError(f"price assumptions: series {unknown} not known; expected any of "
                              f"{list(SERIES)}")
    for r in assumptions.to_dict("records"):
        hit = base["series"] == r["series"]
        base.loc[hit, "rate"] = float(r["rate"])
        base.loc[hit, "source"] = r.get("source") or "given"
    return base
