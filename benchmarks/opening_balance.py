"""Does the opening balance start where LAs really were? The roll-forward against published balances.

The deficit plan starts from an estimated DSG balance (:func:`sufficiency.finance.opening.
opening_balance`): the latest published cumulative balance (% of total DSG income x the total DSG
allocation), rolled forward a year at a time with the model's in-year high-needs gap. This script
backtests that roll-forward on balances it did not use:

* start from the published balance at the **end of 2019-20** (the earliest embedded; the
  2019-20 total DSG is read from ``dsg_by_year.xlsx``);
* roll forward one year (predict the end of 2020-21) and two years (the end of 2021-22), every LA
  with the published balances, the allocations, the benchmarking lines and placements;
* score against the published balances of those years.

Methods (predicted balance, negative = deficit):

* ``model, held out``: the roll-forward with a backcast calibrated on 2019-20 (the 2021-22
  benchmarking lines scaled to the LA's 2019-20 s251 outturn, January 2020 placements), so no
  figure of the years predicted is used except the published allocations, the ESFA deductions
  and the place funding (held at its 2021-22 level, as the run holds it);
* ``model, as run`` : the same with the backcast the run uses (calibrated on 2021-22: its
  2021-22 spend is the outturn, so this is in sample for the spend);
* ``balance unchanged``: the end of 2019-20 balance carried as it is;
* ``same % of income``: the end of 2019-20 % of income times the later year's total DSG.

and, for the method choices in :mod:`sufficiency.finance.opening`, the held-out roll-forward with
each other-movements rule (``OTHER_RULES``).

Error = predicted - published, in £m and as % of the LA's total DSG income of the year
predicted (the DfE's own denominator); medians over LAs: median absolute error and bias (median
error; negative = the model predicts a deeper deficit than published).

Run: ``PYTHONPATH=. python benchmarks/opening_balance.py [--markdown FILE] [--la NAME ...]``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import sufficiency.data as sd
from sufficiency.data import highneeds
from sufficiency.data.s251 import s251_high_needs
from sufficiency.finance.opening import la_opening_inputs, opening_balance
from sufficiency.finance.outturn import _earlier_ehcp, backcast

from finance_backcast import markdown  # noqa: E402  (this folder, as the script runs)

STARTS = (2020, 2021)   # census convention: the balances at the end of 2019-20 and 2020-21
LAST = 2022             # the newest published balance: the end of 2021-22


def label(y: int) -> str:
    return f"{y - 1}-{y % 100:02d}"


def total_dsg_2019_20() -> dict:
    src = highneeds.source_dir() / "dsg_by_year.xlsx"
    if not Path(src).exists():
        raise SystemExit(f"{src} is needed for the 2019-20 total DSG (shared/data/dfe-high-needs)")
    raw = pd.read_excel(src, sheet_name=0, dtype={"la_code": str})
    raw = raw[raw["time_period"].astype(str) == "201920"]
    return dict(zip(raw["la_code"].astype(str).str.zfill(3),
                    raw["Total DSG allocation (£s)"].astype(float)))


def backcasts(code: str, out: pd.Series, start: int):
    """The run's backcast (calibrated on 2021-22) and one calibrated on ``start``."""
    placed = sd.la_placements(code)
    hn = sd.la_high_needs(code)
    earlier = _earlier_ehcp(code)
    as_run = backcast(placed, hn, out.reset_index(), la=code, earlier_ehcp=earlier)
    scaled = hn.copy()
    scaled["value"] = scaled["value"] * out[start] / out[LAST]
    held = backcast(placed, scaled, out.reset_index(), calibration_year=start, la=code,
                    earlier_ehcp=earlier)
    return as_run, held


