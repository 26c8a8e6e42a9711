"""``project``: one call from a tidy history to a coherent, simulated forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .adjust import CONVERGENCE, GROWTH_SHOCK_SD, apply_steps, parse_long_run
from .cohort import cohort_structure
from .levers import CEASE_RATE, apply_levers, levers_frame, parse_levers
from .models import DEFAULT_POOL_WEIGHT, MIN_POOL
from .pooling import attach_area_population, build_context, national_series
from .prevalence import align_population
from .reconcile import reconcile_paths
from ..data.vocabulary import QUANTILES
from .result import Forecast
from .select import MODEL_NAMES, VARIANTS, run_model
from .validate import (MIN_OBS, Panel, check_history, check_horizon, check_quantiles,
                       key_columns, quantile_name)

__all__ = ["UNIT_KEYS", "project"]

#: Key columns that are not part of the hierarchy (each of their values is its own tree).
UNIT_KEYS = ("la_code",)


def project(history, horizon, model="auto", quantiles=QUANTILES, population=None, levers=None,
            seed=0, n_paths=1000, reference=None, reconcile="wls", growth_rate=None,
            model_params=None, long_run=None, area_population=None, convergence=CONVERGENCE,
            growth_shock_sd=GROWTH_SHOCK_SD, reference_population=None, age_population=None):
    """Forecast EHC plans ``horizon`` years ahead, by every key in the history, with
    simulated uncertainty, reconciled so the parts add up to the total.

    Parameters
    ----------
    history : DataFrame
        Tidy: ``year`` (int), ``count`` (EHC plans, >= 0) and any key columns (``la_code``,
        ``need``, ``age_band``, ``phase``, ``area``, ...). A value ``"all"`` in a key column
        marks a total; rows with ``"all"`` in every key but ``la_code`` are the LA total. If no
        total is given it is formed by summing the parts and forecast as well. Each series
        needs at least 3 consecutive positive years at its end (leading zeros are ignored).
    horizon : int
        Years ahead (1-30).
    model : str
        ``"auto"`` (default), ``"ensemble"``, ``"pooled_growth"``, ``"constant_growth"``,
        ``"log_linear"``, ``"damped_trend"``, ``"prevalence"``, ``"cohort_flow"`` (or a variant
        such as ``"pooled_growth_k1"``). See ``docs/forecast.md``.
    quantiles : sequence of float
        Quantiles reported as columns ``p05``, ``p10``, ...
    population : DataFrame, optional
        ``year, population`` (and keys, e.g. ``age_band``) for the history and forecast years:
        the prevalence model's denominator. With an ``age_band`` column (e.g.
        :func:`~sufficiency.forecast.demography.la_census_population`), every model's
        ``.components`` split the growth into a demographic and a prevalence part
        (:func:`~sufficiency.forecast.demography.growth_split`).
    levers : list, optional
        Scenario levers (assumptions), e.g. ``[{"name": "reduce_new_plan_growth",
        "reduction": 0.25, "from_year": 2027}]``; see :mod:`sufficiency.forecast.levers`.
    seed : int
        Random seed: same inputs and seed, same output.
    n_paths : int
        Simulated paths (default 1000).
    reference : DataFrame or "england", optional
        Series to pool growth towards (``year, count`` and optionally ``age_band``...): the
        national series or the statistical neighbours' sum. With many ``la_code`` values and
        no reference, each pool's own sum is the reference.
    reconcile : {"wls", "bottom_up", None}
        How the parts are made to add up to the total (see
        :mod:`sufficiency.forecast.reconcile`).
    growth_rate : float, optional
        For ``constant_growth``: a fixed annual rate (0.108 = 10.8%).
    model_params : dict, optional
        Keyword arguments for the model (for ``auto`` / ``ensemble``:
        ``{"params": {model: {...}}, "candidates": [...]}``).
    long_run : dict or str, optional
        How growth behaves beyond the data (a scenario assumption, stated in
        ``.assumptions``): ``"trend"`` (the forecast growth continues), ``{"method":
        "converge", "rate": 0.05, "half_life": 5}`` (the default, the one the backtest
        supported at horizons 1-5; ``"trend"`` when ``growth_rate`` is given) or ``{"method":
        "national_path", "year": 2033, "count": 1_000_000}``; see
        :mod:`sufficiency.forecast.adjust`.
    area_population : DataFrame or "embedded", optional
        All-age population ``year, population`` (and ``la_code``), ``year`` = January census
        year: turns on prevalence convergence. ``"embedded"``: the ONS estimates of the
        embedded LAs (needs ``la_code`` values of the embedded data).
    age_population : DataFrame, optional
        ``year, age_band, population`` for the origin and forecast years (e.g.
        :func:`~sufficiency.forecast.demography.la_census_population`): ``.components``
        then split every model's growth into a demographic and a prevalence part
        (:func:`~sufficiency.forecast.demography.growth_split`). Defaults to ``population``
        when that has an ``age_band`` column.
    reference_population : DataFrame, optional
        ``year, population`` of a ``reference`` given as a frame (for prevalence convergence;
        the embedded England population is used with ``reference="england"``).
    convergence : float
        Prevalence convergence per year (default :data:`~.adjust.CONVERGENCE`); 0 = off.
    growth_shock_sd : float
        Yearly step of the national growth-rate random walk that widens the bands (default
        :data:`~.adjust.GROWTH_SHOCK_SD`, calibrated on origins 2014-2020); 0 = the model's
        own uncertainty only.

    Returns
    -------
    Forecast
        ``.table`` (keys, ``year``, ``mean``, quantile columns), ``.paths``, ``.model``,
        ``.levers``, ``.assumptions``, ``.plot()``, ``.summary()``.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"year": range(2015, 2026),
    ...                   "count": [1000 * 1.1 ** i for i in range(11)]})
    >>> f = project(h, 3, model="constant_growth")
    >>> f.table["mean"].round().tolist()
    [2836.0, 3085.0, 3340.0]
    """
    horizon = check_horizon(horizon)
    qs = check_quantiles(quantiles)
    if model not in MODEL_NAMES and model not in VARIANTS:
        raise ValidationError(f"model = {model!r}: expected one of {list(MODEL_NAMES)}")
    if not isinstance(n_paths, (int, np.integer)) or n_paths < 20:
        raise ValidationError(f"n_paths = {n_paths!r}: expected an integer of at least 20")
    lever_list = parse_levers(levers)
    history = _clean(history)
    keys = key_columns(history)
    hier = [k for k in keys if k not in UNIT_KEYS]
    notes = []
    if hier:
        history, added = _with_totals(history, keys, hier)
        if added:
            notes.append("No total rows in the history: the total is the sum of the parts, "
                         "forecast in its own right and reconciled with them.")
    panel = check_history(history, min_obs=MIN_OBS)
    ctx = build_context(panel, reference)
    parents, widths = cohort_structure(panel.keys)
    ctx.parents, ctx.band_width = parents, widths
    if population is not None:
        ctx.population = align_population(population, panel.keys, panel.years, horizon)
    if model in ("auto", "pooled_growth", "pooled_growth_k1", "pooled_growth_k5") and \
            not bool(ctx.reference_is_pool.any()) and reference is None:
        notes.append("No reference to pool growth with (one LA, no reference=): auto uses "
                     "constant growth. Pass reference='england' (or the statistical "
                     "neighbours' sum): on every LA alone, pooled growth towards England was "
                     "17-23% more accurate than constant growth for LA totals at 1-3 years "
                     "(docs/forecast.md).")
    params = dict(model_params or {})
    if growth_rate is not None:
        if model != "constant_growth":
            raise ValidationError(f"growth_rate = {growth_rate}: only used with "
                                  "model='constant_growth'")
        params["growth_rate"] = float(growth_rate)
    rng = np.random.default_rng(seed)
    attach_area_population(ctx, panel, area_population, reference, reference_population)
    if long_run is None and growth_rate is not None:
        long_run = "trend"      # a growth rate the user fixed is their long-run assumption
    lr = parse_long_run(long_run)
    sim = run_model(model, panel.values, horizon, n_paths, rng, ctx, params)
    national = national_series(panel.years)[-1] if lr.method == "national_path" else None
    paths, relative = apply_steps(np.asarray(sim.paths, dtype=float), panel.values, ctx, rng,
                                  convergence=convergence, long_run=lr,
                                  shock_sd=growth_shock_sd, origin_year=int(panel.years[-1]),
                                  national_last=national)
    if area_population is not None and convergence and not np.isfinite(relative).any():
        notes.append("area_population given but no series has a reference population to "
                     "compare with (pass reference='england' or many LAs): no prevalence "
                     "convergence.")
    years = np.arange(panel.years[-1] + 1, panel.years[-1] + horizon + 1)
    last = panel.values[:, -1]
    # reconcile, then levers on the parts, then re-sum the totals
    groups = _tree(panel, hier)
    if reconcile not in ("wls", "bottom_up", None):
        raise ValidationError(f"reconcile = {reconcile!r}: expected 'wls', 'bottom_up' or None")
    for total, parts in groups:
        if reconcile is not None and len(parts):
            paths[parts] = reconcile_paths(paths[parts], paths[total], reconcile)
            paths[total] = paths[parts].sum(axis=0)
    lever_log, shifts = [], []
    if lever_list:
        is_part = np.ones(len(panel), bool)
        for total, parts in groups:
            if len(parts):
                is_part[total] = False
        rows = np.flatnonzero(is_part)
        new, lever_log, shifts = apply_levers(lever_list, paths[rows], last[rows], years,
                                              panel.keys.iloc[rows].reset_index(drop=True))
        paths[rows] = new
        for total, parts in groups:
            if len(parts):
                paths[total] = paths[parts].sum(axis=0)
    table = _table(panel.keys, years, paths, qs)
    models = panel.keys.copy()
    models["model"] = sim.parameters.get("model", [model] * len(panel))
    models["description"] = sim.description
    models["relative_prevalence"] = np.exp(relative)
    components = None
    if model == "prevalence":
        components = _prevalence_components(panel, ctx, years, paths, sim)
    out = Forecast(table=table, series=panel.keys.copy(), path_array=paths, years=years,
                    model=models, levers=levers_frame(lever_log),
                    assumptions=_assumptions(model, params, lever_list, n_paths, seed,
                                             reconcile, reference, lr, convergence
                                             if np.isfinite(relative).any() else 0.0,
                                             growth_shock_sd),
                    history=history, provision_shifts=pd.DataFrame(
                        shifts, columns=["year", "lever", "from_provision", "to_provision",
                                         "share_of_new", "count"]),
                    components=components, quantiles=qs, notes=notes)
    if age_population is None and population is not None and "age_band" in population:
        age_population = population
    if age_population is not None and not (set(keys) - {"age_band"}):
        from .demography import growth_split

        try:
            out.components = growth_split(out, age_population)
        except ValidationError as err:
            out.notes.append(f"No demographic / prevalence split: {err}")
    return out


def _clean(history):
    if not isinstance(history, pd.DataFrame):
        raise ValidationError("history: expected a pandas DataFrame with columns year, count "
                              f"and optional keys; got {type(history).__name__}")
    missing = [c for c in ("year", "count") if c not in history.columns]
    if missing:
        raise ValidationError(f"history: column {missing[0]!r} is missing (columns are "
                              f"{list(history.columns)}); expected year, count and any keys")
    drop = [c for c in ("flag", "la_name") if c in history.columns]
    return history.drop(columns=drop).reset_index(drop=True)


def _with_totals(history, keys, hier):
    """Drop partial totals ("all" in some hierarchy keys only); add the LA total if absent."""
    is_all = np.column_stack([history[k].astype(str).to_numpy() == "all" for k in hier])
    full = is_all.all(axis=1)
    partial = is_all.any(axis=1) & ~full
    history = history[~partial]
    if full.any():
        return history.reset_index(drop=True), False
    units = [k for k in keys if k in UNIT_KEYS]
    tot = history.groupby(units + ["year"], as_index=False)["count"].sum(min_count=1) if units \
        else history.groupby("year", as_index=False)["count"].sum(min_count=1)
    # a total only for years where every part is known
    n_parts = history.groupby(units + ["year"])["count"].count() if units else \
        history.groupby("year")["count"].count()
    expected = n_parts.groupby(units).max() if units else n_parts.max()
    for k in hier:
        tot[k] = "all"
    if units:
        ok = n_parts.reset_index(name="n").merge(expected.reset_index(name="m"), on=units)
        tot = tot.merge(ok, on=units + ["year"])
        tot = tot[tot["n"] == tot["m"]].drop(columns=["n", "m"])
    else:
        tot = tot[tot["year"].map(n_parts) == expected]
    return pd.concat([history, tot[history.columns]], ignore_index=True), True


def _tree(panel: Panel, hier):
    """[(total row, part rows)] per unit (LA): one level, parts under the total."""
    if not hier:
        return []
    units = [k for k in panel.key_names if k in UNIT_KEYS]
    is_total = np.ones(len(panel), bool)
    for k in hier:
        is_total &= panel.keys[k].astype(str).to_numpy() == "all"
    ident = panel.keys[units].astype(str).agg("|".join, axis=1).to_numpy() if units else \
        np.array([""] * len(panel))
    out = []
    for t in np.flatnonzero(is_total):
        parts = np.flatnonzero((ident == ident[t]) & ~is_total)
        out.append((t, parts))
    return out


def _table(keys, years, paths, qs):
    n, _, h = paths.shape
    out = keys.iloc[np.repeat(np.arange(n), h)].reset_index(drop=True)
    out["year"] = np.tile(years, n)
    out["mean"] = paths.mean(axis=1).reshape(-1)
    qv = np.quantile(paths, qs, axis=1)
    for q, v in zip(qs, qv):
        out[quantile_name(q)] = v.reshape(-1)
    return out


def _prevalence_components(panel, ctx, years, paths, sim):
    from .prevalence import decompose

    T = panel.values.shape[1]
    pop_now = ctx.population[:, T - 1]
    pop_fut = ctx.population[:, T:T + len(years)]
    count_now = panel.values[:, -1]
    rate_now = sim.parameters["rate_now"]
    mean = paths.mean(axis=1)
    demo, prev = decompose(count_now[:, None], rate_now[:, None], pop_now[:, None], mean, pop_fut)
    out = panel.keys.iloc[np.repeat(np.arange(len(panel)), len(years))].reset_index(drop=True)
    out["year"] = np.tile(years, len(panel))
    out["demographic_effect"] = demo.reshape(-1)
    out["prevalence_effect"] = prev.reshape(-1)
    return out


def _assumptions(model, params, levers, n_paths, seed, reconcile, reference, long_run,
                 convergence, shock_sd):
    rows = [("model", model, "", "forecast.project"),
            ("long-run growth", long_run.describe(), "",
             "scenario assumption; default 'trend' (backtest, docs/forecast.md)"),
            ("prevalence convergence", convergence, "per year per unit of log relative "
             "plans per head", "tuned on origins 2014-2020 (docs/forecast.md); 0 = off"),
            ("national growth-rate random walk (band width)", shock_sd, "log growth per year",
             "calibrated on origins 2014-2020 (docs/forecast.md)"),
            ("simulated paths", n_paths, "paths", ""),
            ("seed", seed, "", ""),
            ("reconciliation", reconcile or "none", "",
             "Wickramasuriya et al. (2019) MinT, diagonal (WLS-var)"),
            ("pooling reference", "given" if reference is not None else
             f"pool's own sum when >= {MIN_POOL} series, else none", "", ""),
            ("default pooling weight (small pools)", DEFAULT_POOL_WEIGHT, "fraction",
             "assumption; see docs/forecast.md")]
    for k, v in params.items():
        rows.append((f"model parameter {k}", v if isinstance(v, (int, float, str)) else str(v),
                     "per year" if k == "growth_rate" else "", "user"))
    for lv in levers:
        for k, v in lv.parameters.items():
            rows.append((f"lever {lv.name}: {k}", v if isinstance(v, (int, float, str))
                         else str(v), "", "scenario assumption"))
        if lv.name == "reduce_new_plan_growth" and "cease_rate" not in lv.parameters:
            rows.append((f"lever {lv.name}: cease_rate", CEASE_RATE, "per year",
                         "DfE SEN2 2025, England: implied ceased plans / January stock"))
    return pd.DataFrame(rows, columns=["name", "value", "unit", "source"])
