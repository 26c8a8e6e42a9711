"""From a forecast to placements by provision type, and from placements to spend.

A forecast (from :mod:`sufficiency.forecast`) is tidy: key columns (any of ``need``,
``age_band``, ``phase``, ``provision``), ``year``, ``mean`` and quantile columns ``p05 .. p95``;
its simulated paths are ``path, <keys>, year, value``. When the forecast has no ``provision``
column it is split with a **placement mix**: ``provision, share`` (one mix for all) or
``<key>, provision, share`` (e.g. by ``age_band``; optionally by ``year`` too), shares summing
to 1 within each key. :func:`sufficiency.data.placement_mix` (the one home of the placement
mix) makes one from an LA's January placements (:func:`sufficiency.data.la_placements`).

Placements are then ``[path,] <keys>, year, provision, count`` and :func:`cost_placements`
prices them with :func:`~sufficiency.finance.costs.unit_costs`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.vocabulary import PROVISIONS
from ..errors import ValidationError
from .validate import require as _require
from .costs import cost_table, sample_mean_fees, unit_costs

__all__ = ["KEYS", "PROVISION_CODES", "validate_mix",
           "placements_from_forecast", "cost_placements", "spend_by_year",
           "spend_per_plan", "cost_measures"]

KEYS = ("need", "age_band", "phase", "provision", "area")
PROVISION_CODES = tuple(PROVISIONS["provision"])


def validate_mix(mix: pd.DataFrame, name: str = "mix") -> pd.DataFrame:
    """Check a placement mix: known provisions, shares in [0, 1] summing to 1 per key."""
    _require(mix, ["provision", "share"], name)
    bad = ~mix["provision"].isin(PROVISION_CODES)
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:10])
        raise ValidationError(f"{name}: rows {rows}, column provision: "
                              f"{sorted(set(mix.loc[bad, 'provision']))} not provision codes; "
                              f"expected {list(PROVISION_CODES)}")
    share = pd.to_numeric(mix["share"], errors="coerce")
    bad = share.isna() | (share < 0) | (share > 1)
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:10])
        raise ValidationError(f"{name}: rows {rows}, column share: expected a number in [0, 1]")
    keys = [c for c in mix.columns if c not in ("provision", "share")]
    sums = mix.groupby(keys)["share"].sum() if keys else pd.Series([mix["share"].sum()])
    off = sums[(sums - 1.0).abs() > 1e-6]
    if len(off):
        raise ValidationError(f"{name}: column share: shares must sum to 1 within each "
                              f"{keys or 'mix'}; found {off.round(4).to_dict()}")
    return mix


def placements_from_forecast(forecast: pd.DataFrame, mix: pd.DataFrame | None = None,
                             value: str = "mean") -> pd.DataFrame:
    """Placements by provision from a forecast (a mean/quantile frame or paths).

    Parameters
    ----------
    forecast : DataFrame
        ``<keys>, year, <value>``; with ``path`` for simulated paths (``value`` column). Rows
        where a key is ``"all"`` (totals) are dropped when the breakdown is there too.
    mix : DataFrame, optional
        Needed when the forecast has no ``provision``: ``[<keys>,] [year,] provision, share``.
    value : str
        The column to split (``"mean"``, ``"p50"`` ..., or ``"value"`` for paths; a frame with a
        ``path`` column uses ``"value"``).

    Returns
    -------
    DataFrame
        ``[path,] <keys>, year, provision, count``.

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2026, 2027], "mean": [100.0, 110.0]})
    >>> mix = pd.DataFrame({"provision": ["mainstream", "special_maintained"], "share": [0.6, 0.4]})
    >>> placements_from_forecast(f, mix)["count"].tolist()
    [60.0, 40.0, 66.0, 44.0]
    """
    if "path" in forecast and value == "mean":
        value = "value"
    _require(forecast, ["year", value], "forecast")
    forecast = _drop_totals(forecast)
    keys = [k for k in KEYS if k in forecast]
    path = ["path"] if "path" in forecast else []
    df = forecast[path + keys + ["year", value]].rename(columns={value: "count"})
    df["count"] = pd.to_numeric(df["count"], errors="coerce")
    if df["count"].isna().any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(df["count"].isna().to_numpy())[:10])
        raise ValidationError(f"forecast: rows {rows}, column {value}: expected a number")
    if "provision" not in keys:
        if mix is None:
            raise ValidationError("forecast: no 'provision' column, so a placement mix is needed "
                                  "(mix=DataFrame provision, share; e.g. "
                                  "sufficiency.data.placement_mix(sufficiency.data.la_placements(la)))")
        validate_mix(mix)
        on = [c for c in mix.columns if c not in ("provision", "share")]
        missing = [c for c in on if c not in df]
        if missing:
            raise ValidationError(f"mix: columns {missing} are not in the forecast; expected the "
                                  f"mix keyed by forecast columns {keys + ['year']} or none")
        if on:
            df = df.merge(mix, on=on, how="left")
            if df["share"].isna().any():
                gaps = df.loc[df["share"].isna(), on].drop_duplicates().head(5).to_dict("records")
                raise ValidationError(f"mix: no shares for forecast keys {gaps}")
        else:
            df = df.merge(mix, how="cross")
        df["count"] = df["count"] * df["share"]
        df = df.drop(columns="share")
        keys = keys + ["provision"]
    df = df[path + keys + ["year", "count"]]
    return df.sort_values(path + ["year"] + keys, kind="stable").reset_index(drop=True)


def _drop_totals(forecast: pd.DataFrame) -> pd.DataFrame:
    """Drop total rows (``"all"``) of a key that also has its breakdown, and keys that hold only
    ``"all"``, so that nothing is counted twice."""
    out = forecast
    for key in KEYS:
        if key not in out:
            continue
        is_all = out[key].astype(str).str.lower() == "all"
        if is_all.all():
            out = out.drop(columns=key)
        elif is_all.any():
            out = out[~is_all]
    return out


def cost_placements(placements: pd.DataFrame, costs: pd.DataFrame | None = None,
                    inflation: float | dict | None = None, price_year: int | None = None,
                    fee_uncertainty: bool = False, rng: np.random.Generator | None = None,
                    fee_cohort: float | None = None,
                    independent_fee_growth: float | None = None) -> pd.DataFrame:
    """Price placements: ``count x`` cost per placement in each year (£).

    Parameters
    ----------
    placements : DataFrame
        ``[path,] [keys,] year, provision, count``.
    costs : DataFrame, optional
        A cost table (:func:`~sufficiency.finance.costs.cost_table` or a calibration's
        ``costs``); phase-specific rows are used when ``placements`` has ``phase``.
    inflation, price_year, independent_fee_growth :
        See :func:`~sufficiency.finance.costs.unit_costs` (default: the price paths).
    fee_uncertainty : bool
        With paths: draw each path's average independent-school fee from the lognormal fee
        distribution (mean = the cost table's fee) for the path's cohort size.
    rng : numpy.random.Generator, optional
        Needed with ``fee_uncertainty``.
    fee_cohort : float, optional
        The number of independent placements whose average fee is uncertain (default: the
        mean independent count per path and year). Give the same value to compare scenarios
        with common random numbers.

    Returns
    -------
    DataFrame
        The placements with ``place_funding_gbp, top_up_gbp, fee_gbp, hnb_gbp`` (High Needs
        Block spend) and ``transport_gbp`` (general fund), each = count x unit cost.

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2024], "provision": ["special_maintained"], "count": [10.0]})
    >>> cost_placements(p)["hnb_gbp"].item()
    260000.0
    """
    _require(placements, ["year", "provision", "count"], "placements")
    costs = cost_table() if costs is None else costs
    units = unit_costs(placements["year"].unique(), costs, inflation, price_year,
                       independent_fee_growth=independent_fee_growth)
    comps = ["place_funding_gbp", "top_up_gbp", "fee_gbp", "hnb_cost_gbp", "transport_gbp"]
    general = units[units["phase"] == "all"][["year", "provision"] + comps]
    out = placements.merge(general, on=["year", "provision"], how="left")
    if "phase" in placements:
        special = units[units["phase"] != "all"][["year", "provision", "phase"] + comps]
        if len(special):
            out = out.merge(special, on=["year", "provision", "phase"], how="left",
                            suffixes=("", "_phase"))
            for c in comps:
                out[c] = out[f"{c}_phase"].where(out[f"{c}_phase"].notna(), out[c])
            out = out.drop(columns=[f"{c}_phase" for c in comps])
    missing = out["hnb_cost_gbp"].isna()
    if missing.any():
        raise ValidationError(f"placements: provisions {sorted(set(out.loc[missing, 'provision']))}"
                              " have no cost in the cost table")
    if fee_uncertainty and "path" in out:
        rng = np.random.default_rng(0) if rng is None else rng
        iss = out["provision"] == "special_independent"
        if iss.any():
            cohort = (out.loc[iss].groupby(["path", "year"])["count"].sum().mean()
                      if fee_cohort is None else float(fee_cohort))
            paths = np.sort(out["path"].unique())
            base = costs.loc[costs["provision"] == "special_independent", "fee_gbp"].iloc[0]
            draws = sample_mean_fees(max(cohort, 1.0), len(paths), rng, mean_gbp=base,
                                     median_gbp=base * 50000.0 / 63000.0)
            factor = pd.Series(draws / base, index=paths)
            scale = out.loc[iss, "path"].map(factor).to_numpy()
            out.loc[iss, "fee_gbp"] = out.loc[iss, "fee_gbp"].to_numpy() * scale
            out.loc[iss, "hnb_cost_gbp"] = out.loc[iss, "hnb_cost_gbp"].to_numpy() * scale
    for c in comps:
        out[c] = out[c] * out["count"]
    return out.rename(columns={"hnb_cost_gbp": "hnb_gbp"})


def spend_by_year(costed: pd.DataFrame, other_spend_gbp: float | pd.Series = 0.0,
                  inflation: float | None = None, price_year: int = 2024) -> pd.DataFrame:
    """High Needs Block spend per year (and per path): placements + spend not per placement.

    ``other_spend_gbp`` (central services, early years, hospital ...; e.g. a calibration's
    ``central_gbp``) is in ``price_year`` prices and uplifted on the central price path
    (:mod:`sufficiency.finance.prices`), or with a flat ``inflation`` when given; a Series
    indexed by year is taken as given.

    Returns
    -------
    DataFrame
        ``[path,] year, placements_gbp, other_gbp, spend_gbp, transport_gbp``.
    """
    path = ["path"] if "path" in costed else []
    out = costed.groupby(path + ["year"], as_index=False)[["hnb_gbp", "transport_gbp"]].sum()
    out = out.rename(columns={"hnb_gbp": "placements_gbp"})
    if isinstance(other_spend_gbp, pd.Series):
        out["other_gbp"] = out["year"].map(other_spend_gbp).fillna(0.0).astype(float)
    elif inflation is None:
        from .prices import price_index

        idx = price_index(out["year"].unique(), price_year)
        idx = idx[idx["series"] == "central"].set_index("year")["index"]
        out["other_gbp"] = float(other_spend_gbp) * out["year"].map(idx).astype(float)
    else:
        out["other_gbp"] = float(other_spend_gbp) * (1.0 + float(inflation)) ** (
            out["year"] - price_year)
    out["spend_gbp"] = out["placements_gbp"] + out["other_gbp"]
    return out[path + ["year", "placements_gbp", "other_gbp", "spend_gbp", "transport_gbp"]]


def spend_per_plan(spend: pd.Series, plans: pd.Series) -> pd.Series:
    """High Needs spend per EHC plan by year (£ a plan): ``spend`` / ``plans`` where there are
    plans.

    Parameters
    ----------
    spend : Series
        £ by year (e.g. :meth:`sufficiency.finance.DeficitPlan.spend_by_year`).
    plans : Series
        EHC plans by year (e.g. the unmitigated forecast's mean).

    Examples
    --------
    >>> spend_per_plan(pd.Series({2026: 50e6, 2027: 60e6}), pd.Series({2026: 2000.0}))
    2026    25000.0
    dtype: float64
    """
    out = {}
    for year, value in spend.items():
        n = plans.get(year)
        if n and n > 0:
            out[int(year)] = float(value) / float(n)
    return pd.Series(out, dtype=float)


def cost_measures(spend: pd.Series, plans: pd.Series) -> pd.DataFrame:
    """``year, measure, value, basis``: the board measure ``cost_per_ehcp_gbp`` of a DSG plan
    (:func:`spend_per_plan`, £ a plan), in the layout of the other stages' board measures.

    Examples
    --------
    >>> cost_measures(pd.Series({2026: 50e6}), pd.Series({2026: 2000.0})).values.tolist()
    [[2026, 'cost_per_ehcp_gbp', 25000.0, 'plan: finance']]
    """
    cost = spend_per_plan(spend, plans)
    return pd.DataFrame({"year": cost.index.astype(int), "measure": "cost_per_ehcp_gbp",
                         "value": cost.to_numpy(), "basis": "plan: finance"})
