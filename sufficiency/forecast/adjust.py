"""What happens to a forecast beyond the data: three named steps applied to any model's paths.

After a model has simulated its paths (``paths[i, path, step]``, one row per series), and
before the parts are reconciled with the totals, :func:`~sufficiency.forecast.project` (and
:func:`~sufficiency.forecast.backtest`, identically) applies, in this order:

1. **Prevalence convergence** (:func:`converge_prevalence`): an LA whose plans per head of
   population are above its reference's (England, or the pool of LAs) grows more slowly, one
   below grows faster: ``log growth += -beta * log(rate_i / rate_ref)`` every year, with
   ``beta`` = :data:`CONVERGENCE` (0.08 a year, tuned on origins 2014-2020 only; see
   ``docs/forecast.md``). Needs the LAs' all-age populations (ONS mid-year estimates).
2. **Long-run growth** (:func:`long_run_growth`), a scenario assumption: ``"trend"`` (growth
   continues as forecast), ``"converge"`` (annual growth moves to a long-run ``rate`` with a
   ``half_life`` in years; the default, 5% a year with a half-life of 5 years, is the one the
   backtest supported at horizons 1-5) or ``"national_path"`` (England follows a given path, e.g. 1.0m
   plans in 2033, and each series keeps its own growth relative to its reference).
3. **Growth-rate uncertainty** (:func:`growth_shock`): the national growth rate drifts as a
   random walk shared by every series on a path (a change of regime such as the 2014 reforms
   can start in any year and persists), with yearly step ``sigma`` = :data:`GROWTH_SHOCK_SD`,
   calibrated so that 80% intervals held about 80% of outcomes at horizons 1-5 on origins
   2014-2020. Every series on a
   path is multiplied by the same factor, so coherent paths stay coherent.

Every step is a multiplication of each series' paths by a factor per step, so a series' parts
and total move together and the seed fixes everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["CONVERGENCE", "GROWTH_SHOCK_SD", "CALIBRATED_YEARS", "LONG_RUN_METHODS",
           "DEFAULT_LONG_RUN", "LongRun", "parse_long_run", "step_growth", "relative_prevalence",
           "converge_prevalence", "long_run_growth", "national_growth", "growth_shock",
           "align_area_population", "reference_population", "reference_growth", "apply_steps"]

#: Prevalence convergence per year (``beta``): the slope of the pooled model's log forecast
#: error on the LA's log plans per head relative to the pool, per year of horizon, estimated
#: by least squares on every LA total at origins 2014-2020 (horizons 1-8 gave 0.056-0.065),
#: then chosen from 0, 0.03, 0.045, 0.06, 0.08, 0.1 for the lowest mean median APE at horizons
#: 1-5 on origins 2014-2020 relative to England's constant growth (0.08).
CONVERGENCE = 0.08
#: Yearly step of the national random walk in annual log growth (:func:`growth_shock`),
#: chosen (with the half-year timing of a move) from 0.04-0.06 in steps of 0.005 to keep the
#: 80% interval of LA totals closest to 80% at its worst horizon 1-5 on origins 2014-2020,
#: with the default long-run assumption (see docs/forecast.md).
GROWTH_SHOCK_SD = 0.045
#: Years over which the growth-rate shock acts (the horizons the backtest can check); after
#: that the shock's factor is held, and the bands widen only with the model's own spread.
CALIBRATED_YEARS = 8
#: The long-run growth methods a scenario can choose.
LONG_RUN_METHODS = ("trend", "converge", "national_path")
#: Default long-run assumption: of trend, and convergence to 0%, 3% or 5% a year with a
#: half-life of 5 or 10 years, the one with the lowest median APE at horizons 1-5 on the
#: tuning origins 2014-2020 (7% lower than the trend's; ``benchmarks/forecast_accuracy.py``).
DEFAULT_LONG_RUN = {"method": "converge", "rate": 0.05, "half_life": 5}


@dataclass
class LongRun:
    """A long-run growth assumption, validated.

    Attributes
    ----------
    method : {"trend", "converge", "national_path"}
    rate : float
        ``converge``: the long-run annual growth (0.03 = 3% a year).
    half_life : float
        ``converge``: years for half the gap to the long-run rate to close.
    path : DataFrame
        ``national_path``: ``year, count`` of England's plans in future January years.
    """

    method: str = "trend"
    rate: float | None = None
    half_life: float | None = None
    path: pd.DataFrame | None = field(default=None, repr=False)

    def describe(self) -> str:
        """One line an officer reads, e.g. ``"growth converges to 3.0% a year, half-life 5
        years"``."""
        if self.method == "trend":
            return "long-run growth: the forecast trend continues"
        if self.method == "converge":
            return (f"long-run growth: annual growth converges to {self.rate:.1%} a year, "
                    f"half the gap closing every {self.half_life:g} years")
        pts = ", ".join(f"{int(r.count):,} in {int(r.year)}" for r in self.path.itertuples())
        return f"long-run growth: England follows a national path ({pts}), shared by trend"


