"""The growth models, vectorised in numpy over every series at once.

Each model is a function ``model(values, horizon, n_paths, rng, context, **params)`` taking
the panel's values (``n_series x n_years``, ``NaN`` before a series starts, last column =
the forecast origin) and returning a :class:`Simulation`: simulated future counts
``paths[i, path, step]`` and a short description of what was fitted for each series.

All the growth models share one form on the log scale (Hyndman & Athanasopoulos, *Forecasting:
Principles and Practice*, 3rd ed., 2021, ch. 5 and 8)::

    log y[T+h] = log y[T] + h * g + h * u + (e[1] + ... + e[h]),
    u ~ N(0, var_u)   (how wrong the growth rate is: persists over the horizon)
    e ~ N(0, var_e)   (year-to-year noise)

so the forecast variance of log y[T+h] is ``h**2 var_u + h var_e``. They differ in how ``g``
and the two variances are estimated. ``log_linear`` is the exception: its line starts from
the fitted trend, with the usual regression prediction interval.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["MIN_POOL", "DEFAULT_POOL_WEIGHT", "MAX_LOG_GROWTH", "Simulation", "Context",
           "positive_tail", "log_growth", "last_k_mean", "simulate_growth", "match_mean",
           "constant_growth", "reference_growth", "log_linear", "pooled_growth"]

#: Series in a pool below which ``pooled_growth`` does not estimate the pooling weight from
#: the cross-section.
MIN_POOL = 8
#: Weight on a series' own growth when it cannot be estimated (fewer than ``MIN_POOL`` series
#: share a reference, e.g. one LA with ``reference="england"``): an assumption. The weights
#: estimated across all English LAs at origins 2016-2022 were 0.16-0.25 for LA totals with
#: ``k=1`` (0.01-0.37 with ``k=3``) and 0-0.3 for age bands: an LA's own recent growth adds
#: little to the national growth. 0.2 is the middle of the totals' range.
DEFAULT_POOL_WEIGHT = 0.2
#: Largest annual log growth a simulated path may take (exp(1.0) - 1 = +172% a year): a guard
#: against exploding intervals from very short or erratic series.
MAX_LOG_GROWTH = 1.0


@dataclass
class Simulation:
    """What a model returns: ``paths`` (n_series, n_paths, horizon) and per-series notes."""

    paths: np.ndarray
    description: list[str]
    parameters: dict = field(default_factory=dict)


@dataclass
class Context:
    """What a model may use besides the series' own history.

    Attributes
    ----------
    groups : ndarray of int, shape (n_series,)
        Pool of each series (series with the same keys except ``la_code``); -1 = none.
    reference : ndarray, shape (n_groups, n_years) or None
        The reference series of each pool (national, neighbours' or the pool's sum), on the
        same years as the values; ``NaN`` where unknown.
    population : ndarray, shape (n_series, n_years + horizon) or None
        Age population for the prevalence model (history and projection).
    years : ndarray of int
        The panel's years.
    parents : ndarray of int or None
        For cohort flow: index of the series one age band younger (-1 for the youngest).
    band_width : ndarray of float or None
        Years of age in each series' band (cohort flow).
    area_pop : ndarray, shape (n_series, n_years) or None
        All-age population of each series' area (prevalence convergence).
    reference_pop : ndarray, shape (n_groups, n_years) or None
        Population of each pool's reference (prevalence convergence).
    """

    groups: np.ndarray | None = None
    reference: np.ndarray | None = None
    reference_is_pool: np.ndarray | None = None
    population: np.ndarray | None = None
    years: np.ndarray | None = None
    parents: np.ndarray | None = None
    band_width: np.ndarray | None = None
    area_pop: np.ndarray | None = None
    reference_pop: np.ndarray | None = None


# --- helpers -----------------------------------------------------------------------------

def positive_tail(values: np.ndarray) -> np.ndarray:
    """``values`` with everything before each series' trailing positive run set to NaN."""
    pos = np.isfinite(values) & (values > 0)
    rev = pos[:, ::-1]
    n_tail = np.where(rev.all(axis=1), rev.shape[1], np.argmin(rev, axis=1))
    cols = np.arange(values.shape[1])
    keep = cols[None, :] >= (values.shape[1] - n_tail)[:, None]
    return np.where(keep, values, np.nan)


