"""Solve a :class:`~sufficiency.allocate.model.LinearModel` with CBC or HiGHS.

The outcome of every solve is one small explicit type, :class:`SolverOutcome`, carrying the
real termination reason, the objective, the best bound and the gap. PuLP reports a solve
stopped by a time limit with a merely feasible solution as ``"Optimal"`` for both CBC and
HiGHS, so the status here never comes from ``pulp.LpStatus``: for CBC it comes from its
solution file and log (CBC is called directly, :mod:`sufficiency.allocate.cbc`), for HiGHS
from ``Highs.getModelStatus()`` and ``getInfo()``.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, replace

import numpy as np

from .model import LinearModel
from .verify import check_point

__all__ = ["STATUSES", "STOPS", "OPTIMALITY_GAP", "SOLVERS", "SolverOutcome", "highs_available",
           "solve_highs", "solve_cbc", "solve", "fixed_lp_duals"]

#: Solution statuses, in words.
STATUSES = {
    "optimal": "proven optimal",
    "feasible": "feasible but not proven optimal",
    "infeasible": "infeasible: the constraints contradict each other",
    "unbounded": "unbounded",
    "no_solution": "stopped before any feasible solution was found",
    "error": "solver error: no usable plan",
}

#: Relative gap under which a MIP counts as proven optimal (HiGHS's default ``mip_rel_gap``).
OPTIMALITY_GAP = 1e-4

#: Why a solve stopped, in words.
STOPS = {
    "optimal": "proven optimal",
    "gap_limit": "the MIP gap",
    "node_limit": "the node limit (deterministic)",
    "time_limit": "the wall-clock time limit (not reproducible)",
    "infeasible": "infeasibility",
    "unbounded": "unboundedness",
    "other": "another reason",
}

SOLVERS = ("cbc", "highs")


@dataclass(frozen=True)
class SolverOutcome:
    """What the solver did, honestly.

    Attributes
    ----------
    solver : str
        ``"cbc"`` or ``"highs"``.
    status : str
        One of :data:`STATUSES`: ``optimal`` only when proven optimal within
        :data:`OPTIMALITY_GAP`.
    termination : str
        Why the solver stopped: ``optimal``, ``gap_limit``, ``node_limit`` (the deterministic
        work limit: the same model stops at the same point on any machine), ``time_limit``
        (the wall-clock safety limit: where it stops depends on the machine's speed and load,
        so the plan may not be reproducible), ``infeasible``, ``unbounded`` or ``other``.
    objective : float or None
        Objective of the solution returned (discounted £).
    best_bound : float or None
        Best lower bound on the optimal objective proven by the solver.
    gap : float or None
        Relative gap ``(objective - best_bound) / |objective|``.
    solve_time : float
        Seconds spent in the solver call (for CBC including PuLP writing the MPS file).
    message : str
        The solver's own words, e.g. CBC's ``Result -`` line, and what the verification did.
    verified : bool
        True when the returned point was checked against every row, bound and integrality of
        the model (:func:`sufficiency.allocate.verify.check_point`) and held, and the objective
        was recomputed from it. :func:`solve` never returns a solution that is not verified.

    Examples
    --------
    >>> SolverOutcome("highs", "feasible", "time_limit", 10.0, 9.0, 0.1, 1.0).proven_optimal
    False
    """

    solver: str
    status: str
    termination: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    solve_time: float
    message: str = ""
    verified: bool = False

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def reproducible(self) -> bool:
        """False when the solve stopped at the wall-clock time limit: the plan returned is the
        best found by then, which depends on the machine's speed and load."""
        return self.termination != "time_limit"

    def describe(self) -> str:
        """One sentence an officer can read."""
        s = f"{self.solver.upper()}: {STATUSES[self.status]}"
        if self.status == "error" and self.message:
            s += f" ({self.message})"
        if self.status == "feasible":
            s += f" (stopped on {STOPS.get(self.termination, self.termination)}"
            if self.gap is not None:
                s += f", within {self.gap:.2%} of the best bound"
            s += ")"
        return s + f", {self.solve_time:.2f} s."


