"""Rolling-origin evaluation (time-series cross-validation) of the forecast models.

For each origin year ``o`` from ``first_origin``, every model forecasts from the history up to
and including ``o`` (and a reference truncated at ``o``: nothing from the future leaks in),
and the forecasts for ``o + 1 .. o + horizon`` are compared with what happened (Tashman 2000;
FPP3 section 5.10).

Error measures, per model, series, origin and horizon:

* ``ape``: absolute percentage error of the mean forecast, ``|mean - actual| / actual``;
* ``scaled_error``: ``|mean - actual|`` divided by the series' in-sample mean absolute
  one-year change up to the origin; its mean is the MASE (Hyndman & Koehler 2006);
* ``over``: the mean forecast was above the outcome (bias: share of over-forecasts);
* ``in80`` / ``in90``: the outcome fell inside the central 80% / 90% interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .adjust import CONVERGENCE, GROWTH_SHOCK_SD, apply_steps
from .cohort import cohort_structure
from .pooling import attach_area_population, national_series
from .pooling import build_context
from .prevalence import align_population
from .select import _slice_context, _tail_len, run_model, scale_mase
from .validate import check_history, check_horizon

__all__ = ["DEFAULT_MODELS", "STEP_PARAMS", "backtest", "accuracy", "accuracy_in_words"]

DEFAULT_MODELS = ("auto", "constant_growth", "pooled_growth", "log_linear", "cohort_flow")
#: Parameters of a model spec that belong to the steps after the model (:mod:`.adjust`).
STEP_PARAMS = ("convergence", "long_run", "growth_shock_sd")


def backtest(history, models=DEFAULT_MODELS, horizon=3, first_origin=None, last_origin=None,
             reference=None, population=None, n_paths=200, seed=0, min_obs=4,
             score_flagged=False, area_population=None, reference_population=None,
             on_step=None):
    """Rolling-origin backtest: a tidy table of errors per model, series, origin and horizon.

    Parameters
    ----------
    history : DataFrame
        ``year, count`` and key columns, as for :func:`~sufficiency.forecast.project`.
    models : sequence of str, or dict
        Model names, or ``{label: (model name, {parameter: value})}`` to compare variants,
        e.g. ``{"cg3": ("constant_growth", {"k": 3})}``. The parameters ``convergence``,
        ``long_run`` and ``growth_shock_sd`` are not the model's but the steps applied after
        it, exactly as in :func:`~sufficiency.forecast.project` (default: the library's
        defaults; ``{"convergence": 0, "growth_shock_sd": 0}`` gives the model alone).
    horizon : int
        Years ahead (default 3); horizons beyond the data are left out.
    first_origin, last_origin : int, optional
        Origin years (default: the fifth year of the history to the year before the last).
    reference, population, area_population, reference_population
        As for :func:`~sufficiency.forecast.project`, truncated at each origin.
    n_paths : int
        Simulated paths per series for the intervals (default 200).
    seed : int
        Random seed: same inputs and seed, same table.
    min_obs : int
        A series enters at an origin once it has this many positive years (default 4).
    score_flagged : bool
        If the history has a ``flag`` column, outcomes with a non-empty flag (e.g. the 2023
        age bands, which the DfE did not publish and the data layer estimates) are used as
        inputs but not scored: an estimate is not an outcome. Set True to score them anyway.
    on_step : callable, optional
        Called after each model at each origin with ``(done, total, origin, model)``: the
        steps finished, the steps in all, the origin year and the model's label (for
        progress messages).

    Returns
    -------
    DataFrame
        Keys, ``model, origin, horizon, year, actual, mean, p05, p10, p50, p90, p95, error,
        ape, scaled_error, over, in80, in90``. Summarise it with :func:`accuracy`.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"year": range(2010, 2022), "count": [100 * 1.08 ** i for i in range(12)]})
    >>> bt = backtest(h, models=["constant_growth", "log_linear"], horizon=2)
    >>> sorted(bt["model"].unique())
    ['constant_growth', 'log_linear']
    """
    horizon = check_horizon(horizon)
    panel = check_history(history, min_obs=0)  # series enter at origins they qualify
    flagged = _flag_panel(history, panel) if not score_flagged else None
    specs = _model_specs(models)
    ctx = build_context(panel, reference)
    parents, widths = cohort_structure(panel.keys)
    ctx.parents, ctx.band_width = parents, widths
    if population is not None:
        ctx.population = align_population(population, panel.keys, panel.years, horizon)
    attach_area_population(ctx, panel, area_population, reference, reference_population)
    national = national_series(panel.years)
    years = panel.years
    first = int(first_origin) if first_origin is not None else int(years[0]) + 4
    last = int(last_origin) if last_origin is not None else int(years[-1]) - 1
    if first > last or first < years[0] + 1 or last > years[-1] - 1:
        raise ValidationError(f"first_origin = {first}, last_origin = {last}: expected origins "
                              f"from {years[0] + 1} to {years[-1] - 1} with an outcome after "
                              "them")
    qs = (0.05, 0.1, 0.5, 0.9, 0.95)
    frames = []
    rng_root = np.random.default_rng(seed)
    total, done = (last - first + 1) * len(specs), 0
    for origin in range(first, last + 1):
        n_years = origin - int(years[0]) + 1
        v = panel.values[:, :n_years]
        ok = _tail_len(v) >= min_obs
        if not ok.any():
            done += len(specs)
            continue
        rows = np.flatnonzero(ok)
        h = min(horizon, int(years[-1]) - origin)
        sub_ctx = _slice_context(ctx, n_years, rows)
        scale = scale_mase(v[rows])
        actual = panel.values[rows, n_years:n_years + h]
        for label, (name, params) in specs.items():
            rng = np.random.default_rng(rng_root.integers(2 ** 63))
            params = dict(params)
            steps = {k: params.pop(k) for k in STEP_PARAMS if k in params}
            if "growth_rate" in params:
                steps.setdefault("long_run", "trend")   # a fixed rate is its own long run
            done += 1
            try:
                sim = run_model(name, v[rows], h, n_paths, rng, sub_ctx, params)
            except ValidationError as err:
                if name in ("cohort_flow", "prevalence"):
                    if on_step is not None:
                        on_step(done, total, origin, label)
                    continue  # not applicable to these series
                raise ValidationError(f"backtest: model {label!r} at origin {origin}: "
                                      f"{err}") from err
            paths, _ = apply_steps(np.asarray(sim.paths, float), v[rows], sub_ctx, rng,
                                   convergence=steps.get("convergence", CONVERGENCE),
                                   long_run=steps.get("long_run"),
                                   shock_sd=steps.get("growth_shock_sd", GROWTH_SHOCK_SD),
                                   origin_year=origin,
                                   national_last=national[n_years - 1])
            mean = paths.mean(axis=1)
            qv = np.quantile(paths, qs, axis=1)            # (q, n, h)
            for j in range(h):
                a = actual[:, j]
                keep = np.isfinite(a)
                if flagged is not None:
                    keep &= ~flagged[rows, n_years + j]
                f = {"model": label, "origin": origin, "horizon": j + 1, "year": origin + j + 1,
                     "actual": a, "mean": mean[:, j]}
                for q, name_q in zip(qs, ("p05", "p10", "p50", "p90", "p95")):
                    f[name_q] = qv[list(qs).index(q), :, j]
                frame = pd.DataFrame(f)
                frame.insert(0, "_row", rows)
                frame["scale"] = scale
                frames.append(frame[keep])
            if on_step is not None:
                on_step(done, total, origin, label)
    if not frames:
        raise ValidationError("backtest: no series had enough history at any origin "
                              f"(min_obs = {min_obs})")
    out = pd.concat(frames, ignore_index=True)
    keys = panel.keys.iloc[out["_row"].to_numpy()].reset_index(drop=True)
    out = pd.concat([keys, out.drop(columns="_row")], axis=1)
    out["error"] = out["mean"] - out["actual"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ape"] = np.where(out["actual"] > 0, out["error"].abs() / out["actual"], np.nan)
        out["scaled_error"] = out["error"].abs() / out["scale"]
    out["over"] = out["error"] > 0
    out["in80"] = (out["actual"] >= out["p10"]) & (out["actual"] <= out["p90"])
    out["in90"] = (out["actual"] >= out["p05"]) & (out["actual"] <= out["p95"])
    return out.drop(columns="scale")


def accuracy(errors: pd.DataFrame, by=("model", "horizon")) -> pd.DataFrame:
    """Summarise a :func:`backtest` table: median APE (%), MASE, bias and coverage.

    Returns one row per ``by`` group: ``n``, ``median_ape_pct``, ``mase`` (mean scaled
    error), ``median_scaled_error``, ``over_share`` (share of over-forecasts; 0.5 = unbiased),
    ``coverage80``, ``coverage90`` (shares of outcomes inside the intervals).
    """
    g = errors.groupby(list(by), sort=False)
    out = pd.DataFrame({
        "n": g.size(),
        "median_ape_pct": g["ape"].median() * 100,
        "mase": g["scaled_error"].mean(),
        "median_scaled_error": g["scaled_error"].median(),
        "over_share": g["over"].mean(),
        "coverage80": g["in80"].mean(),
        "coverage90": g["in90"].mean(),
    })
    return out.reset_index()


def _flag_panel(history, panel):
    """Boolean panel: True where the history's ``flag`` is non-empty (None if no flags)."""
    if "flag" not in history.columns:
        return None
    keys = panel.key_names
    f = history[keys + ["year"]].copy()
    f["_f"] = history["flag"].fillna("").astype(str).str.len() > 0
    if not f["_f"].any():
        return None
    if keys:
        wide = f.pivot_table(index=keys, columns="year", values="_f", aggfunc="max")
        wide = wide.reindex(pd.MultiIndex.from_frame(panel.keys) if len(keys) > 1
                            else pd.Index(panel.keys[keys[0]]))
    else:
        wide = f.set_index("year")[["_f"]].T
    wide = wide.reindex(columns=panel.years)
    return wide.fillna(False).to_numpy(dtype=bool)


