"""The allocation model as sparse matrices, built with vectorised pandas/numpy.

The model is held in a solver-neutral :class:`LinearModel` (named blocks of columns and rows,
coefficients as coordinate triplets). :func:`build_model` calls one small ``define_*``
function per part of the formulation; :meth:`LinearModel.to_pulp` turns it into a
:class:`pulp.LpProblem` (for CBC and for anyone who wants the PuLP object), and
:mod:`sufficiency.allocate.solve` hands the same matrices to HiGHS directly.

Formulation (``w`` = path weight, ``d_t = (1 + r) ** -(t - t0)`` the discount factor)::

    min  sum w d_t (cost_s,n,p + travel_a,s) x[k,t,s,n,p,a] + sum capital_j,t d_t spend
         + sum w d_t penalty u[k,t,n,p,a]
    s.t. sum_s x[k,t,s,n,p,a] + u[k,t,n,p,a] = demand[k,t,n,p,a]           (demand)
         sum_{n,p,a} x[k,t,s,.] - sum_{j at s} size[j,t] <= capacity_s      (capacity)
         sum_a x[k,t,s,n,p,a] <= cap_s,n,p                                 (designation)
         open[j,t-1] <= open[j,t]; sum_{j in g} open[j,T] <= 1             (stays open, group)
         min_j open[j,t] <= size[j,t] <= places_j open[j,t]; size fixed once open  (size)
         capital spend in year t <= budget_t; in total <= total budget      (budget)
         sum placement cost in year t <= revenue budget_t                  (revenue budget)
         placements in capped provisions <= share x all placements          (cap)
         x >= existing placements carried forward                          (continuity)
         sum_j g_j open[j,t] + s_t / (delta f) >= ceil(b_t / delta)         (cover cuts)

The cover cuts (:func:`define_cover_cuts`) are valid inequalities, not constraints of the
plan: per path and year, the children who need a capacity-limited place (``b_t``, beyond the
places that exist) must find one in a project opened by then or sit in the slack ``s_t``
(unlimited settings, unplaced); their mixed-integer rounding by a project size ``delta``
(``f`` the fractional part of ``b_t / delta``) removes the relaxation's part-opened schools
but no integer plan, so the optimal cost is unchanged while the LP bound rises.

``x`` exists only for designated (setting, need, phase) and for area-setting pairs within the
maximum travel time: a placement in a setting not designated for the need cannot be expressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .validate import Inputs

__all__ = ["INF", "STEP_DOWN_TIEBREAK", "Block", "LinearModel", "ModelContext",
           "define_variables", "define_demand_balance", "define_capacity", "define_designation",
           "define_projects", "define_budgets", "define_caps", "define_carry",
           "define_cover_cuts", "define_objective", "build_model"]

INF = np.inf

#: £ per step-down in the objective: a tie-breaker, not a cost estimate.
STEP_DOWN_TIEBREAK = 1.0


@dataclass
class Block:
    """A named block of consecutive columns or rows with its index table."""

    name: str
    start: int
    index: pd.DataFrame
    description: str = ""

    @property
    def n(self) -> int:
        return len(self.index)

    @property
    def ids(self) -> np.ndarray:
        return np.arange(self.start, self.start + self.n)


@dataclass
class LinearModel:
    """A mixed-integer linear programme in sparse form, with named blocks."""

    col_blocks: dict = field(default_factory=dict)
    row_blocks: dict = field(default_factory=dict)
    _lb: list = field(default_factory=list)
    _ub: list = field(default_factory=list)
    _int: list = field(default_factory=list)
    _rl: list = field(default_factory=list)
    _ru: list = field(default_factory=list)
    _trip: list = field(default_factory=list)
    objective_parts: dict = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0
    _cache: dict = field(default_factory=dict)

    # -- building
    def add_cols(self, name, index, lb, ub, integer=False, description=""):
        n = len(index)
        b = Block(name, self.n_cols, index.reset_index(drop=True), description)
        self._lb.append(np.broadcast_to(np.asarray(lb, float), (n,)).copy())
        self._ub.append(np.broadcast_to(np.asarray(ub, float), (n,)).copy())
        self._int.append(np.full(n, bool(integer)))
        self.col_blocks[name] = b
        self.n_cols += n
        self._cache.clear()
        return b

    def add_rows(self, name, index, lower, upper, rows, cols, vals, description=""):
        """Add ``len(index)`` rows; ``rows`` are local (0-based within this block)."""
        n = len(index)
        b = Block(name, self.n_rows, index.reset_index(drop=True), description)
        self._rl.append(np.broadcast_to(np.asarray(lower, float), (n,)).copy())
        self._ru.append(np.broadcast_to(np.asarray(upper, float), (n,)).copy())
        self._trip.append((np.asarray(rows, np.int64) + self.n_rows, np.asarray(cols, np.int64),
                           np.asarray(vals, float)))
        self.row_blocks[name] = b
        self.n_rows += n
        self._cache.clear()
        return b

    def add_terms(self, rows, cols, vals):
        """Add coefficients to rows already added (``rows`` are global row numbers)."""
        self._trip.append((np.asarray(rows, np.int64), np.asarray(cols, np.int64),
                           np.asarray(vals, float)))
        self._cache.clear()

    def add_objective(self, part, cols, vals):
        c, v = self.objective_parts.get(part, (np.empty(0, np.int64), np.empty(0)))
        self.objective_parts[part] = (np.concatenate([c, np.asarray(cols, np.int64)]),
                                      np.concatenate([v, np.asarray(vals, float)]))
        self._cache.clear()

    # -- arrays
    def _cat(self, parts, dtype=float):
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)

    @property
    def col_lower(self):
        return self._cat(self._lb)

    @property
    def col_upper(self):
        return self._cat(self._ub)

    @property
    def integrality(self):
        return self._cat(self._int, bool)

    @property
    def row_lower(self):
        return self._cat(self._rl)

    @property
    def row_upper(self):
        return self._cat(self._ru)

    def part_vector(self, part) -> np.ndarray:
        c = np.zeros(self.n_cols)
        if part in self.objective_parts:
            cols, vals = self.objective_parts[part]
            np.add.at(c, cols, vals)
        return c

    @property
    def cost(self) -> np.ndarray:
        if "cost" not in self._cache:
            c = np.zeros(self.n_cols)
            for cols, vals in self.objective_parts.values():
                np.add.at(c, cols, vals)
            self._cache["cost"] = c
        return self._cache["cost"]

    def matrix(self, fmt="csr") -> sp.spmatrix:
        key = "A_" + fmt
        if key not in self._cache:
            if self._trip:
                r = np.concatenate([t[0] for t in self._trip])
                c = np.concatenate([t[1] for t in self._trip])
                v = np.concatenate([t[2] for t in self._trip])
            else:
                r = c = np.empty(0, np.int64)
                v = np.empty(0)
            A = sp.coo_matrix((v, (r, c)), shape=(self.n_rows, self.n_cols))
            self._cache[key] = A.asformat(fmt)
            self._cache[key].sum_duplicates()
            if fmt in ("csr", "csc"):
                self._cache[key].sort_indices()
        return self._cache[key]

    # -- names
    def col_name(self, j: int) -> str:
        return _name(self.col_blocks, j)

    def row_name(self, i: int) -> str:
        return _name(self.row_blocks, i)

    def row_block_of(self, i: int) -> tuple[Block, int]:
        for b in self.row_blocks.values():
            if b.start <= i < b.start + b.n:
                return b, i - b.start
        raise IndexError(i)

    # -- PuLP
    def to_pulp(self, name="sufficiency_allocate", col_lower=None, col_upper=None,
                integrality=None):
        """Return ``(problem, variables, constraints)`` as a :class:`pulp.LpProblem`.

        Variables are named ``<block>_<i>`` and constraints ``<block>_<i>``; expressions are
        built from (variable, coefficient) tuples row by row from the CSR matrix, which is much
        faster than nested ``lpSum`` calls.
        """
        import pulp

        lb = self.col_lower if col_lower is None else col_lower
        ub = self.col_upper if col_upper is None else col_upper
        integ = self.integrality if integrality is None else integrality
        prob = pulp.LpProblem(name, pulp.LpMinimize)
        cont, intg = pulp.LpContinuous, pulp.LpInteger
        names = [f"{b.name}_{i}" for b in self.col_blocks.values() for i in range(b.n)]
        lbl = [None if v == -INF else float(v) for v in lb]
        ubl = [None if v == INF else float(v) for v in ub]
        newvar = prob.add_variable
        var = [newvar(nm, lo, up, intg if ig else cont)
               for nm, lo, up, ig in zip(names, lbl, ubl, integ.tolist())]
        c = self.cost
        nz = np.flatnonzero(c)
        prob.setObjective(pulp.LpAffineExpression([(var[j], float(c[j])) for j in nz]))
        A = self.matrix("csr")
        indptr, indices, data = A.indptr, A.indices.tolist(), A.data.tolist()
        rl, ru = self.row_lower, self.row_upper
        cons = []
        rnames = [f"{b.name}_{i}" for b in self.row_blocks.values() for i in range(b.n)]
        E, LE, GE = pulp.LpConstraintEQ, pulp.LpConstraintLE, pulp.LpConstraintGE
        add = prob.addConstraint
        for i in range(self.n_rows):
            a, b_ = indptr[i], indptr[i + 1]
            expr = pulp.LpAffineExpression(
                [(var[k], v) for k, v in zip(indices[a:b_], data[a:b_])])
            lo, up = rl[i], ru[i]
            if lo == up:
                con = pulp.LpConstraint(expr, E, rnames[i], float(up))
            elif lo == -INF:
                con = pulp.LpConstraint(expr, LE, rnames[i], float(up))
            elif up == INF:
                con = pulp.LpConstraint(expr, GE, rnames[i], float(lo))
            else:  # ranged: split in two
                add(pulp.LpConstraint(expr, GE, rnames[i] + "_lo", float(lo)))
                con = pulp.LpConstraint(expr.copy(), LE, rnames[i], float(up))
            add(con)
            cons.append(con)
        return prob, var, cons


def _name(blocks, k):
    for b in blocks.values():
        if b.start <= k < b.start + b.n:
            row = b.index.iloc[k - b.start]
            keys = ", ".join(f"{c}={row[c]}" for c in b.index.columns if not c.startswith("_"))
            return f"{b.name}[{keys}]"
    raise IndexError(k)


# ---------------------------------------------------------------------------------------------
# formulation


@dataclass
class ModelContext:
    """Index tables shared by the ``define_*`` functions."""

    inputs: Inputs
    cells: pd.DataFrame = None     # demand cells (path, year, need, phase, area, demand)
    arcs: pd.DataFrame = None      # placement variables' index
    opens: pd.DataFrame = None     # project opening variables' index
    weights: dict = None           # path -> weight
    discount: dict = None          # year -> discount factor
    reduce_dominated: bool = True  # drop interchangeable dearer unlimited options
    carry_rows: pd.DataFrame = None   # continuity rows (one per option carried into)
    carry_terms: pd.DataFrame = None  # their terms in last year's placements
    carry_const: np.ndarray = None    # their constants from the children placed before
    over_cells: pd.DataFrame = None   # cells that may place more than demand (carried)
    capital_spend: pd.DataFrame = None  # capital spend terms (_capital_spend), made once


def _discount(inputs: Inputs) -> dict:
    r = inputs.policy.discount_rate
    y0 = inputs.years[0]
    return {y: (1.0 + r) ** -(y - y0) for y in inputs.years}


def _drop_dominated(arcs: pd.DataFrame, inp: Inputs) -> pd.DataFrame:
    """Keep, per demand cell, only the cheapest of the interchangeable unlimited options.

    Two placement options for the same cell are interchangeable when both settings have
    unlimited capacity, neither has a designation cap, no child is already placed there, and
    they count the same in every cap on shares: then moving a child from the dearer to the
    cheaper never breaks a constraint (a revenue budget included) and never costs more, so the
    dearer one can be dropped without changing the optimal cost. Ties go to the setting
    named first. On a county instance with ten independent providers this removes about
    60% of the placement variables.
    """
    cap = inp.settings.set_index("setting")["capacity"]
    g = inp.designation
    capped = pd.MultiIndex.from_frame(g.loc[np.isfinite(g["cap"]), ["setting", "need", "phase"]])
    free = (~np.isfinite(arcs["setting"].map(cap).to_numpy(float))
            & ~pd.MultiIndex.from_frame(arcs[["setting", "need", "phase"]]).isin(capped)
            & (arcs["existing"].to_numpy() <= 0))
    if inp.carry is not None and len(inp.carry):
        # children carried forward stay in their setting: keep every option there
        placed = set(inp.initial["setting"]) if len(inp.initial) else set()
        free &= ~arcs["setting"].isin(placed).to_numpy()
        free &= ~arcs["provision"].isin(inp.policy.sticky_provisions).to_numpy()
    if free.sum() <= 1:
        return arcs
    sig = pd.Series("", index=arcs.index)
    for k, c in enumerate(inp.policy.caps):
        sig = sig + np.where(arcs["provision"].isin(c.provisions), f"{k}", "-")
    cand = arcs[free].assign(_sig=sig[free], _total=arcs["unit_cost"] + arcs["travel_cost"])
    keys = ["path", "year", "need", "phase", "area", "_sig"]
    keep = cand.sort_values(keys + ["_total", "setting"], kind="stable").drop_duplicates(keys)
    out = pd.concat([arcs[~free], arcs.loc[keep.index]])
    return out.sort_values(["path", "year", "setting", "need", "phase", "area"],
                           kind="stable").reset_index(drop=True)


def define_variables(m: LinearModel, ctx: ModelContext) -> None:
    """Placements ``x``, unplaced ``u``, projects open by year ``open`` and sizes ``size``."""
    inp = ctx.inputs
    d = inp.demand
    cells = d.loc[d["demand"] > 0, ["path", "year", "need", "phase", "area", "demand"]]
    cells = cells.astype({"path": int, "year": int}).sort_values(
        ["path", "year", "need", "phase", "area"], kind="stable").reset_index(drop=True)
    cells["_cell"] = np.arange(len(cells))
    ctx.cells = cells

    s = inp.settings
    g = inp.designation.merge(s[["setting", "provision", "cost_per_place"]].rename(
        columns={"cost_per_place": "_scost"}), on="setting")
    g["unit_cost"] = g["cost_per_place"].fillna(g["_scost"])
    areas = pd.DataFrame({"area": pd.Series(sorted(cells["area"].unique()),
                                            dtype=cells["area"].dtype)})
    opts = g[["setting", "need", "phase", "provision", "unit_cost"]].merge(areas, how="cross")
    t = inp.travel
    opts = opts.merge(t[["area", "setting", "cost", "minutes"]], on=["area", "setting"], how="left")
    opts["travel_cost"] = opts["cost"].fillna(0.0)
    limit = inp.policy.max_travel_minutes
    if limit is not None:
        # drop far pairs early (large instances), unless children are already placed there
        placed = pd.concat([inp.existing[["area", "setting"]]]
                           + ([inp.initial[["area", "setting"]]] if inp.initial is not None
                              else []))
        keep_pairs = pd.MultiIndex.from_frame(placed) if len(placed) \
            else pd.MultiIndex.from_arrays([[], []])
        far = (opts["minutes"] > limit).to_numpy() & ~pd.MultiIndex.from_frame(
            opts[["area", "setting"]]).isin(keep_pairs)
        opts = opts[~far]
    arcs = cells.merge(opts.drop(columns="cost"), on=["need", "phase", "area"], how="inner")
    arcs = arcs.sort_values(["path", "year", "setting", "need", "phase", "area"],
                            kind="stable").reset_index(drop=True)
    e = inp.existing
    if len(e):
        ex = e.astype({"year": int}).set_index(["year", "setting", "need", "phase", "area"])["count"]
        key = pd.MultiIndex.from_frame(arcs[["year", "setting", "need", "phase", "area"]])
        arcs["existing"] = ex.reindex(key).fillna(0.0).to_numpy()
        if not np.isclose(arcs.groupby("path")["existing"].sum(), e["count"].sum()).all():
            raise AssertionError("existing placements not all mapped to placement variables")
    else:
        arcs["existing"] = 0.0
    if limit is not None:
        # children already placed stay, however far (continuity beats the travel limit)
        far = (arcs["minutes"] > limit) & (arcs["existing"] <= 0)
        arcs = arcs[~far].reset_index(drop=True)
    arcs = arcs.drop(columns="minutes")
    if ctx.reduce_dominated:
        arcs = _drop_dominated(arcs, inp)
    ctx.arcs = arcs
    m.add_cols("x", arcs[["path", "year", "setting", "need", "phase", "area"]],
               arcs["existing"].to_numpy(), INF, inp.policy.integer_placements,
               "children placed")
    m.add_cols("unplaced", cells[["path", "year", "need", "phase", "area"]], 0.0, INF, False,
               "children left without a suitable place")

    j = inp.projects
    years = np.array(inp.years)
    rows = []
    for r in j.sort_values("project", kind="stable").itertuples(index=False):
        start = int(r.opening_year) if pd.notna(r.opening_year) else \
            int(max(years[0], np.ceil(r.possible_from)))
        for y in range(start, int(years[-1]) + 1):
            rows.append((r.project, r.setting, y, y == start, float(r.places),
                         np.nan if pd.isna(r.min_size) else float(r.min_size),
                         float(r.capital_cost), float(r.capital_cost_per_place), int(r.lead_time),
                         r.group, pd.notna(r.opening_year)))
    opens = pd.DataFrame(rows, columns=["project", "setting", "year", "first", "places",
                                        "min_size", "capital_cost", "capital_cost_per_place",
                                        "lead_time", "group", "committed"])
    # open[j, t] = 1 if project j is open by year t (monotone in t): the "step" formulation,
    # equivalent to one-off opening decisions but sparser and far better for branching.
    b = m.add_cols("open", opens[["project", "year"]], opens["committed"].astype(float).to_numpy(),
                   1.0, True, "project open by year")
    opens["_col"] = b.ids
    sized = opens["min_size"].notna().to_numpy()
    sb = m.add_cols("size", opens.loc[sized, ["project", "year"]], 0.0,
                    opens.loc[sized, "places"].to_numpy(), False, "places built by year")
    # capacity contribution in each year: (column, coefficient per unit of that column)
    opens["_size_col"] = opens["_col"]
    opens["_size_coef"] = opens["places"]
    opens.loc[sized, "_size_col"] = sb.ids
    opens.loc[sized, "_size_coef"] = 1.0
    # the same columns one year earlier (-1 in the first possible year: nothing open before)
    prev = opens.groupby("project")[["_col", "_size_col"]].shift(1)
    opens["_prev_col"] = prev["_col"].fillna(-1).astype(int)
    opens["_prev_size_col"] = prev["_size_col"].fillna(-1).astype(int)
    ctx.opens = opens
    # the budgets, the objective and the results tables all use these terms
    ctx.capital_spend = _capital_spend(ctx)


def define_demand_balance(m: LinearModel, ctx: ModelContext) -> None:
    """Every child is placed or counted as unplaced: ``sum_s x + u = demand``."""
    arcs, cells = ctx.arcs, ctx.cells
    x0, u0 = m.col_blocks["x"].start, m.col_blocks["unplaced"].start
    rows = np.concatenate([arcs["_cell"].to_numpy(), cells["_cell"].to_numpy()])
    cols = np.concatenate([x0 + np.arange(len(arcs)), u0 + np.arange(len(cells))])
    dem = cells["demand"].to_numpy(float)
    m.add_rows("demand", cells[["path", "year", "need", "phase", "area"]], dem, dem, rows, cols,
               np.ones(len(rows)), "demand met or counted as unplaced")


def define_capacity(m: LinearModel, ctx: ModelContext) -> None:
    """Shared capacity of each setting in each year, including places opened by projects."""
    inp, arcs, opens = ctx.inputs, ctx.arcs, ctx.opens
    cap = inp.settings.set_index("setting")["capacity"]
    acap = arcs["setting"].map(cap).to_numpy(float)
    lim = np.isfinite(acap)
    a = arcs.loc[lim, ["path", "year", "setting"]]
    x0 = m.col_blocks["x"].start
    keys = a.drop_duplicates().sort_values(["path", "year", "setting"], kind="stable")
    keys = keys.reset_index(drop=True)
    keys["_row"] = np.arange(len(keys))
    rx = a.merge(keys, on=["path", "year", "setting"], how="left")["_row"].to_numpy()
    cx = x0 + np.flatnonzero(lim)
    # projects: all openings at the same setting in a year <= row year
    pj = opens[["setting", "year", "_size_col", "_size_coef"]].rename(columns={"year": "_open"})
    pr = keys.merge(pj, on="setting")
    pr = pr[pr["_open"] == pr["year"]]
    rows = np.concatenate([rx, pr["_row"].to_numpy()])
    cols = np.concatenate([cx, pr["_size_col"].to_numpy()])
    vals = np.concatenate([np.ones(len(rx)), -pr["_size_coef"].to_numpy(float)])
    m.add_rows("capacity", keys[["path", "year", "setting"]], -INF,
               keys["setting"].map(cap).to_numpy(float), rows, cols, vals,
               "places used within commissioned capacity plus places opened")


def define_designation(m: LinearModel, ctx: ModelContext) -> None:
    """Caps per setting, need and phase (the designation itself is enforced by the index of x)."""
    inp, arcs = ctx.inputs, ctx.arcs
    g = inp.designation
    capped = g[np.isfinite(g["cap"])].set_index(["setting", "need", "phase"])["cap"]
    if not len(capped):
        return
    key = pd.MultiIndex.from_frame(arcs[["setting", "need", "phase"]])
    acap = capped.reindex(key).to_numpy(float)
    lim = ~np.isnan(acap)
    cols_ = ["path", "year", "setting", "need", "phase"]
    a = arcs.loc[lim, cols_]
    keys = a.drop_duplicates().sort_values(cols_, kind="stable").reset_index(drop=True)
    keys["_row"] = np.arange(len(keys))
    rx = a.merge(keys, on=cols_, how="left")["_row"].to_numpy()
    cx = m.col_blocks["x"].start + np.flatnonzero(lim)
    ub = capped.reindex(pd.MultiIndex.from_frame(keys[["setting", "need", "phase"]])).to_numpy()
    rows, cols, vals = [rx], [cx], [np.ones(len(rx))]
    pp = inp.project_places
    if len(pp) and len(ctx.opens):
        # places a project adds for a need and phase, from the year it is open
        po = pp[["project", "need", "phase", "places"]].merge(
            ctx.opens[["project", "setting", "year", "_col"]], on="project")
        t = po.merge(keys, on=["setting", "need", "phase", "year"])
        rows.append(t["_row"].to_numpy())
        cols.append(t["_col"].to_numpy())
        vals.append(-t["places"].to_numpy(float))
    m.add_rows("designation_cap", keys[cols_], -INF, ub, np.concatenate(rows),
               np.concatenate(cols), np.concatenate(vals),
               "places for a need and phase within the setting's designated number")


def _capital_spend(ctx: ModelContext) -> pd.DataFrame:
    """Capital spend terms ``(spend_year, col, £)``, spread evenly over the lead time.

    A project opening in year ``t`` (``open[t] - open[t-1] = 1``) spends its capital in years
    ``t - lead_time + 1 .. t`` (in ``t`` if the lead time is 0): year ``t`` is the financial
    year ``(t-1)-t`` in which it opens (September), so a project decided in the first plan
    year ``t0`` and opening in ``t0 + lead_time`` spends nothing in the financial year already
    under way. The per-place part is paid on the places built, ``size[t] - size[t-1]``.
    """
    o = ctx.opens
    if not len(o):
        return pd.DataFrame({"spend_year": pd.Series([], dtype=int),
                             "col": pd.Series([], dtype=int),
                             "amount": pd.Series([], dtype=float)})
    parts = []
    for L in sorted(o["lead_time"].unique()):
        oo = o[o["lead_time"] == L]
        share = 1.0 / max(L, 1)
        per = oo["capital_cost_per_place"].to_numpy() > 0
        for k in (range(0, L) if L > 0 else [0]):
            sy = oo["year"].to_numpy() - k
            fixed = oo["capital_cost"].to_numpy() * share
            var = (oo["_size_coef"] * oo["capital_cost_per_place"]).to_numpy() * share
            parts += [
                pd.DataFrame({"spend_year": sy, "col": oo["_col"], "amount": fixed}),
                pd.DataFrame({"spend_year": sy, "col": oo["_prev_col"], "amount": -fixed}),
                pd.DataFrame({"spend_year": sy[per], "col": oo["_size_col"][per],
                              "amount": var[per]}),
                pd.DataFrame({"spend_year": sy[per], "col": oo["_prev_size_col"][per],
                              "amount": -var[per]}),
            ]
    out = pd.concat(parts, ignore_index=True)
    out = out[(out["amount"] != 0) & (out["col"] >= 0)]
    return out.astype({"spend_year": int, "col": int}).reset_index(drop=True)


def _interchangeable_projects(inp) -> list:
    """Lists of projects that are exact copies of each other (at settings that are copies).

    Two projects are interchangeable when they and their settings agree on everything the
    model sees (places, costs, lead time, dates; provision, capacity, cost, area; designation,
    travel and project places) and neither is committed, grouped, or at a setting with
    children already placed or another project: swapping them maps every plan to one of the
    same cost. Ordering them (the second opens only if the first is open) removes the
    symmetric copies of every plan that branch-and-bound would otherwise explore, e.g. the
    identical new special school candidates of :func:`example_settings` ``growth_places``.
    """
    j = inp.projects
    if len(j) < 2:
        return []
    per_setting = j.groupby("setting")["project"].transform("size")
    placed = set(inp.existing["setting"]) if len(inp.existing) else set()
    if inp.initial is not None and len(inp.initial):
        placed |= set(inp.initial["setting"])
    cand = j[j["opening_year"].isna() & j["group"].isna() & (per_setting == 1)
             & ~j["setting"].isin(placed)]
    if len(cand) < 2:
        return []
    s = inp.settings.set_index("setting")

    def rows(frame, key, cols):
        if frame is None or not len(frame):
            return {}
        f = frame[frame[key].isin(set(cand[key]))]
        return {k: tuple(sorted(map(tuple, g[cols].astype(str).to_numpy())))
                for k, g in f.groupby(key)}

    des = rows(inp.designation, "setting", ["need", "phase", "cap", "cost_per_place"])
    trav = rows(inp.travel, "setting", ["area", "cost", "minutes"])
    pp = rows(inp.project_places, "project", ["need", "phase", "places"])
    sig = {}
    for r in cand.itertuples(index=False):
        st = s.loc[r.setting]
        key = (r.places, str(r.min_size), r.capital_cost, r.capital_cost_per_place, r.lead_time,
               r.possible_from, str(r.earliest_year), st["provision"], st["capacity"],
               st["cost_per_place"], str(st.get("area", "")), des.get(r.setting, ()),
               trav.get(r.setting, ()), pp.get(r.project, ()))
        sig.setdefault(key, []).append(r.project)
    return [sorted(v) for v in sig.values() if len(v) > 1]



def _carried_floor(m: LinearModel, ctx: ModelContext) -> np.ndarray:
    """A lower bound on every placement column: its own bound, raised by the children carried
    into it (the carry rows' constants pushed forward year by year through their rates).

    A carry row ``x[t] >= const + sum r x[t-1]`` with ``r >= 0`` gives
    ``x[t] >= const + sum r floor(x[t-1])``. Rows with a step-down column (whose children may
    leave) and rows with a negative rate are skipped: their floor stays the column's bound.
    """
    xb = m.col_blocks["x"]
    low = m.col_lower[xb.ids].copy()
    rows, t = ctx.carry_rows, ctx.carry_terms
    if rows is None or not len(rows):
        return low
    skip = np.zeros(len(rows), bool)
    if "stepped_down" in m.col_blocks:
        keys = ["path", "year", "setting", "need", "phase", "area"]
        sd = rows.merge(m.col_blocks["stepped_down"].index, on=keys)["_row"].to_numpy()
        skip[sd] = True
    skip[t.loc[t["rate"].to_numpy(float) < 0, "_row"].to_numpy()] = True
    year = rows["year"].to_numpy()
    col = rows["_col"].to_numpy() - xb.start
    trow, tprev = t["_row"].to_numpy(), t["_prev"].to_numpy() - xb.start
    rate = t["rate"].to_numpy(float)
    for y in np.unique(year):
        here = (year == y) & ~skip
        sel = here[trow]
        val = ctx.carry_const + np.bincount(trow[sel], weights=rate[sel] * low[tprev[sel]],
                                            minlength=len(rows))
        low[col[here]] = np.maximum(low[col[here]], val[here])
    return low


def _residual_cover(m: LinearModel, ctx: ModelContext):
    """Per (path, year), the aggregate ``sum places_j open[j,t] + s >= b`` of the cover cuts.

    Returns ``(groups, projects, slack)``: ``groups`` (path, year, b) with ``_g``;
    ``projects`` (_g, _col, places) the projects at the capacity-limited settings the cells
    can use; ``slack`` (_g, _col) the unlimited placements and unplaced columns of the cells.
    See :func:`define_cover_cuts`.
    """
    inp, arcs, cells = ctx.inputs, ctx.arcs, ctx.cells
    xb = m.col_blocks["x"]
    cap = inp.settings.set_index("setting")["capacity"]
    a = arcs[["path", "year", "setting", "_cell"]].copy()
    a["_col"] = xb.ids
    a["cap"] = a["setting"].map(cap).to_numpy(float)
    lim = np.isfinite(a["cap"].to_numpy())
    a["floor"] = _carried_floor(m, ctx)
    price = (arcs["unit_cost"] + arcs["travel_cost"]).to_numpy(float)
    # cells with an unlimited option no dearer than their dearest limited one are left out:
    # their slack would be cheap and the cut weak (any choice of cells is valid)
    dearest = pd.Series(price[lim]).groupby(a["_cell"].to_numpy()[lim]).max()
    cheapest = pd.Series(price[~lim]).groupby(a["_cell"].to_numpy()[~lim]).min()
    dear = dearest.reindex(cheapest.index)
    out = cheapest.index[(cheapest <= dear).to_numpy() | dear.isna().to_numpy()]
    cover = cells[~cells["_cell"].isin(out)]
    a["_in"] = a["_cell"].isin(cover["_cell"]).to_numpy()
    groups = cover.groupby(["path", "year"], sort=True)["demand"].sum().rename("D").reset_index()
    groups["_g"] = np.arange(len(groups))
    a = a.merge(groups[["path", "year", "_g"]], on=["path", "year"], how="inner")
    lim = np.isfinite(a["cap"].to_numpy())
    # S: the limited settings the cells use, per group
    S = a.loc[lim & a["_in"], ["_g", "setting", "cap"]].drop_duplicates(["_g", "setting"])
    inS = pd.MultiIndex.from_frame(a[["_g", "setting"]]).isin(
        pd.MultiIndex.from_frame(S[["_g", "setting"]]))
    n = len(groups)
    C = np.bincount(S["_g"], weights=S["cap"], minlength=n)
    out_floor = np.bincount(a.loc[inS & ~a["_in"], "_g"], weights=a.loc[inS & ~a["_in"], "floor"],
                            minlength=n)
    un = a[~lim & a["_in"]]
    un_floor = np.bincount(un["_g"], weights=un["floor"], minlength=n)
    groups["b"] = groups["D"].to_numpy() - C + out_floor - un_floor
    groups["slack_floor"] = un_floor
    o = ctx.opens[["setting", "year", "_col", "places"]]
    pr = S[["_g", "setting"]].merge(groups[["_g", "year"]], on="_g").merge(
        o, on=["setting", "year"])[["_g", "_col", "places"]]
    u0 = m.col_blocks["unplaced"].start
    slack = pd.concat([un[["_g", "_col"]],
                       cover[["path", "year", "_cell"]].merge(
                           groups[["path", "year", "_g"]], on=["path", "year"]).assign(
                           _col=lambda d: u0 + d["_cell"])[["_g", "_col"]]],
                      ignore_index=True)
    return groups, pr, slack



#: Smallest fractional part of ``b / delta`` for which a cover cut is added (a cut with a
#: smaller one is weak and has large coefficients).
COVER_MIN_FRACTION = 0.05


def define_cover_cuts(m: LinearModel, ctx: ModelContext) -> None:
    """Valid inequalities that round up the places to open each year (mixed-integer rounding).

    For each path and year, take the demand cells with no unlimited option as cheap as their
    dearest capacity-limited one (``K``), the limited settings they can use (``S``, ``C``
    places in all), the projects at those settings (``places_j``, ``open[j,t]``) and the
    slack ``s``: the cells' placements in unlimited settings and their unplaced children,
    less the children carried into those placements (a floor ``F``, see
    :func:`_carried_floor`). Children of other cells carried into ``S`` (floor ``G``) hold
    places too. Every plan then satisfies::

        sum_j places_j open[j,t] + s >= b = demand_K - C + G - F

    and, for a divisor ``delta`` (each distinct project size), with the projects smaller
    than ``delta`` complemented (``open = 1 - open'``: ``b' = b - their places``),
    ``beta = b' / delta`` and ``f = beta - floor(beta)`` (added when ``f >= 0.05``), the
    mixed-integer rounding of that row (Nemhauser and Wolsey 1988, II.1.7)::

        sum_j g(a_j) open[j,t] + s / (delta f) >= ceil(beta),
        g(a) = floor(a) + min(a - floor(a), f) / f,   a_j = +-places_j / delta

    (written times ``delta f``). The relaxation may open 0.5 of a 150-place school for the
    75 children it needs in a year; the cut makes it pay for the whole school or place the
    75 elsewhere, as every integer plan does. It never removes an integer plan, so the
    optimal cost is unchanged. Rows ``cover_cut`` (index: path, year, divisor), in children;
    ``s`` is one column per path and year, ``cover_slack`` (rows ``cover_slack_sum``): the
    cuts then stay short (with the sum written out in each, CBC's LP on Kent's model took
    3.9 s instead of 0.5 s).

    References
    ----------
    Nemhauser, G. L. and Wolsey, L. A. (1988), *Integer and Combinatorial Optimization*,
    Wiley, section II.1.7 (mixed-integer rounding); Marchand, H. and Wolsey, L. A. (2001),
    "Aggregation and mixed integer rounding to solve MIPs", *Operations Research* 49(3).

    Examples
    --------
    Ten children, a new 20-place school (£100k) or £50k independent places: the cut is
    ``10 open + independent + unplaced >= 10`` (``b = 10``, ``delta = 20``, ``f = 0.5``),
    the slack held in one column per path and year (``cover_slack``, shared by the cuts).

    >>> import pandas as pd
    >>> from sufficiency.allocate import Policy
    >>> from sufficiency.allocate.validate import validate
    >>> d = pd.DataFrame({"year": [2026], "need": ["ASD"], "phase": ["primary"],
    ...                   "demand": [10.0]})
    >>> s = pd.DataFrame({"setting": ["New", "Indep"],
    ...                   "provision": ["special_maintained", "special_independent"],
    ...                   "capacity": [0.0, None], "cost_per_place": [20_000.0, 50_000.0]})
    >>> g = pd.DataFrame({"setting": ["New", "Indep"], "need": "ASD", "phase": "primary"})
    >>> j = pd.DataFrame({"project": ["Build"], "setting": ["New"], "places": [20.0],
    ...                   "capital_cost": [100_000.0], "lead_time": [0]})
    >>> m, ctx = build_model(validate(d, s, g, j, policy=Policy(in_year_capital=True)))
    >>> b = m.row_blocks["cover_cut"]
    >>> b.index.to_dict("records"), float(m.row_lower[b.start])
    ([{'path': 0, 'year': 2026, 'divisor': 20.0}], 10.0)
    >>> row = m.matrix("csr")[b.start]
    >>> sorted((m.col_name(c).split("[")[0], float(v)) for c, v in zip(row.indices, row.data))
    [('cover_slack', 1.0), ('open', 10.0)]
    >>> row = m.matrix("csr")[m.row_blocks["cover_slack_sum"].start]
    >>> sorted((m.col_name(c).split("[")[0], float(v)) for c, v in zip(row.indices, row.data))
    [('cover_slack', 1.0), ('unplaced', -1.0), ('x', -1.0)]
    """
    if not len(ctx.opens) or not len(ctx.cells):
        return
    groups, pr, slack = _residual_cover(m, ctx)
    pr = pr[groups["b"].to_numpy()[pr["_g"].to_numpy()] > 0]
    if not len(pr):
        return
    b = groups["b"].to_numpy(float)
    rows, cols, vals, rhs, index, used = [], [], [], [], [], []
    n = 0
    for delta in np.unique(pr["places"].to_numpy(float)):
        if delta <= 0:
            continue
        g = pr["_g"].to_numpy()
        has = np.zeros(len(groups), bool)
        has[g[pr["places"].to_numpy() == delta]] = True
        pl = pr["places"].to_numpy(float)
        comp = pl < delta
        b2 = b - np.bincount(g, weights=pl * comp, minlength=len(groups))
        beta = b2 / delta
        f = beta - np.floor(beta)
        ok = has & (b2 > 0) & (f >= COVER_MIN_FRACTION) & (f <= 1 - 1e-6)
        if not ok.any():
            continue
        sel = ok[g]
        a = np.where(comp, -pl, pl)[sel] / delta
        fs = f[g[sel]]
        gj = np.floor(a) + np.minimum(a - np.floor(a), fs) / fs
        coef = np.where(comp[sel], -gj, gj)
        const = np.bincount(g[sel], weights=np.where(comp[sel], gj, 0.0), minlength=len(groups))
        local = np.full(len(groups), -1)
        local[ok] = n + np.arange(ok.sum())
        scale = delta * f  # the row times delta f: slack coefficients 1
        rows.append(local[g[sel]])
        cols.append(pr["_col"].to_numpy()[sel])
        vals.append(coef * scale[g[sel]])
        used.append(np.flatnonzero(ok))
        rows.append(local[ok])
        cols.append(-1 - np.flatnonzero(ok))  # the group's slack column, added below
        vals.append(np.ones(int(ok.sum())))
        rhs.append(((np.ceil(beta) - const) * scale + groups["slack_floor"].to_numpy())[ok])
        index.append(groups.loc[ok, ["path", "year"]].assign(divisor=delta))
        n += int(ok.sum())
    if not n:
        return
    # one column per group holds its slack (a sum of many placements): the cuts of a group
    # share it, which keeps them short (long rows slow CBC's LP several times over)
    gs = np.unique(np.concatenate(used))
    sc = m.add_cols("cover_slack", groups.loc[gs, ["path", "year"]],
                    groups["slack_floor"].to_numpy()[gs], INF, False,
                    "children in unlimited settings or unplaced, of the cells of a cover cut")
    at = np.full(len(groups), -1)
    at[gs] = sc.ids
    sl = slack[np.isin(slack["_g"].to_numpy(), gs)]
    k = np.searchsorted(gs, sl["_g"].to_numpy())
    m.add_rows("cover_slack_sum", groups.loc[gs, ["path", "year"]], 0.0, 0.0,
               np.concatenate([np.arange(len(gs)), k]),
               np.concatenate([sc.ids, sl["_col"].to_numpy()]),
               np.concatenate([np.ones(len(gs)), -np.ones(len(sl))]),
               "the cover slack is the sum of its placements and unplaced children")
    cols = np.concatenate(cols)
    cols = np.where(cols < 0, at[-1 - np.minimum(cols, -1)], cols)
    m.add_rows("cover_cut", pd.concat(index, ignore_index=True), np.concatenate(rhs), INF,
               np.concatenate(rows), cols, np.concatenate(vals),
               "places opened each year rounded up to whole projects (valid inequality)")


def define_projects(m: LinearModel, ctx: ModelContext) -> None:
    """Once open a project stays open; at most one per exclusive group; sizes within range."""
    o = ctx.opens
    if not len(o):
        return
    mono = o[o["_prev_col"] >= 0].reset_index(drop=True)
    if len(mono):
        n = len(mono)
        i = np.arange(n)
        m.add_rows("project_stays_open", mono[["project", "year"]], -INF, 0.0,
                   np.concatenate([i, i]),
                   np.concatenate([mono["_prev_col"].to_numpy(), mono["_col"].to_numpy()]),
                   np.concatenate([np.ones(n), -np.ones(n)]),
                   "a project open in one year is open in the next")
    copies = _interchangeable_projects(ctx.inputs)
    if copies:
        cols = o.set_index(["project", "year"])["_col"]
        pairs = [(a, b, y) for group in copies for a, b in zip(group, group[1:])
                 for y in o.loc[o["project"] == b, "year"]]
        n = len(pairs)
        i = np.arange(n)
        m.add_rows("project_order", pd.DataFrame(pairs, columns=["project", "copy", "year"]),
                   0.0, INF, np.concatenate([i, i]),
                   np.concatenate([[cols[(a, y)] for a, _, y in pairs],
                                   [cols[(b, y)] for _, b, y in pairs]]),
                   np.concatenate([np.ones(n), -np.ones(n)]),
                   "of identical candidate projects, the later named opens only if the "
                   "earlier is open (symmetry breaking; the optimal cost is unchanged)")
    last = o.groupby("project").tail(1)
    grp = last[last["group"].notna()]
    if len(grp):
        gs = pd.DataFrame({"group": sorted(grp["group"].unique())})
        gs["_row"] = np.arange(len(gs))
        r = grp.merge(gs, on="group")["_row"].to_numpy()
        m.add_rows("project_group", gs[["group"]], -INF, 1.0, r, grp["_col"].to_numpy(),
                   np.ones(len(grp)), "at most one project of a group of alternatives")
    sz = o[o["min_size"].notna()].reset_index(drop=True)
    if len(sz):
        n = len(sz)
        i = np.arange(n)
        rows = np.concatenate([i, i])
        cols = np.concatenate([sz["_size_col"].to_numpy(), sz["_col"].to_numpy()])
        m.add_rows("size_max", sz[["project", "year"]], -INF, 0.0, rows, cols,
                   np.concatenate([np.ones(n), -sz["places"].to_numpy(float)]),
                   "places built no more than the project's size, and only once it opens")
        m.add_rows("size_min", sz[["project", "year"]], 0.0, INF, rows, cols,
                   np.concatenate([np.ones(n), -sz["min_size"].to_numpy(float)]),
                   "places built at least the project's minimum size once it opens")
        # the size is chosen once: size[t] = size[t-1] unless the project opens in t
        sp_ = sz[sz["_prev_col"] >= 0].reset_index(drop=True)
        if len(sp_):
            n = len(sp_)
            i = np.arange(n)
            m.add_rows("size_grows", sp_[["project", "year"]], 0.0, INF, np.concatenate([i, i]),
                       np.concatenate([sp_["_size_col"], sp_["_prev_size_col"]]),
                       np.concatenate([np.ones(n), -np.ones(n)]),
                       "places built never fall")
            i3 = np.concatenate([i, i, i, i])
            m.add_rows("size_fixed", sp_[["project", "year"]], -INF,
                       np.zeros(n), i3,
                       np.concatenate([sp_["_size_col"], sp_["_prev_size_col"], sp_["_col"],
                                       sp_["_prev_col"]]),
                       np.concatenate([np.ones(n), -np.ones(n), -sp_["places"].to_numpy(float),
                                       sp_["places"].to_numpy(float)]),
                       "places built change only in the opening year")


def define_budgets(m: LinearModel, ctx: ModelContext) -> None:
    """Capital budgets per year and in total; revenue budgets per year (per path)."""
    pol = ctx.inputs.policy
    spend = ctx.capital_spend
    cb = pol.capital_budget
    if cb is not None and len(spend):
        years = ctx.inputs.years
        bud = {y: (cb.get(y, INF) if isinstance(cb, dict) else cb) for y in years}
        keys = pd.DataFrame({"year": [y for y in years if np.isfinite(bud[y])]})
        if len(keys):
            keys["_row"] = np.arange(len(keys))
            t = spend.merge(keys, left_on="spend_year", right_on="year")
            m.add_rows("capital_budget", keys[["year"]], -INF,
                       np.array([bud[y] for y in keys["year"]]), t["_row"], t["col"], t["amount"],
                       "capital spend within the year's budget")
    if pol.capital_budget_total is not None and len(spend):
        m.add_rows("capital_budget_total", pd.DataFrame({"total": ["all years"]}), -INF,
                   float(pol.capital_budget_total), np.zeros(len(spend)), spend["col"],
                   spend["amount"], "capital spend within the total budget")
    rb = pol.revenue_budget
    if rb is not None:
        arcs = ctx.arcs
        bud = arcs["year"].map(lambda y: rb.get(y, INF) if isinstance(rb, dict) else rb)
        lim = np.isfinite(bud.to_numpy(float))
        a = arcs.loc[lim, ["path", "year"]]
        keys = a.drop_duplicates().sort_values(["path", "year"]).reset_index(drop=True)
        keys["_row"] = np.arange(len(keys))
        r = a.merge(keys, on=["path", "year"], how="left")["_row"].to_numpy()
        cost = (arcs["unit_cost"] + arcs["travel_cost"]).to_numpy(float)[lim]
        ub = keys["year"].map(lambda y: rb.get(y, INF) if isinstance(rb, dict) else rb)
        m.add_rows("revenue_budget", keys[["path", "year"]], -INF, ub.to_numpy(float), r,
                   m.col_blocks["x"].start + np.flatnonzero(lim), cost,
                   "placement and transport spend within the year's revenue budget")


def define_caps(m: LinearModel, ctx: ModelContext) -> None:
    """Caps on the share of (new) placements in some provisions, per path and year."""
    arcs = ctx.arcs
    x0 = m.col_blocks["x"].start
    for cap in ctx.inputs.policy.caps:
        inside = arcs["provision"].isin(cap.provisions).to_numpy()
        if not inside.any():
            continue
        sh = float(cap.max_share)
        coef = np.where(inside, 1.0 - sh, -sh)
        keys = arcs[["path", "year"]].drop_duplicates().sort_values(["path", "year"])
        keys = keys.reset_index(drop=True)
        keys["_row"] = np.arange(len(keys))
        r = arcs[["path", "year"]].merge(keys, on=["path", "year"], how="left")["_row"].to_numpy()
        if cap.basis == "new":
            ex = arcs["existing"].to_numpy(float) * coef
            rhs = np.bincount(r, weights=ex, minlength=len(keys))
        else:
            rhs = np.zeros(len(keys))
        idx = keys[["path", "year"]].copy()
        idx.insert(0, "cap", cap.name)
        m.add_rows(f"cap:{cap.name}", idx, -INF, rhs, r, x0 + np.arange(len(arcs)), coef,
                   f"at most {sh:.0%} of {cap.basis} placements in {', '.join(cap.provisions)}")


def define_carry(m: LinearModel, ctx: ModelContext) -> None:
    """Children stay where they are placed; step-downs at transition points within a ceiling.

    With ``carry`` rates ``r`` (year, provision, phase_from -> phase) and the children placed
    before the plan (``initial``), for every placement option (setting ``s``, need, phase
    ``q``, area) in year ``t``::

        x[t,s,q] + stepped_down >= sum_p r[t, prov(s), p -> q] x[t-1,s,p]

    where ``x[t0-1]`` is ``initial`` (a constant) and ``p -> q`` with ``p != q`` (moving up a
    phase at a transition point) counts only in ``Policy.sticky_provisions``: elsewhere a
    child changing phase is placed afresh. Nobody is ever moved outside a transition point:
    if the demand of a cell falls below the children carried into it, they stay and the cell
    places more than its demand (``over_demand``, one column per cell, in the demand row:
    ``sum_s x + u - over = demand``; it costs what the placements cost). ``stepped_down`` (sticky settings, transition part only)
    adds up, per path and year, to at most ``Policy.step_down_share`` of the children in
    sticky settings the year before.
    """
    inp, arcs = ctx.inputs, ctx.arcs
    car = inp.carry
    if car is None or not len(car):
        return
    pol = inp.policy
    sticky = set(pol.sticky_provisions)
    x0 = m.col_blocks["x"].start
    a = arcs[["path", "year", "setting", "provision", "need", "phase", "area"]].copy()
    a["_col"] = x0 + np.arange(len(a))
    t0 = inp.years[0]
    c = car[car["year"].isin(inp.years)]
    c = c[(c["phase_from"] == c["phase"]) | c["provision"].isin(sticky)]
    keys = ["path", "year", "setting", "need", "phase", "area"]
    # terms from the previous plan year's placements
    prev = a[a["year"] < inp.years[-1]].assign(year=lambda d: d["year"] + 1)
    prev = prev.rename(columns={"phase": "phase_from", "_col": "_prev"})
    terms = prev.merge(c, on=["year", "provision", "phase_from"])
    # constants from the children placed before the plan
    ini = inp.initial
    const = pd.DataFrame(columns=keys + ["phase_from", "rhs"])
    if ini is not None and len(ini):
        prov = inp.settings.set_index("setting")["provision"]
        i0 = ini.assign(provision=ini["setting"].map(prov), year=t0).rename(
            columns={"phase": "phase_from"})
        i0 = i0.merge(c, on=["year", "provision", "phase_from"])
        paths = pd.DataFrame({"path": inp.paths})
        const = i0.merge(paths, how="cross").assign(rhs=lambda d: d["count"] * d["rate"])
    # rows: one per target option with anything carried into it
    tk = pd.concat([terms[keys], const[keys]]).drop_duplicates()
    rows = a.merge(tk, on=keys).sort_values(keys, kind="stable").reset_index(drop=True)
    if not len(rows):
        return
    rows["_row"] = np.arange(len(rows))
    n = len(rows)
    t = terms.merge(rows[keys + ["_row"]], on=keys)
    k = const.merge(rows[keys + ["_row"]], on=keys)
    rhs = np.bincount(k["_row"], weights=k["rhs"].astype(float), minlength=n)
    # children kept beyond the demand of their cell (the cell's demand row gets -over)
    ckeys = ["path", "year", "need", "phase", "area"]
    oc = rows[ckeys].drop_duplicates().merge(ctx.cells[ckeys + ["_cell"]], on=ckeys)
    oc = oc.sort_values("_cell", kind="stable").reset_index(drop=True)
    over = m.add_cols("over_demand", oc[ckeys], 0.0, INF, False,
                      "children carried forward beyond the demand of their cell")
    m.add_terms(m.row_blocks["demand"].start + oc["_cell"].to_numpy(), over.ids,
                -np.ones(len(oc)))
    ctx.over_cells = oc
    r_idx = [rows["_row"].to_numpy(), t["_row"].to_numpy()]
    c_idx = [rows["_col"].to_numpy(), t["_prev"].to_numpy()]
    vals = [np.ones(n), -t["rate"].to_numpy(float)]
    ctx.carry_rows = rows
    ctx.carry_terms = t
    ctx.carry_const = rhs
    share = float(pol.step_down_share)
    is_sticky = rows["provision"].isin(sticky).to_numpy()
    up_t = t[t["phase_from"] != t["phase"]]
    up_k = k[k["phase_from"] != k["phase"]]
    up_rows = np.union1d(up_t["_row"].unique(), up_k["_row"].unique()).astype(int)
    up_rows = up_rows[is_sticky[up_rows]]
    if share > 0 and len(up_rows):
        sd_index = rows.loc[up_rows, keys].reset_index(drop=True)
        sd = m.add_cols("stepped_down", sd_index, 0.0, INF, False,
                        "children stepped down from a sticky placement at a transition point")
        r_idx.append(up_rows)
        c_idx.append(sd.ids)
        vals.append(np.ones(len(up_rows)))
        local = pd.Series(np.arange(len(up_rows)), index=up_rows)
        # a step-down only out of the children moving up a phase
        ut = up_t[up_t["_row"].isin(local.index)]
        uk = up_k[up_k["_row"].isin(local.index)]
        lim_rhs = np.bincount(local[uk["_row"]].to_numpy(), weights=uk["rhs"].astype(float),
                              minlength=len(up_rows))
        m.add_rows("step_down_transition", sd_index, -INF, lim_rhs,
                   np.concatenate([np.arange(len(up_rows)), local[ut["_row"]].to_numpy()]),
                   np.concatenate([sd.ids, ut["_prev"].to_numpy()]),
                   np.concatenate([np.ones(len(up_rows)), -ut["rate"].to_numpy(float)]),
                   "step-downs only of children moving up a phase")
        # the ceiling: share of last year's children in sticky settings
        yk = sd_index[["path", "year"]].drop_duplicates().sort_values(["path", "year"])
        yk = yk.reset_index(drop=True)
        yk["_y"] = np.arange(len(yk))
        ry = sd_index.merge(yk, on=["path", "year"], how="left")["_y"].to_numpy()
        sp = a[a["provision"].isin(sticky)].assign(year=lambda d: d["year"] + 1)
        sp = sp.merge(yk, on=["path", "year"])
        cap_rhs = np.zeros(len(yk))
        if ini is not None and len(ini):
            prov = inp.settings.set_index("setting")["provision"]
            n_ini = float(ini.loc[ini["setting"].map(prov).isin(sticky), "count"].sum())
            cap_rhs[(yk["year"] == t0).to_numpy()] = share * n_ini
        m.add_rows("step_down_ceiling", yk[["path", "year"]], -INF, cap_rhs,
                   np.concatenate([ry, sp["_y"].to_numpy()]),
                   np.concatenate([sd.ids, sp["_col"].to_numpy()]),
                   np.concatenate([np.ones(len(ry)), -share * np.ones(len(sp))]),
                   f"step-downs at most {share:.1%} of last year's independent placements")
    m.add_rows("carry", rows[keys], rhs, INF, np.concatenate(r_idx), np.concatenate(c_idx),
               np.concatenate(vals), "children stay where they are placed")
    if "stepped_down" in m.col_blocks:
        # a nominal £1 so that a step-down is only made when it moves the child somewhere
        # cheaper (not back into the same kind of place)
        b = m.col_blocks["stepped_down"]
        m.add_objective("step_down_tiebreak", b.ids,
                        b.index["path"].map(ctx.weights).to_numpy(float) * STEP_DOWN_TIEBREAK)


def _tail_factor(ctx: ModelContext) -> float:
    """Discounted years after the plan that the last year's placements are costed for."""
    k = float(ctx.inputs.policy.tail_years)
    r = ctx.inputs.policy.discount_rate
    whole = int(np.floor(k))
    f = sum((1 + r) ** -i for i in range(1, whole + 1))
    return f + (k - whole) * (1 + r) ** -(whole + 1)


def define_objective(m: LinearModel, ctx: ModelContext) -> None:
    """Discounted revenue, transport and capital cost, plus the penalty for unplaced children."""
    arcs, cells = ctx.arcs, ctx.cells
    pol = ctx.inputs.policy
    df = ctx.discount
    w_x = arcs["path"].map(ctx.weights).to_numpy(float) * arcs["year"].map(df).to_numpy(float)
    x0 = m.col_blocks["x"].start
    xi = x0 + np.arange(len(arcs))
    m.add_objective("revenue", xi, w_x * arcs["unit_cost"].to_numpy(float))
    m.add_objective("transport", xi, w_x * arcs["travel_cost"].to_numpy(float))
    tail = _tail_factor(ctx)
    if tail > 0:
        last = (arcs["year"] == ctx.inputs.years[-1]).to_numpy()
        m.add_objective("horizon_tail", xi[last], tail * (w_x * (
            arcs["unit_cost"] + arcs["travel_cost"]).to_numpy(float))[last])
    w_u = cells["path"].map(ctx.weights).to_numpy(float) * cells["year"].map(df).to_numpy(float)
    m.add_objective("unplaced_penalty", m.col_blocks["unplaced"].ids, w_u * pol.unplaced_penalty)
    if tail > 0:
        last = (cells["year"] == ctx.inputs.years[-1]).to_numpy()
        m.add_objective("horizon_tail", m.col_blocks["unplaced"].ids[last],
                        tail * w_u[last] * pol.unplaced_penalty)
    spend = ctx.capital_spend
    if len(spend):
        m.add_objective("capital", spend["col"].to_numpy(),
                        spend["amount"].to_numpy() * spend["spend_year"].map(df).to_numpy(float))


def build_model(inputs: Inputs, weights: dict | None = None,
                reduce_dominated: bool = True,
                cover_cuts: bool = True) -> tuple[LinearModel, ModelContext]:
    """Build the allocation model for validated inputs.

    ``weights`` maps each demand path to its probability (default: equal weights).
    ``reduce_dominated`` drops placement options that can never beat a cheaper interchangeable
    one (see :func:`_drop_dominated`); the optimal cost is unchanged.
    ``cover_cuts`` adds the valid inequalities of :func:`define_cover_cuts`, which raise the
    LP bound (so more models stop at CBC's root pass) and leave the optimal cost unchanged.
    """
    paths = inputs.paths
    ctx = ModelContext(inputs=inputs,
                       weights=weights or {p: 1.0 / len(paths) for p in paths},
                       discount=_discount(inputs), reduce_dominated=reduce_dominated)
    m = LinearModel()
    define_variables(m, ctx)
    define_demand_balance(m, ctx)
    define_capacity(m, ctx)
    define_designation(m, ctx)
    define_projects(m, ctx)
    define_budgets(m, ctx)
    define_caps(m, ctx)
    define_carry(m, ctx)
    if cover_cuts:
        define_cover_cuts(m, ctx)
    define_objective(m, ctx)
    return m, ctx