def _gap(obj, bound):
    if obj is None or bound is None or not np.isfinite(bound):
        return None
    return max(0.0, (obj - bound) / max(abs(obj), 1e-9))


# ---------------------------------------------------------------------------------------------
# HiGHS, called directly on the matrices


def highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


_BANNER_SHOWN = False


def _new_highs(msg: bool = False):
    """A ``highspy.Highs`` object with its output off unless ``msg``.

    HiGHS prints its banner ("Running HiGHS ...") to the process's standard output when the
    first ``Highs`` object of a process is made, before any option can be set; that first
    construction runs with file descriptor 1 pointed at ``/dev/null``.
    """
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN or msg:
        h = highspy.Highs()
    else:
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    _BANNER_SHOWN = True
    h.setOptionValue("output_flag", bool(msg))
    return h


def _highs(m: LinearModel, lb, ub, integrality, *, time_limit=None, mip_gap=None, threads=None,
           msg=False, node_limit=None):
    h = _new_highs(msg)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if node_limit is not None:
        h.setOptionValue("mip_max_nodes", int(node_limit))
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_gap))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", 0)
    A = m.matrix("csc")
    integ = np.asarray(integrality, np.int32)
    h.passModel(int(m.n_cols), int(m.n_rows), int(A.nnz), 1, 1, 0.0,
                np.ascontiguousarray(m.cost, float), np.ascontiguousarray(lb, float),
                np.ascontiguousarray(ub, float), np.ascontiguousarray(m.row_lower, float),
                np.ascontiguousarray(m.row_upper, float), A.indptr.astype(np.int32),
                A.indices.astype(np.int32), A.data.astype(float), integ)
    return h


def solve_highs(m: LinearModel, *, time_limit=None, mip_gap=None, threads=None, msg=False,
                lb=None, ub=None, integrality=None, presolve=True, node_limit=None):
    """Solve with HiGHS on the model's matrices; return ``(SolverOutcome, x, row_duals)``."""
    import highspy

    lb = m.col_lower if lb is None else lb
    ub = m.col_upper if ub is None else ub
    integ = m.integrality if integrality is None else integrality
    t0 = time.perf_counter()
    h = _highs(m, lb, ub, integ, time_limit=time_limit, mip_gap=mip_gap, threads=threads, msg=msg,
               node_limit=node_limit)
    if not presolve:
        h.setOptionValue("presolve", "off")
    h.run()
    elapsed = time.perf_counter() - t0
    MS = highspy.HighsModelStatus
    ms = h.getModelStatus()
    info = h.getInfo()
    is_mip = bool(np.any(integ))
    has_sol = info.primal_solution_status == 2
    x = np.asarray(h.getSolution().col_value) if has_sol else None
    duals = np.asarray(h.getSolution().row_dual) if (has_sol and not is_mip) else None
    obj = float(info.objective_function_value) if has_sol else None
    bound = (float(info.mip_dual_bound) if is_mip else obj) if has_sol else None
    gap = _gap(obj, bound)
    text = h.modelStatusToString(ms)
    if ms == MS.kOptimal:
        if gap is not None and gap > OPTIMALITY_GAP:
            status, term = "feasible", "gap_limit"
        else:
            status, term = "optimal", "optimal"
    elif ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        status, term = "infeasible", "infeasible"
    elif ms == MS.kUnbounded:
        status, term = "unbounded", "unbounded"
    elif ms == MS.kTimeLimit:
        status, term = ("feasible" if has_sol else "no_solution"), "time_limit"
    elif ms == MS.kSolutionLimit and node_limit is not None and is_mip:
        # mip_max_nodes reached (HiGHS reports it as a solution limit)
        status, term = ("feasible" if has_sol else "no_solution"), "node_limit"
    else:
        status, term = ("feasible" if has_sol else "no_solution"), "other"
    return SolverOutcome("highs", status, term, obj, bound, gap, elapsed, text), x, duals


# ---------------------------------------------------------------------------------------------
# CBC, the binary bundled with PuLP, called on an MPS file written from the matrices