def _model_specs(models):
    if isinstance(models, str):
        models = [models]
    if isinstance(models, dict):
        out = {}
        for label, spec in models.items():
            if isinstance(spec, str):
                out[label] = (spec, {})
            else:
                name, params = spec
                out[label] = (name, dict(params or {}))
        return out
    return {name: (name, {}) for name in models}


def accuracy_in_words(acc: pd.DataFrame, model: str = "auto") -> list[str]:
    """One sentence per horizon a planner reads, from an :func:`accuracy` table.

    Examples
    --------
    >>> acc = pd.DataFrame({"model": ["auto"], "horizon": [5], "n": [10],
    ...                     "median_ape_pct": [10.04], "over_share": [0.3],
    ...                     "coverage80": [0.8]})
    >>> accuracy_in_words(acc)[0]
    '5 years ahead: typically 10.0% out; too high in 3 of 10 past forecasts, too low in 7; the 80% band held for 8 of 10 past forecasts.'
    >>> accuracy_in_words(acc.assign(n=7, coverage80=5 / 7))[0][-60:]
    'the 80% band held for 5 of 7 past forecasts (about 7 in 10).'
    """
    rows = acc[acc["model"] == model].sort_values("horizon")
    out = []
    for r in rows.itertuples():
        years = "1 year" if r.horizon == 1 else f"{r.horizon} years"
        over = int(round(r.over_share * 10))
        held = int(round(r.coverage80 * 10))
        n_held = int(round(r.coverage80 * r.n))
        share = "" if int(r.n) == 10 else f" (about {held} in 10)"
        out.append(f"{years} ahead: typically {r.median_ape_pct:.1f}% out; too high in {over} "
                   f"of 10 past forecasts, too low in {10 - over}; the 80% band held for "
                   f"{n_held} of {int(r.n)} past forecasts{share}.")
    return out
