"""Several runs side by side: the headline figures and each one's difference from the first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..workflow import ScenarioRun
from .labels import LABELS
from .page import headline_values

__all__ = ["compare_runs", "run_names"]


def run_names(runs: list[ScenarioRun]) -> list[str]:
    """A unique display name per run: its scenario name, or its file name when names clash
    (the documented ``extends`` pattern often keeps the base's ``name``).

    Examples
    --------
    >>> class R:
    ...     def __init__(self, name, path): self.name, self.scenario = name, type("S", (), {"path": path})
    >>> run_names([R("Wiltshire", "a/base.yaml"), R("Wiltshire", "a/mitigated.yaml"), R("Kent", "k.yaml")])
    ['Wiltshire (base.yaml)', 'Wiltshire (mitigated.yaml)', 'Kent']
    """
    names = [run.name for run in runs]
    out = []
    for run, name in zip(runs, names):
        if names.count(name) > 1:
            path = run.scenario.path
            name = f"{name} ({Path(str(path)).name})" if path else name
        out.append(name)
    seen: dict = {}
    unique = []
    for name in out:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 and out.count(name) == 1 else
                      f"{name} [{seen[name]}]")
    return unique


def compare_runs(runs: list[ScenarioRun], names: list[str] | None = None) -> pd.DataFrame:
    """Headline figures of several runs side by side, and each one's difference from the first.

    Returns one row per measure: ``measure`` (its label), one column per scenario (named by
    :func:`run_names`: every scenario is kept, by file name when names clash), and
    ``<scenario> - <first>`` columns for the others (NaN where a scenario has no such figure).
    ``attrs["row_units"]`` holds each row's unit (``£``, ``children``, ``places`` ...), which
    the workbook formats. The row ``The answer: ...`` gives each scenario's one figure: the
    most complete variant it costed (the place plan, else the mitigated forecast, else today's
    placement mix): the place plan's one run, or the mean of the paths for the others.
    """
    names = names or run_names(runs)
    values = dict(zip(names, (headline_values(run) for run in runs)))
    rows, units = [], []
    measures = LABELS[LABELS["kind"] == "headline"]
    for key, text, unit in zip(measures["key"], measures["label"], measures["unit"]):
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
        units.append(unit)
    out = pd.DataFrame(rows)
    out.attrs["row_units"] = units
    return out