def rows_for(code, name, dsg1920, s251):
    out = s251[s251["la_code"] == code].set_index("year")["spend_gbp"]
    if not all(y in out.index for y in STARTS + (LAST,)):
        return []
    inputs = la_opening_inputs(code)
    pct = inputs["dsg_balance"].set_index("year")["balance_pct_income"].dropna()
    total = inputs["dsg_income"].set_index("year")["total_dsg_gbp"].to_dict()
    total[2020] = dsg1920[code]
    if not all(y in pct.index and y in total for y in range(min(STARTS), LAST + 1)):
        return []
    recs = []
    for start in STARTS:
        as_run, held = backcasts(code, out, start)
        known = [y for y in pct.index if y <= start]
        start_inputs = dict(inputs)
        start_inputs["dsg_balance"] = pd.DataFrame({"year": known,
                                                    "balance_pct_income": [pct[y] for y in known]})
        start_inputs["dsg_income"] = pd.DataFrame({"year": known,
                                                   "total_dsg_gbp": [total[y] for y in known]})
        balance = pct[start] / 100 * total[start]
        other = np.nan
        for target in range(start + 1, LAST + 1):
            actual = pct[target] / 100 * total[target]
            preds = {"balance unchanged": balance,
                     "same % of income": pct[start] / 100 * total[target]}
            for method, b in (("model, as run", as_run), ("model, held out", held)):
                preds[method] = opening_balance(target + 1, backcast=b,
                                                **start_inputs).balance_gbp
            if start - 1 in known:
                # the LA's own other DSG movements of the start year, carried (the API option)
                held_other = opening_balance(target + 1, backcast=held, **start_inputs,
                                             hold_other_movements=True)
                preds["model, held out + LA's other movements"] = held_other.balance_gbp
                rec = held_other.derivation
                other = float(rec.loc[rec["step"].str.startswith("reconciliation"),
                                      "amount_gbp"].iloc[0])
            for method, value in preds.items():
                recs.append((code, name, start, target, method, value / 1e6, actual / 1e6,
                             (value - actual) / 1e6, 100 * (value - actual) / total[target],
                             100 * other / total[start], total[target] / 1e6))
    return recs


COLUMNS = ["la_code", "la", "start", "year", "method", "predicted_m", "published_m", "error_m",
           "error_pct_income", "other_pct_start", "total_dsg_m"]


def run(las_wanted=None) -> pd.DataFrame:
    dsg1920 = total_dsg_2019_20()
    s251 = s251_high_needs()
    names = sd.las().set_index("la_code")["la_name"]
    recs = []
    for code in sorted(set(s251["la_code"])):
        name = names.get(code, code)
        if las_wanted and name not in las_wanted and code not in las_wanted:
            continue
        if code not in dsg1920:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                recs.extend(rows_for(code, name, dsg1920, s251))
        except (KeyError, ValueError):
            continue
    errors = pd.DataFrame(recs, columns=COLUMNS)
    return with_national_other(errors)


def with_national_other(errors: pd.DataFrame) -> pd.DataFrame:
    """Add the held-out model plus the national median share of other DSG movements."""
    held = errors[errors["method"] == "model, held out"]
    parts = []
    for (start, year), group in held.groupby(["start", "year"]):
        shares = errors[(errors["start"] == start) & (errors["year"] == year)
                        & (errors["method"] == "model, held out + LA's other movements")]
        if shares.empty:
            continue
        median = shares["other_pct_start"].median()
        g = group.copy()
        g["method"] = "model, held out + national median other movements"
        shift = median / 100 * g["total_dsg_m"] * (year - start)
        g["predicted_m"] += shift
        g["error_m"] += shift
        g["error_pct_income"] = 100 * g["error_m"] / g["total_dsg_m"]
        parts.append(g)
    return pd.concat([errors] + parts, ignore_index=True)


#: Cumulative DSG balances councils published after the embedded years (negative = deficit), £m,
#: census year of the balance's end (2024 = end of 2023-24), with the paper that states it.
PUBLISHED = [
    ("Wiltshire", 2024, -56.247, "Wiltshire Council Cabinet 16 April 2024, SEND Sustainability Plan "
     "and Safety Valve agreement (cms.wiltshire.gov.uk, IId=120187): cumulative deficit end of "
     "2023-24"),
    ("Wiltshire", 2025, -96.0, "Local Democracy Reporting, 13 June 2025 (hellorayo.co.uk): '£96 "
     "million of deficit' under the statutory override (reported after the end of 2024-25)"),
    ("Halton", 2023, -2.893, "Halton Schools Forum, DSG outturn 2023-24 (councillors.halton.gov.uk,"
     " ID=59893): deficit brought forward from 2022-23"),
    ("Halton", 2024, -5.349, "Halton Schools Forum, DSG outturn 2023-24: deficit carried into "
     "2024-25"),
    ("West Berkshire", 2025, -16.13, "West Berkshire Schools Forum, DSG outturn 2024-25 "
     "(decisionmaking.westberks.gov.uk, ID=90724): cumulative deficit at 31 March 2025"),
    ("Bournemouth, Christchurch and Poole", 2023, -36.0, "BCP Schools Forum, DSG budget monitoring "
     "2022-23 (democracy.bcpcouncil.gov.uk, IId=17852): forecast for 31 March 2023 (a forecast, "
     "not the outturn)"),
]

