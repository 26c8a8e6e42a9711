"""The backcast: what the cost model says an LA spent, year by year, beside what it did spend.

A finance officer's first question of any cost model is "does this match our outturn?". The
backcast answers it on the published definition: **net high-needs expenditure, the section 251
outturn lines 1.2.x** (top-ups to maintained, academy and independent providers, SEN support,
AP and hospital services, therapies, less income; not the place funding inside the schools
budget nor the ESFA-funded academy places: :mod:`sufficiency.data.s251`).

How (:func:`s251_unit_costs`, then :func:`backcast`):

1. **Calibrate** in one year (``calibration_year``, default 2022 = 2021-22, the outturn in the
   DfE high needs benchmarking extract): each s251 line goes to the placements it pays for, with
   the LA's January placements of that year (SEN2):

   ===============================================  =========================================
   s251 outturn lines (benchmarking extract)        placements (SEN2 provision)
   ===============================================  =========================================
   top-ups primary + secondary (both columns)       ``mainstream``, ``resource_base`` (shared
                                                    with the national default top-ups as
                                                    weights: £8,000 and £10,000)
   top-up maintained special                        ``special_maintained``
   top-up independent special                       ``special_independent``,
                                                    ``special_non_maintained`` (weights £63,000
                                                    and £45,000)
   top-up maintained post school                    ``fe_college``
   top-up independent post school                   ``specialist_post16``
   top-ups early years                              ``early_years``
   SEN support, AP and hospital services,           central (not per placement)
   therapies, AP top-ups, less top-up income
   ===============================================  =========================================

   A line whose placements are 0 in that January goes to central spend (noted). AP top-ups are
   central because AP mostly serves pupils without an EHC plan.
2. **Backcast** every year with published placements (January 2019-2025 = 2018-19 to 2024-25):
   ``spend(Y) = sum_p count(Y, p) x unit cost(p) x price(Y) / price(C) + central x plans(Y) /
   plans(C) x price(Y) / price(C)``, top-ups on the top-up price path, fees on the independent
   fee path, central spend on the central path and the LA's EHC plan count (its services scale
   with the caseload) (:mod:`sufficiency.finance.prices`).

By construction ``spend(C)`` equals the s251 outturn of the calibration year to the pound (where
the published series differs from the benchmarking lines, by late revisions, the difference is a
``reconciliation`` line of central spend). The
other years are not fitted: ``benchmarks/finance_backcast.py`` scores their growth against the
outturn for every LA, next to two baselines.

References
----------
DfE, *Section 251 outturn* lines 1.2.x and *High needs benchmarking tool 2021-22*; DfE, *Education,
health and care plans* (SEN2) 2019-2025.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .income import financial_year_label
from .prices import price_index

__all__ = ["S251_LINES", "POOLS", "COMPONENTS", "CENSUS_WEIGHT", "CENSUS_WEIGHT_SOURCE",
           "LA_WEIGHT", "LA_WEIGHT_SOURCE", "weighted_placements", "s251_unit_costs",
           "england_model", "backcast"]

#: Share of a financial year's placements counted at the January census inside it: the year
#: April Y-1 to March Y is paid for children placed through it, and its mid-point (1 October
#: Y-1) lies 9 months after the January Y-1 census and 3 months before January Y, so with the
#: stock linear between censuses the placements it pays for are 0.75 x January Y + 0.25 x
#: January Y-1 (1.0 = the January Y census alone, as before issue 13's session 3).
CENSUS_WEIGHT = 0.75
CENSUS_WEIGHT_SOURCE = ("the financial year's mid-point (1 October) is 9 of the 12 months from "
                        "the January census before it to the one inside it: placements "
                        "interpolated linearly between censuses")

#: Weight of the LA's own placements in its modelled growth; the rest is England's modelled
#: growth (same model, England's placements and lines): ``growth = LA ** w x England ** (1 - w)``.
#: Across LAs an LA's SEN2 placements explain little of how its s251 spend grows (recording
#: changes in SEN2, lines coded differently, local decisions on bands and services), so its own
#: placements are weighted by how much they have told about its spend: the slope of log outturn
#: growth on log modelled growth over 2018-19 -> 2020-21 across all LAs (0.39; the newest
#: year, 2021-22, not used). 1.0 = the LA's placements alone.
LA_WEIGHT = 0.39
LA_WEIGHT_SOURCE = ("slope of log s251 outturn growth on log modelled growth, 2018-19 -> "
                    "2020-21, 146 LAs (benchmarks/finance_backcast.py; 2021-22 not used): "
                    "the share of an LA's own placement-driven growth that showed in its spend")

#: s251 outturn lines (benchmarking extract codes) -> the pool they fill.
S251_LINES = {
    "top_up_maintained_primary": "mainstream_pool",
    "top_up_maintained_secondary": "mainstream_pool",
    "top_up_independent_primary": "mainstream_pool",
    "top_up_independent_secondary": "mainstream_pool",
    "top_up_maintained_special": "special",
    "top_up_independent_special": "independent",
    "top_up_maintained_post_school": "fe",
    "top_up_independent_post_school": "specialist_post16",
    "top_up_maintained_early_years": "early_years",
    "top_up_independent_early_years": "early_years",
    "top_up_maintained_ap": "central",
    "top_up_independent_ap": "central",
    "top_up_maintained_income": "central",
    "top_up_independent_income": "central",
    "sen_support_services": "central",
    "ap_services": "central",
    "hospital_services": "central",
    "therapies": "central",
}
_INCOME = ("top_up_maintained_income", "top_up_independent_income")

#: Pool -> (component, members): the placements a pool pays for. Weights share a pool between
#: provisions by their national default cost (:data:`sufficiency.finance.costs.DEFAULTS`:
#: mainstream top-up £8,000, resourced £10,000; independent fee £63,000, non-maintained
#: £45,000). Pools paid to independent and non-maintained providers (the s251 "independent"
#: column) are fees (``fee_gbp``, the independent-fee price path); the rest are top-ups.
POOLS = {
    "mainstream_pool": ("top_up_gbp", (("mainstream", 8000.0), ("resource_base", 10000.0))),
    "special": ("top_up_gbp", (("special_maintained", 1.0),)),
    "independent": ("fee_gbp", (("special_independent", 63000.0),
                                ("special_non_maintained", 45000.0))),
    "fe": ("top_up_gbp", (("fe_college", 1.0),)),
    "specialist_post16": ("fee_gbp", (("specialist_post16", 1.0),)),
    "early_years": ("top_up_gbp", (("early_years", 1.0),)),
}
COMPONENTS = ("top_up_gbp", "fee_gbp", "central_gbp")


def weighted_placements(placements: pd.DataFrame, weight: float = CENSUS_WEIGHT,
                        earlier_ehcp: pd.DataFrame | None = None) -> pd.DataFrame:
    """Placements paid for in each financial year: ``weight x January Y + (1 - weight) x
    January Y-1`` for the year (Y-1)-(Y).

    Parameters
    ----------
    placements : DataFrame
        ``year, provision, count`` (January censuses, consecutive years; an ``all`` row is
        weighted like the others).
    weight : float
        :data:`CENSUS_WEIGHT` (0.75); 1.0 returns the January counts.
    earlier_ehcp : DataFrame, optional
        ``year, count``: EHC plans in earlier Januaries (e.g. :func:`sufficiency.data.
        la_history` summed over age bands). The January before the first year is that year's
        placements scaled by the plans' change; without it, by the next year's change carried
        back.

    Returns
    -------
    DataFrame
        ``year, provision, count``.

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2021, 2022], "provision": "special_maintained",
    ...                   "count": [100.0, 120.0]})
    >>> weighted_placements(p)["count"].round(2).tolist()   # 2021: 100 / 1.2 carried back
    [95.83, 115.0]
    """
    if not 0.0 <= float(weight) <= 1.0:
        raise ValidationError(f"census weight {weight!r}: expected a share between 0 and 1")
    p = placements.copy()
    p["year"] = p["year"].astype(int)
    wide = p.pivot_table(index="year", columns="provision", values="count", aggfunc="sum")
    if float(weight) == 1.0 or wide.empty:
        return p[["year", "provision", "count"]]
    wide = wide.reindex(range(int(wide.index.min()), int(wide.index.max()) + 1))
    plans = wide["all"] if "all" in wide else wide.sum(axis=1, min_count=1)
    first = int(wide.index.min())
    ratio = np.nan
    if earlier_ehcp is not None and len(earlier_ehcp):
        earlier = earlier_ehcp.groupby("year")["count"].sum(min_count=1)
        if first - 1 in earlier.index and plans.get(first, 0) > 0:
            ratio = float(earlier[first - 1]) / float(plans[first])
    if not np.isfinite(ratio) and first + 1 in plans.index and plans.get(first + 1, 0) > 0:
        ratio = float(plans[first]) / float(plans[first + 1])
    prev = wide.shift(1)
    prev.loc[first] = wide.loc[first] * (ratio if np.isfinite(ratio) else 1.0)
    out = (float(weight) * wide + (1.0 - float(weight)) * prev).fillna(wide)
    out = out.stack().rename("count").reset_index()
    keep = p.set_index(["year", "provision"]).index
    out = out[pd.MultiIndex.from_frame(out[["year", "provision"]]).isin(keep)]
    return out[["year", "provision", "count"]].reset_index(drop=True)


def s251_unit_costs(placements: pd.DataFrame, high_needs: pd.DataFrame,
                    calibration_year: int = 2022, label: str = "LA",
                    min_placements: int = 10) -> tuple[pd.DataFrame, float, pd.DataFrame]:
    """An LA's s251 cost per placement by provision in the calibration year.

    Parameters
    ----------
    placements : DataFrame
        ``year, provision, count`` (:func:`sufficiency.data.la_placements`); the rows of
        ``calibration_year`` are used (``provision == "all"`` ignored).
    high_needs : DataFrame
        ``line, value``: the s251 outturn lines of the calibration year
        (:func:`sufficiency.data.la_high_needs`, whose outturn is 2021-22).
    calibration_year : int
        Census-convention year of the outturn (2022 = 2021-22).
    label : str
        The LA's name, for messages.
    min_placements : int
        A pool whose placements number fewer than this in the calibration year is counted as
        central spend (a cost per placement from one or two children would swing the
        backcast with every child; default 10).

    Returns
    -------
    (unit_costs, central_gbp, derivation)
        ``unit_costs``: ``provision, component, pool, count, amount_gbp, unit_cost_gbp``
        (£ a placement a year, calibration-year prices); ``central_gbp``: spend not per
        placement (£); ``derivation``: ``item, amount_gbp, pool, note`` for every line.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2022, "provision": ["mainstream", "special_maintained"],
    ...                   "count": [100.0, 50.0]})
    >>> hn = pd.DataFrame({"line": ["top_up_maintained_primary", "top_up_maintained_special",
    ...                             "sen_support_services"], "value": [800e3, 1e6, 2e5]})
    >>> u, central, _ = s251_unit_costs(p, hn)
    >>> u.set_index("provision")["unit_cost_gbp"].round().to_dict(), central
    ({'mainstream': 8000.0, 'resource_base': 10000.0, 'special_maintained': 20000.0}, 200000.0)
    """
    for col in ("line", "value"):
        if col not in high_needs:
            raise ValidationError(f"high needs lines for {label}: expected columns line, value; "
                                  f"missing {col!r}")
    for col in ("year", "provision", "count"):
        if col not in placements:
            raise ValidationError(f"placements for {label}: expected columns year, provision, "
                                  f"count; missing {col!r}")
    values = high_needs.groupby("line")["value"].sum(min_count=1).to_dict()
    present = [line for line in S251_LINES if line in values]
    if not present:
        raise ValidationError(f"high needs lines for {label}: none of the s251 outturn lines "
                              f"{list(S251_LINES)[:3]}...; expected the benchmarking extract's "
                              "lines (sufficiency.data.la_high_needs)")
    placed = placements[(placements["year"] == int(calibration_year))
                        & (placements["provision"] != "all")]
    if placed.empty:
        years = sorted({int(y) for y in placements["year"]})
        raise ValidationError(f"placements for {label}: no rows for the calibration year "
                              f"{calibration_year}; expected one of {years}")
    n = placed.groupby("provision")["count"].sum(min_count=1).fillna(0.0)
    rows, pools = [], {}
    for line, pool in S251_LINES.items():
        amount = float(values.get(line, 0.0) or 0.0)
        if line in _INCOME:
            amount = -amount
        rows.append([line, amount, pool, ""])
        pools[pool] = pools.get(pool, 0.0) + amount
    derivation = pd.DataFrame(rows, columns=["item", "amount_gbp", "pool", "note"])
    units, central = [], pools.pop("central", 0.0)
    for pool, (component, members) in POOLS.items():
        amount = pools.get(pool, 0.0)
        weighted = sum(float(n.get(p, 0.0)) * w for p, w in members)
        placed_n = sum(float(n.get(p, 0.0)) for p, _ in members)
        if weighted <= 0 or placed_n < min_placements:
            if amount != 0:
                central += amount
                derivation.loc[derivation["pool"] == pool, "note"] = (
                    f"{placed_n:.0f} {'/'.join(p for p, _ in members)} placements in January "
                    f"{calibration_year} (fewer than {min_placements}): counted as central spend")
            continue
        for prov, w in members:
            count = float(n.get(prov, 0.0))
            unit = amount * w / weighted
            units.append((prov, component, pool, count, unit * count, unit))
    unit_costs = pd.DataFrame(units, columns=["provision", "component", "pool", "count",
                                              "amount_gbp", "unit_cost_gbp"])
    return unit_costs, float(central), derivation


def backcast(placements=None, high_needs: pd.DataFrame | None = None,
             outturn: pd.DataFrame | None = None, *, calibration_year: int = 2022,
             prices: pd.DataFrame | None = None, independent_fee_growth: float | None = None,
             min_placements: int = 10, la=None, census_weight: float = CENSUS_WEIGHT,
             earlier_ehcp: pd.DataFrame | None = None,
             label: str | None = None, la_weight: float = LA_WEIGHT,
             england: pd.DataFrame | None = None) -> pd.DataFrame:
    """Modelled net high-needs spend (s251 lines 1.2.x) for every year with placements.

    Parameters
    ----------
    placements : DataFrame or str
        ``year, provision, count``: the LA's January placements (SEN2,
        :func:`sufficiency.data.la_placements`); ``provision == "all"`` rows give the EHC plan
        count (else the sum of the provisions). A code or name instead (``backcast("Wiltshire")``)
        is a notebook convenience: the three tables are then read from the embedded data.
    high_needs : DataFrame
        ``line, value``: the calibration year's s251 outturn lines
        (:func:`sufficiency.data.la_high_needs`).
    outturn : DataFrame, optional
        ``year, spend_gbp``: the published s251 series (:func:`sufficiency.data.
        la_s251_high_needs`), shown beside the model as ``outturn_gbp``; where it has the
        calibration year the model reproduces it exactly.
    calibration_year : int
        Census-convention year of the outturn lines (2022 = 2021-22).
    prices : DataFrame, optional
        ``series, year, index`` (:func:`~sufficiency.finance.prices.price_index`); default the
        published price paths.
    independent_fee_growth : float, optional
        Growth of independent fees a year beyond the published CPI (see
        :func:`~sufficiency.finance.prices.price_rates`).
    min_placements : int
        See :func:`s251_unit_costs`.
    la : str, optional
        The LA whose tables to read when ``placements`` is not given (a notebook convenience).
    census_weight : float
        The financial year (Y-1)-(Y) pays for ``census_weight x`` the January Y placements plus
        the rest x January Y-1 (:data:`CENSUS_WEIGHT`, 0.75; :func:`weighted_placements`), in
        the calibration (unit costs) and in every other year alike.
    earlier_ehcp : DataFrame, optional
        ``year, count``: EHC plans in Januaries before the first placements year (for the
        first year's weighting; read from the embedded history with an LA name).
    label : str, optional
        How the LA is named in messages and the ``la`` column (default ``la``, else "LA").
    la_weight : float
        Weight of the LA's own placements in its growth from the calibration year
        (:data:`LA_WEIGHT`, 0.39); the rest follows England's modelled growth. 1.0 = the LA's
        placements alone (the model before issue 13's session 4).
    england : DataFrame, optional
        ``year, spend_gbp``: England's modelled spend (:func:`england_model`); default computed
        from the embedded England placements and lines with the same prices and weighting.
        Not needed when ``la_weight`` is 1. A year without England's figure follows the LA's
        own placements.

    Returns
    -------
    DataFrame
        ``year`` (census convention), ``financial_year`` (``"2021-22"``), ``ehcp``,
        ``top_up_gbp``, ``fee_gbp``, ``central_gbp``, ``spend_gbp`` (their sum, £ cash of the
        year), ``la_placements_gbp`` (the spend the LA's placements alone give, ``la_weight``
        1), ``england_index`` (England's modelled spend / its calibration year's),
        ``outturn_gbp`` and ``difference_pct`` (model / outturn - 1) when ``outturn`` is
        given, and ``calibration`` (True in the calibration year). The three components are
        the LA's placement-driven ones times the same factor ``(england_index / la index) **
        (1 - la_weight)``, so they add up to ``spend_gbp``. ``attrs["unit_costs"]`` and
        ``attrs["derivation"]`` hold :func:`s251_unit_costs`' tables.

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2021, 2021, 2022, 2022],
    ...                   "provision": ["mainstream", "special_maintained"] * 2,
    ...                   "count": [90.0, 45.0, 100.0, 50.0]})
    >>> hn = pd.DataFrame({"line": ["top_up_maintained_primary", "top_up_maintained_special"],
    ...                    "value": [800e3, 1e6]})
    >>> b = backcast(p, hn, la_weight=1.0)
    >>> b["spend_gbp"].round().tolist()     # 2022 is the outturn; 2021: 90% of it, less pay growth
    [1599342.0, 1800000.0]
    >>> e = pd.DataFrame({"year": [2021, 2022], "spend_gbp": [80.0, 100.0]})
    >>> half = backcast(p, hn, la_weight=0.5, england=e)   # half the LA's growth, half England's
    >>> half["spend_gbp"].round().tolist()    # 1.8m x sqrt(0.8885 x 0.80) in 2021
    [1517581.0, 1800000.0]
    >>> w = backcast("Wiltshire")                         # notebook convenience
    >>> w.query("year == 2022")[["financial_year", "spend_gbp", "outturn_gbp"]].values.tolist()
    [['2021-22', 55397174.0, 55397174.0]]
    """
    if placements is None or isinstance(placements, (str, int)):
        la = placements if placements is not None else la
        if la is None:
            raise ValidationError("backcast: give placements and high_needs (DataFrames) or an LA")
        import sufficiency.data as sd

        placements = sd.la_placements(la)
        high_needs = sd.la_high_needs(la) if high_needs is None else high_needs
        if earlier_ehcp is None:
            earlier_ehcp = _earlier_ehcp(la)
        if outturn is None:
            outturn = sd.la_s251_high_needs(la)
    if high_needs is None:
        raise ValidationError("backcast: high_needs (line, value) is needed with placements")
    label = label if label is not None else str(la) if la is not None else "LA"
    cal = int(calibration_year)
    for col in ("year", "provision", "count"):
        if col not in placements:
            raise ValidationError(f"placements for {label}: expected columns year, provision, "
                                  f"count; missing {col!r}")
    january = placements
    given_prices = prices
    placements = weighted_placements(placements, census_weight, earlier_ehcp)
    units, central, derivation = s251_unit_costs(placements, high_needs, cal, label,
                                                  min_placements)
    if outturn is not None:
        for col in ("year", "spend_gbp"):
            if col not in outturn:
                raise ValidationError(f"outturn: missing column {col!r}; expected year, "
                                      "spend_gbp (sufficiency.data.s251.la_s251_high_needs)")
        actual = outturn.groupby("year")["spend_gbp"].sum(min_count=1)
        published = actual.get(cal, np.nan)
        if np.isfinite(published):
            # the published series wins where the benchmarking lines differ (late revisions)
            gap = float(published) - (float(units["amount_gbp"].sum()) + central)
            central += gap
            derivation = pd.concat([derivation, pd.DataFrame(
                [["reconciliation", gap, "central",
                  f"published s251 outturn {financial_year_label(cal)} minus the lines' total"]],
                columns=derivation.columns)], ignore_index=True)
    placed = placements.copy()
    placed["year"] = placed["year"].astype(int)
    years = sorted(placed["year"].unique())
    ehcp = _plans(placed, years)
    ehcp_january = _plans(january.assign(year=january["year"].astype(int)), years)
    if not np.isfinite(ehcp.get(cal, np.nan)) or ehcp[cal] <= 0:
        raise ValidationError(f"placements for {label}: no EHC plans in the calibration year "
                              f"{cal}")
    if prices is None:
        prices = price_index(years, cal, independent_fee_growth=independent_fee_growth)
    index = prices.pivot_table(index="year", columns="series", values="index")
    missing = [y for y in years if y not in index.index]
    if missing:
        raise ValidationError(f"prices: no index for years {missing}")
    index = index / index.loc[cal]
    counts = placed[placed["provision"] != "all"].pivot_table(
        index="year", columns="provision", values="count", aggfunc="sum").reindex(years)
    rows = []
    for year in years:
        top_up = fee = 0.0
        for u in units.itertuples():
            count = counts.at[year, u.provision] if u.provision in counts else 0.0
            count = 0.0 if pd.isna(count) else float(count)
            series = "independent_fee" if u.component == "fee_gbp" else "top_up"
            amount = count * u.unit_cost_gbp * float(index.at[year, series])
            if u.component == "fee_gbp":
                fee += amount
            else:
                top_up += amount
        central_y = central * float(ehcp[year] / ehcp[cal]) * float(index.at[year, "central"])
        rows.append((year, financial_year_label(year), float(ehcp_january[year]),
                     float(ehcp[year]), top_up, fee, central_y))
    out = pd.DataFrame(rows, columns=["year", "financial_year", "ehcp", "ehcp_weighted",
                                      "top_up_gbp", "fee_gbp", "central_gbp"])
    out["la_placements_gbp"] = out[list(COMPONENTS)].sum(axis=1)
    weight = float(la_weight)
    if not 0.0 <= weight <= 1.0:
        raise ValidationError(f"la_weight {la_weight!r}: expected a share between 0 and 1 "
                              f"(default {LA_WEIGHT})")
    if weight < 1.0:
        if england is None:
            england = england_model(years, calibration_year=cal, prices=given_prices,
                                    independent_fee_growth=independent_fee_growth,
                                    census_weight=census_weight, min_placements=min_placements)
        for col in ("year", "spend_gbp"):
            if col not in england:
                raise ValidationError(f"england: missing column {col!r}; expected year, "
                                      "spend_gbp (sufficiency.finance.outturn.england_model)")
        e = england.assign(year=england["year"].astype(int)).groupby("year")["spend_gbp"].sum()
        if cal not in e.index or not np.isfinite(e[cal]) or e[cal] <= 0:
            raise ValidationError(f"england: no modelled spend in the calibration year {cal}")
        out["england_index"] = out["year"].map(e / e[cal]).astype(float)
        own = out["la_placements_gbp"] / float(out.loc[out["year"] == cal,
                                                       "la_placements_gbp"].iloc[0])
        # a year England has no placements for follows the LA's own placements
        factor = ((out["england_index"] / own) ** (1.0 - weight)).fillna(1.0)
        for col in COMPONENTS:
            out[col] = out[col] * factor
    else:
        out["england_index"] = np.nan
    out["spend_gbp"] = out[list(COMPONENTS)].sum(axis=1)
    if outturn is not None:
        out["outturn_gbp"] = out["year"].map(actual).astype(float)
        out["difference_pct"] = 100.0 * (out["spend_gbp"] / out["outturn_gbp"] - 1.0)
    out["calibration"] = out["year"] == cal
    out.attrs["unit_costs"] = units
    out.attrs["derivation"] = derivation
    out.attrs["central_gbp"] = central
    out.attrs["la_weight"] = weight
    return out


def england_model(years=None, *, calibration_year: int = 2022, prices: pd.DataFrame | None = None,
                  independent_fee_growth: float | None = None,
                  census_weight: float = CENSUS_WEIGHT, min_placements: int = 10) -> pd.DataFrame:
    """England's modelled net high-needs spend: the backcast of England's SEN2 placements costed
    with the sum of every LA's s251 lines (the comparator an LA's growth is weighted towards).

    Parameters
    ----------
    years : iterable of int, optional
        Census-convention years to keep (default all with placements, 2019-2025).
    calibration_year, prices, independent_fee_growth, census_weight, min_placements
        As :func:`backcast`.

    Returns
    -------
    DataFrame
        ``year, spend_gbp`` (£ cash; the calibration year equals England's lines' total).

    Examples
    --------
    >>> e = england_model([2019, 2022]).set_index("year")["spend_gbp"]
    >>> bool(e[2019] < e[2022])
    True
    """
    key = (int(calibration_year), independent_fee_growth, float(census_weight),
           int(min_placements))
    b = _ENGLAND.get(key) if prices is None else None
    if b is None:
        placements, lines, earlier = _england_tables()
        b = backcast(placements, lines, None, calibration_year=calibration_year, prices=prices,
                     independent_fee_growth=independent_fee_growth,
                     census_weight=census_weight, earlier_ehcp=earlier, label="England",
                     min_placements=min_placements, la_weight=1.0)
        if prices is None:
            _ENGLAND[key] = b
    if years is not None:
        b = b[b["year"].isin([int(y) for y in years])]
    return b[["year", "spend_gbp"]].reset_index(drop=True)


_ENGLAND: dict = {}


def _england_tables():
    """England's placements, s251 lines (every LA's summed) and earlier EHC plans (cached)."""
    if "t" not in _ENGLAND:
        import warnings

        import sufficiency.data as sd

        from .calibrate import _england_high_needs

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _ENGLAND["t"] = (sd.la_placements("England"), _england_high_needs(),
                             _earlier_ehcp("England"))
    return _ENGLAND["t"]


def _plans(placed: pd.DataFrame, years) -> pd.Series:
    totals = placed[placed["provision"] == "all"].groupby("year")["count"].sum(min_count=1)
    parts = placed[~placed["provision"].isin(["all"])].groupby("year")["count"].sum()
    return totals.reindex(years).fillna(parts.reindex(years))


def _earlier_ehcp(la) -> pd.DataFrame | None:
    """EHC plans each January from the embedded history (statements + plans), or None."""
    import warnings

    import sufficiency.data as sd

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            h = sd.la_history(la)
    except (KeyError, ValueError):
        return None
    if "age_band" in h and (h["age_band"] == "all").any():
        h = h[h["age_band"] == "all"]
    elif "age_band" in h:
        h = h[h["age_band"] != "all"]
    return h.groupby("year", as_index=False)["count"].sum()
