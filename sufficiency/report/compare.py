"""Several runs side by side: the headline figures and each one's difference from the first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..workflow import ScenarioRun
from .labels import LABELS
from .page import headline_values

__all__ = ["compare_runs"]


def compare_runs(runs: list[ScenarioRun]) -> pd.DataFrame:
    """Headline figures of several runs side by side, and each one's difference from the first.

    Returns one row per measure: ``measure`` (its label), one column per scenario, and
    ``<scenario> - <first>`` columns for the others (NaN where a scenario has no such figure).
    The row ``the answer: ...`` gives each scenario's one figure: the most complete variant it
    costed (the place plan, else the mitigated forecast, else today's placement mix), the mean
    of the paths where it has them.
    """
    values = {run.name: headline_values(run) for run in runs}
    names = list(values)
    rows = []
    measures = LABELS[LABELS["kind"] == "headline"]
    for key, text in zip(measures["key"], measures["label"]):
        if not any(key in v for v in values.values()):
            continue
        row = {"measure": text}
        for name in names:
            row[name] = values[name].get(key, np.nan)
        if any(isinstance(row[name], str) for name in names):
            continue  # the table is numbers; text (the answer's scenario) is in the label
        for name in names[1:]:
            row[f"{name} - {names[0]}"] = row[name] - row[names[0]]
        rows.append(row)
    return pd.DataFrame(rows)
