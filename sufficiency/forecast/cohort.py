"""Cohort flow: plans age from band to band, plus net new plans.

Each year a share ``1 / width`` of the children in an age band (``width`` = years of age in
the band) moves up to the next band, assuming ages are spread evenly within a band; the rest
stay. What the ageing does not explain is *net new plans* (new plans minus ceased plans) in
that band::

    y[b, t+1] = (1 - 1/w[b]) y[b, t] + (1/w[b-1]) y[b-1, t] + n[b, t+1]

``n[b, t]`` is computed from the history for every year and projected with a damped linear
trend (the trend of the last ``window`` years, damped by ``phi`` a year). Uncertainty comes
from the rule's own one-year-ahead errors over the last ``err_window`` years, relative to the
stock, split into a persistent part (their lag-1 covariance) and a transient part and pooled
across series with the same keys, as for pooled growth. Because large primary and secondary
cohorts move into 16-19 and 20-25 whatever happens to new plans, this is what carries post-16
and post-19 growth.

The DfE publishes no 2023 age bands; the embedded data interpolates them (flagged), which
makes ``n`` for 2023 and 2024 less certain.
"""

from __future__ import annotations

import numpy as np

from ..data.vocabulary import AGE_BAND_ORDER, AGE_BANDS
from ..errors import ValidationError
from .models import (MAX_LOG_GROWTH, Simulation, _antithetic, _error_variances,
                     pooled_growth)

__all__ = ["BAND_WIDTH", "BAND_ORDER", "cohort_flow", "cohort_structure"]

#: Years of age in each standard age band (from the vocabulary's age bands).
BAND_WIDTH = {r.age_band: float(r.age_to - r.age_from + 1) for r in AGE_BANDS.itertuples()}
BAND_ORDER = list(AGE_BAND_ORDER)


def cohort_flow(values, horizon, n_paths, rng, context=None, window=5, phi=0.8,
                err_window=6, guard=0.1):
    """Age-band cohort flow with net new plans; see the module docstring.

    Parameters
    ----------
    window : int
        Years of net new plans the trend is fitted to (default 5).
    phi : float
        Damping of the net-new-plans trend per year ahead (default 0.8).
    err_window : int
        Years of one-step errors the uncertainty is estimated from (default 6).
    guard : float
        A series whose mean path grows or falls faster than it did in any of the last
        ``window`` years, by more than ``guard`` (log points a year), falls back to pooled
        growth (said in ``.model``).
    """
    if context is None or context.parents is None or context.band_width is None:
        raise ValidationError("model = 'cohort_flow': needs an age_band key with the "
                              f"standard bands {BAND_ORDER}")
    banded = np.isfinite(context.band_width)
    if not banded.all():
        # totals ("all") have no band to age through: pooled growth for them
        from .select import _slice_context

        out = np.empty((len(values), n_paths, horizon))
        desc = [""] * len(values)
        rows = np.flatnonzero(banded)
        sub = cohort_flow(values[rows], horizon, n_paths, rng,
                          _slice_context(context, values.shape[1], rows), window, phi,
                          err_window)
        out[rows] = sub.paths
        names = np.array(["pooled_growth"] * len(values), dtype=object)
        names[rows] = sub.parameters["model"]
        other = np.flatnonzero(~banded)
        tot = pooled_growth(values[other], horizon, n_paths, rng,
                            _slice_context(context, values.shape[1], other))
        out[other] = tot.paths
        for r, d in zip(rows, sub.description):
            desc[r] = d
        for r, d in zip(other, tot.description):
            desc[r] = "total (no band to age): " + d
        return Simulation(out, desc, {"model": names})
    n_s, T = values.shape
    par = context.parents
    width = context.band_width
    has_par = par >= 0
    v = np.where(np.isfinite(values), values, 0.0)
    up_in = np.where(has_par[:, None], v[np.maximum(par, 0)] / np.where(
        has_par, width[np.maximum(par, 0)], 1.0)[:, None], 0.0)
    stay = (1 - 1 / width)[:, None] * v
    net = np.full((n_s, T), np.nan)
    net[:, 1:] = v[:, 1:] - stay[:, :-1] - up_in[:, :-1]
    known = np.isfinite(values)
    net[:, 1:] = np.where(known[:, 1:] & known[:, :-1], net[:, 1:], np.nan)
    a, b, n = _net_trend(net[:, -window:])
    if (n < 3).any():
        bad = np.flatnonzero(n < 3)
        raise ValidationError(f"model = 'cohort_flow': {len(bad)} series have fewer than 4 "
                              "years to estimate net new plans from")
    damp = np.cumsum(phi ** np.arange(1, horizon + 1))
    mean_net = a[:, None] + b[:, None] * damp[None, :]          # (n, h)
    # uncertainty: the rule's own one-year-ahead errors over the last `err_window` years,
    # relative to the stock, split into a persistent and a transient part and pooled across
    # series with the same keys (as for pooled growth)
    rel = np.full((n_s, err_window), np.nan)
    for j, t in enumerate(range(T - err_window, T)):
        if t < 4:
            continue
        a_t, b_t, n_t = _net_trend(net[:, max(1, t - window):t])
        pred = stay[:, t - 1] + up_in[:, t - 1] + a_t + b_t * phi
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (v[:, t] - pred) / v[:, t - 1]
        rel[:, j] = np.where((n_t >= 3) & known[:, t] & (v[:, t - 1] > 0), r, np.nan)
    groups = context.groups if context.groups is not None else np.zeros(n_s, int)
    var_u, var_e = _error_variances(rel, groups, 4.0)
    z_u = _antithetic(rng, (n_s, n_paths, 1))[:, :, 0] * np.sqrt(var_u)[:, None]
    z_e = _antithetic(rng, (n_s, n_paths, horizon)) * np.sqrt(var_e)[:, None, None]
    paths = np.empty((n_s, n_paths, horizon))
    prev = np.repeat(v[:, -1][:, None], n_paths, axis=1)       # (n, paths)
    for j in range(horizon):
        inflow = np.where(has_par[:, None], prev[np.maximum(par, 0)] /
                          np.where(has_par, width[np.maximum(par, 0)], 1.0)[:, None], 0.0)
        nxt = ((1 - 1 / width)[:, None] * prev + inflow + mean_net[:, j][:, None]
               + prev * (z_u + z_e[:, :, j]))
        cap = prev * np.exp(MAX_LOG_GROWTH)
        nxt = np.clip(nxt, 0.0, cap)
        paths[:, :, j] = nxt
        prev = nxt
    desc = [f"cohort flow: 1/{w:.0f} of the band ages up each year; net new plans "
            f"{ai:,.0f} a year now, trend {bi:+,.0f} a year (damped {phi})"
            for w, ai, bi in zip(width, a, b)]
    model = np.array(["cohort_flow"] * n_s, dtype=object)
    # guard: a mean path changing faster than the series ever did in the last `window` years
    # (by more than `guard` log points a year) is an extrapolation artefact (e.g. a one-off
    # clean-up of plans read as a trend): fall back to pooled growth for that series
    with np.errstate(divide="ignore", invalid="ignore"):
        hist_g = np.diff(np.log(np.where(v > 0, v, np.nan)), axis=1)[:, -window:]
        mean = paths.mean(axis=1)
        path_g = np.diff(np.log(np.concatenate([v[:, -1:], mean], axis=1)), axis=1)
    lo = np.nanmin(np.where(np.isfinite(hist_g), hist_g, np.inf), axis=1) - guard
    hi = np.nanmax(np.where(np.isfinite(hist_g), hist_g, -np.inf), axis=1) + guard
    bad = ~np.all((path_g >= lo[:, None]) & (path_g <= hi[:, None]), axis=1)
    if bad.any():
        from .select import _slice_context

        rows = np.flatnonzero(bad)
        fb = pooled_growth(values[rows], horizon, n_paths, rng,
                           _slice_context(context, T, rows))
        paths[rows] = fb.paths
        for r, d in zip(rows, fb.description):
            desc[r] = ("fallback to " + d + " (cohort flow's mean path moved faster than the "
                       "series has in the last years)")
            model[r] = "pooled_growth"
    return Simulation(paths, desc, {"net_new_now": a, "net_new_trend": b,
                                    "var_u": var_u, "var_e": var_e, "model": model})


