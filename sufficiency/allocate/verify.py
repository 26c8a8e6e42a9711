"""Check a solver's answer against the model it was given, independently of the solver.

A solver reports a status and a point; neither is trusted. :func:`check_point` recomputes every
row activity ``A x`` from the model's own matrix, compares it with the row bounds, checks the
column bounds and integrality, and recomputes the objective ``c x``. A point that breaks any of
them (beyond a small tolerance, relative to the size of the bound) is not a plan.

Why: CBC's presolve occasionally misfires on small instances ("Postprocessed model is
infeasible") and returns a point that breaks the model's own constraints while reporting it as
optimal (about 1 in 1,000 random small instances in our tests of CBC 2.10). Checking costs one
sparse matrix-vector product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FEASIBILITY_TOL", "INTEGRALITY_TOL", "PointCheck", "check_point"]

#: Tolerance on a row or bound, relative to the size of the numbers in it: a row's violation is
#: divided by ``max(1, |bound|, sum_j |a_ij x_j|)``, a column's by ``max(1, |bound|)``. CBC's
#: and HiGHS's own primal feasibility tolerances are 1e-7 (on their scaled model); 1e-6
#: relative accepts every correct answer and no violation a person would see.
FEASIBILITY_TOL = 1e-6

#: Largest distance from a whole number accepted for an integer column (CBC's default
#: integer tolerance is 1e-7; HiGHS's ``mip_feasibility_tolerance`` is 1e-6).
INTEGRALITY_TOL = 1e-5


@dataclass(frozen=True)
class PointCheck:
    """What :func:`check_point` found.

    Attributes
    ----------
    ok : bool
        True when every row, bound and integrality holds within tolerance.
    objective : float
        ``c @ x`` recomputed from the model (discounted £).
    max_row_violation, max_bound_violation, max_integrality_violation : float
        The largest violations (scaled as in :data:`FEASIBILITY_TOL`; 0 when none).
    worst : str
        The worst-violated row or column by name, with its activity and bounds ('' when ok).
    """

    ok: bool
    objective: float
    max_row_violation: float
    max_bound_violation: float
    max_integrality_violation: float
    worst: str = ""

    def describe(self) -> str:
        if self.ok:
            return "the solution satisfies every constraint and bound of the model"
        return (f"the solution breaks the model's constraints (largest violation "
                f"{max(self.max_row_violation, self.max_bound_violation):.3g}"
                f"{'; integrality %.3g' % self.max_integrality_violation if self.max_integrality_violation > INTEGRALITY_TOL else ''}"
                f"): {self.worst}")


def _scaled(excess: np.ndarray, bound: np.ndarray, size=None) -> np.ndarray:
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(bound), bound, 0.0)))
    if size is not None:
        scale = np.maximum(scale, size)
    return np.maximum(excess, 0.0) / scale


def check_point(m, x, lb=None, ub=None, integrality=None) -> PointCheck:
    """Check point ``x`` against every row, column bound and integrality of model ``m``.

    Parameters
    ----------
    m : LinearModel
        The model as built (rows ``row_lower <= A x <= row_upper``).
    x : array of float
        The point a solver returned, one value per column.
    lb, ub, integrality : arrays, optional
        Column bounds and integrality actually given to the solver (default the model's own;
        pass them when the solve fixed some columns, as for the duals LP).

    Returns
    -------
    PointCheck

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sufficiency.allocate.model import LinearModel
    >>> m = LinearModel()
    >>> _ = m.add_cols("x", pd.DataFrame({"i": [0, 1]}), 0, 10)
    >>> _ = m.add_rows("cap", pd.DataFrame({"r": [0]}), -np.inf, 7, [0, 0], [0, 1], [1, 1])
    >>> m.add_objective("cost", [0, 1], [1.0, 2.0])
    >>> check_point(m, np.array([3.0, 4.0])).ok
    True
    >>> c = check_point(m, np.array([4.0, 4.0]))
    >>> c.ok, c.objective, c.worst
    (False, 12.0, 'cap[r=0]: activity 8 > upper bound 7')
    """
    x = np.asarray(x, float)
    lb = m.col_lower if lb is None else np.asarray(lb, float)
    ub = m.col_upper if ub is None else np.asarray(ub, float)
    integ = m.integrality if integrality is None else np.asarray(integrality, bool)
    if x.shape != (m.n_cols,) or not np.all(np.isfinite(x)):
        return PointCheck(False, float("nan"), np.inf, np.inf, np.inf,
                          f"the solver returned {x.size} values for {m.n_cols} columns"
                          if x.shape != (m.n_cols,) else "the solver returned non-finite values")
    objective = float(m.cost @ x) if m.n_cols else 0.0
    worst, worst_v = "", 0.0
    row_v = 0.0
    if m.n_rows:
        A = m.matrix("csr")
        act = A @ x
        size = abs(A) @ np.abs(x)
        rl, ru = m.row_lower, m.row_upper
        below, above = _scaled(rl - act, rl, size), _scaled(act - ru, ru, size)
        v = np.maximum(below, above)
        i = int(np.argmax(v))
        row_v = float(v[i])
        if row_v > FEASIBILITY_TOL:
            side = (f"activity {act[i]:.6g} < lower bound {rl[i]:.6g}" if below[i] >= above[i]
                    else f"activity {act[i]:.6g} > upper bound {ru[i]:.6g}")
            worst, worst_v = f"{m.row_name(i)}: {side}", row_v
    col_v = 0.0
    if m.n_cols:
        below, above = _scaled(lb - x, lb), _scaled(x - ub, ub)
        v = np.maximum(below, above)
        j = int(np.argmax(v))
        col_v = float(v[j])
        if col_v > FEASIBILITY_TOL and col_v > worst_v:
            worst = (f"{m.col_name(j)} = {x[j]:.6g} outside its bounds "
                     f"[{lb[j]:.6g}, {ub[j]:.6g}]")
    int_v = 0.0
    if integ.any():
        frac = np.abs(x[integ] - np.round(x[integ]))
        k = int(np.argmax(frac))
        int_v = float(frac[k])
        if int_v > INTEGRALITY_TOL and not worst:
            j = int(np.flatnonzero(integ)[k])
            worst = f"{m.col_name(j)} = {x[j]:.6g} should be a whole number"
    ok = row_v <= FEASIBILITY_TOL and col_v <= FEASIBILITY_TOL and int_v <= INTEGRALITY_TOL
    return PointCheck(ok, objective, row_v, col_v, int_v, worst)
