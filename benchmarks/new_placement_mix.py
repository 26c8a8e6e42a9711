"""Backtest of the projected mix of new placements across every LA in the embedded data.

For each LA: the share of its new EHC plans placed in a specialist setting, and of those the
share in independent or non-maintained special schools (DfE SEN2 new plans by placement,
made in calendar 2019-2024, i.e. census years 2020-2025: ``year`` is the January the plans
lead up to). Three projections (``sufficiency.flows.project_mix``: latest, trend, pooled with
the DfE statistical neighbours) are fitted on the years up to an origin and scored on the
later years, never across the 2023 collection break (calendar 2022's plans came from the first
person-level return, January 2023): 2020 -> 2021-2022, 2020-2021 -> 2022, 2023 -> 2024-2025
and 2023-2024 -> 2025. Prints the mean absolute error (percentage points) per method and
share, and the method with the lowest error averaged over both shares.

    python benchmarks/new_placement_mix.py
"""

import warnings

import pandas as pd

import sufficiency.data as sd
from sufficiency import flows as fl


def histories():
    rows, neighbours = [], {}
    table = sd.las()
    codes = sorted(set(table["la_code"]) - {"921", "E92000001"} - {"999"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for code in codes:
            try:
                h = fl.mix_history(sd.la_new_plans(code))
            except (KeyError, ValueError):
                continue
            if len(h):
                rows.append(h.assign(la_code=code))
                try:
                    neighbours[code] = sd.statistical_neighbours(code)
                except KeyError:
                    pass
    return pd.concat(rows, ignore_index=True), neighbours


def main():
    h, nb = histories()
    print(f"{h['la_code'].nunique()} LAs, new plans {h['year'].min()}-{h['year'].max()}")
    res = fl.mix_backtest(h, nb)
    wide = res.pivot_table(index="method", columns="share", values="mae").round(2)
    wide["mean"] = wide.mean(axis=1).round(2)
    print(wide.to_string())
    print("n per cell:", res.groupby("method")["n"].first().to_dict())
    print("best:", wide["mean"].idxmin())


if __name__ == "__main__":
    main()
