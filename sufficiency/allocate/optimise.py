"""One call from demand and settings to a costed plan: :func:`optimise`."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .diagnose import diagnose
from .example import ExampleSettings
from .model import build_model
from .plan import (COST_COLS, MPV_COLS, PLACEMENT_COLS, PROGRAMME_COLS, UNPLACED_COLS, UTIL_COLS,
                   Plan, _empty, objective_table, read_results)
from .policy import Policy
from .solve import fixed_lp_duals, solve
from .validate import validate

__all__ = ["optimise"]


def _demand_table(demand, demand_column, years):
    if not isinstance(demand, pd.DataFrame):
        raise ValidationError(f"demand: expected a pandas DataFrame, got {type(demand).__name__}")
    d = demand
    if demand_column is None:
        demand_column = "demand" if "demand" in d else ("mean" if "mean" in d else "demand")
    if demand_column not in d:
        raise ValidationError(f"demand: missing column {demand_column!r} (the demand to place: "
                              f"'demand', or a forecast's 'mean' or a quantile such as 'p90'); "
                              f"has {list(d.columns)}")
    keep = [c for c in ("year", "need", "phase", "area", "path") if c in d]
    d = d[keep].assign(demand=d[demand_column].to_numpy())
    if years is not None:
        d = d[d["year"].isin(list(years))]
    return d


def _unpack(settings, designation, projects, travel):
    """Accept an :class:`~sufficiency.allocate.example.ExampleSettings` in place of tables."""
    illustrative = False
    extra = None
    if isinstance(settings, ExampleSettings):
        ex = settings
        designation = ex.designation if designation is None else designation
        projects = ex.projects if projects is None else projects
        travel = ex.travel if travel is None else travel
        illustrative = bool(ex.illustrative)
        extra = ex.assumptions
        settings = ex.settings
    if designation is None:
        raise ValidationError("designation: required (setting, need, phase) table of what each "
                              "setting may take")
    return settings, designation, projects, travel, illustrative, extra


def _assumptions(policy, extra):
    a = policy.assumptions()
    if extra is not None and len(extra):
        a = pd.concat([a, extra[["name", "value", "unit", "source"]]], ignore_index=True)
    return a


def _diagnosis(outcome, m, solver) -> pd.DataFrame:
    """The constraints in conflict when the model is infeasible (else an empty table)."""
    if outcome.status == "infeasible":
        return diagnose(m, solver=solver)
    return pd.DataFrame(columns=["constraint", "kind", "explanation"])


def _no_plan(outcome, inputs, diagnosis, timings, illustrative, policy, extra=None):
    return Plan(placements=_empty(PLACEMENT_COLS), capital_programme=_empty(PROGRAMME_COLS),
                cost_by_year=_empty(COST_COLS), unplaced=_empty(UNPLACED_COLS),
                utilisation=_empty(UTIL_COLS), marginal_place_value=_empty(MPV_COLS),
                objective=pd.DataFrame({"component": ["revenue", "transport", "capital",
                                                      "unplaced_penalty"],
                                        "discounted": np.nan, "undiscounted": np.nan}),
                outcome=outcome, assumptions=_assumptions(policy, extra), diagnosis=diagnosis,
                timings=timings, illustrative=illustrative)


def optimise(demand, settings, designation=None, projects=None, travel=None, existing=None,
             policy: Policy | None = None, *, project_places=None, initial=None, carry=None,
             solver: str = "cbc",
             time_limit: float | None = None,
             mip_gap: float | None = None, threads: int | None = None,
             node_limit: int | None = None, duals: bool = True, report_tables: bool = True,
             demand_column: str | None = None, years=None, msg: bool = False) -> Plan:
    """Place each year's demand across settings and choose the capital programme.

    Parameters
    ----------
    demand : DataFrame
        ``year, need, phase, [area], demand`` (children). A forecast table works too: its
        ``mean`` column is used, or the column named by ``demand_column`` (e.g. ``"p90"``).
    settings : DataFrame or ExampleSettings
        ``setting, provision, [area], capacity, cost_per_place`` (see
        :data:`sufficiency.allocate.schema.SETTINGS`). An :class:`ExampleSettings` (from
        :func:`example_settings`) supplies settings, designation and projects at once.
    designation : DataFrame
        ``setting, need, phase, [cap], [cost_per_place]``: what each setting may take.
    projects : DataFrame, optional
        Capital options, ``project, setting, places, capital_cost, ...``.
    travel : DataFrame, optional
        ``area, setting, [cost], [minutes]``.
    existing : DataFrame, optional
        Children already placed who stay: ``[year], setting, need, phase, [area], count``.
    initial : DataFrame, optional
        ``setting, need, phase, [area], count``: children placed in the January before the
        first plan year (e.g. the LA's latest published placements), carried into the plan by
        ``carry``.
    carry : DataFrame, optional
        ``year, provision, phase_from, phase, rate`` (:attr:`sufficiency.flows.Flows.carry`):
        who stays where they are placed from one year to the next. With it, placements are
        flows: children stay in their setting (within their phase; across a transition point
        too in ``Policy.sticky_provisions``, unless stepped down within
        ``Policy.step_down_share``); joiners and children changing phase are placed afresh.
    project_places : DataFrame, optional
        ``project, need, phase, places``: places a project adds for a need and phase (raising
        that designation's cap, or designating a need or phase the setting does not take yet).
    policy : Policy, optional
        Budgets, caps, discount rate (3.5% Green Book), unplaced penalty (£250,000).
    solver : {"cbc", "highs"}
        CBC through PuLP (bundled) or HiGHS through highspy.
    time_limit, mip_gap : float, optional
        Seconds (wall clock), and relative MIP gap at which to stop.
    node_limit : int, optional
        Branch-and-bound nodes at which to stop (CBC ``maxNodes``, HiGHS ``mip_max_nodes``):
        a deterministic work limit, so a solve that stops on it gives the same plan on any
        machine, however loaded. A solve stopped by ``time_limit`` instead keeps the best plan
        found by then, which depends on the machine (``plan.outcome.reproducible`` is False).
    threads : int, optional
        Solver threads.
    duals : bool, default True
        Compute ``marginal_place_value`` (one more LP solve with the build decisions fixed).
    report_tables : bool, default True
        Make ``utilisation``, a table only a report shows; False leaves it empty and changes
        nothing else (a national sweep's tables-only run).

    Returns
    -------
    Plan

    Examples
    --------
    >>> import pandas as pd
    >>> demand = pd.DataFrame({"year": [2026, 2026], "need": ["ASD", "SEMH"],
    ...                        "phase": ["primary", "primary"], "demand": [10, 10]})
    >>> settings = pd.DataFrame({"setting": ["Oak", "Independent"],
    ...     "provision": ["special_maintained", "special_independent"],
    ...     "capacity": [8, None], "cost_per_place": [25_000, 60_000]})
    >>> designation = pd.DataFrame({"setting": ["Oak", "Oak", "Independent"],
    ...     "need": ["ASD", "SEMH", "ASD"], "phase": ["primary"] * 3})
    >>> plan = optimise(demand, settings, designation)
    >>> plan.status, round(plan.total_cost)
    ('optimal', 800000)
    >>> plan.unplaced[["need", "unplaced"]].to_records(index=False).tolist()
    [('SEMH', 2.0)]
    """
    policy = policy or Policy()
    settings, designation, projects, travel, illustrative, extra = _unpack(
        settings, designation, projects, travel)
    t0 = time.perf_counter()
    d = _demand_table(demand, demand_column, years)
    inputs = validate(d, settings, designation, projects, travel, existing, policy,
                      project_places=project_places, initial=initial, carry=carry)
    t1 = time.perf_counter()
    m, ctx = build_model(inputs)
    t2 = time.perf_counter()
    outcome, x, _, write_time = solve(m, solver, time_limit=time_limit, mip_gap=mip_gap,
                                     threads=threads, msg=msg, node_limit=node_limit)
    timings = {"validate": t1 - t0, "build": t2 - t1, "write": write_time,
               "solve": outcome.solve_time}
    if not outcome.has_solution:
        return _no_plan(outcome, inputs, _diagnosis(outcome, m, solver), timings, illustrative,
                        policy, extra)
    row_duals = None
    if duals:
        t3 = time.perf_counter()
        dout, row_duals = fixed_lp_duals(m, x, solver, time_limit=time_limit, threads=threads)
        timings["duals"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    res = read_results(m, ctx, x, row_duals, utilisation=report_tables)
    obj = objective_table(m, ctx, x)
    timings["results"] = time.perf_counter() - t4
    return Plan(**res, objective=obj, outcome=outcome, assumptions=_assumptions(policy, extra),
                timings=timings, illustrative=illustrative)
