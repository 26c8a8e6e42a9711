"""The board measures an LA's published history holds.

:func:`history_measures` reads them from the LA's SEN2 new plans and January placements (a
user's own history is reshaped to the run's keys by
:func:`sufficiency.data.validate.own_history_by_age_band`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocabulary import INDEPENDENT

__all__ = ["history_measures", "STEP_BOUNDS", "STEP_MIN_PLANS", "history_steps"]

#: Year-on-year ratios of an LA's published EHC plans (all ages) outside which a change is
#: called a likely recording break. The 0.1% and 99.9% quantiles of English LAs' year-on-year
#: changes in DfE SEN2 2010-2025 are 0.77x and 1.48x; of the 2,355 changes from 100 plans or
#: more, two fall outside these bounds: Newham 2,705 -> 1,199 in 2025 (0.44x) and Nottingham
#: 1,371 -> 2,115 in 2024 (1.54x) (measured on the embedded data).
STEP_BOUNDS = (0.75, 1.5)

#: Fewest plans in the earlier year for a step to be noted (City of London's 10 -> 7 is noise).
STEP_MIN_PLANS = 100


def history_steps(history: pd.DataFrame, bounds=STEP_BOUNDS) -> list[str]:
    """Notes on year-on-year changes of the total (``age_band == "all"``, or all rows when
    there is no ``age_band``) outside ``bounds`` from at least :data:`STEP_MIN_PLANS` plans: a
    likely recording break the forecast would otherwise take as real.

    Examples
    --------
    >>> h = pd.DataFrame({"year": [2023, 2024, 2025], "age_band": "all",
    ...                   "count": [2618.0, 2705.0, 1199.0]})
    >>> print(history_steps(h)[0])  # doctest: +ELLIPSIS
    The published EHC plans fall from 2,705 in 2024 to 1,199 in 2025 (0.44x), outside ...
    """
    h = history[history["age_band"] == "all"] if "age_band" in history else history
    total = h.groupby("year")["count"].sum().sort_index()
    notes = []
    for (y0, a), (y1, b) in zip(total.items(), list(total.items())[1:]):
        if a < STEP_MIN_PLANS or y1 != y0 + 1:
            continue
        ratio = b / a
        if bounds[0] <= ratio <= bounds[1]:
            continue
        notes.append(f"The published EHC plans {'fall' if ratio < 1 else 'rise'} from {a:,.0f} "
                     f"in {y0} to {b:,.0f} in {y1} ({ratio:.2f}x), outside the "
                     f"{bounds[0]:g}x-{bounds[1]:g}x range of 99.9% of English LAs' year-on-year "
                     "changes since 2011 (sufficiency.data.history.STEP_BOUNDS): "
                     "likely a recording change, not a real "
                     f"change in need. The forecast starts from the published {y1} figure; if "
                     "your own count differs, give it as data.history.")
    return notes


def history_measures(new_plans: pd.DataFrame, placements: pd.DataFrame) -> pd.DataFrame:
    """``year, measure, value, basis``: the board measures of the LA's published history.

    ``new_plans_mainstream_share`` and ``new_plans_independent_share`` (new EHC plans by
    placement, :func:`sufficiency.data.la_new_plans`: ``year`` 2025 is the plans made in
    calendar 2024, counted in January 2025), ``independent_placements`` and
    ``awaiting_placement_or_unknown`` (January placements, :func:`sufficiency.data.la_placements`).

    Examples
    --------
    >>> new = pd.DataFrame({"year": 2025, "provision": ["all", "mainstream"],
    ...                     "count": [100.0, 40.0]})
    >>> placed = pd.DataFrame({"year": 2025, "provision": ["special_independent", "unknown"],
    ...                        "count": [12.0, 3.0]})
    >>> history_measures(new, placed)[["measure", "value"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['new_plans_mainstream_share', 0.4], ['new_plans_independent_share', 0.0],
     ['independent_placements', 12.0], ['awaiting_placement_or_unknown', 3.0]]
    """
    rows = []
    wide = new_plans.pivot_table(index="year", columns="provision", values="count",
                                 aggfunc="sum")
    for year, r in wide.iterrows():
        total = r.get("all", np.nan)
        if total and total > 0:
            rows.append((int(year), "new_plans_mainstream_share", r.get("mainstream", 0) /
                         total, "history: DfE SEN2 new plans by placement"))
            rows.append((int(year), "new_plans_independent_share",
                         sum(r.get(p, 0) for p in INDEPENDENT) / total,
                         "history: DfE SEN2 new plans by placement"))
    for year, g in placements.groupby("year"):
        rows.append((int(year), "independent_placements",
                     float(g.loc[g["provision"].isin(INDEPENDENT), "count"].sum()),
                     "history: DfE SEN2 placements in January"))
    unknown = placements[placements["provision"] == "unknown"]
    for _, r in unknown.iterrows():
        rows.append((int(r["year"]), "awaiting_placement_or_unknown", r["count"],
                     "history: SEN2 awaiting provision / placement not recorded"))
    return pd.DataFrame(rows, columns=["year", "measure", "value", "basis"])