def log_growth(values: np.ndarray) -> np.ndarray:
    """Annual log growth ``log y[t] - log y[t-1]`` on the trailing positive run (n, T-1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lv = np.log(positive_tail(values))
    return np.diff(lv, axis=1)


def last_k_mean(x: np.ndarray, k: int) -> np.ndarray:
    """Mean of the last ``k`` columns ignoring NaN (NaN where none)."""
    with np.errstate(invalid="ignore"), _quiet():
        return np.nanmean(x[:, -k:], axis=1) if x.shape[1] else np.full(len(x), np.nan)


@contextlib.contextmanager
def _quiet():
    """Silence numpy's RuntimeWarnings (means of all-NaN slices are expected here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def simulate_growth(last, g, var_u, var_e, horizon, n_paths, rng, df=None):
    """Paths of ``last * exp(cumsum(g + u + e))``; see the module docstring.

    ``df`` (optional) draws the noise from a Student t scaled to the same variance, for
    heavier tails. Growth is clipped to +/- :data:`MAX_LOG_GROWTH` per year.
    """
    n = len(last)
    z_u = _antithetic(rng, (n, n_paths, 1))
    z_e = _antithetic(rng, (n, n_paths, horizon))
    if df is not None:
        scale = np.sqrt(rng.chisquare(df, (n, n_paths, 1)) / df)
        z_u, z_e = z_u / scale, z_e / scale
        z_u *= np.sqrt((df - 2) / df)
        z_e *= np.sqrt((df - 2) / df)
    step = (g[:, None, None] + np.sqrt(var_u)[:, None, None] * z_u
            + np.sqrt(var_e)[:, None, None] * z_e)
    step = np.clip(step, -MAX_LOG_GROWTH, MAX_LOG_GROWTH)
    return last[:, None, None] * np.exp(np.cumsum(step, axis=2))


