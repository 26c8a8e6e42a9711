"""Robust mode: one capital programme against many simulated demand paths.

A two-stage stochastic programme by sample average: the build decisions (which project opens
in which year, and its size) are shared by every path; placements and unplaced children are
chosen per path; the objective is the expected (path-average) discounted cost. The result is
set beside the plan made on the mean demand alone, with both capital programmes evaluated
against every path.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .model import build_model
from .optimise import _assumptions, _diagnosis, _no_plan, _unpack, optimise
from .plan import Plan, objective_table, read_results
from .policy import Policy
from .solve import fixed_lp_duals, solve
from .validate import validate

__all__ = ["ROBUST_COLS", "optimise_robust"]

ROBUST_COLS = ["plan", "expected_cost", "capital", "projects", "shortfall_probability",
               "expected_shortfall", "p90_shortfall", "worst_shortfall"]


def _mean_over_paths(frames, keys, values, n_paths):
    df = pd.concat(frames, ignore_index=True)
    if not len(df):
        return df
    out = df.groupby(keys, as_index=False, dropna=False)[values].sum()
    out[values] = out[values] / n_paths
    return out


def _fix_programme(m, ctx, programme: pd.DataFrame):
    """Column bounds fixing the build decisions of ``m`` to ``programme``."""
    lb, ub = m.col_lower.copy(), m.col_upper.copy()
    o = ctx.opens
    opening = dict(zip(programme["project"], programme["opening_year"].astype(int)))
    places = dict(zip(programme["project"], programme["places"]))
    first = o["project"].map(opening)
    is_open = (first.notna() & (o["year"] >= first.fillna(np.inf))).to_numpy()
    lb[o["_col"].to_numpy()] = ub[o["_col"].to_numpy()] = is_open.astype(float)
    sized = o["min_size"].notna().to_numpy()
    sc = o["_size_col"].to_numpy()[sized]
    val = np.where(is_open[sized], o.loc[sized, "project"].map(places).fillna(0.0), 0.0)
    lb[sc] = ub[sc] = val
    return lb, ub


def _shortfall(m, ctx, x):
    cells = ctx.cells
    u = x[m.col_blocks["unplaced"].ids]
    per = pd.Series(u, index=cells["path"]).groupby(level=0).sum()
    per = per.reindex(ctx.inputs.paths, fill_value=0.0)
    return per


def optimise_robust(demand, settings, designation=None, projects=None, travel=None,
                    existing=None, policy: Policy | None = None, *, project_places=None,
                    path_column: str = "path",
                    solver: str = "cbc", time_limit: float | None = None,
                    mip_gap: float | None = None, threads: int | None = None,
                    node_limit: int | None = None,
                    duals: bool = True, compare_mean: bool = True,
                    shortfall_threshold: float = 0.5) -> Plan:
    """Choose one capital programme against many simulated demand paths.

    Parameters
    ----------
    demand : DataFrame
        ``path, year, need, phase, [area], demand``: one row per simulated path and cell
        (the forecast's simulated paths). ``path_column`` names the path column.
    settings, designation, projects, travel, existing, policy
        As for :func:`optimise`.
    solver, time_limit, mip_gap, threads, node_limit
        As for :func:`optimise` (``node_limit`` is the deterministic stopping rule).
    compare_mean : bool, default True
        Also make the plan on the mean demand alone and evaluate its capital programme
        against every path.
    shortfall_threshold : float, default 0.5
        A path counts as short when more than this many child-years are unplaced in it.

    Returns
    -------
    Plan
        The robust plan; its tables hold expected values (averages over paths). ``plan.robust``
        compares the robust plan and the mean-demand plan: expected cost (£ present value,
        incl. the unplaced penalty), capital, probability of a shortfall, expected, 90th
        percentile and worst shortfall (child-years over the plan).

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": [0, 1, 0, 1], "year": [2026, 2026, 2027, 2027],
    ...                       "need": "ASD", "phase": "primary", "demand": [0, 0, 8.0, 14.0]})
    >>> s = pd.DataFrame({"setting": ["Oak"], "provision": "special_maintained",
    ...                   "capacity": [0], "cost_per_place": [20_000]})
    >>> g = pd.DataFrame({"setting": ["Oak"], "need": "ASD", "phase": "primary"})
    >>> j = pd.DataFrame({"project": ["small", "big"], "setting": "Oak", "places": [11, 14],
    ...                   "capital_cost": [0, 100_000], "group": "site"})
    >>> plan = optimise_robust(paths, s, g, j)
    >>> plan.capital_programme["project"].tolist()
    ['big']
    >>> plan.robust[["plan", "shortfall_probability"]].values.tolist()
    [['robust', 0.0], ['mean demand', 0.5]]
    """
    policy = policy or Policy()
    settings, designation, projects, travel, illustrative, extra = _unpack(
        settings, designation, projects, travel)
    if not isinstance(demand, pd.DataFrame) or path_column not in demand:
        raise ValidationError(f"demand: expected a DataFrame with a {path_column!r} column "
                              "naming the simulated path of each row")
    d = demand.rename(columns={path_column: "path"})
    if "demand" not in d and "mean" in d:
        d = d.rename(columns={"mean": "demand"})
    t0 = time.perf_counter()
    inputs = validate(d, settings, designation, projects, travel, existing, policy,
                      allow_paths=True, project_places=project_places)
    paths = inputs.paths
    full = inputs.demand
    cell_keys = ["year", "need", "phase", "area"]
    counts = full.groupby(cell_keys)["path"].nunique()
    if (counts != len(paths)).any():
        bad = counts[counts != len(paths)].index[0]
        raise ValidationError(f"demand: every path must give every year, need, phase and area; "
                              f"cell {bad} is missing from some paths")
    m, ctx = build_model(inputs)
    t1 = time.perf_counter()
    outcome, x, _, pulp_time = solve(m, solver, time_limit=time_limit, mip_gap=mip_gap,
                                     threads=threads, node_limit=node_limit)
    timings = {"validate+build": t1 - t0, "pulp_build": pulp_time, "solve": outcome.solve_time}
    if not outcome.has_solution:
        return _no_plan(outcome, inputs, _diagnosis(outcome, m, solver), timings, illustrative,
                        policy, extra)
    row_duals = None
    if duals:
        _, row_duals = fixed_lp_duals(m, x, solver, threads=threads)
    per_path = [read_results(m, ctx, x, row_duals, path=p) for p in paths]
    n = len(paths)
    res = dict(
        placements=_mean_over_paths(
            [r["placements"] for r in per_path],
            ["year", "setting", "provision", "need", "phase", "area", "cost_per_place"],
            ["placed", "existing", "new", "revenue_cost", "transport_cost"], n),
        capital_programme=per_path[0]["capital_programme"],
        cost_by_year=_mean_over_paths([r["cost_by_year"] for r in per_path],
                                      ["year", "provision"],
                                      ["revenue", "transport", "capital", "total"], n),
        unplaced=_mean_over_paths([r["unplaced"] for r in per_path],
                                  ["year", "need", "phase", "area"], ["unplaced"], n),
        utilisation=_mean_over_paths([r["utilisation"] for r in per_path],
                                     ["year", "setting", "provision", "capacity"],
                                     ["placed", "spare", "utilisation"], n),
        marginal_place_value=read_results(m, ctx, x, row_duals)["marginal_place_value"],
    )
    from .plan import PLACEMENT_COLS, UTIL_COLS
    res["placements"] = res["placements"].reindex(columns=PLACEMENT_COLS)
    res["utilisation"] = res["utilisation"].reindex(columns=UTIL_COLS)
    obj = objective_table(m, ctx, x)

    def row(name, xx, programme):
        sf = _shortfall(m, ctx, xx)
        return (name, float(m.cost @ xx), float(programme["capital_cost"].sum()),
                len(programme), float((sf > shortfall_threshold).mean()), float(sf.mean()),
                float(sf.quantile(0.9)), float(sf.max()))

    rows = [row("robust", x, res["capital_programme"])]
    if compare_mean:
        mean_d = full.groupby(cell_keys, as_index=False)["demand"].mean()
        mplan = optimise(mean_d, settings, designation, projects, travel, existing, policy,
                         project_places=project_places, solver=solver, time_limit=time_limit,
                         mip_gap=mip_gap, threads=threads, node_limit=node_limit,
                         duals=False)
        if mplan.outcome.has_solution:
            lb, ub = _fix_programme(m, ctx, mplan.capital_programme)
            ev, xm, _, _ = solve(m, solver, lb=lb, ub=ub,
                                 integrality=np.zeros(m.n_cols, bool), threads=threads)
            if ev.has_solution:
                rows.append(row("mean demand", xm, mplan.capital_programme))
    robust = pd.DataFrame(rows, columns=ROBUST_COLS)
    timings["total"] = time.perf_counter() - t0
    return Plan(**res, objective=obj, outcome=outcome, assumptions=_assumptions(policy, extra),
                timings=timings, illustrative=illustrative, robust=robust)