_CBC_RESULT = re.compile(r"^Result - (.*)$", re.M)
_CBC_NUM = {k: re.compile(rf"^{k}:\s+(\S+)", re.M) for k in ("Objective value", "Lower bound",
                                                                "Gap")}

#: CBC options of the first, root-node pass of a MIP solve (:func:`solve_cbc`): no Cgl
#: preprocessing, and heuristics stop as soon as a plan within the gap is found
#: (``hOptions 1``). Most LAs' models stop there, within the gap, in about a third of the CPU
#: time of a solve with preprocessing, whose undoing after the search alone costs CBC about
#: 2 s on Kent's model; the others go on to the branch and bound with CBC's defaults. At most
#: 20 rounds of cuts at the root (``passC 20``; CBC does up to 100 on small models: Hartlepool's
#: root took 1.3 s instead of 0.5 s, for the same plan).
ROOT_PASS = ("preprocess off", "hOptions 1", "passC 20")

#: CBC options of the second, full pass (:func:`solve_cbc`), run only when the root pass leaves
#: the gap open: CBC's defaults (Cgl preprocessing, cuts, heuristics) and the branch and bound.
#: docs/allocate.md ("Speed of the solve") gives the options measured against it and why none
#: was adopted.
FULL_PASS = ()


def _num(rx, text):
    mt = rx.search(text)
    if not mt:
        return None
    try:
        return float(mt.group(1))
    except ValueError:
        return None


def _cbc_outcome(m: LinearModel, run, is_mip: bool):
    """``(SolverOutcome, x, duals)`` from one CBC run: the status from CBC's own words."""
    text = run.log
    found = _CBC_RESULT.search(text)
    result = found.group(1).strip() if found else ""
    head = run.head
    first = head.split(" ", 1)[0]
    sol_optimal = first == "Optimal"
    x = run.x
    has_sol = x is not None
    obj = float(m.cost @ x) if has_sol else None
    bound = _num(_CBC_NUM["Lower bound"], text) if is_mip else obj
    low = result.lower()
    if sol_optimal and "optimal" in low and "gap" not in low:
        status, term, bound = "optimal", "optimal", (obj if bound is None else bound)
    elif "infeasible" in low or first in ("Infeasible", "Integer"):
        status, term, has_sol, x, obj = "infeasible", "infeasible", False, None, None
    elif "unbounded" in low or first == "Unbounded":
        status, term = "unbounded", "unbounded"
    elif "node limit" in low:
        status, term = ("feasible" if has_sol else "no_solution"), "node_limit"
    elif "time" in low:
        status, term = ("feasible" if has_sol else "no_solution"), "time_limit"
    elif sol_optimal:  # optimal within the gap tolerance
        status, term = "optimal", "optimal"
    else:
        status, term = ("feasible" if has_sol else "no_solution"), "other"
    gap = _gap(obj, bound)
    if status == "optimal" and gap is not None and gap > OPTIMALITY_GAP:
        status, term = "feasible", "gap_limit"
    duals = run.duals if (has_sol and not is_mip) else None
    return (SolverOutcome("cbc", status, term, obj, bound, gap, run.seconds, result),
            x if has_sol else None, duals)


def _within_gap(out: SolverOutcome, mip_gap) -> SolverOutcome:
    """A root pass CBC reports as stopped on its node limit although its plan is within
    ``mip_gap`` of its bound (CBC's words depend on where its search stopped, not on the gap:
    Rutland's root pass closed the gap to zero and still said "Stopped on node limit") is a
    gap-limit (or optimal) stop: the full pass could only prove what is already proven."""
    if out.termination != "node_limit" or not out.has_solution or out.gap is None:
        return out
    target = OPTIMALITY_GAP if mip_gap is None else max(float(mip_gap), OPTIMALITY_GAP)
    if out.gap > target:
        return out
    status, term = ("optimal", "optimal") if out.gap <= OPTIMALITY_GAP else \
        ("feasible", "gap_limit")
    return replace(out, status=status, termination=term)


