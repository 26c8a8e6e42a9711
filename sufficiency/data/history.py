"""The board measures an LA's published history holds.

:func:`history_measures` reads them from the LA's SEN2 new plans and January placements (a
user's own history is reshaped to the run's keys by
:func:`sufficiency.data.validate.own_history_by_age_band`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocabulary import INDEPENDENT

__all__ = ["history_measures"]


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