#: Embedded balances a council paper also states (a check of reading % of income x total DSG).
EMBEDDED_CHECKS = [
    ("Rotherham", 2021, -21.258, "Rotherham Schools Forum (moderngov.rotherham.gov.uk, ID=98068): "
     "DSG deficit £21.258m at the end of 2020-21"),
    ("Slough", 2022, -25.5, "Slough Schools Forum, 2023-24 Q2 (democracy.slough.gov.uk, "
     "ID=49710): deficit had risen to £25.5m before £10.8m was written off by the DfE"),
]


def published_check() -> pd.DataFrame:
    """The run's roll-forward (backcast calibrated on 2021-22) against balances in council papers."""
    recs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for la, year, value, source in EMBEDDED_CHECKS + PUBLISHED:
            inputs = la_opening_inputs(la)
            if year <= LAST:
                pct = inputs["dsg_balance"].set_index("year")["balance_pct_income"][year]
                total = inputs["dsg_income"].set_index("year")["total_dsg_gbp"][year]
                model, kind = pct / 100 * total / 1e6, "embedded (% x total DSG)"
            else:
                model = opening_balance(year + 1, backcast=backcast(la),
                                        **inputs).balance_gbp / 1e6
                kind = f"rolled {year - LAST} year{'s' if year - LAST > 1 else ''} from 2021-22"
            recs.append((la, f"end of {label(year)}", kind, round(model, 2), value,
                         round(model - value, 1), source))
    return pd.DataFrame(recs, columns=["la", "balance", "model", "model_m", "published_m",
                                       "difference_m", "source"])


ORDER = ["model, held out", "model, as run", "balance unchanged", "same % of income"]


def summary(errors: pd.DataFrame) -> pd.DataFrame:
    g = errors.groupby(["start", "year", "method"])
    table = pd.DataFrame({
        "las": g.size(),
        "median_abs_error_m": g["error_m"].apply(lambda e: e.abs().median()),
        "bias_m": g["error_m"].median(),
        "median_abs_error_pct_income": g["error_pct_income"].apply(lambda e: e.abs().median()),
        "bias_pct_income": g["error_pct_income"].median(),
    }).reset_index()
    table["predicting"] = [f"end of {label(y)} from end of {label(a)} ({y - a} "
                           f"year{'s' if y - a > 1 else ''})"
                           for a, y in zip(table["start"], table["year"])]
    rank = {m: i for i, m in enumerate(ORDER)}
    table["_o"] = table["method"].map(lambda m: rank.get(m, len(ORDER)))
    table = table.sort_values(["start", "year", "_o", "method"]).drop(
        columns=["_o", "year", "start"])
    return table[["predicting", "method", "las", "median_abs_error_m", "bias_m",
                  "median_abs_error_pct_income", "bias_pct_income"]]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", help="write the per-LA errors to this markdown file")
    parser.add_argument("--la", nargs="*", help="only these LAs (names or codes)")
    args = parser.parse_args(argv)
    errors = run(args.la)
    print(f"LAs scored: {errors['la_code'].nunique()}; error = predicted - published "
          "(negative = a deeper deficit than published); % of the LA's total DSG of the year "
          "predicted\n")
    print(markdown(summary(errors), decimals=2))
    print("\nAgainst balances in council papers (the run's roll-forward; no Safety Valve or "
          "other income listed):\n")
    print(markdown(published_check(), decimals=2))
    if args.la:
        print()
        print(errors.round(2).to_string(index=False))
    if args.markdown:
        errors.round(2).to_csv(args.markdown, index=False)
        print(f"\nper-LA errors written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