def solve_cbc(m: LinearModel, *, time_limit=None, mip_gap=None, threads=None, msg=False,
              lb=None, ub=None, integrality=None, presolve=None, node_limit=None,
              root_pass=True, root_options=None, full_options=None):
    """Solve with CBC; return ``(SolverOutcome, x, row_duals, write_time)``.

    The model is written as an MPS file straight from its matrices
    (:func:`sufficiency.allocate.cbc.write_mps`) and solved by the CBC binary bundled with
    PuLP. A MIP is solved in up to two passes: first the root node alone with
    :data:`ROOT_PASS` (no preprocessing; heuristics stop at a plan within ``mip_gap``); if that
    plan is within ``mip_gap`` of the LP bound (or proven optimal, or the model infeasible),
    it is the answer; otherwise CBC runs again with :data:`FULL_PASS` (Cgl preprocessing,
    cuts, heuristics) and the branch and bound, up to ``node_limit`` nodes (``node_limit=0``:
    the root pass's plan is the answer, whatever its gap). The better of the two passes'
    plans is returned: when the full pass fails, finds nothing or only a dearer plan, the
    root pass's plan is kept (never a worse answer for the second pass). ``root_pass=False``
    skips the first pass (the solve before issue 16's speed work).

    ``presolve=False`` turns off both CBC's presolve and its Cgl preprocessing. ``node_limit``
    is CBC's ``maxNodes``: a deterministic stopping rule (one thread, so the same model stops
    at the same node with the same plan on any machine), unlike ``time_limit`` (wall clock).
    ``root_options`` / ``full_options`` replace :data:`ROOT_PASS` / :data:`FULL_PASS` (CBC's
    own words, e.g. ``"preprocess off"``), for benchmarks comparing option sets.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = LinearModel()
    >>> _ = m.add_cols("x", pd.DataFrame({"i": [0, 1]}), 0, 10, integer=True)
    >>> _ = m.add_rows("need", pd.DataFrame({"r": [0]}), 7.5, np.inf, [0, 0], [0, 1], [1, 1])
    >>> m.add_objective("cost", [0, 1], [1.0, 2.0])
    >>> out, x, _, _ = solve_cbc(m)
    >>> out.status, out.termination, x.tolist()
    ('optimal', 'optimal', [8.0, 0.0])
    """
    from .cbc import run_cbc, write_mps

    integ = np.asarray(m.integrality if integrality is None else integrality, bool)
    is_mip = bool(integ.any())
    root_opts = tuple(ROOT_PASS if root_options is None else root_options)
    options = []
    if presolve is False:
        # also turns off CBC's Cgl preprocessing, the step that misfires ("Postprocessed model
        # is infeasible") and returns a point breaking the model
        options = ["presolve off", "preprocess off"]
    elif presolve:
        options = ["presolve on"]
    if is_mip:
        extra = [o for o in (FULL_PASS if full_options is None else full_options)
                 if not (presolve is False and o.split()[0] in ("presolve", "preprocess"))]
        options = options + list(extra)
    kw = dict(time_limit=time_limit, mip_gap=mip_gap, threads=threads, msg=msg,
              integrality=integ)
    t0 = time.perf_counter()
    first, first_x = None, None
    with tempfile.TemporaryDirectory() as tmp:
        mps = os.path.join(tmp, "model.mps")
        write_mps(m, mps, lb, ub, integ)
        t_write = time.perf_counter() - t0
        if is_mip and root_pass and presolve is not False:
            try:
                run = run_cbc(m, mps=mps, node_limit=0, options=root_opts, **kw)
            except RuntimeError:
                # CBC 2.10.3 without preprocessing can crash on a model it would find
                # integer infeasible: the full pass below decides
                first = SolverOutcome("cbc", "error", "other", None, None, None, 0.0,
                                      "the root pass failed")
            else:
                out, x, duals = _cbc_outcome(m, run, is_mip)
                out = _within_gap(out, mip_gap)
                if (out.termination in ("optimal", "gap_limit")
                        or out.status in ("infeasible", "unbounded")
                        or (node_limit == 0 and out.has_solution)):
                    return (replace(out, solve_time=time.perf_counter() - t0,
                                    message=f"{out.message} (at the root node)"),
                            x, duals, t_write)
                first, first_x = out, x
        try:
            run = run_cbc(m, mps=mps, node_limit=node_limit if is_mip else None,
                          options=options, **kw)
        except RuntimeError as exc:
            if first is not None and first.has_solution:
                return (_root_kept(first, None, f"the full pass failed: {exc}",
                                   time.perf_counter() - t0), first_x, None, t_write)
            return (SolverOutcome("cbc", "error", "other", None, None, None,
                                  time.perf_counter() - t0, str(exc)), None, None, t_write)
    out, x, duals = _cbc_outcome(m, run, is_mip)
    if first is not None and first.has_solution:
        tol = 1e-9 * max(1.0, abs(first.objective))
        if not out.has_solution or out.objective > first.objective + tol:
            why = ("found no plan" if not out.has_solution else
                   f"found only a dearer plan ({out.objective:.6g})")
            return (_root_kept(first, out, f"the full pass {why}: {out.message or out.status}",
                               time.perf_counter() - t0), first_x, None, t_write)
    if first is not None:
        out = replace(out, message=f"{out.message} (after the root pass: "
                                   f"{first.message or first.termination})")
    return replace(out, solve_time=time.perf_counter() - t0), x, duals, t_write


