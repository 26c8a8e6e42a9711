"""Specialist demand by national curriculum year, for the SCAP return.

The school capacity (SCAP) survey asks each LA for the number of resident pupils with an EHC
plan who need a specialist place, by national curriculum (NC) year: Reception to Year 6 for
the next 5 years and Year 7 to Year 11 for the next 7 years. The forecast works in DfE age
bands, so the NC split comes from single ages:

1. **Age the cohorts forward.** From the two censuses published by single age (January 2024
   and 2025), each cohort's progression ratio ``r[a] = n(2025, a + 1) / n(2024, a)`` (new
   plans minus ceased plans as the cohort moves up a year; 1 where the earlier cohort had
   fewer than one child) carries the latest single-age profile forward year by year; the
   youngest age keeps its latest count.
2. **Specialist share by age and type.** The latest census gives, for each single age, the
   share of plans in each specialist provision type.
3. **Agree with the plan.** Within each year, phase (primary = ages 4-10, secondary = 11-15)
   and provision type, the aged-forward specialist counts are scaled to the demand the place
   plan uses (:func:`sufficiency.demand.place_demand`), so the SCAP table adds up to the same
   children as every other output. Where the single-age data has no child of a type in a
   phase, the type's demand is spread like all plans of that phase.

Ages are at 31 August before the January census (DfE): age 4 is Reception, age 15 Year 11.
Census year 2026 (January 2026) is academic year 2025/26.

References
----------
DfE, *School capacity (SCAP) survey: guide for local authorities* (specialist provision
forecasts by NC year); DfE, *Education, health and care plans* 2025 release (single ages).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ValidationError

__all__ = ["NC_YEARS", "SCAP_HORIZON", "age_forward", "nc_year_demand", "scap_demand"]

#: National curriculum years: age at 31 August -> NC year label and SCAP phase.
NC_YEARS = pd.DataFrame(
    [(4, "Reception", "primary")] + [(a, f"Year {a - 4}", "primary") for a in range(5, 11)]
    + [(a, f"Year {a - 4}", "secondary") for a in range(11, 16)],
    columns=["age", "nc_year", "phase"],
)

#: Forecast years SCAP asks for, by phase.
SCAP_HORIZON = {"primary": 5, "secondary": 7}


def age_forward(single: pd.DataFrame, years) -> pd.DataFrame:
    """Carry the latest single-age profile forward with each cohort's progression ratio.

    Parameters
    ----------
    single : DataFrame
        ``year, age, count`` for (at least) two consecutive census years (children).
    years : iterable of int
        Census years wanted (after the latest observed year).

    Returns
    -------
    DataFrame
        ``year, age, count``: the unconstrained aged-forward profile (children).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2024, 2024, 2025, 2025], "age": [4, 5, 4, 5],
    ...                   "count": [10.0, 10.0, 10.0, 12.0]})
    >>> age_forward(s, [2026])["count"].tolist()   # age 5 in 2026 = 10 (age 4 in 2025) x 1.2
    [10.0, 12.0]
    """
    years = sorted(int(y) for y in years)
    observed = sorted(single["year"].unique())
    if len(observed) < 2:
        raise ValidationError("age_forward: expected single-age counts for two consecutive "
                              f"census years; got {observed}")
    y0, y1 = observed[-2], observed[-1]
    wide = single.pivot_table(index="age", columns="year", values="count", aggfunc="sum")
    ages = list(range(int(wide.index.min()), int(wide.index.max()) + 1))
    wide = wide.reindex(ages).fillna(0.0)
    before, latest = wide[y0].to_numpy(float), wide[y1].to_numpy(float)
    ratio = np.ones(len(ages))
    ok = before[:-1] >= 1.0  # a cohort of less than one child gives no ratio (kept at 1)
    ratio[1:][ok] = latest[1:][ok] / before[:-1][ok]
    rows, current, year = [], latest.copy(), y1
    for target in years:
        while year < target:
            nxt = np.empty_like(current)
            nxt[0] = latest[0]
            nxt[1:] = current[:-1] * ratio[1:]
            current, year = nxt, year + 1
        rows += [(target, a, float(c)) for a, c in zip(ages, current)]
    return pd.DataFrame(rows, columns=["year", "age", "count"])


def nc_year_demand(demand: pd.DataFrame, single: pd.DataFrame,
                   areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Specialist demand by NC year (Reception to Year 11), provision type and year.

    Parameters
    ----------
    demand : DataFrame
        ``year, provision, phase, demand``: the place plan's specialist demand (children;
        other keys such as ``need_group`` are summed). Phases ``primary`` and ``secondary``
        are used.
    single : DataFrame
        ``year, age, provision, count``: the caseload by single age for two consecutive
        census years, with ``provision == "all"`` for every plan
        (:func:`sufficiency.data.single_age.la_caseload_by_single_age`).
    areas : DataFrame, optional
        ``area, share`` (optionally with ``phase``): how the LA's pupils split between its
        planning areas; shares add up to 1 (per phase when given). Without it, one row per
        NC year for the whole LA.

    Returns
    -------
    DataFrame
        ``year, phase, nc_year, age, provision, demand`` (and ``area`` when given), children;
        each (year, phase, provision) sums to ``demand``'s figure.

    Examples
    --------
    >>> single = pd.DataFrame({"year": [2024] * 2 + [2025] * 2, "age": [10, 11] * 2,
    ...                        "provision": "all", "count": [10.0, 10.0, 10.0, 10.0]})
    >>> single = pd.concat([single, single.assign(provision="special_maintained")])
    >>> d = pd.DataFrame({"year": 2026, "provision": "special_maintained",
    ...                   "phase": ["primary", "secondary"], "demand": [7.0, 9.0]})
    >>> out = nc_year_demand(d, single)
    >>> out[out["demand"] > 0][["nc_year", "demand"]].values.tolist()
    [['Year 6', 7.0], ['Year 7', 9.0]]
    """
    for column in ("year", "provision", "phase", "demand"):
        if column not in demand:
            raise ValidationError(f"nc_year_demand: demand has no column {column!r}; expected "
                                  "year, provision, phase, demand")
    d = demand[demand["phase"].isin(SCAP_HORIZON)]
    d = d.groupby(["year", "phase", "provision"], as_index=False)["demand"].sum()
    years = sorted(d["year"].unique())
    everyone = age_forward(single[single["provision"] == "all"][["year", "age", "count"]], years)
    latest = single[single["year"] == single["year"].max()]
    total = latest[latest["provision"] == "all"].set_index("age")["count"]
    nc = NC_YEARS.set_index("age")
    parts = []
    for (year, phase, provision), target in d.groupby(["year", "phase", "provision"])["demand"]:
        ages = NC_YEARS.loc[NC_YEARS["phase"] == phase, "age"].to_numpy()
        profile = everyone[everyone["year"] == year].set_index("age")["count"].reindex(ages)
        profile = profile.fillna(0.0)
        typed = latest[latest["provision"] == provision].set_index("age")["count"]
        share = (typed.reindex(ages).fillna(0.0) /
                 total.reindex(ages).replace(0, np.nan)).fillna(0.0)
        weight = (profile * share).clip(lower=0.0)
        if not weight.sum() > 0:
            weight = profile
        if not weight.sum() > 0:
            weight = pd.Series(1.0, index=ages)
        values = float(target.sum()) * weight / weight.sum()
        parts.append(pd.DataFrame({"year": year, "phase": phase, "nc_year": nc.loc[ages, "nc_year"]
                                   .to_numpy(), "age": ages, "provision": provision,
                                   "demand": values.to_numpy()}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["year", "phase", "nc_year", "age", "provision", "demand"])
    if areas is not None:
        out = _split_areas(out, areas)
    keys = (["area"] if areas is not None else []) + ["year", "age", "provision"]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def scap_demand(demand: pd.DataFrame, single: pd.DataFrame, areas: pd.DataFrame | None = None,
                *, forecast: pd.DataFrame | None = None,
                placements_by_age: pd.DataFrame | None = None,
                need_mix: pd.DataFrame | None = None, value: str = "mean") -> pd.DataFrame:
    """A run's SCAP table: its specialist demand by NC year (:func:`nc_year_demand`).

    SCAP asks for primary and secondary whatever phases the LA plans in. With ``forecast``
    (an LA planning in first / middle / high schools), the demand is split again from the
    forecast into the standard phases with the LA's latest placement mix by age band
    (:func:`sufficiency.data.placement_mix` of ``placements_by_age``) and ``need_mix``
    (:func:`sufficiency.data.need_mix`), as :func:`sufficiency.demand.place_demand` does.

    Parameters
    ----------
    demand : DataFrame
        ``year, provision, need_group, phase, demand``: the run's specialist demand.
    single, areas : DataFrame
        As :func:`nc_year_demand`.
    forecast : DataFrame, optional
        ``year, age_band`` and ``value``: the forecast's table, to split again.
    placements_by_age, need_mix : DataFrame, optional
        Needed with ``forecast``.
    value : str
        The forecast column split (the planning quantile).

    Returns
    -------
    DataFrame
        As :func:`nc_year_demand`.
    """
    if forecast is not None:
        from . import demand as dm
        from .data.mix import placement_mix
        from .data.vocabulary import PHASES

        if placements_by_age is None or need_mix is None:
            raise ValidationError("scap_demand: a forecast to split again needs "
                                  "placements_by_age and need_mix")
        demand = dm.place_demand(forecast, placement_mix(placements_by_age, by="age_band"),
                                 need_mix, dm.phase_shares(PHASES), value=value)
    return nc_year_demand(demand, single, areas=areas)


def _split_areas(out: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    if not {"area", "share"} <= set(areas.columns):
        raise ValidationError("planning areas: expected columns area, share (and optionally "
                              f"phase); got {list(areas.columns)}")
    by = ["phase"] if "phase" in areas else []
    sums = areas.groupby(by)["share"].sum() if by else pd.Series([areas["share"].sum()])
    if not np.allclose(sums.to_numpy(), 1.0, atol=1e-6):
        raise ValidationError(f"planning areas: shares add up to {sums.round(4).tolist()}; "
                              "expected 1 (per phase when a phase column is given)")
    merged = out.merge(areas[["area", "share"] + by], on=by, how="inner") if by else \
        out.merge(areas[["area", "share"]], how="cross")
    merged["demand"] = merged["demand"] * merged["share"]
    cols = ["area", "year", "phase", "nc_year", "age", "provision", "demand"]
    return merged[cols]
