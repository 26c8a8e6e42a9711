"""How accurate is the forecast on real data? Rolling-origin backtest on every LA's 2010-2025
EHC plan series (DfE SEN2, embedded), total and by age band.

    python benchmarks/forecast_accuracy.py                 # damped_trend on totals only, ~2 min
    python benchmarks/forecast_accuracy.py --fast          # no damped_trend (statsmodels), 10 s
    python benchmarks/forecast_accuracy.py --damped-bands  # damped_trend on age bands too

Origins 2016-2022, horizons 1-5 (5 only where the data allow, i.e. origins up to 2020). A
series enters at an origin once it has 4 positive years (so 20-25, which starts in 2015 when
plans were extended to 25, enters in 2018). The 2023 age bands were not published by the DfE;
the embedded data estimates them (flagged), and estimates are used as inputs but not scored as
outcomes (the totals are published every year). Prints, per model: median absolute percentage error
(APE) and MASE by horizon, bias (share of over-forecasts; 0.5 = unbiased) and the empirical
coverage of the 80% and 90% intervals (horizons 1-3), then checks the issue's targets:
``auto`` beats constant growth at the mean of the last 3 years (``cg3``, what LAs do today) by
at least 15% on median APE at each of horizons 1-3, and its 80% interval covers 75-85%.

Nothing is tuned here: the models' parameters are their documented defaults, and every
forecast uses only data up to its origin (pooling uses all LAs' series up to the origin).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

from sufficiency.errors import DataWarning
from sufficiency.forecast import accuracy, backtest

ORIGINS = (2016, 2022)
MODELS = {
    "auto": ("auto", {}),
    "ensemble": ("ensemble", {}),
    "pooled_growth": ("pooled_growth", {}),
    "cg3": ("constant_growth", {"k": 3}),
    "cg_10.8%": ("constant_growth", {"growth_rate": 0.108}),
    "log_linear": ("log_linear", {}),
    "damped_trend": ("damped_trend", {}),
    "cohort_flow": ("cohort_flow", {}),
}


def load():
    import sufficiency.data as sd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        hist = sd.example_histories()
    hist = hist[["la_code", "la_name", "age_band", "year", "count", "flag"]]
    gaps = hist.groupby(["la_code", "age_band"])["count"].transform(lambda s: s.isna().any())
    # 20-25 before 2015 is the DfE's "not applicable" (read as 0): an input, flag not needed
    hist = hist.assign(flag=np.where(hist["flag"].str.startswith("estimated"), hist["flag"], ""))
    dropped = hist[gaps][["la_name", "age_band"]].drop_duplicates()
    return hist[~gaps].drop(columns="la_name"), dropped


def run(level: str, hist: pd.DataFrame, models: dict, seed: int = 0):
    sub = hist[hist["age_band"] == "all"] if level == "total" else hist[hist["age_band"] != "all"]
    if level == "total":
        sub = sub.drop(columns="age_band")
        models = {k: v for k, v in models.items() if v[0] != "cohort_flow"}
    t = time.perf_counter()
    bt = backtest(sub, models=models, horizon=5, first_origin=ORIGINS[0],
                  last_origin=ORIGINS[1], n_paths=200, seed=seed)
    return bt, time.perf_counter() - t


def table(bt: pd.DataFrame) -> pd.DataFrame:
    acc = accuracy(bt)
    wide = acc.pivot(index="model", columns="horizon", values=["median_ape_pct", "mase"])
    rows = []
    for model in dict.fromkeys(bt["model"]):
        r = {"model": model}
        for h in (1, 2, 3, 5):
            r[f"APE h{h}"] = wide.loc[model, ("median_ape_pct", h)]
        for h in (1, 2, 3, 5):
            r[f"MASE h{h}"] = wide.loc[model, ("mase", h)]
        near = bt[(bt["model"] == model) & (bt["horizon"] <= 3)]
        r["over"] = near["over"].mean()
        r["cov80"] = near["in80"].mean()
        r["cov90"] = near["in90"].mean()
        rows.append(r)
    return pd.DataFrame(rows).set_index("model")


def check(bt: pd.DataFrame, label: str) -> bool:
    acc = accuracy(bt)
    ape = acc.pivot(index="model", columns="horizon", values="median_ape_pct")
    ok = True
    print(f"\nTargets ({label}):")
    for h in (1, 2, 3):
        gain = 1 - ape.loc["auto", h] / ape.loc["cg3", h]
        good = gain >= 0.15
        ok &= good
        print(f"  h={h}: auto {ape.loc['auto', h]:.2f}% vs cg3 {ape.loc['cg3', h]:.2f}% "
              f"median APE: {gain:+.1%} better  [{'met' if good else 'NOT met'}: >= 15%]")
    near = bt[(bt["model"] == "auto") & (bt["horizon"] <= 3)]
    cov = near["in80"].mean()
    good = 0.75 <= cov <= 0.85
    ok &= good
    per_h = near.groupby("horizon")["in80"].mean()
    print(f"  80% interval coverage h1-3: {cov:.1%} (by horizon: "
          + ", ".join(f"h{h} {v:.1%}" for h, v in per_h.items())
          + f")  [{'met' if good else 'NOT met'}: 75-85%]")
    # robustness: the gain at every origin, not just on average
    by_origin = bt[bt["model"].isin(["auto", "cg3"]) & (bt["horizon"] <= 3)].groupby(
        ["origin", "model"])["ape"].median().unstack()
    gains = 1 - by_origin["auto"] / by_origin["cg3"]
    print("  gain in median APE (h1-3 pooled) by origin: "
          + ", ".join(f"{o}: {g:+.0%}" for o, g in gains.items()))
    return ok


def one_la(hist: pd.DataFrame) -> None:
    """Each LA alone (no other LAs to pool with): auto with and without reference='england'."""
    import sufficiency.data as sd

    eng = sd.england_history()[["year", "age_band", "count"]]
    models = {"cg3": ("constant_growth", {"k": 3}), "auto": ("auto", {})}
    out = []
    for la, g in hist.groupby("la_code"):
        for level in ("total", "age band"):
            sub = g[g["age_band"] == "all"].drop(columns="age_band") if level == "total" \
                else g[g["age_band"] != "all"]
            if sub.empty:
                continue
            for ref in ("england", "none"):
                r = None if ref == "none" else (
                    eng if level != "total" else eng[eng["age_band"] == "all"][["year", "count"]])
                bt = backtest(sub.drop(columns="la_code"), models=models, horizon=3,
                              first_origin=ORIGINS[0], last_origin=ORIGINS[1], reference=r,
                              n_paths=100)
                out.append(bt.assign(level=level, reference=ref,
                                     la_code=la, **({"age_band": "all"} if level == "total"
                                                    else {})))
    bt = pd.concat(out, ignore_index=True)
    acc = accuracy(bt, by=("level", "reference", "model", "horizon"))
    print("\n== Each LA on its own (project on one LA's frame): median APE % and 80% coverage ==")
    print(acc.pivot(index=["level", "reference", "model"], columns="horizon",
                    values=["median_ape_pct", "coverage80"]).round(2).to_string())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="leave out damped_trend")
    parser.add_argument("--damped-bands", action="store_true",
                        help="also run damped_trend on the age bands (statsmodels, one series "
                             "at a time: about 5,000 fits, several minutes)")
    parser.add_argument("--one-la", action="store_true",
                        help="also backtest each LA on its own, with reference='england' and "
                             "without a reference (as a single-LA user would; ~1 minute)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    hist, dropped = load()
    n_la = hist["la_code"].nunique()
    print(f"EHC plans 2010-2025, {n_la} LAs (continuous footprints), origins "
          f"{ORIGINS[0]}-{ORIGINS[1]}, horizons 1-5.")
    if len(dropped):
        print("Left out (a year missing in the series): "
              + "; ".join(f"{r.la_name} {r.age_band}" for r in dropped.itertuples()))
    print("Population projections are not embedded, so the prevalence model is not "
          "backtested here.")
    pd.set_option("display.width", 200)
    all_ok = True
    for level in ("total", "age band"):
        models = dict(MODELS)
        if args.fast or (not args.damped_bands and level != "total"):
            models.pop("damped_trend")
        bt, secs = run("total" if level == "total" else "bands", hist, models, args.seed)
        n = bt[bt["model"] == "auto"].groupby("horizon").size()
        ids = ["la_code"] + (["age_band"] if "age_band" in bt else [])
        n_series = bt[bt["model"] == "auto"][ids].drop_duplicates().shape[0]
        print(f"\n== LA {level} series: {n_series} "
              f"series, forecasts per model by horizon: {n.to_dict()}; {secs:.0f} s ==")
        print("APE = median absolute % error; MASE = mean absolute scaled error; over = share "
              "of over-forecasts (h1-3); cov80/cov90 = outcomes inside the 80%/90% interval "
              "(h1-3)")
        print(table(bt).to_string(float_format=lambda v: f"{v:.2f}"))
        all_ok &= check(bt, f"LA {level}")
        if level == "age band":
            acc = accuracy(bt[bt["model"].isin(["auto", "cg3"]) & (bt["horizon"] <= 3)],
                           by=("age_band", "model"))
            print("\nBy age band (h1-3 pooled):")
            print(acc.pivot(index="age_band", columns="model",
                            values=["median_ape_pct", "coverage80"]).round(2).to_string())
    if args.one_la:
        one_la(hist)
    print("\nAll targets met." if all_ok else "\nSome targets NOT met (see above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