def _root_kept(first: SolverOutcome, full: SolverOutcome | None, why: str,
               seconds: float) -> SolverOutcome:
    """The root pass's plan as the answer, when the full pass did no better.

    The bound is the larger of the two passes' bounds (both are lower bounds on the same
    model: the full pass's only counts when it ended normally, with a plan or on a limit).
    """
    bounds = [first.best_bound]
    if full is not None and full.status in ("optimal", "feasible", "no_solution"):
        bounds.append(full.best_bound)
    bounds = [b for b in bounds if b is not None and np.isfinite(b) and b <= first.objective
              + 1e-6 * max(1.0, abs(first.objective))]
    bound = max(bounds) if bounds else None
    gap = _gap(first.objective, bound)
    term = full.termination if (full is not None and full.termination in
                                ("node_limit", "time_limit")) else first.termination
    status = "feasible"
    if gap is not None and gap <= OPTIMALITY_GAP:
        status, term = "optimal", "optimal"
    return replace(first, status=status, termination=term, best_bound=bound, gap=gap,
                   solve_time=seconds,
                   message=f"{first.message} (the root pass's plan kept: {why})")


def _raw_solve(m: LinearModel, solver: str, **kw):
    if solver == "cbc":
        kw.pop("problem", None)
        return solve_cbc(m, **kw)
    if solver == "highs":
        if not highs_available():
            raise ImportError("solver='highs' needs highspy: pip install highspy "
                              "(or sufficiency[highs]); or use solver='cbc'")
        kw.pop("problem", None)
        out, x, d = solve_highs(m, **kw)
        return out, x, d, 0.0
    raise ValueError(f"solver: expected one of {SOLVERS}, got {solver!r}")


