"""The one label map: what every code and key is called on the page, in the workbook and charts.

Codes of the vocabulary (needs, provisions, DSG categories, age bands) take their names from
:mod:`sufficiency.data.vocabulary`; the run's own keys (deficit plan scenarios, headline
measures) are named here. Each key has a ``label`` (in sentences, headlines and tables) and a
``legend`` (on charts, where a line needs to say what it assumes; the label when not given).
"""

from __future__ import annotations

import pandas as pd

from ..data.vocabulary import AGE_BANDS, DSG_CATEGORIES, NEEDS, PROVISIONS

__all__ = ["LABELS", "label", "legend", "gbp_m"]

_RUN_KEYS = [
    # the deficit plan's scenarios (sufficiency.finance.DeficitPlan.scenarios)
    ("unmitigated", "unmitigated", "forecast, today's placement mix"),
    ("mitigated", "mitigated", "forecast with the levers"),
    ("allocation_plan", "the optimised place plan", "optimised place plan"),
    # headline measures (sufficiency.report.page.headline_values), as compare_runs names them
    ("ehcp_latest", "EHC plans, latest January", None),
    ("ehcp_forecast_last", "EHC plans, last plan year", None),
    ("specialist_first", "specialist places needed, first year", None),
    ("specialist_last", "specialist places needed, last year", None),
    ("projects", "capital projects chosen", None),
    ("places_added", "places added by projects", None),
    ("capital_gbp", "capital cost (£)", None),
    ("unplaced_last", "children without a place, last year", None),
    ("deficit_last_unmitigated_gbp", "cumulative DSG deficit, unmitigated (£)", None),
    ("deficit_last_mitigated_gbp", "cumulative DSG deficit, mitigated (£)", None),
    ("deficit_last_allocation_plan_gbp", "cumulative DSG deficit, with the place plan (£)", None),
    ("answer_scenario", "the answer: scenario", None),
    ("answer_deficit_gbp", "the answer: cumulative DSG deficit, last year (£; with the place "
     "plan where the scenario has one, else mitigated, else today's mix; mean of the paths)",
     None),
    ("opening_balance_gbp", "opening DSG balance (£; negative = deficit)", None),
]


def _build() -> pd.DataFrame:
    parts = [pd.DataFrame({"key": frame[key], "kind": kind, "label": frame["name"]})
             for frame, key, kind in ((NEEDS, "need", "need"),
                                      (PROVISIONS, "provision", "provision"),
                                      (DSG_CATEGORIES, "dsg_category", "dsg_category"),
                                      (AGE_BANDS, "age_band", "age_band"))]
    run = pd.DataFrame(_RUN_KEYS, columns=["key", "label", "legend"])
    run["kind"] = ["deficit_scenario"] * 3 + ["headline"] * (len(run) - 3)
    out = pd.concat(parts + [run], ignore_index=True)
    out["legend"] = out["legend"].fillna(out["label"])
    return out[["kind", "key", "label", "legend"]]


#: ``kind, key, label, legend``: every label the outputs use (kinds: need, provision,
#: dsg_category, age_band, deficit_scenario, headline).
LABELS = _build()


def label(key: str, kind: str | None = None) -> str:
    """What ``key`` is called in text and tables (the key itself when it has no label).

    Examples
    --------
    >>> label("allocation_plan")
    'the optimised place plan'
    >>> label("special_independent")
    'Independent special school'
    """
    return _lookup(key, kind, "label")


def legend(key: str, kind: str | None = None) -> str:
    """What ``key`` is called on a chart legend (its label unless it has a longer one).

    Examples
    --------
    >>> legend("unmitigated")
    "forecast, today's placement mix"
    """
    return _lookup(key, kind, "legend")


def gbp_m(value: float, places: int = 1) -> str:
    """Pounds as £ millions for the page, e.g. ``£12.3m``.

    Examples
    --------
    >>> gbp_m(12_345_678)
    '£12.3m'
    """
    return f"£{value / 1e6:,.{places}f}m"


def _lookup(key, kind, column):
    rows = LABELS[(LABELS["key"] == key) & ((LABELS["kind"] == kind) if kind else True)]
    return str(rows[column].iloc[0]) if len(rows) else str(key)