def match_mean(paths: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Rescale ``paths`` (n, n_paths, h) so that their mean over paths is ``expected`` (n, h)
    (skipped where the paths' mean is not positive and finite)."""
    avg = paths.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where((avg > 0) & np.isfinite(expected), expected / avg, 1.0)
    return paths * factor[:, None, :]


def _antithetic(rng, shape):
    """Standard normal draws in antithetic pairs along axis 1 (z, -z): symmetric bands with
    half the draws."""
    n, p, h = shape
    half = rng.standard_normal((n, (p + 1) // 2, h))
    # moment matching: mean exactly 0 (the pairs) and mean square exactly 1, per series and
    # step, so the simulated mean carries almost no Monte Carlo error (Glasserman 2003, 4.5)
    half = half / np.sqrt(np.mean(half ** 2, axis=1, keepdims=True))
    return np.concatenate([half, -half], axis=1)[:, :p]


def _last(values):
    return values[:, -1].astype(float)


def _growth_variances(gr: np.ndarray, k: int, window: int = 6):
    """Year-to-year variance of log growth over the last ``window`` years and the variance of
    the mean of ``k`` of them (the growth estimate's error)."""
    recent = gr[:, -window:]
    n = np.sum(np.isfinite(recent), axis=1)
    with _quiet():
        var_e = np.where(n >= 2, np.nanvar(recent, axis=1, ddof=1), np.nan)
    fallback = np.nanmedian(var_e) if np.isfinite(var_e).any() else 0.01
    var_e = np.where(np.isfinite(var_e), var_e, fallback)
    var_u = var_e / np.maximum(np.minimum(n, k), 1)
    return var_u, var_e


# --- constant growth ---------------------------------------------------------------------

def constant_growth(values, horizon, n_paths, rng, context=None, growth_rate=None, k=3):
    """Compound growth at a fixed rate or at the mean of the last ``k`` annual growth rates.

    This is what most LAs do today (e.g. "10.8% modelled growth a year") and the baseline
    every other model is compared with.

    Parameters
    ----------
    growth_rate : float, optional
        Annual growth as a fraction (0.108 = 10.8% a year). If omitted, the arithmetic mean
        of the last ``k`` year-on-year growth rates ``y[t] / y[t-1] - 1`` of each series.
    k : int
        Years of growth averaged (default 3).

    Notes
    -----
    Uncertainty: the variance of the last six years' log growth (``var_e``) and of the mean of
    ``k`` of them (``var_u``); with a fixed rate, the rate is taken as certain in the mean but
    not in the spread (the same variances), since a fixed rate is an assumption, not a fact.
    """
    gr = log_growth(values)
    if growth_rate is not None:
        g = np.full(len(values), np.log1p(float(growth_rate)))
        what = [f"constant growth {growth_rate:.1%} a year (given)"] * len(values)
    else:
        simple = np.expm1(gr)
        rate = last_k_mean(simple, k)
        rate = np.where(np.isfinite(rate), rate, 0.0)
        g = np.log1p(np.maximum(rate, -0.9))
        what = [f"constant growth {r:.1%} a year (mean of last {k} years)" for r in rate]
    var_u, var_e = _growth_variances(gr, k)
    paths = simulate_growth(_last(values), g, var_u, var_e, horizon, n_paths, rng)
    # the mean forecast is exactly the compound-growth figure an LA's spreadsheet gives
    steps = np.arange(1, horizon + 1)
    paths = match_mean(paths, _last(values)[:, None] * np.exp(g[:, None] * steps[None, :]))
    return Simulation(paths, what, {"growth": np.expm1(g)})


# --- reference growth --------------------------------------------------------------------

def reference_growth(values, horizon, n_paths, rng, context=None, k=3):
    """The reference's (e.g. England's) mean log growth over its last ``k`` years, applied to
    each series' latest count: the baseline any officer has ("we grow as England grows").

    Uncertainty as :func:`constant_growth` on the series' own history. Series without a
    reference use their own last-``k``-year growth.
    """
    ctx = context or Context()
    gr = log_growth(values)
    own = last_k_mean(gr, k)
    g = np.where(np.isfinite(own), own, 0.0)
    desc = [f"own growth {np.expm1(x):.1%} a year (no reference)" for x in g]
    if ctx.reference is not None and ctx.groups is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            lr = np.log(np.where(ctx.reference > 0, ctx.reference, np.nan))
        rg = (lr[:, -1] - lr[:, -1 - k]) / k if lr.shape[1] > k else np.full(len(lr), np.nan)
        ok = (ctx.groups >= 0) & np.isfinite(rg[np.maximum(ctx.groups, 0)])
        g = np.where(ok, rg[np.maximum(ctx.groups, 0)], g)
        desc = [f"reference growth {np.expm1(x):.1%} a year (last {k} years)" if o else d
                for x, o, d in zip(g, ok, desc)]
    var_u, var_e = _growth_variances(gr, k)
    paths = simulate_growth(_last(values), g, var_u, var_e, horizon, n_paths, rng)
    steps = np.arange(1, horizon + 1)
    paths = match_mean(paths, _last(values)[:, None] * np.exp(g[:, None] * steps[None, :]))
    return Simulation(paths, desc, {"growth": np.expm1(g)})


# --- log-linear trend --------------------------------------------------------------------

def log_linear(values, horizon, n_paths, rng, context=None, window=8):
    """Least-squares trend on log counts over the last ``window`` years, t prediction bands.

    ``log y[t] = a + b t + e``, ``e ~ N(0, s^2)``; paths draw the line from the sampling
    distribution of ``(a, b)`` and add noise, with a Student t (n - 2 df) mixing so that the
    marginal bands are the usual regression prediction intervals.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lv = np.log(positive_tail(values))[:, -window:]
    n_s, w = lv.shape
    x = np.arange(w, dtype=float) - (w - 1)  # origin at 0
    m = np.isfinite(lv)
    n = m.sum(axis=1).astype(float)
    xm = np.where(m, x, 0.0)
    ym = np.where(m, lv, 0.0)
    xbar = xm.sum(1) / n
    ybar = ym.sum(1) / n
    sxx = np.where(m, (x - xbar[:, None]) ** 2, 0).sum(1)
    sxy = np.where(m, (x - xbar[:, None]) * (lv - ybar[:, None]), 0).sum(1)
    b = sxy / sxx
    a = ybar - b * xbar
    resid = np.where(m, lv - (a[:, None] + b[:, None] * x), 0.0)
    df = np.maximum(n - 2, 1)
    s2 = (resid ** 2).sum(1) / df
    s2 = np.where(n > 2, s2, np.nanmedian(s2[n > 2]) if (n > 2).any() else 0.01)
    s2 = np.maximum(s2, 1e-8)
    # draws of the line: (a, b) ~ N with cov s2 * (X'X)^-1, mixed with a t scale
    steps = np.arange(1, horizon + 1, dtype=float)
    z_a = rng.standard_normal((n_s, n_paths, 1))
    z_b = rng.standard_normal((n_s, n_paths, 1))
    z_e = rng.standard_normal((n_s, n_paths, horizon))
    # Student t mixing with at least 3 degrees of freedom: with 1 or 2 (a 3- or 4-year
    # series) the t has no variance and the simulated mean is at the mercy of a few draws
    df_t = np.maximum(df, 3.0)
    chi = rng.chisquare(df_t[:, None, None] * np.ones((1, n_paths, 1)))
    t_scale = np.sqrt(df_t[:, None, None] / chi)
    s = np.sqrt(s2)[:, None, None]
    se_b = s / np.sqrt(sxx)[:, None, None]
    se_mean = s / np.sqrt(n)[:, None, None]
    xf = steps[None, None, :] - xbar[:, None, None]
    mean = (ybar[:, None, None] + b[:, None, None] * xf)
    lp = mean + t_scale * (se_mean * z_a + se_b * xf * z_b + s * z_e)
    lp = np.minimum(lp, np.log(_last(values))[:, None, None] + MAX_LOG_GROWTH * steps)
    paths = np.exp(lp)
    what = [f"log-linear trend {np.expm1(bi):.1%} a year over {int(ni)} years"
            for bi, ni in zip(b, n)]
    return Simulation(paths, what, {"growth": np.expm1(b)})


# --- pooled growth -----------------------------------------------------------------------

def pooled_growth(values, horizon, n_paths, rng, context=None, k=3, k_ref=1, weight=None,
                  window=6, shrink_obs=4.0, size_weighted=True):
    """Each series' recent growth, partially pooled towards its reference's growth.

    ``g_i = r + w (own_i - r)`` where ``own_i`` is the mean log growth of series ``i`` over
    the last ``k`` years and ``r`` the reference's log growth over the last ``k_ref`` years
    (the national series, the statistical neighbours' sum, or the sum of all series in the
    pool: the same keys but ``la_code``). ``w`` is the empirical-Bayes shrinkage factor,
    estimated at each origin by least squares across the pool: the slope of next year's
    growth gap ``g_i[t] - r[t-1]`` on the gap the formula would have used, ``own_i[t-1] -
    r[t-1]``, over the last ``window`` years (through the origin, clipped to [0, 1]); see
    Efron & Morris (1975) and Gelman et al., *Bayesian Data Analysis* (3rd ed.), ch. 5. A
    pool of fewer than :data:`MIN_POOL` series uses :data:`DEFAULT_POOL_WEIGHT`.

    Uncertainty follows the module's growth form: the one-step errors of the same rule over the
    last ``window`` years give ``var_u`` (their covariance at lag 1, the persistent part) and
    ``var_e`` (the rest), pooled across the pool and scaled per series by its own error
    variance shrunk towards the pool's with ``shrink_obs`` pseudo-observations.

    Without a reference and a pool (one series alone) this is constant growth at the mean of
    the last ``k`` log growth rates, with the same error model on its own history.
    """
    ctx = context or Context()
    n_s = len(values)
    gr = log_growth(values)                      # (n, T-1): growth into year t (t >= 1)
    T1 = gr.shape[1]
    groups = ctx.groups if ctx.groups is not None else np.full(n_s, -1)
    ref_gr = np.full((n_s, T1), np.nan)
    if ctx.reference is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            rg = np.diff(np.log(np.where(ctx.reference > 0, ctx.reference, np.nan)), axis=1)
        ok = groups >= 0
        ref_gr[ok] = rg[groups[ok]][:, -T1:] if T1 else rg[groups[ok]][:, :0]
    has_ref = np.isfinite(ref_gr[:, -1]) if T1 else np.zeros(n_s, bool)
    # own k-year mean growth and reference k_ref-year mean growth, as known at each year t
    own = _rolling_mean(gr, k)                   # own[:, j] = mean of gr[:, j-k+1 .. j]
    ref = _rolling_mean(ref_gr, k_ref)
    ref = np.where(np.isfinite(ref), ref, own)   # no reference: own growth is the reference
    gap = own - ref
    gap = np.where(np.isfinite(gap), gap, 0.0)
    # estimate w per pool from the last `window` one-year-ahead outcomes
    w = np.full(n_s, np.nan)
    pools = np.unique(groups)
    for p in pools:
        members = np.flatnonzero(groups == p)
        if weight is not None:
            w[members] = weight
            continue
        if p < 0 or len(members) < MIN_POOL or not has_ref[members].any():
            w[members] = DEFAULT_POOL_WEIGHT
            continue
        x = gap[members, :-1][:, -window:]
        y = gr[members, 1:][:, -window:] - ref[members, :-1][:, -window:]
        ok = np.isfinite(x) & np.isfinite(y)
        if size_weighted:
            # growth noise shrinks with size (roughly Poisson): weight by the level
            lev = values[members, 1:-1][:, -window:] if values.shape[1] > 2 else None
            wt = np.where(ok & np.isfinite(lev), lev, 0.0) if lev is not None else ok * 1.0
        else:
            wt = ok * 1.0
        sxx = np.sum(np.where(ok, wt * x * x, 0))
        w[members] = np.clip(np.sum(np.where(ok, wt * x * y, 0)) / sxx, 0, 1) if sxx > 0 \
            else DEFAULT_POOL_WEIGHT
    g_hist = ref + w[:, None] * gap               # the rule's growth forecast made at year t
    g = g_hist[:, -1]
    g = np.where(np.isfinite(g), g, np.where(np.isfinite(own[:, -1]), own[:, -1], 0.0))
    # one-step errors of the rule: e[t] = gr[t] - g_hist[t-1]
    err = gr[:, 1:] - g_hist[:, :-1]
    err = err[:, -window:]
    var_u, var_e = _error_variances(err, groups, shrink_obs)
    paths = simulate_growth(_last(values), g, var_u, var_e, horizon, n_paths, rng)
    what = []
    for i in range(n_s):
        if has_ref[i]:
            what.append(f"pooled growth {np.expm1(g[i]):.1%} a year (weight {w[i]:.2f} on own "
                        f"{k}-year growth {np.expm1(own[i, -1]):.1%}, reference "
                        f"{np.expm1(ref[i, -1]):.1%})")
        else:
            what.append(f"own growth {np.expm1(g[i]):.1%} a year (no reference to pool with)")
    return Simulation(paths, what, {"growth": np.expm1(g), "weight": w,
                                    "var_u": var_u, "var_e": var_e})


def _rolling_mean(x, k):
    """``out[:, j]`` = nanmean of ``x[:, j-k+1 : j+1]`` (NaN if none)."""
    n, T = x.shape
    out = np.full((n, T), np.nan)
    for j in range(T):
        with _quiet():
            out[:, j] = np.nanmean(x[:, max(0, j - k + 1): j + 1], axis=1)
    return out


def _error_variances(err, groups, shrink_obs):
    """Pooled persistent (lag-1 covariance) and transient error variances, per series."""
    n_s = len(err)
    var_u = np.zeros(n_s)
    var_e = np.zeros(n_s)
    finite = np.isfinite(err)
    for p in np.unique(groups):
        members = np.flatnonzero(groups == p) if p >= 0 else np.flatnonzero(groups == p)
        e = err[members]
        ok = finite[members]
        if not ok.any():
            var_u[members], var_e[members] = 0.0, 0.01
            continue
        ev = e[ok]
        # winsorise at the 1st/99th percentiles so one erratic small series cannot dominate
        lo, hi = np.percentile(ev, [1, 99]) if ev.size >= 20 else (ev.min(), ev.max())
        ec = np.clip(np.where(ok, e, 0.0), lo, hi)
        total = np.sum(np.where(ok, ec ** 2, 0)) / ok.sum()
        both = ok[:, 1:] & ok[:, :-1]
        cov = np.sum(np.where(both, ec[:, 1:] * ec[:, :-1], 0)) / max(both.sum(), 1)
        cov = float(np.clip(cov, 0, total))
        # per series: own mean square shrunk towards the pool's
        n_i = ok.sum(axis=1)
        own = np.sum(np.where(ok, ec ** 2, 0), axis=1)
        scale = (own + shrink_obs * total) / (n_i + shrink_obs) / max(total, 1e-12)
        var_u[members] = cov * scale
        var_e[members] = (total - cov) * scale
    return var_u, var_e