def solve(m: LinearModel, solver="cbc", **kw):
    """Solve ``m`` with the named solver and verify the answer.

    Returns ``(SolverOutcome, x, row_duals, pulp_time)``. The point the solver returns is
    checked against every row, column bound and integrality of ``m``
    (:func:`~sufficiency.allocate.verify.check_point`) and the objective recomputed from it.
    A point that breaks the model is solved again without presolve (CBC's presolve is the
    known culprit); if the second answer is wrong too, the outcome is ``status="error"`` with
    no point: a wrong plan is never returned. Whenever there is a solution the outcome carries
    a bound and a gap (from the LP relaxation when the solver gave no bound).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sufficiency.allocate.model import LinearModel
    >>> m = LinearModel()
    >>> _ = m.add_cols("x", pd.DataFrame({"i": [0, 1]}), 0, 10, integer=True)
    >>> _ = m.add_rows("need", pd.DataFrame({"r": [0]}), 7.5, np.inf, [0, 0], [0, 1], [1, 1])
    >>> m.add_objective("cost", [0, 1], [1.0, 2.0])
    >>> out, x, _, _ = solve(m, "cbc")
    >>> out.status, out.verified, x.tolist(), out.objective, out.gap
    ('optimal', True, [8.0, 0.0], 8.0, 0.0)
    """
    solver = str(solver).lower()
    if m.n_cols == 0:  # nothing to place and nothing to build
        return (SolverOutcome(solver, "optimal", "optimal", 0.0, 0.0, 0.0, 0.0, "empty model",
                              True), np.zeros(0), np.zeros(m.n_rows), 0.0)
    out, x, duals, t_build = _raw_solve(m, solver, **kw)
    if not out.has_solution:
        return out, x, duals, t_build
    lb, ub, integ = kw.get("lb"), kw.get("ub"), kw.get("integrality")
    check = check_point(m, x, lb, ub, integ)
    note = ""
    if not check.ok:
        first = check.describe()
        retry = {k: v for k, v in kw.items() if k not in ("problem", "presolve")}
        out, x, duals, t2 = _raw_solve(m, solver, **retry, presolve=False)
        t_build += t2
        if not out.has_solution:
            return replace(out, message=f"{out.message}; first answer rejected: {first}"), \
                x, duals, t_build
        check = check_point(m, x, lb, ub, integ)
        if not check.ok:
            message = (f"{solver.upper()} returned a solution that breaks the model's own "
                       f"constraints twice (with and without presolve): {check.describe()}")
            return (SolverOutcome(solver, "error", "other", None, None, None, out.solve_time,
                                  message), None, None, t_build)
        note = f"re-solved without presolve: the first answer was rejected ({first})"
    return _with_bound(m, solver, kw, out, check.objective, note), x, duals, t_build


def _with_bound(m, solver, kw, out: SolverOutcome, obj: float, note: str) -> SolverOutcome:
    """The outcome with the recomputed objective, a valid bound and the gap."""
    bound = out.best_bound
    tol = 1e-6 * max(1.0, abs(obj))
    integ = m.integrality if kw.get("integrality") is None else np.asarray(kw["integrality"])
    status, term = out.status, out.termination
    if bound is not None and (not np.isfinite(bound) or bound > obj + tol):
        bound = None  # not a bound on this objective: fall back to the relaxation
    if bound is None and status == "optimal":
        bound = obj
    if bound is None:
        relaxed = {k: v for k, v in kw.items() if k not in ("problem", "mip_gap")}
        relaxed["integrality"] = np.zeros(m.n_cols, bool)
        lp, _, _, _ = _raw_solve(m, solver, **relaxed)
        if lp.status == "optimal" and lp.objective is not None and lp.objective <= obj + tol:
            bound = float(lp.objective)
            note = (note + "; " if note else "") + "bound from the LP relaxation"
    gap = _gap(obj, bound)
    if status == "optimal" and (gap is None or gap > OPTIMALITY_GAP) and np.any(integ):
        status, term = "feasible", "gap_limit"
    message = out.message + (f"; {note}" if note else "")
    return replace(out, status=status, termination=term, objective=obj, best_bound=bound,
                   gap=gap, message=message, verified=True)


def fixed_lp_duals(m: LinearModel, x: np.ndarray, solver="cbc", **kw):
    """Row duals of the LP with every integer column (the build decisions) fixed at ``x``.

    Returned with the sign convention *d objective / d row bound* (a binding capacity row
    has a dual <= 0: one more place lowers the cost).
    """
    integ = m.integrality
    lb, ub = m.col_lower.copy(), m.col_upper.copy()
    opens = np.zeros(m.n_cols, bool)
    for name in ("open", "size"):
        if name in m.col_blocks:
            opens[m.col_blocks[name].ids] = True
    fix = opens & integ
    lb[fix] = ub[fix] = np.round(x[fix])
    sized = opens & ~integ
    lb[sized] = ub[sized] = x[sized]
    kw.pop("mip_gap", None)
    if solver == "highs":
        # HiGHS's presolve is slow on this LP with many fixed columns (20 s vs 4 s without it
        # on the national benchmark) and the duals come straight from the simplex without it
        kw["presolve"] = False
    out, _, duals, _ = solve(m, solver, lb=lb, ub=ub, integrality=np.zeros(m.n_cols, bool), **kw)
    return out, duals