def parse_long_run(spec) -> LongRun:
    """A :class:`LongRun` from ``None`` (the default, :data:`DEFAULT_LONG_RUN`), a method
    name or a dict.

    Examples
    --------
    >>> parse_long_run({"method": "converge", "rate": 0.03, "half_life": 5}).describe()
    'long-run growth: annual growth converges to 3.0% a year, half the gap closing every 5 years'
    >>> parse_long_run({"method": "national_path", "year": 2033, "count": 1_000_000}).method
    'national_path'
    """
    if spec is None:
        spec = dict(DEFAULT_LONG_RUN)
    if isinstance(spec, LongRun):
        return spec
    if isinstance(spec, str):
        spec = {"method": spec}
    if not isinstance(spec, dict):
        raise ValidationError(f"long_run = {spec!r}: expected a dict such as "
                              "{'method': 'converge', 'rate': 0.03, 'half_life': 5}")
    spec = dict(spec)
    method = spec.pop("method", "trend")
    if method not in LONG_RUN_METHODS:
        raise ValidationError(f"long_run method = {method!r}: expected one of "
                              f"{list(LONG_RUN_METHODS)}")
    if method == "trend":
        if spec:
            raise ValidationError(f"long_run: 'trend' takes no parameters (got {sorted(spec)})")
        return LongRun("trend")
    if method == "converge":
        unknown = set(spec) - {"rate", "half_life"}
        if unknown or "rate" not in spec or "half_life" not in spec:
            raise ValidationError("long_run 'converge': expected rate (annual growth, e.g. "
                                  f"0.03) and half_life (years, > 0); got {sorted(spec)}")
        rate, half = float(spec["rate"]), float(spec["half_life"])
        if not -0.5 < rate < 1.0 or not half > 0:
            raise ValidationError(f"long_run 'converge': rate = {rate} (expected -0.5 to 1) "
                                  f"and half_life = {half} (expected > 0)")
        return LongRun("converge", rate=rate, half_life=half)
    path = spec.pop("path", None)
    if path is None and {"year", "count"} <= set(spec):
        path = pd.DataFrame({"year": [spec.pop("year")], "count": [spec.pop("count")]})
    if spec:
        raise ValidationError(f"long_run 'national_path': unexpected keys {sorted(spec)}; "
                              "expected path (year, count rows) or year and count")
    if isinstance(path, dict):
        path = pd.DataFrame({"year": list(path), "count": list(path.values())})
    elif isinstance(path, list):
        path = pd.DataFrame(path)
    if not isinstance(path, pd.DataFrame) or not {"year", "count"} <= set(path) or path.empty:
        raise ValidationError("long_run 'national_path': expected path as rows of year, count "
                              "(e.g. [{'year': 2033, 'count': 1000000}])")
    path = path[["year", "count"]].astype({"year": int, "count": float}).sort_values("year")
    if (path["count"] <= 0).any() or path["year"].duplicated().any():
        raise ValidationError("long_run 'national_path': counts must be positive, one per year")
    return LongRun("national_path", path=path.reset_index(drop=True))


# --- the steps ---------------------------------------------------------------------------

