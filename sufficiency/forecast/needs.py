"""Splitting an age-band forecast by primary need when only a recent need mix is known.

The DfE publishes plans by need only for January 2025 (by age band) and new plans by need
only for calendar 2024. Freezing the 2025 mix would ignore that the new plans coming in have a
different mix (more ASD and SEMH, fewer MLD). The stock's mix in each band moves towards the
new-plan mix at the rate plans turn over::

    s[t+1] = (1 - r) s[t] + r n

``s`` is the band's need mix, ``n`` the new-plan mix adjusted to the band (the band's stock
mix times the ratio of the LA's new-plan share to its stock share, renormalised) and ``r`` the
inflow rate, new plans a year / stock (default :data:`INFLOW_RATE`). Each need's paths are the
band's paths times the shares, so the split adds up exactly, path by path. The shares are
projected, not simulated: their uncertainty is not in the bands. The starting mix ``s`` is
:func:`sufficiency.data.need_mix` by age band, on the need codes themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.mix import need_mix
from ..errors import ValidationError
from .result import Forecast
from .validate import quantile_name

__all__ = ["INFLOW_RATE", "split_by_need", "forecast_la"]

#: New plans per year as a share of the January stock: an assumption from DfE SEN2 2025 for
#: England (97,747 new plans made in calendar 2024, census year 2025 / 576,474 plans in
#: January 2024 = 0.17).
INFLOW_RATE = 0.17


def split_by_need(forecast: Forecast, need_by_age: pd.DataFrame, new_plan_needs=None,
                  inflow_rate: float = INFLOW_RATE) -> Forecast:
    """A need x age-band forecast from an age-band forecast and the latest need mix.

    Parameters
    ----------
    forecast : Forecast
        With an ``age_band`` key (``"all"`` rows are the total).
    need_by_age : DataFrame
        ``need, age_band, count`` (e.g. :func:`sufficiency.data.la_need_by_age`).
    new_plan_needs : DataFrame, optional
        ``need, count`` of new plans (e.g. :func:`sufficiency.data.la_new_plan_needs`); if
        omitted the 2025 mix is held (said in the notes).
    inflow_rate : float
        New plans a year / stock.

    Returns
    -------
    Forecast
        Keys ``need, age_band`` (plus any others); ``need == "all"`` rows are the age-band
        forecasts and ``age_band == "all", need == "all"`` the total, all coherent.
    """
    if "age_band" not in forecast.keys:
        raise ValidationError("split_by_need: the forecast has no age_band key; forecast by "
                              "age band first")
    for col in ("need", "age_band", "count"):
        if col not in need_by_age.columns:
            raise ValidationError(f"need_by_age: column {col!r} is missing; expected need, "
                                  "age_band, count")
    stock = need_by_age.pivot_table(index="age_band", columns="need", values="count",
                                    aggfunc="sum").fillna(0.0)
    needs = list(stock.columns)
    # the band's latest need mix (the one home of the need mix), need codes as the groups
    mix = need_mix(need_by_age, by="age_band", mapping=None, fill_from=None).pivot(
        index="age_band", columns="need_group", values="share").reindex(columns=needs)
    notes = list(forecast.notes)
    if new_plan_needs is not None and len(new_plan_needs):
        new = new_plan_needs.groupby("need")["count"].sum().reindex(needs).fillna(0.0)
        ratio = (new / new.sum()) / (stock.sum() / stock.sum().sum())
        ratio = ratio.replace([np.inf, -np.inf], np.nan).fillna(1.0)
    else:
        ratio = pd.Series(1.0, index=needs)
        notes.append("No new-plan need mix given: the latest stock need mix is held.")
    h = len(forecast.years)
    rows_out, paths_out = [], []
    series = forecast.series
    for i in range(len(series)):
        key = series.iloc[i]
        band = str(key["age_band"])
        paths_out.append(forecast.path_array[i])
        rows_out.append(dict(key, need="all"))
        if band == "all":
            continue
        if band not in stock.index or stock.loc[band].sum() <= 0:
            raise ValidationError(f"need_by_age: no counts for age_band {band!r}")
        s = mix.loc[band].fillna(0.0).to_numpy()
        n = s * ratio.to_numpy()
        n = n / n.sum() if n.sum() > 0 else s
        shares = np.empty((h, len(needs)))
        cur = s
        for j in range(h):
            cur = (1 - inflow_rate) * cur + inflow_rate * n
            shares[j] = cur
        for c, need in enumerate(needs):
            paths_out.append(forecast.path_array[i] * shares[None, :, c])
            rows_out.append(dict(key, need=need))
    keys = pd.DataFrame(rows_out)
    keys = keys[["need"] + [c for c in keys.columns if c != "need"]]
    arr = np.stack(paths_out)
    table = keys.iloc[np.repeat(np.arange(len(keys)), h)].reset_index(drop=True)
    table["year"] = np.tile(forecast.years, len(keys))
    table["mean"] = arr.mean(axis=1).reshape(-1)
    for q, v in zip(forecast.quantiles, np.quantile(arr, forecast.quantiles, axis=1)):
        table[quantile_name(q)] = v.reshape(-1)
    model = keys.merge(forecast.model, on=forecast.keys, how="left")
    assumptions = pd.concat([forecast.assumptions, pd.DataFrame([
        ("need mix inflow rate", inflow_rate, "per year",
         "DfE SEN2 2025, England: new plans in 2024 / January 2024 stock"),
        ("need mix", "2025 stock by age, moving to the 2024 new-plan mix", "",
         "DfE SEN2 2025")], columns=["name", "value", "unit", "source"])],
        ignore_index=True)
    hist = forecast.history.assign(need="all")
    return Forecast(table=table, series=keys, path_array=arr, years=forecast.years,
                    model=model, levers=forecast.levers, assumptions=assumptions,
                    history=hist, provision_shifts=forecast.provision_shifts,
                    quantiles=forecast.quantiles, notes=notes)


def forecast_la(la, horizon=8, by_need=True, model="auto", levers=None, seed=0, n_paths=1000,
                **kwargs) -> Forecast:
    """Forecast one LA from the embedded DfE data by age band (and need), in one call.

    Growth is pooled towards every English LA's (all LAs are forecast together and this LA's
    rows are returned) and converges with their plans per head (the embedded ONS populations),
    the age bands are reconciled with the total, and the bands are split by need with
    :func:`split_by_need`.

    Examples
    --------
    Not run in the test suite (it forecasts every LA: about 15 seconds); notebook
    ``01_forecast`` runs it.

    >>> f = forecast_la("Wiltshire", horizon=5)            # doctest: +SKIP
    >>> f.plot(where={"need": "all"}); f.summary()           # doctest: +SKIP
    """
    import warnings

    from .. import data as sd
    from ..errors import DataWarning
    from .project import project

    code = sd.resolve_la(la, sd.las()) if str(la).lower() != "england" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        hist = sd.example_histories()
    complete = hist.groupby(["la_code", "age_band"])["count"].transform(
        lambda s: s.notna().all())
    hist = hist[complete | (hist["la_code"] == code)]
    hist = hist[["la_code", "age_band", "year", "count"]].dropna(subset=["count"])
    # LAs with a series too short to pool (e.g. a band that only just started) sit out
    tail = hist.sort_values("year").groupby(["la_code", "age_band"])["count"].agg(
        lambda s: int((s.to_numpy()[::-1] > 0).cumprod().sum()))
    short = set(tail[tail < 3].index.get_level_values(0)) - {code}
    hist = hist[~hist["la_code"].isin(short)]
    if code not in set(hist["la_code"]):
        raise ValidationError(f"forecast_la: LA {la!r} ({code}) has no series in the "
                              "embedded data")
    kwargs.setdefault("area_population", "embedded")     # prevalence convergence (ONS)
    f = project(hist, horizon, model=model, levers=levers, seed=seed, n_paths=n_paths, **kwargs)
    f = _subset(f, f.series["la_code"] == code)
    if by_need:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            f = split_by_need(f, sd.la_need_by_age(code), sd.la_new_plan_needs(code))
    return f


def _subset(f: Forecast, mask) -> Forecast:
    mask = np.asarray(mask)
    rows = np.flatnonzero(mask)
    keys = f.series.iloc[rows].reset_index(drop=True)
    table = f.table.merge(keys, on=f.keys)
    model = f.model.iloc[rows].reset_index(drop=True)
    hist = f.history.merge(keys, on=f.keys)
    return Forecast(table=table, series=keys, path_array=f.path_array[rows], years=f.years,
                    model=model, levers=f.levers, assumptions=f.assumptions, history=hist,
                    provision_shifts=f.provision_shifts, quantiles=f.quantiles, notes=f.notes)
