"""Does the cost model follow what LAs actually spent? The backcast against s251 outturn.

For every LA with published placements (SEN2, January 2019-2025), the 2021-22 benchmarking lines
and an s251 high-needs series (2017-18 to 2021-22), run :func:`sufficiency.finance.backcast`
and score it:

* **level** in the calibration year (2021-22): model / outturn - 1 (0 by construction);
* **growth** between years: the outturn of an earlier year ``a`` grown with the model's growth
  to a later year ``b`` (``outturn(a) x model(b) / model(a)``) against the outturn of ``b``;
  error = predicted / actual - 1, for 2018-19 -> 2019-20, 2019-20 -> 2020-21,
  2020-21 -> 2021-22 and 2018-19 -> 2021-22;

next to the model before the financial-year weighting (``census_weight=1``: the January
census inside the year alone) and two baselines: the earlier year's spend grown with the LA's
EHC plan count
(``ehcp``), and grown at its own rate of the year before (``own rate``:
``outturn(a) x (outturn(a) / outturn(a-1)) ** (b - a)``).

A second run, **held out**, calibrates on 2020-21 instead (the 2021-22 lines scaled to the LA's
2020-21 outturn, January 2021 placements) and predicts 2021-22, the newest year, which no choice
in the model was fitted to: the way the model will be scored on later outturn.

A third table checks the **opening balance** roll-forward (:func:`sufficiency.finance.opening.
opening_balance`) held out: from the published balance at the end of 2020-21 (reconciled on the
2020-21 movement; 2019-20 total DSG from ``dsg_by_year.xlsx``), roll one year with the model and
compare with the published balance at the end of 2021-22; error as a % of the LA's High Needs
Block, next to repeating the LA's 2020-21 movement.

Run: ``PYTHONPATH=. python benchmarks/finance_backcast.py [--markdown docs/finance-backcast.md]``.
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
from sufficiency.finance.outturn import CENSUS_WEIGHT, _earlier_ehcp, backcast

PAIRS = [(2019, 2020), (2020, 2021), (2021, 2022), (2019, 2022)]


def label(y: int) -> str:
    return f"{y - 1}-{y % 100:02d}"


def run(calibration_year: int = 2022, scale_to_outturn: bool = False,
        census_weight: float = CENSUS_WEIGHT):
    las = sd.las()
    s251 = s251_high_needs()
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
                         earlier_ehcp=_earlier_ehcp(code))
        except ValueError:
            continue
        model = b.set_index("year")["spend_gbp"]
        ehcp = b.set_index("year")["ehcp"]
        name = las.set_index("la_code")["la_name"].get(code, code)
        series[code] = (name, model, out, ehcp)
        rows.append(code)
    return series


def pair_errors(series, pairs, january=None):
    """Growth errors of the model, the two baselines and (``january``: the run with
    ``census_weight=1``) the model before the financial-year weighting."""
    recs = []
    for code, (name, model, out, ehcp) in series.items():
        for a, b in pairs:
            if not all(y in out.index for y in (a, b)) or not all(y in model.index for y in (a, b)):
                continue
            actual = out[b]
            recs.append((code, name, a, b, "model", out[a] * model[b] / model[a] / actual - 1))
            if january is not None and code in january:
                m1 = january[code][1]
                recs.append((code, name, a, b, "model, January census only",
                             out[a] * m1[b] / m1[a] / actual - 1))
            recs.append((code, name, a, b, "ehcp", out[a] * ehcp[b] / ehcp[a] / actual - 1))
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
    order = {"model": 0, "model, January census only": 1, "ehcp": 2, "own rate": 3}
    out["_o"] = out["method"].map(order)
    out = out.sort_values(["from", "to", "_o"]).drop(columns=["_o", "from", "to"])
    return out[["growth", "method", "las", "median_abs_error_pct", "bias_pct", "within_7pct"]]


def markdown(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in frame.itertuples(index=False):
        cells = [f"{v:,.1f}" if isinstance(v, float) else str(v) for v in r]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_la_table(series) -> pd.DataFrame:
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
    parser.add_argument("--markdown", help="write the per-LA table to this markdown file")
    args = parser.parse_args(argv)
    main_run = run(2022)
    errors = pair_errors(main_run, PAIRS, january=run(2022, census_weight=1.0))
    level = max(abs(m[2022] / o[2022] - 1) for _, m, o, _ in main_run.values())
    print(f"LAs scored: {len(main_run)}; calibration year 2021-22; largest level error in the "
          f"calibration year: {100 * level:.2e}%")
    print("\nGrowth errors, calibrated on 2021-22 (years before it not fitted):\n")
    print(markdown(summary(errors)))
    held = run(2021, scale_to_outturn=True)
    herr = pair_errors(held, [(2021, 2022)],
                       january=run(2021, scale_to_outturn=True, census_weight=1.0))
    print("\nHeld out: calibrated on 2020-21, predicting 2021-22 (the newest year):\n")
    print(markdown(summary(herr)))
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
        table = per_la_table(main_run)
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write("# Backcast against s251 outturn, every LA\n\n"
                         "Generated by `benchmarks/finance_backcast.py --markdown`. Net high-needs "
                         "spend (s251 lines 1.2.x), £m cash; the model is calibrated on 2021-22 "
                         "(equal by construction) and not fitted to the other years. The last "
                         "column is the error of growing 2018-19 outturn with the model's growth "
                         "to 2021-22.\n\n")
            handle.write(markdown(table.round(1)) + "\n")
        print(f"\nper-LA table written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
