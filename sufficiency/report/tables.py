"""The run's tables as the workbook and ``tables/*.csv`` hold them, one sheet per table.

:func:`output_tables` names every sheet; :func:`assumptions` gathers every parameter the run
used, stage by stage, with its value, unit and source.
"""

from __future__ import annotations

import pandas as pd

from .. import demand as dm
from ..workflow import ScenarioRun

__all__ = ["assumptions", "output_tables", "comparison_tables"]

#: The allocation plan's tables, in sheet order (:class:`sufficiency.allocate.Plan`).
ALLOCATION_SHEETS = ("placements", "capital_programme", "cost_by_year", "unplaced",
                     "step_downs", "utilisation", "marginal_place_value", "objective")


def assumptions(run: ScenarioRun) -> pd.DataFrame:
    """``parameter, value, unit, source``: the scenario's keys, then each stage's assumptions
    (prefixed ``demand:``, ``forecast:``, ``allocate:``, ``finance:``)."""
    parts = [run.scenario.assumptions()[["parameter", "value", "unit", "source"]]]
    demand = dm.assumptions()
    if run.flows is not None:  # the placement mix comes from the flow account
        demand = demand[demand["name"] != "provision_mix"]
    stages = (("demand", demand),
              ("flows", run.flows.assumptions if run.flows is not None else None),
              ("forecast", run.forecast.assumptions),
              ("allocate", run.allocation.assumptions if run.allocation is not None else None),
              ("finance", run.deficit.assumptions if run.deficit is not None else None))
    for stage, frame in stages:
        if frame is not None and len(frame):
            f = frame.rename(columns={"name": "parameter"}).copy()
            f["parameter"] = stage + ": " + f["parameter"].astype(str)
            for c in ("value", "unit", "source"):
                if c not in f:
                    f[c] = ""
            parts.append(f[["parameter", "value", "unit", "source"]])
    out = pd.concat(parts, ignore_index=True)
    out["value"] = out["value"].map(lambda v: v if isinstance(v, (int, float, str)) else
                                    str(v))
    return out


def output_tables(run: ScenarioRun) -> dict[str, pd.DataFrame]:
    """Every output table by sheet name (the workbook and ``tables/*.csv``), in sheet order."""
    out = {"assumptions": assumptions(run), "history": run.history,
           "forecast": run.forecast.table.copy(), "demand": run.demand,
           "measures": run.measures}
    if run.forecast.components is not None:
        out["growth_split"] = run.forecast.components
    per_1000 = plans_per_1000_table(run)
    if per_1000 is not None:
        out["plans_per_1000"] = per_1000
    if run.flows is not None:
        out["flows"] = run.flows.summary(by=("year", "provision"))
        out["new_placement_mix"] = run.flows.mix
        out["leaver_rates"] = run.flows.leaver_rates
    if run.allocation is not None:
        for name in ALLOCATION_SHEETS:
            out[name] = getattr(run.allocation, name)
    if run.deficit is not None:
        plan = run.deficit
        out.update({"dsg_trajectory": plan.trajectory, "hnb_income": plan.income,
                    "lever_savings": plan.attribution, "needs_vs_finance_led": plan.comparison})
        for name, frame in sorted(plan.tables.items()):
            if not isinstance(frame.index, pd.RangeIndex):  # row labels are data here
                frame = frame.reset_index()
                frame.columns = [str(c) for c in frame.columns]
            out[f"dfe_{name}"[:31]] = frame
        goal = plan.goal_seek_table()
        if len(goal):
            out["goal_seek"] = goal
        if len(plan.like_for_like):
            out["scenarios_like_for_like"] = plan.like_for_like
        if plan.opening is not None:
            out["opening_balance"] = plan.opening.derivation
        if len(plan.backcast):
            out["backcast_vs_outturn"] = plan.backcast
    return out


def plans_per_1000_table(run: ScenarioRun) -> pd.DataFrame | None:
    """EHC plans per 1,000 children and young people by age band: history (January 2019 on,
    the ONS mid-2023 population reverse-aged) and forecast (the mean over the population aged
    forward): ``year, age_band, basis, count, population, per_1000``. None without a
    population (an own history)."""
    from ..forecast.demography import plans_per_1000

    if run.population is None:
        return None
    hist = plans_per_1000(run.history.dropna(subset=["count"]), run.population)
    hist.insert(2, "basis", "history (DfE SEN2)")
    table = run.forecast.table
    fc = table.rename(columns={"mean": "count"})
    if "age_band" not in fc:
        fc = fc.assign(age_band="all")
    fc = plans_per_1000(fc, run.population)
    fc.insert(2, "basis", "forecast (mean)")
    out = pd.concat([hist, fc], ignore_index=True)
    return out.sort_values(["age_band", "year"], kind="stable").reset_index(drop=True)


def comparison_tables(run: ScenarioRun) -> dict[str, pd.DataFrame]:
    """The tables a scenario comparison puts side by side: board measures and total demand."""
    return {"measures": run.measures,
            "demand": run.demand.groupby("year", as_index=False)["demand"].sum()}