def _net_trend(recent):
    """Least-squares line through each row of ``recent`` (NaN allowed): the fitted value at
    the last column, the slope and the number of points."""
    x = np.arange(recent.shape[1], dtype=float) - (recent.shape[1] - 1)
    ok = np.isfinite(recent)
    n = ok.sum(1)
    nn = np.maximum(n, 1)
    xbar = np.where(ok, x, 0).sum(1) / nn
    ybar = np.where(ok, recent, 0).sum(1) / nn
    sxx = np.where(ok, (x - xbar[:, None]) ** 2, 0).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(sxx > 0, np.where(ok, (x - xbar[:, None]) * (recent - ybar[:, None]),
                                       0).sum(1) / sxx, 0.0)
    a = ybar - b * xbar
    return a, b, n


def cohort_structure(keys, band_col="age_band"):
    """Parents (index of the next-younger band with the same other keys) and band widths.

    Returns (parents, widths) or (None, None) when the keys do not hold standard age bands.
    """
    if band_col not in keys.columns:
        return None, None
    bands = keys[band_col].astype(str)
    known = bands.isin(BAND_ORDER)
    if not known.any() or not (known | (bands == "all")).all():
        return None, None
    others = [c for c in keys.columns if c != band_col]
    ident = keys[others].astype(str).agg("\x1f".join, axis=1) if others else \
        np.array([""] * len(keys))
    lookup = {(o, b): i for i, (o, b) in enumerate(zip(ident, bands))}
    parents = np.full(len(keys), -1)
    for i, (o, b) in enumerate(zip(ident, bands)):
        if b not in BAND_ORDER:
            continue
        pos = BAND_ORDER.index(b)
        if pos > 0:
            parents[i] = lookup.get((o, BAND_ORDER[pos - 1]), -1)
    widths = bands.map(BAND_WIDTH).astype(float).to_numpy()  # NaN for "all"
    return parents, widths
