"""How fast is the forecast? Every LA x age band (plus totals) forecast and backtested with
``auto``, against Nixtla's statsforecast AutoETS on the same series.

    python benchmarks/forecast_speed.py
    # the statsforecast comparison needs it installed (never a dependency of sufficiency):
    python -m venv /tmp/sfbench --system-site-packages && /tmp/sfbench/bin/pip install statsforecast
    /tmp/sfbench/bin/python benchmarks/forecast_speed.py

Prints wall-clock seconds and seconds per series for: ``project(model="auto")`` on all series
(10 years ahead, 1,000 paths, reconciled), ``backtest`` of ``auto`` and the constant-growth
baseline at origins 2016-2022, ``damped_trend`` (statsmodels ETS) on the LA totals, the share of
time spent inside statsmodels vs our own code, and the ratio to statsforecast's AutoETS (fit and
10-year forecast with 80/90% intervals, numba compilation excluded by a warm-up call). No
timing is asserted anywhere; numbers depend on the machine (``os.cpu_count()`` is printed).
"""

from __future__ import annotations

import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

from sufficiency.errors import DataWarning
from sufficiency.forecast import backtest, project
from sufficiency.forecast import ets as ets_module


def load():
    import sufficiency.data as sd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        hist = sd.example_histories()
    hist = hist[["la_code", "age_band", "year", "count"]]
    # a series with a missing year, or too short to model, leaves its LA out
    bad = hist.groupby(["la_code", "age_band"])["count"].agg(
        lambda s: s.isna().any() or (s.to_numpy()[::-1] > 0).cumprod().sum() < 4)
    drop = set(bad[bad].index.get_level_values(0))
    return hist[~hist["la_code"].isin(drop)], drop


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def statsforecast_time(hist: pd.DataFrame, horizon: int):
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS
    except ImportError:
        return None, ("statsforecast is not importable here: comparison skipped (install it "
                      "into a throwaway venv, see the module docstring)")
    df = hist.assign(unique_id=hist["la_code"] + "|" + hist["age_band"],
                     ds=hist["year"].astype(int), y=np.log(hist["count"].clip(lower=0.5)))
    df = df[["unique_id", "ds", "y"]]
    sf = StatsForecast(models=[AutoETS(season_length=1)], freq=1, n_jobs=1)
    warm = df[df["unique_id"].isin(df["unique_id"].unique()[:3])]
    sf.forecast(df=warm, h=horizon, level=[80, 90])              # numba compile
    _, secs = timed(sf.forecast, df=df, h=horizon, level=[80, 90])
    return secs, None


def main() -> int:
    hist, dropped = load()
    n_series = hist.groupby(["la_code", "age_band"]).ngroups
    print(f"{hist['la_code'].nunique()} LAs x {hist['age_band'].nunique()} series (5 age bands "
          f"+ total) = {n_series} series, 2010-2025; cpus: {os.cpu_count()}"
          + (f"; left out (short or missing series): {sorted(dropped)}" if dropped else ""))
    rows = []
    # warm-up (imports, first-call costs), statsmodels' ETS included
    one = hist[hist["la_code"] == hist["la_code"].iloc[0]]
    project(one, 2, n_paths=50)
    project(one[one["age_band"] == "all"].drop(columns="age_band"), 2, model="damped_trend",
            n_paths=50)

    f, secs = timed(project, hist, 10, model="auto", n_paths=1000)
    rows.append(("project auto, 10 years, 1000 paths, reconciled", n_series, secs))
    bands = hist[hist["age_band"] != "all"]
    totals = hist[hist["age_band"] == "all"].drop(columns="age_band")
    _, secs_bt = timed(backtest, bands, models=["auto", "constant_growth"], horizon=3,
                       first_origin=2016, last_origin=2022)
    _, secs_bt2 = timed(backtest, totals, models=["auto", "constant_growth"], horizon=3,
                        first_origin=2016, last_origin=2022)
    rows.append(("backtest auto + constant growth, 7 origins, h 1-3", n_series,
                 secs_bt + secs_bt2))
    ets_module.STATSMODELS_SECONDS[0] = 0.0
    _, secs_ets = timed(project, totals, 10, model="damped_trend", n_paths=1000)
    sm_share = ets_module.STATSMODELS_SECONDS[0] / secs_ets
    n_tot = totals["la_code"].nunique()
    rows.append(("project damped_trend (statsmodels ETS), totals", n_tot, secs_ets))
    print()
    print(f"{'run':55s} {'series':>7s} {'seconds':>8s} {'ms/series':>10s}")
    for name, n, s in rows:
        print(f"{name:55s} {n:7d} {s:8.2f} {1000 * s / n:10.2f}")
    print(f"\nTime inside statsmodels: auto forecast 0% (damped_trend is not an auto candidate "
          f"by default); damped_trend run {sm_share:.0%} statsmodels, {1 - sm_share:.0%} our code.")
    sf_secs, why = statsforecast_time(hist, 10)
    if sf_secs is None:
        print(why)
    else:
        ours = rows[0][2]
        print(f"statsforecast AutoETS (fit + 10-year forecast, 80/90% levels, 1 job): "
              f"{sf_secs:.2f} s = {1000 * sf_secs / n_series:.2f} ms/series.")
        print(f"Ratio, our auto forecast / statsforecast AutoETS: {ours / sf_secs:.2f} "
              f"(our damped_trend via statsmodels / AutoETS per series: "
              f"{(secs_ets / n_tot) / (sf_secs / n_series):.1f}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