def step_growth(paths: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Log growth of the mean path at each step, ``(n, horizon)``."""
    mean = paths.mean(axis=1)
    prev = np.concatenate([last[:, None], mean[:, :-1]], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(mean / prev)
    return np.where(np.isfinite(g), g, 0.0)


def _apply_growth(paths, old, new):
    """Multiply paths by ``exp(cumsum(new - old))`` (same factor on every path)."""
    factor = np.exp(np.cumsum(new - old, axis=1))
    return paths * factor[:, None, :]


def relative_prevalence(values, area_pop, groups, reference, reference_pop):
    """``log(rate_i / rate_ref)`` at the origin (last column), NaN where unknown.

    ``values`` (n, T) counts; ``area_pop`` (n, T) each series' area population (all ages);
    ``reference`` (n_groups, T) the reference counts and ``reference_pop`` (n_groups, T) its
    population.
    """
    n = len(values)
    out = np.full(n, np.nan)
    if area_pop is None or reference is None or reference_pop is None:
        return out
    ok = groups >= 0
    g = np.where(ok, groups, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.log(values[:, -1] / area_pop[:, -1])
        ref = np.log(reference[g, -1] / reference_pop[g, -1])
    out = np.where(ok, own - ref, np.nan)
    return np.where(np.isfinite(out), out, np.nan)


def converge_prevalence(paths, relative, beta=CONVERGENCE):
    """Multiply series ``i``'s paths by ``exp(-beta * relative_i * step)``.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.ones((2, 3, 2))
    >>> converge_prevalence(p, np.array([np.log(2), np.nan]), beta=0.1)[:, 0, :].round(3)
    array([[0.933, 0.871],
           [1.   , 1.   ]])
    """
    rel = np.where(np.isfinite(relative), relative, 0.0)
    steps = np.arange(1, paths.shape[2] + 1)
    return paths * np.exp(-beta * rel[:, None] * steps[None, :])[:, None, :]


def long_run_growth(paths, last, long_run: LongRun, reference_growth=None,
                    national_last=None, origin_year=None):
    """Apply a long-run growth assumption to paths ``(n, n_paths, horizon)``.

    ``trend`` leaves them alone. ``converge``: the mean path's annual log growth ``g[s]``
    becomes ``l + (g[s] - l) * 0.5 ** (s / half_life)``, ``l = log(1 + rate)``.
    ``national_path``: ``n[s] + (g[s] - r)``, where ``n[s]`` is the national path's log growth
    (geometric between the given points, from ``national_last`` in ``origin_year``; after the
    last point at its last rate) and ``r`` the series' reference growth at the origin (its own
    first-year growth when it has no reference). Each path keeps its spread around the mean.
    """
    if long_run.method == "trend":
        return paths
    h = paths.shape[2]
    g = step_growth(paths, last)
    s = np.arange(1, h + 1)
    if long_run.method == "converge":
        lr = np.log1p(long_run.rate)
        new = lr + (g - lr) * 0.5 ** (s / long_run.half_life)[None, :]
        return _apply_growth(paths, g, new)
    n = national_growth(long_run.path, national_last, origin_year, h)
    r = np.asarray(reference_growth, float) if reference_growth is not None \
        else np.full(len(paths), np.nan)
    r = np.where(np.isfinite(r), r, g[:, 0])
    new = n[None, :] + (g - r[:, None])
    return _apply_growth(paths, g, new)


def national_growth(path: pd.DataFrame, national_last: float, origin_year: int,
                    horizon: int) -> np.ndarray:
    """Annual log growth of a national path from ``national_last`` (in ``origin_year``).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": [2027], "count": [121.0]})
    >>> np.round(np.exp(national_growth(p, 100.0, 2025, 3)) - 1, 3)
    array([0.1, 0.1, 0.1])
    """
    if national_last is None or not np.isfinite(national_last) or national_last <= 0:
        raise ValidationError("long_run 'national_path': needs England's count at the "
                              "forecast origin (the embedded national series)")
    pts = path[path["year"] > origin_year]
    if pts.empty:
        raise ValidationError(f"long_run 'national_path': no point after the origin "
                              f"{origin_year} (path years {path['year'].tolist()})")
    years = [origin_year] + pts["year"].tolist()
    logs = [np.log(national_last)] + np.log(pts["count"].to_numpy()).tolist()
    out = np.empty(horizon)
    last_rate = 0.0
    for j in range(horizon):
        y = origin_year + j + 1
        seg = np.searchsorted(years, y)           # segment (years[seg-1], years[seg]]
        if seg < len(years):
            last_rate = (logs[seg] - logs[seg - 1]) / (years[seg] - years[seg - 1])
        out[j] = last_rate
    return out


def growth_shock(paths, rng, sd=GROWTH_SHOCK_SD):
    """Multiply every series on path ``p`` by a national growth-rate shock shared by all series.

    The annual growth rate drifts as a random walk: each year it moves by ``sd * z[p, j]``
    (``z`` standard normal, one per path and year, the same for every series), half of the
    move counting in the year it happens (a change arrives on average half-way through a
    year) and all of it in every later year. At step ``s`` the log factor is
    ``sd * sum_{k <= s} (s - k + 1/2) z[p, k]``, with variance
    ``sd^2 sum_{m=0}^{s-1} (m + 1/2)^2``: a change of regime (such as the 2014 reforms) can
    start in any year and compounds. The shock stops at :data:`CALIBRATED_YEARS`. Draws come in antithetic, moment-matched
    pairs, and the factors are scaled to mean exactly 1 at every step, so each series' mean
    path is unchanged and only its spread widens.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.full((2, 100, 3), 10.0)
    >>> out = growth_shock(p, np.random.default_rng(0), sd=0.05)
    >>> bool(np.allclose(out.mean(axis=1), 10.0)), bool(np.allclose(out[0], out[1]))
    (True, True)
    """
    if sd <= 0:
        return paths
    n_paths, h = paths.shape[1], paths.shape[2]
    half = rng.standard_normal(((n_paths + 1) // 2, h))
    if half.shape[0] > 1:
        half = half / np.sqrt(np.mean(half ** 2, axis=0, keepdims=True))
    z = np.concatenate([half, -half], axis=0)[:n_paths]
    # the growth shift in year j: the moves of the years before, and half of this year's
    # (a change arrives on average half-way through a year)
    shift = np.concatenate([np.zeros((n_paths, 1)), np.cumsum(z, axis=1)[:, :-1]], axis=1) \
        + 0.5 * z
    logf = sd * np.cumsum(shift, axis=1)
    # beyond the years the backtest could check, the shock is held where it got to: bands
    # keep the model's own widening only (they are not calibrated there)
    logf[:, CALIBRATED_YEARS:] = logf[:, CALIBRATED_YEARS - 1:CALIBRATED_YEARS]
    factor = np.exp(logf)
    factor = factor / factor.mean(axis=0, keepdims=True)   # mean 1 at every step
    out = paths * factor[None, :, :]
    # exactly the model's mean path (the draws' sample correlation with the model's own
    # noise would otherwise move it by a few hundredths of a percent)
    before, after = paths.mean(axis=1), out.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        fix = np.where((after > 0) & np.isfinite(before), before / after, 1.0)
    return out * fix[:, None, :]


def align_area_population(area_population: pd.DataFrame, keys: pd.DataFrame,
                          years: np.ndarray) -> np.ndarray:
    """Each series' area population on the panel's years, ``(n_series, n_years)``.

    ``area_population``: ``year, population`` and optionally ``la_code`` (one population per
    LA, shared by all its series). ``year`` is the January census year the population is
    paired with (the ONS mid-year estimate six months earlier). Years after the last known
    population carry it forward; years before the first are NaN.
    """
    if not isinstance(area_population, pd.DataFrame) or \
            not {"year", "population"} <= set(area_population):
        raise ValidationError("area_population: expected a DataFrame with columns year, "
                              "population and optionally la_code")
    if (pd.to_numeric(area_population["population"], errors="coerce") <= 0).any():
        raise ValidationError("area_population: column 'population': expected positive numbers")
    by_la = "la_code" in area_population.columns and "la_code" in keys.columns
    wide = area_population.pivot_table(index="la_code" if by_la else None, columns="year",
                                       values="population", aggfunc="sum") if by_la else \
        area_population.groupby("year")["population"].sum().to_frame().T
    wide = wide.reindex(columns=range(int(min(wide.columns.min(), years[0])),
                                      int(max(wide.columns.max(), years[-1])) + 1))
    wide = wide.ffill(axis=1).reindex(columns=years)
    if by_la:
        out = wide.reindex(keys["la_code"].astype(str).to_numpy()).to_numpy(dtype=float)
    else:
        out = np.repeat(wide.to_numpy(dtype=float), len(keys), axis=0)
    return out


def reference_population(area_pop, groups, n_groups, reference_is_pool, england_pop=None):
    """The reference's population per pool: the members' sum for a pool, England's for the
    national reference, else NaN (no convergence)."""
    T = area_pop.shape[1]
    out = np.full((n_groups, T), np.nan)
    for g in range(n_groups):
        members = np.flatnonzero(groups == g)
        if reference_is_pool is not None and reference_is_pool[g]:
            vals = area_pop[members]
            out[g] = np.where(np.isfinite(vals).all(axis=0), vals.sum(axis=0), np.nan)
        elif england_pop is not None:
            out[g] = england_pop
    return out


def reference_growth(context, k: int = 1) -> np.ndarray:
    """Each series' reference log growth over its last ``k`` years (NaN without one)."""
    n = len(context.groups)
    out = np.full(n, np.nan)
    if context.reference is None:
        return out
    ok = context.groups >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.log(np.where(context.reference > 0, context.reference, np.nan))
    if lr.shape[1] <= k:
        return out
    gr = (lr[:, -1] - lr[:, -1 - k]) / k
    out[ok] = gr[context.groups[ok]]
    return out


def apply_steps(paths, values, context, rng, convergence=CONVERGENCE, long_run=None,
                shock_sd=GROWTH_SHOCK_SD, origin_year=None, national_last=None):
    """The three steps of this module, in order, on a model's paths; returns
    ``(paths, relative)`` with each series' log relative prevalence (NaN where unknown)."""
    long_run = parse_long_run(long_run)
    last = values[:, -1].astype(float)
    relative = np.full(len(values), np.nan)
    if convergence and context is not None and context.area_pop is not None:
        relative = relative_prevalence(values, context.area_pop, context.groups,
                                       context.reference, context.reference_pop)
        paths = converge_prevalence(paths, relative, convergence)
    if long_run.method != "trend":
        ref_g = reference_growth(context) if context is not None else None
        paths = long_run_growth(paths, last, long_run, ref_g, national_last, origin_year)
    if shock_sd:
        paths = growth_shock(paths, rng, shock_sd)
    return paths, relative
