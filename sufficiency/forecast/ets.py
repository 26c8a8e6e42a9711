"""Damped-trend exponential smoothing on log counts (statsmodels ``ETSModel``).

Holt's linear method with a damped additive trend (Gardner & McKenzie 1985; FPP3 section 8.2)
fitted by maximum likelihood to ``log(count)``, one series at a time, with intervals by
simulating the fitted state-space model (FPP3 section 8.7).

Known behaviour of statsmodels this module guards against:

* on short series the damping parameter ``phi`` is estimated at its upper bound (0.98), so
  damping barely acts; we bound it to ``phi_bounds`` (default 0.80-0.95) or fix it (``phi=``);
* ``ETSResults.get_prediction`` needs a pandas Series as data, not a bare ndarray, so the
  series is passed as a Series (we simulate rather than use it);
* from its default starting values the likelihood search often stops at smoothing parameters
  of 0 (a straight line through the whole history that ignores the recent acceleration), so we
  also start from responsive values (0.9, 0.3) and keep the fit with the higher likelihood;
* a few series give exploding simulations: paths are clipped to a growth of at most
  :data:`~sufficiency.forecast.models.MAX_LOG_GROWTH` a year, and a series whose fit fails or
  whose simulated paths are not finite falls back to ``log_linear`` (said in ``.model``).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from .models import MAX_LOG_GROWTH, Simulation, log_linear, positive_tail

__all__ = ["STATSMODELS_SECONDS", "damped_trend"]

#: Seconds spent inside statsmodels since import (read by the speed benchmark).
STATSMODELS_SECONDS = [0.0]


def damped_trend(values, horizon, n_paths, rng, context=None, phi=None,
                 phi_bounds=(0.8, 0.95)):
    """Damped additive trend ETS(A,Ad,N) on log counts, intervals by simulation.

    Parameters
    ----------
    phi : float, optional
        Fix the damping parameter (0 < phi <= 1); if omitted it is estimated within
        ``phi_bounds``.
    phi_bounds : (float, float)
        Bounds for the estimated damping parameter (default 0.80-0.95, FPP3's advice that
        phi below 0.8 damps too hard and above 0.98 barely damps).

    Examples
    --------
    >>> import numpy as np
    >>> v = np.array([[100., 108, 117, 126, 136, 147, 159, 172]])
    >>> sim = damped_trend(v, 3, 100, np.random.default_rng(0))
    >>> sim.paths.shape
    (1, 100, 3)
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    lv_all = np.log(positive_tail(values))
    n_s = len(values)
    paths = np.empty((n_s, n_paths, horizon))
    desc = [""] * n_s
    model = np.array(["damped_trend"] * n_s, dtype=object)
    fallback = []
    for i in range(n_s):
        lv = lv_all[i][np.isfinite(lv_all[i])]
        if len(lv) < 4:
            fallback.append((i, "fewer than 4 years"))
            continue
        bounds = {"damping_trend": tuple(phi_bounds)}
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mod = ETSModel(pd.Series(lv), error="add", trend="add", damped_trend=True,
                               bounds=None if phi is not None else bounds)
                res = _best_fit(mod, lv, phi)
                sim = res.simulate(horizon, anchor="end", repetitions=n_paths, rng=rng)
            sim = np.asarray(sim, dtype=float).reshape(horizon, n_paths).T
        except Exception as err:  # noqa: BLE001 - statsmodels raises many kinds
            STATSMODELS_SECONDS[0] += time.perf_counter() - t0
            fallback.append((i, f"fit failed: {type(err).__name__}"))
            continue
        STATSMODELS_SECONDS[0] += time.perf_counter() - t0
        if not np.isfinite(sim).all():
            fallback.append((i, "non-finite simulated paths"))
            continue
        cap = lv[-1] + MAX_LOG_GROWTH * np.arange(1, horizon + 1)
        floor = lv[-1] - MAX_LOG_GROWTH * np.arange(1, horizon + 1)
        paths[i] = np.exp(np.clip(sim, floor, cap))
        params = dict(zip(res.model.param_names, np.asarray(res.params)))
        desc[i] = (f"damped trend ETS(A,Ad,N) on logs: alpha {params['smoothing_level']:.2f}, "
                   f"beta {params['smoothing_trend']:.2f}, phi "
                   f"{params.get('damping_trend', phi):.2f}")
    if fallback:
        rows = np.array([i for i, _ in fallback])
        sim = log_linear(values[rows], horizon, n_paths, rng)
        paths[rows] = sim.paths
        for (i, why), d in zip(fallback, sim.description):
            desc[i] = f"fallback to {d} ({why})"
            model[i] = "log_linear"
    return Simulation(paths, desc, {"model": model})


def _best_fit(mod, lv, phi):
    """Maximum likelihood from statsmodels' default start (smoothing 0.1 / 0.01) and from a
    responsive start (0.9 / 0.3): on these short, accelerating series the default start often
    stops at smoothing parameters of 0, a straight line that ignores the recent years; the fit
    with the higher log-likelihood is kept."""
    slope = float(np.mean(np.diff(lv[:3]))) if len(lv) > 3 else 0.0
    fits = []
    for start in (None, (0.9, 0.3)):
        try:
            if phi is not None:
                with mod.fix_params({"damping_trend": float(phi)}):
                    sp = None if start is None else np.array([*start, lv[0], slope])
                    fits.append(mod.fit(start_params=sp, disp=False))
            else:
                sp = None if start is None else np.array([*start, 0.9, lv[0], slope])
                fits.append(mod.fit(start_params=sp, disp=False))
        except Exception:  # noqa: BLE001 - try the other start
            continue
    if not fits:
        raise RuntimeError("no ETS fit converged")
    return max(fits, key=lambda r: r.llf if np.isfinite(r.llf) else -np.inf)
