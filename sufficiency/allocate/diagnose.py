"""Name the policy constraints that contradict each other when the model is infeasible.

The model itself never fails for lack of places (unplaced children are a priced slack), so
infeasibility always means the *policy* contradicts itself: children who must stay where they
are (continuity) exceed a setting's capacity or the revenue budget; committed projects exceed
the capital budget; a cap on the share of all placements that existing placements already break.

Two methods:

* ``"iis"`` (needs highspy): an irreducible infeasible subsystem of the LP relaxation from
  HiGHS (``Highs.getIis``). Removing any one constraint of it makes the rest consistent.
* ``"elastic"`` (any solver): every policy constraint gets a non-negative violation variable,
  the total (scaled) violation is minimised, and the constraints that must be violated are named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model import INF, LinearModel
from .solve import highs_available, solve

__all__ = ["DIAGNOSIS_COLS", "POLICY_ROWS", "diagnose_iis", "diagnose_elastic", "diagnose"]

DIAGNOSIS_COLS = ["constraint", "kind", "explanation"]

#: Row blocks that are policy (may be relaxed in the elastic method); the rest are structure.
POLICY_ROWS = ("capacity", "designation_cap", "capital_budget", "capital_budget_total",
               "revenue_budget")


def _explain_row(m: LinearModel, i: int, side: str) -> tuple[str, str, str]:
    b, k = m.row_block_of(i)
    r = b.index.iloc[k]
    ub = m.row_upper[i]
    lo = m.row_lower[i]
    name = m.row_name(i)
    if b.name == "capacity":
        txt = f"{r['setting']} has {ub:g} commissioned places in {r['year']} (plus any opened)"
    elif b.name == "designation_cap":
        txt = f"{r['setting']} is designated for at most {ub:g} {r['need']} {r['phase']} places"
    elif b.name == "capital_budget":
        txt = f"capital budget for {r['year']} is £{ub:,.0f}"
    elif b.name == "capital_budget_total":
        txt = f"total capital budget is £{ub:,.0f}"
    elif b.name == "revenue_budget":
        txt = f"revenue budget for {r['year']} is £{ub:,.0f}"
    elif b.name.startswith("cap:"):
        txt = f"{b.description} in {r['year']}"
    elif b.name == "demand":
        txt = (f"{lo:g} children ({r['need']} {r['phase']}, area {r['area']}) in {r['year']} "
               "are placed or counted as unplaced")
    elif b.name in ("project_stays_open", "project_group"):
        txt = b.description
    else:
        txt = b.description
    kind = "policy" if (b.name in POLICY_ROWS or b.name.startswith("cap:")) else "structure"
    return name, kind, txt


def _explain_col(m: LinearModel, j: int, side: str) -> tuple[str, str, str]:
    for b in m.col_blocks.values():
        if b.start <= j < b.start + b.n:
            r = b.index.iloc[j - b.start]
            lb, ub = m.col_lower[j], m.col_upper[j]
            name = m.col_name(j)
            if b.name == "x" and side == "lower":
                return (f"continuity{name[1:]}", "policy",
                        f"{lb:g} children already placed at {r['setting']} ({r['need']} "
                        f"{r['phase']}, area {r['area']}) stay there in {r['year']}")
            if b.name == "open" and side == "lower":
                return (f"committed{name[4:]}", "policy",
                        f"committed project {r['project']} is open in {r['year']}")
            return name, "structure", f"{b.description}: bound {lb:g}..{ub:g}"
    raise IndexError(j)


def diagnose_iis(m: LinearModel) -> pd.DataFrame:
    """Irreducible infeasible subsystem of the LP relaxation (HiGHS), named."""
    import highspy

    from .solve import _highs

    h = _highs(m, m.col_lower, m.col_upper, np.zeros(m.n_cols, bool))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
        return pd.DataFrame(columns=DIAGNOSIS_COLS)
    status, iis = h.getIis()
    if not iis.valid_:
        return pd.DataFrame(columns=DIAGNOSIS_COLS)
    B = highspy.IisBoundStatus
    side = {B.kIisBoundStatusLower: "lower", B.kIisBoundStatusUpper: "upper",
            B.kIisBoundStatusBoxed: "both"}
    rows = [_explain_row(m, int(i), side.get(b, "both"))
            for i, b in zip(iis.row_index_, iis.row_bound_)]
    rows += [_explain_col(m, int(j), side.get(b, "both"))
             for j, b in zip(iis.col_index_, iis.col_bound_)]
    out = pd.DataFrame(rows, columns=DIAGNOSIS_COLS)
    return out.sort_values(["kind", "constraint"], kind="stable").reset_index(drop=True)


def diagnose_elastic(m: LinearModel, solver="cbc") -> pd.DataFrame:
    """Elastic reformulation: the policy constraints that must be violated, and by how much."""
    from .model import LinearModel as LM

    e = LM()
    # copy columns (continuity and committed lower bounds relaxed to 0, handled as rows)
    lb, ub, integ = m.col_lower, m.col_upper, m.integrality
    for b in m.col_blocks.values():
        ids = b.ids
        e.add_cols(b.name, b.index, np.zeros(b.n) if b.name in ("x", "open") else lb[ids],
                   ub[ids], False, b.description)
        e._int[-1] = integ[ids]
    A = m.matrix("coo")
    rl, ru = m.row_lower, m.row_upper
    policy = np.zeros(m.n_rows, bool)
    for b in m.row_blocks.values():
        if b.name in POLICY_ROWS or b.name.startswith("cap:"):
            policy[b.ids] = True
    pol = np.flatnonzero(policy)
    sl = e.add_cols("violation", pd.DataFrame({"row": pol}), 0.0, INF)
    scale = 1.0 / np.maximum(1.0, np.abs(np.where(np.isfinite(ru[pol]), ru[pol], 0.0)))
    rows = np.concatenate([A.row, pol])
    cols = np.concatenate([A.col, sl.ids])
    vals = np.concatenate([A.data, -np.ones(len(pol))])
    e.add_rows("original", pd.DataFrame({"row": np.arange(m.n_rows)}), rl, ru, rows, cols, vals)
    e.add_objective("violation", sl.ids, scale)
    # relaxed lower bounds: x + v >= lb
    need = np.flatnonzero(lb > 0)
    need = need[np.isin(need, np.concatenate([m.col_blocks["x"].ids, m.col_blocks["open"].ids]))]
    vb = e.add_cols("bound_violation", pd.DataFrame({"col": need}), 0.0, INF)
    k = np.arange(len(need))
    e.add_rows("bounds", pd.DataFrame({"col": need}), lb[need], INF, np.concatenate([k, k]),
               np.concatenate([need, vb.ids]), np.ones(2 * len(need)))
    e.add_objective("violation", vb.ids, 1.0 / np.maximum(1.0, lb[need]))
    out, x, _, _ = solve(e, solver)
    if x is None:
        return pd.DataFrame(columns=DIAGNOSIS_COLS)
    res = []
    v = x[sl.ids]
    for i, amount in zip(pol, v):
        if amount > 1e-6:
            name, kind, txt = _explain_row(m, int(i), "upper")
            res.append((name, kind, f"{txt}; must be exceeded by {amount:,.6g}"))
    v = x[vb.ids]
    for j, amount in zip(need, v):
        if amount > 1e-6:
            name, kind, txt = _explain_col(m, int(j), "lower")
            res.append((name, kind, f"{txt}; cannot hold for {amount:,.6g} of them"))
    return pd.DataFrame(res, columns=DIAGNOSIS_COLS)


def diagnose(m: LinearModel, method: str = "auto", solver: str = "cbc") -> pd.DataFrame:
    """Name the constraints in conflict in an infeasible model.

    Parameters
    ----------
    m : LinearModel
    method : {"auto", "iis", "elastic"}
        ``auto`` uses the HiGHS IIS when highspy is installed and finds one, else elastic.

    Returns
    -------
    DataFrame
        ``constraint, kind, explanation``; empty if the model is feasible.

    Examples
    --------
    >>> # plan = optimise(...); if plan.status == "infeasible": print(plan.diagnosis)
    """
    if method in ("auto", "iis") and highs_available():
        d = diagnose_iis(m)
        if len(d) or method == "iis":
            return d
    return diagnose_elastic(m, solver)
