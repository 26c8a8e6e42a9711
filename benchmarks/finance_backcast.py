"""Does the cost model follow what LAs actually spent? The backcast against s251 outturn.

For every LA with published placements (SEN2, January 2019-2025), the 2021-22 benchmarking lines
and an s251 high-needs series (2017-18 to 2021-22), run :func:`sufficiency.finance.backcast`
and score it:

* **level** in the calibration year (2021-22): model / outturn - 1 (0 by construction);
* **growth** between years: the outturn of an earlier year ``a`` grown with the model's growth
  to a later year ``b`` (``outturn(a) x model(b) / model(a)``) against the outturn of ``b``;
  error = predicted / actual - 1, for 2018-19 -> 2019-20, 2019-20 -> 2020-21,
  2020-21 -> 2021-22 and 2018-19 -> 2021-22;

next to the model on the LA's placements alone (``la_weight=1``: the model before session 4),
the model before the financial-year weighting (``census_weight=1``), and three comparators:
the earlier year's spend grown with the LA's EHC plan count (``ehcp``), grown at its own rate of
the year before (``own rate``: ``outturn(a) x (outturn(a) / outturn(a-1)) ** (b - a)``), and
grown with England's modelled growth (no LA signal at all).

``la_weight`` (:data:`sufficiency.finance.outturn.LA_WEIGHT`) is estimated here, from
2018-19 -> 2020-21 only: the slope of log outturn growth on log modelled growth (LA placements
alone) across LAs. A table shows the errors for other weights.

A second run, **held out**, calibrates on 2020-21 instead (the 2021-22 lines scaled to the LA's
2020-21 outturn, January 2021 placements) and predicts 2021-22, the newest year, which no choice
in the model was fitted to: the way the model will be scored on later outturn.

A **diagnosis** of the LA-only model: how well its growth correlates with the outturn's, the
components (England), errors by region and by data-quality flag (s251 steps, SEN2 steps, lines
coded elsewhere), and the largest misses.

A last table checks the **opening balance** roll-forward (:func:`sufficiency.finance.opening.
opening_balance`) held out: from the published balance at the end of 2020-21 (reconciled on the
2020-21 movement; 2019-20 total DSG from ``dsg_by_year.xlsx``), roll one year with the model and
compare with the published balance at the end of 2021-22; error as a % of the LA's High Needs
Block, next to repeating the LA's 2020-21 movement.

Run: ``PYTHONPATH=. python benchmarks/finance_backcast.py [--markdown docs/finance-backcast.md]``
(about 2 minutes; ``--markdown`` rewrites the file below its marker line).
Prints medians over LAs: median absolute error, bias (median error), share within 7%.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np
import pandas as pd

import sufficiency.data as sd
from sufficiency.data.s251 import s251_high_needs
from sufficiency.finance.outturn import (CENSUS_WEIGHT, LA_WEIGHT, _earlier_ehcp, backcast,
                                         england_model)

PAIRS = [(2019, 2020), (2020, 2021), (2021, 2022), (2019, 2022)]
#: per LA of the last :func:`run`: region, and the backcast frame (components, unit costs)
REGION: dict = {}
FRAMES: dict = {}


def label(y: int) -> str:
    return f"{y - 1}-{y % 100:02d}"


def run(calibration_year: int = 2022, scale_to_outturn: bool = False,
        census_weight: float = CENSUS_WEIGHT, la_weight: float = LA_WEIGHT):
    las = sd.las()
    s251 = s251_high_needs()
    england = england_model(calibration_year=calibration_year, census_weight=census_weight)
    rows, series = [], {}
    for code in sorted(set(s251["la_code"])):
        out = s251[s251["la_code"] == code].set_index("year")["spend_gbp"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                placed = sd.la_placements(code)
                hn = sd.la_high_needs(code)
        except (KeyError, ValueError):
            continue
        if calibration_year not in out.index or 2022 not in out.index:
            continue
        if scale_to_outturn:
            hn = hn.copy()
            hn["value"] = hn["value"] * out[calibration_year] / out[2022]
        try:
            b = backcast(placed, hn, out.reset_index(), calibration_year=calibration_year,
                         la=code, census_weight=census_weight,
                         earlier_ehcp=_earlier_ehcp(code), la_weight=la_weight, england=england)
        except ValueError:
            continue
        model = b.set_index("year")["spend_gbp"]
        ehcp = b.set_index("year")["ehcp"]
        name = las.set_index("la_code")["la_name"].get(code, code)
        REGION[code] = las.set_index("la_code")["region"].get(code, "")
        FRAMES[code] = b
        series[code] = (name, model, out, ehcp)
        rows.append(code)
    return series


def estimate_la_weight(series, a: int = 2019, b: int = 2021) -> float:
    """Slope of log outturn growth on log modelled growth (the LA's placements alone) across
    LAs, from ``a`` to ``b``: how much of an LA's placement-driven growth showed in its spend
    (the default :data:`~sufficiency.finance.outturn.LA_WEIGHT`, from 2018-19 -> 2020-21)."""
    x, y = [], []
    for _, model, out, _ in series.values():
        if all(t in out.index and t in model.index for t in (a, b)):
            x.append(np.log(model[b] / model[a]))
            y.append(np.log(out[b] / out[a]))
    return float(np.polyfit(x, y, 1)[0])


def weight_sensitivity(alone, held_alone, weights=(0.0, 0.25, 0.39, 0.5, 0.75, 1.0)):
    """Median absolute error / bias for other weights on the LA's own placements, from the
    LA-only runs and England's model (``spend_w(Y) = spend(C) x own(Y) ** w x England(Y) **
    (1 - w)``, as :func:`~sufficiency.finance.outturn.backcast` does)."""
    rows = []
    for w in weights:
        row = {"la_weight": f"{w:.2f}"}
        for title, series, cal, (a, b) in (("2018-19 -> 2021-22", alone, 2022, (2019, 2022)),
                                           ("2018-19 -> 2020-21 (where it was estimated)",
                                            alone, 2022, (2019, 2021)),
                                           ("held out 2020-21 -> 2021-22", held_alone, 2021,
                                            (2021, 2022))):
            e = england_model(calibration_year=cal).set_index("year")["spend_gbp"]
            errs = []
            for _, model, out, _ in series.values():
                if all(t in out.index and t in model.index for t in (a, b)):
                    growth = (model[b] / model[a]) ** w * (e[b] / e[a]) ** (1 - w)
                    errs.append(out[a] * growth / out[b] - 1)
            errs = pd.Series(errs)
            row[title] = f"{100 * errs.abs().median():.1f}% / {100 * errs.median():+.1f}%"
        rows.append(row)
    return pd.DataFrame(rows)


def pair_errors(series, pairs, january=None, alone=None, calibration_year: int = 2022):
    """Growth errors of the model, the two baselines and (``january``: the run with
    ``census_weight=1``) the model before the financial-year weighting, (``alone``: the run with
    ``la_weight=1``) the model on the LA's placements alone. "England model growth" grows
    every LA with England's modelled growth (:func:`~sufficiency.finance.outturn.
    england_model`): no LA signal at all."""
    recs = []
    totals = england_model(calibration_year=calibration_year).set_index("year")["spend_gbp"]
    for code, (name, model, out, ehcp) in series.items():
        for a, b in pairs:
            if not all(y in out.index for y in (a, b)) or not all(y in model.index for y in (a, b)):
                continue
            actual = out[b]
            recs.append((code, name, a, b, "model", out[a] * model[b] / model[a] / actual - 1))
            if alone is not None and code in alone:
                m1 = alone[code][1]
                recs.append((code, name, a, b, "model, LA placements alone",
                             out[a] * m1[b] / m1[a] / actual - 1))
            if january is not None and code in january:
                m1 = january[code][1]
                recs.append((code, name, a, b, "model, January census only",
                             out[a] * m1[b] / m1[a] / actual - 1))
            recs.append((code, name, a, b, "ehcp", out[a] * ehcp[b] / ehcp[a] / actual - 1))
            recs.append((code, name, a, b, "England model growth",
                         out[a] * totals[b] / totals[a] / actual - 1))
            if a - 1 in out.index:
                own = out[a] * (out[a] / out[a - 1]) ** (b - a)
                recs.append((code, name, a, b, "own rate", own / actual - 1))
    return pd.DataFrame(recs, columns=["la_code", "la_name", "from", "to", "method", "error"])


def summary(errors: pd.DataFrame) -> pd.DataFrame:
    g = errors.groupby(["from", "to", "method"])["error"]
    out = pd.DataFrame({"las": g.size(), "median_abs_error_pct": 100 * g.apply(lambda e: e.abs().median()),
                        "bias_pct": 100 * g.median(),
                        "within_7pct": 100 * g.apply(lambda e: (e.abs() <= 0.07).mean())})
    out = out.reset_index()
    out["growth"] = [f"{label(a)} -> {label(b)}" for a, b in zip(out["from"], out["to"])]
    order = {"model": 0, "model, LA placements alone": 1, "model, January census only": 2,
             "ehcp": 3, "own rate": 4, "England model growth": 5}
    out["_o"] = out["method"].map(order)
    out = out.sort_values(["from", "to", "_o"]).drop(columns=["_o", "from", "to"])
    return out[["growth", "method", "las", "median_abs_error_pct", "bias_pct", "within_7pct"]]


def headline(errors: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """The issue's table: median absolute error / bias of the model and the baselines."""
    cols = {"model": "model", "model, LA placements alone": "model, LA placements alone",
            "ehcp": "EHC-plan baseline", "own rate": "own-rate baseline",
            "England model growth": "England's modelled growth"}
    rows = []
    for title, frame, pair in (("2018-19 -> 2021-22", errors, (2019, 2022)),
                               ("held out: calibrated 2020-21, predicting 2021-22", held,
                                (2021, 2022))):
        sel = frame[(frame["from"] == pair[0]) & (frame["to"] == pair[1])]
        row = {"growth": title}
        for method, col in cols.items():
            e = sel.loc[sel["method"] == method, "error"]
            row[col] = f"{100 * e.abs().median():.1f}% / {100 * e.median():+.1f}%"
        rows.append(row)
    return pd.DataFrame(rows)


#: What the flags below mean (benchmark diagnosis, not a model input).
FLAGS = {
    "s251 step": "the outturn moves by more than 25% in one year against the EHC plans' move "
                 "(a line moved into or out of 1.2.x, or a one-off)",
    "SEN2 step": "EHC plans rise more than 30% or fall in one year (January 2019-2022), a "
                 "recording change in SEN2",
    "lines elsewhere": "mainstream, maintained special or independent top-ups with 10 or more "
                       "placements cost under a third or over three times England's s251 cost "
                       "per placement (spend coded on another line)",
}


def flags(series) -> pd.DataFrame:
    """Data-quality flags per LA (see :data:`FLAGS`)."""
    england = england_unit_costs()
    recs = []
    for code, (name, model, out, ehcp) in series.items():
        f = []
        yrs = [y for y in range(2019, 2023) if y in out.index and y - 1 in out.index
               and y in ehcp.index and y - 1 in ehcp.index]
        if any(abs(out[y] / out[y - 1] - ehcp[y] / ehcp[y - 1]) > 0.25 for y in yrs):
            f.append("s251 step")
        g = [ehcp[y] / ehcp[y - 1] - 1 for y in range(2020, 2023) if y in ehcp.index
             and y - 1 in ehcp.index]
        if any(x > 0.30 or x < 0 for x in g):
            f.append("SEN2 step")
        u = FRAMES[code].attrs["unit_costs"]
        for pool, grp in u[u["pool"].isin(["mainstream_pool", "special", "independent"])
                           ].groupby("pool"):
            placed = grp["count"].sum()
            eng = sum(r.count * england.get(r.provision, np.nan) for r in grp.itertuples())
            if placed >= 10 and eng > 0 and not 1 / 3 <= grp["amount_gbp"].sum() / eng <= 3:
                f.append("lines elsewhere")
                break
        recs.append((code, name, REGION.get(code, ""), ", ".join(f)))
    return pd.DataFrame(recs, columns=["la_code", "la_name", "region", "flags"])


def england_unit_costs() -> dict:
    """England's s251 cost per placement by provision: every LA's pools added up."""
    amount, count = {}, {}
    for b in FRAMES.values():
        for r in b.attrs["unit_costs"].itertuples():
            amount[r.provision] = amount.get(r.provision, 0.0) + r.amount_gbp
            count[r.provision] = count.get(r.provision, 0.0) + r.count
    return {p: amount[p] / count[p] for p in amount if count[p] > 0}


def diagnosis(series, errors: pd.DataFrame) -> str:
    """Why the model misses where it misses: correlation, regions, components, data flags."""
    three = errors[(errors["from"] == 2019) & (errors["to"] == 2022)]
    model = three[three["method"] == "model"].set_index("la_code")["error"]
    out_lines = []
    g = {}
    for code, (name, m, out, ehcp) in series.items():
        if all(y in out.index for y in (2019, 2022)):
            g[code] = (np.log(m[2022] / m[2019]), np.log(out[2022] / out[2019]),
                       np.log(ehcp[2022] / ehcp[2019]))
    g = pd.DataFrame(g, index=["model", "outturn", "ehcp"]).T
    slope = np.polyfit(g["model"], g["outturn"], 1)[0]
    out_lines.append(
        f"Across LAs, the model's growth 2018-19 -> 2021-22 correlates with the outturn's at "
        f"r = {g['model'].corr(g['outturn']):.2f} (EHC plans: r = "
        f"{g['ehcp'].corr(g['outturn']):.2f}); an LA growing 10 points faster in the model grows "
        f"{10 * slope:.1f} points faster in the outturn. The spread of the outturn's growth "
        f"around England's (interquartile range {100 * g['outturn'].quantile(0.25):.0f}% to "
        f"{100 * g['outturn'].quantile(0.75):.0f}%, log) is mostly not in the placements.")
    # components, England
    comp = {}
    for y in (2019, 2022):
        comp[y] = {c: sum(FRAMES[k].set_index("year").at[y, c] for k in g.index)
                   for c in ("top_up_gbp", "fee_gbp", "central_gbp", "spend_gbp")}
    actual = {y: sum(series[k][2][y] for k in g.index) for y in (2019, 2022)}
    rows = [{"component": c.replace("_gbp", ""),
             "2018-19 £m": comp[2019][c] / 1e6, "2021-22 £m": comp[2022][c] / 1e6,
             "growth %": 100 * (comp[2022][c] / comp[2019][c] - 1),
             "share of modelled growth %": 100 * (comp[2022][c] - comp[2019][c])
             / (comp[2022]["spend_gbp"] - comp[2019]["spend_gbp"])}
            for c in ("top_up_gbp", "fee_gbp", "central_gbp", "spend_gbp")]
    rows.append({"component": "s251 outturn", "2018-19 £m": actual[2019] / 1e6,
                 "2021-22 £m": actual[2022] / 1e6,
                 "growth %": 100 * (actual[2022] / actual[2019] - 1),
                 "share of modelled growth %": np.nan})
    out_lines.append("\nComponents, the LAs scored added up (calibrated on 2021-22):\n")
    out_lines.append(markdown(pd.DataFrame(rows).round(1)))
    # regions
    reg = pd.DataFrame({"error": model, "region": [REGION.get(c, "") for c in model.index]})
    t = reg.groupby("region")["error"].agg(
        las="size", median_abs_error_pct=lambda e: 100 * e.abs().median(),
        bias_pct=lambda e: 100 * e.median()).reset_index()
    out_lines.append("\nModel, 2018-19 -> 2021-22, by region:\n")
    out_lines.append(markdown(t.round(1)))
    # flags
    f = flags(series).set_index("la_code")
    f["error"] = model
    f = f.dropna(subset=["error"])
    rows = []
    for label_, sel in (("no flag", f["flags"] == ""), ("any flag", f["flags"] != ""),
                        *((k, f["flags"].str.contains(k)) for k in FLAGS), ("all", f.index == f.index)):
        e = f.loc[sel, "error"]
        rows.append({"LAs": label_, "n": int(len(e)),
                     "median_abs_error_pct": 100 * e.abs().median() if len(e) else np.nan,
                     "bias_pct": 100 * e.median() if len(e) else np.nan})
    out_lines.append("\nModel, 2018-19 -> 2021-22, by data-quality flag "
                     + "; ".join(f"**{k}**: {v}" for k, v in FLAGS.items()) + ":\n")
    out_lines.append(markdown(pd.DataFrame(rows).round(1)))
    worst = f.reindex(f["error"].abs().sort_values(ascending=False).index).head(12)
    worst = worst.assign(error_pct=(100 * worst["error"]).round(1)).drop(columns="error")
    out_lines.append("\nLargest misses (model, 2018-19 -> 2021-22):\n")
    out_lines.append(markdown(worst.reset_index()))
    return "\n".join(out_lines)


def markdown(frame: pd.DataFrame, decimals: int = 1) -> str:
    """A frame as a markdown table, floats to ``decimals`` places (also used by
    benchmarks/opening_balance.py)."""
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in frame.itertuples(index=False):
        cells = [f"{v:,.{decimals}f}" if isinstance(v, float) else str(v) for v in r]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


MARKER = "<!-- generated by benchmarks/finance_backcast.py --markdown: below this line -->"


def per_la_table(series, alone=None) -> pd.DataFrame:
    recs = []
    for code, (name, model, out, ehcp) in series.items():
        row = {"la_code": code, "la": name}
        for y in (2019, 2020, 2021, 2022):
            if y in out.index and y in model.index:
                row[f"{label(y)} outturn £m"] = out[y] / 1e6
                row[f"{label(y)} model £m"] = model[y] / 1e6
        if 2019 in out.index and 2019 in model.index:
            row["growth 18-19->21-22 error %"] = 100 * (out[2019] * model[2022] / model[2019]
                                                       / out[2022] - 1)
            if alone is not None and code in alone:
                m1 = alone[code][1]
                row["LA placements alone error %"] = 100 * (out[2019] * m1[2022] / m1[2019]
                                                           / out[2022] - 1)
        recs.append(row)
    return pd.DataFrame(recs)


def opening_check(series) -> pd.DataFrame:
    """Roll the balance from the end of 2020-21 to the end of 2021-22, against the published."""
    from pathlib import Path

    from sufficiency.data import highneeds
    from sufficiency.finance.opening import la_opening_inputs, opening_balance
    from sufficiency.finance.outturn import backcast as run_backcast

    src = highneeds.source_dir() / "dsg_by_year.xlsx"
    if not Path(src).exists():
        return pd.DataFrame()
    raw = pd.read_excel(src, dtype={"la_code": str})
    raw = raw[raw["time_period"].astype(str) == "201920"]
    dsg1920 = dict(zip(raw["la_code"].astype(str).str.zfill(3),
                       raw["Total DSG allocation (£s)"].astype(float)))
    recs = []
    for code in series:
        if code not in dsg1920:
            continue
        try:
            inputs = la_opening_inputs(code)
            b = run_backcast(code)
        except (KeyError, ValueError):
            continue
        bal = inputs["dsg_balance"].set_index("year")["balance_pct_income"]
        if not all(y in bal.index for y in (2020, 2021, 2022)):
            continue
        inputs["dsg_income"] = pd.concat([pd.DataFrame({"year": [2020],
                                                        "total_dsg_gbp": [dsg1920[code]]}),
                                          inputs["dsg_income"]])
        published = inputs["dsg_balance"].query("year == 2022")
        inputs["dsg_balance"] = inputs["dsg_balance"].query("year <= 2021")
        try:
            est = opening_balance(2023, backcast=b, **inputs)
        except ValueError:
            continue
        total = inputs["dsg_income"].set_index("year")["total_dsg_gbp"]
        actual = float(published["balance_pct_income"].iloc[0]) / 100 * float(total[2022])
        end20 = bal[2021] / 100 * total[2021]
        end19 = bal[2020] / 100 * total[2020]
        naive = end20 + (end20 - end19)
        hnb = float(inputs["hnb_income"].set_index("year")["income_gbp"][2022])
        recs.append((code, "model", (est.balance_gbp - actual) / hnb))
        recs.append((code, "repeat 2020-21 movement", (naive - actual) / hnb))
    return pd.DataFrame(recs, columns=["la_code", "method", "error"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", help="write the tables below this markdown file's marker")
    args = parser.parse_args(argv)
    alone = run(2022, la_weight=1.0)
    weight = estimate_la_weight(alone, 2019, 2021)
    print(f"LA weight estimated on 2018-19 -> 2020-21 (2021-22 not used): {weight:.3f}; the "
          f"model uses LA_WEIGHT = {LA_WEIGHT}")
    main_run = run(2022)
    errors = pair_errors(main_run, PAIRS, january=run(2022, census_weight=1.0), alone=alone)
    level = max(abs(m[2022] / o[2022] - 1) for _, m, o, _ in main_run.values())
    print(f"LAs scored: {len(main_run)}; calibration year 2021-22; largest level error in the "
          f"calibration year: {100 * level:.2e}%")
    print("\nGrowth errors, calibrated on 2021-22 (years before it not fitted):\n")
    print(markdown(summary(errors)))
    held = run(2021, scale_to_outturn=True)
    held_alone = run(2021, scale_to_outturn=True, la_weight=1.0)
    herr = pair_errors(held, [(2021, 2022)], calibration_year=2021,
                       january=run(2021, scale_to_outturn=True, census_weight=1.0),
                       alone=held_alone)
    print("\nHeld out: calibrated on 2020-21, predicting 2021-22 (the newest year):\n")
    print(markdown(summary(herr)))
    issue_table = headline(errors, herr)
    print("\nThe issue's table (median absolute error / bias, all LAs):\n")
    print(markdown(issue_table))
    sens = weight_sensitivity(alone, held_alone)
    print("\nOther weights on the LA's own placements (median absolute error / bias):\n")
    print(markdown(sens))
    run(2022, la_weight=1.0)           # FRAMES of the LA-only model: what the placements say
    diag = diagnosis(alone, errors[errors["method"] == "model, LA placements alone"]
                     .assign(method="model"))
    print("\nDiagnosis (the model on the LA's placements alone, la_weight=1):\n")
    print(diag)
    check = opening_check(main_run)
    if len(check):
        g = check.groupby("method", sort=False)["error"]
        table = pd.DataFrame({"las": g.size(),
                              "median_abs_error_pct_of_hnb": 100 * g.apply(lambda e: e.abs().median()),
                              "bias_pct_of_hnb": 100 * g.median()}).reset_index()
        print("\nOpening balance, held out: end of 2021-22 rolled from the end of 2020-21 "
              "(error as % of the High Needs Block):\n")
        print(markdown(table))
    for la in ("865", "884", "885"):
        if la in main_run:
            name, model, out, _ = main_run[la]
            cells = ", ".join(f"{label(y)} £{model[y] / 1e6:,.1f}m vs £{out[y] / 1e6:,.1f}m"
                              for y in (2019, 2020, 2021, 2022) if y in out.index)
            print(f"\n{name}: model vs outturn: {cells}")
    if args.markdown:
        per_la = per_la_table(main_run, alone)
        generated = "\n".join([
            MARKER, "",
            f"LAs scored: {len(main_run)}. LA weight estimated on 2018-19 -> 2020-21: "
            f"{weight:.3f} (the model uses {LA_WEIGHT}).", "",
            "### The issue's table (median absolute error / bias, all LAs)", "",
            markdown(issue_table), "",
            "### Every growth, calibrated on 2021-22", "", markdown(summary(errors)), "",
            "### Held out: calibrated on 2020-21, predicting 2021-22", "",
            markdown(summary(herr)), "",
            "### Other weights on the LA's own placements", "", markdown(sens), "",
            "### Diagnosis: the model on the LA's placements alone", "", diag, "",
            "### Every LA", "",
            "Net high-needs spend (s251 lines 1.2.x), £m cash; the model is calibrated on "
            "2021-22 (equal by construction). The last two columns are the errors of growing "
            "2018-19 outturn to 2021-22 with the model's growth and with the LA's placements "
            "alone.", "",
            markdown(per_la.round(1)), ""])
        try:
            with open(args.markdown, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            text = "# Backcast against s251 outturn, every LA\n\n"
        head = text.split(MARKER)[0].rstrip() + "\n\n"
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(head + generated)
        print(f"\ngenerated tables written to {args.markdown} (after its marker line)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
