"""The result of an allocation run: :class:`Plan`, its tidy tables and its summary in words."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .model import LinearModel, ModelContext
from .solve import SolverOutcome

__all__ = ["TOL", "Plan", "PLACEMENT_COLS", "PROGRAMME_COLS", "COST_COLS", "UNPLACED_COLS",
           "UTIL_COLS", "MPV_COLS", "STEP_DOWN_COLS", "OVER_COLS", "read_results",
           "marginal_values", "objective_table", "plan_measures"]

TOL = 1e-6


@dataclass
class Plan:
    """A costed, year-by-year placement plan and capital programme.

    All money is in £ of the year it is spent (undiscounted) unless a column says ``_pv``
    (present value at the first plan year, discounted at ``assumptions`` ``discount_rate``).

    Attributes
    ----------
    placements : DataFrame
        ``year, setting, provision, need, phase, area, placed, existing, new, cost_per_place,
        revenue_cost, transport_cost`` (one row per placement cell with children placed;
        ``existing`` = children already placed who stay, given or carried forward, ``new`` =
        the rest: joiners, children moving up a phase, step-downs).
    capital_programme : DataFrame
        ``project, setting, provision, opening_year, places, capital_cost, committed``.
    cost_by_year : DataFrame
        ``year, provision, revenue, transport, capital, total``.
    unplaced : DataFrame
        ``year, need, phase, area, unplaced``: children left without a suitable place.
    utilisation : DataFrame
        ``year, setting, provision, capacity, placed, spare, utilisation``.
    marginal_place_value : DataFrame
        ``year, setting, need, phase, value, value_pv``: what one more place would save that
        year, from the LP duals with the build decisions fixed.
    objective : DataFrame
        ``component, discounted, undiscounted`` (revenue, transport, capital, unplaced_penalty).
    outcome : SolverOutcome
        Status, termination reason, best bound, gap, solver and time.
    assumptions : DataFrame
        ``name, value, unit, source`` of every assumption used.
    step_downs : DataFrame
        ``year, setting, provision, need, phase, area, stepped_down``: children moved out of
        an independent or non-maintained placement at a transition point (the step-down lever,
        ``Policy.step_down_share``); they are placed again in the same year's placements.
    over_demand : DataFrame
        ``year, need, phase, area, over_demand``: children who stay where they are placed
        beyond the forecast demand of their cell (empty unless the demand of a cell falls
        below the children carried into it: nobody is moved outside a transition point).
    diagnosis : DataFrame
        When the policy constraints contradict each other: the constraints in conflict.
    timings : dict
        Seconds spent validating, building, solving and reading results.
    illustrative : bool
        True when built from illustrative example settings.
    """

    placements: pd.DataFrame
    capital_programme: pd.DataFrame
    cost_by_year: pd.DataFrame
    unplaced: pd.DataFrame
    utilisation: pd.DataFrame
    marginal_place_value: pd.DataFrame
    objective: pd.DataFrame
    outcome: SolverOutcome
    assumptions: pd.DataFrame
    diagnosis: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict = field(default_factory=dict)
    illustrative: bool = False
    robust: pd.DataFrame | None = None
    step_downs: pd.DataFrame = field(default_factory=lambda: _empty(STEP_DOWN_COLS))
    over_demand: pd.DataFrame = field(default_factory=lambda: _empty(OVER_COLS))

    @property
    def status(self) -> str:
        return self.outcome.status

    @property
    def solver(self) -> str:
        return self.outcome.solver

    @property
    def gap(self):
        return self.outcome.gap

    @property
    def solve_time(self) -> float:
        return self.outcome.solve_time

    @property
    def total_cost(self) -> float:
        """Discounted objective excluding the unplaced penalty (£ present value)."""
        o = self.objective.set_index("component")["discounted"]
        return float(o.drop(["unplaced_penalty", "horizon_tail"],
                            errors="ignore").sum())

    def summary(self) -> str:
        """The plan in words a place-planning or finance officer understands."""
        lines = []
        if self.illustrative:
            lines.append("ILLUSTRATIVE: the settings and projects are an example derived from "
                         "published statistics, not the LA's own.")
        o = self.outcome
        if not o.has_solution:
            lines.append(f"No plan: {o.describe()}")
            if len(self.diagnosis):
                lines.append("The policy constraints contradict each other. In conflict:")
                for r in self.diagnosis.itertuples(index=False):
                    lines.append(f"  - {r.constraint}: {r.explanation}")
            return "\n".join(lines)
        years = sorted(self.cost_by_year["year"].unique()) if len(self.cost_by_year) else []
        span = f"{years[0]}-{years[-1]}" if years else ""
        lines.append(f"Placement plan {span}. {o.describe()}")
        if not o.proven_optimal:
            lines.append("This plan is NOT PROVEN OPTIMAL: a cheaper plan may exist "
                         + (f"(at most {o.gap:.1%} cheaper)." if o.gap is not None else "."))
        by = self.cost_by_year.groupby("year")[["revenue", "transport", "capital"]].sum()
        tot = by.sum()
        lines.append(f"Cost over the plan: £{tot.sum() / 1e6:,.1f}m (placements "
                     f"£{tot['revenue'] / 1e6:,.1f}m, transport £{tot['transport'] / 1e6:,.1f}m, "
                     f"capital £{tot['capital'] / 1e6:,.1f}m), £{self.total_cost / 1e6:,.1f}m "
                     "in today's money.")
        cp = self.capital_programme
        if len(cp):
            lines.append(f"Build {len(cp)} project(s), {cp['places'].sum():,.0f} places, "
                         f"£{cp['capital_cost'].sum() / 1e6:,.1f}m capital:")
            for r in cp.itertuples(index=False):
                where = "" if r.setting in r.project else f" ({r.setting})"
                lines.append(f"  - {r.project}{where}: {r.places:,.0f} places open in "
                             f"{r.opening_year}, £{r.capital_cost / 1e6:,.2f}m"
                             + (" (committed)" if r.committed else ""))
        else:
            lines.append("No capital project is worth building under these costs and budgets.")
        un = self.unplaced
        if len(un):
            by_y = un.groupby("year")["unplaced"].sum()
            worst = un.groupby(["need", "phase"])["unplaced"].sum().sort_values(ascending=False)
            lines.append(f"Children left without a suitable place: {by_y.sum():,.0f} child-years, "
                         f"most in {by_y.idxmax()} ({by_y.max():,.0f}); most often "
                         f"{worst.index[0][0]} {worst.index[0][1]} ({worst.iloc[0]:,.0f}).")
        else:
            lines.append("Every child has a suitable place in every year.")
        ut = self.utilisation
        full = ut[(ut["utilisation"] >= 1 - 1e-6)]
        if len(full):
            last = full[full["year"] == full["year"].max()]
            lines.append(f"Settings full in {int(full['year'].max())}: {len(last)} "
                         f"of {ut['setting'].nunique()}.")
        mv = self.marginal_place_value
        if len(mv) and (mv["value"] > 1).any():
            top = mv.groupby(["setting", "need", "phase"])["value"].mean()
            top = top.sort_values(ascending=False, kind="stable").head(3)
            lines.append("One more place would save most at (average £ per place-year):")
            for (s, n, p), v in top.items():
                lines.append(f"  - {s}, {n} {p}: £{v:,.0f}")
        if self.robust is not None and len(self.robust):
            lines.append("Against the simulated demand paths:")
            for r in self.robust.itertuples(index=False):
                lines.append(f"  - {r.plan}: expected cost £{r.expected_cost / 1e6:,.1f}m, "
                             f"shortfall in {r.shortfall_probability:.0%} of paths, "
                             f"{r.expected_shortfall:,.1f} child-years expected")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Plan(status={self.status!r}, solver={self.solver!r}, "
                f"cost=£{self.total_cost:,.0f}, projects={len(self.capital_programme)}, "
                f"unplaced={self.unplaced['unplaced'].sum() if len(self.unplaced) else 0:,.1f})")


def _empty(cols):
    return pd.DataFrame({c: [] for c in cols})


PLACEMENT_COLS = ["year", "setting", "provision", "need", "phase", "area", "placed", "existing",
                  "new", "cost_per_place", "revenue_cost", "transport_cost"]
PROGRAMME_COLS = ["project", "setting", "provision", "opening_year", "places", "capital_cost",
                  "committed"]
COST_COLS = ["year", "provision", "revenue", "transport", "capital", "total"]
UNPLACED_COLS = ["year", "need", "phase", "area", "unplaced"]
UTIL_COLS = ["year", "setting", "provision", "capacity", "placed", "spare", "utilisation"]
MPV_COLS = ["year", "setting", "need", "phase", "value", "value_pv"]
STEP_DOWN_COLS = ["year", "setting", "provision", "need", "phase", "area", "stepped_down"]
OVER_COLS = ["year", "need", "phase", "area", "over_demand"]


def read_results(m: LinearModel, ctx: ModelContext, x: np.ndarray, duals=None,
                 path: int | None = None, utilisation: bool = True) -> dict:
    """Tidy tables from a solution vector (for one demand path if ``path`` is given);
    ``utilisation=False`` leaves the utilisation table empty (only a report shows it)."""
    inp = ctx.inputs
    prov = inp.settings.set_index("setting")["provision"]
    arcs = ctx.arcs
    xv = x[m.col_blocks["x"].ids]
    keep = np.ones(len(arcs), bool) if path is None else (arcs["path"] == path).to_numpy()
    pl = arcs.loc[keep, ["year", "setting", "provision", "need", "phase", "area", "existing",
                         "unit_cost", "travel_cost"]].copy()
    pl["placed"] = xv[keep]
    pl = pl[pl["placed"] > TOL].copy()
    pl["new"] = pl["placed"] - pl["existing"]
    pl["cost_per_place"] = pl["unit_cost"]
    pl["revenue_cost"] = pl["placed"] * pl["unit_cost"]
    pl["transport_cost"] = pl["placed"] * pl["travel_cost"]
    step_downs, over = _empty(STEP_DOWN_COLS), _empty(OVER_COLS)
    if ctx.carry_rows is not None:
        # children carried forward into each option: the rate terms and constants, less any
        # stepped down or moved
        rows = ctx.carry_rows
        carried = ctx.carry_const.copy()
        t = ctx.carry_terms
        np.add.at(carried, t["_row"].to_numpy(), t["rate"].to_numpy(float)
                  * x[t["_prev"].to_numpy()])
        if "stepped_down" in m.col_blocks:
            b = m.col_blocks["stepped_down"]
            sdv = x[b.ids]
            sd = b.index.assign(stepped_down=sdv)
            idx = rows.reset_index().merge(b.index, on=list(b.index.columns))["index"]
            np.subtract.at(carried, idx.to_numpy(), sdv)
            sd = sd[(sd["stepped_down"] > TOL) & (sd["path"] == path if path is not None
                                                  else True)]
            sd = sd.assign(provision=sd["setting"].map(prov))
            step_downs = sd[STEP_DOWN_COLS].reset_index(drop=True)
        ov = ctx.over_cells.assign(over_demand=x[m.col_blocks["over_demand"].ids])
        ov = ov[(ov["over_demand"] > TOL) & ((ov["path"] == path) if path is not None else True)]
        over = ov[OVER_COLS].reset_index(drop=True)
        col2arc = pd.Series(np.arange(len(arcs)), index=m.col_blocks["x"].ids)
        car = np.zeros(len(arcs))
        car[col2arc[rows["_col"].to_numpy()].to_numpy()] = np.maximum(carried, 0.0)
        pl["existing"] = np.maximum(pl["existing"].to_numpy(), car[pl.index.to_numpy()])
        pl["new"] = pl["placed"] - pl["existing"]
    placements = pl[PLACEMENT_COLS].reset_index(drop=True)

    o = ctx.opens
    if len(o):
        ov = x[o["_col"].to_numpy()]
        sv = x[o["_size_col"].to_numpy()] * o["_size_coef"].to_numpy()
        opened = o.assign(_v=ov, places_built=sv)[ov > 0.5]
        # opening year: first year open; places: as built in the last year
        chosen = opened.groupby("project", sort=True).head(1).copy()
        chosen["places_built"] = chosen["project"].map(
            opened.groupby("project")["places_built"].last())
        spend = ctx.capital_spend.copy()
        spend["value"] = spend["amount"] * x[spend["col"].to_numpy()]
        col2proj = dict(zip(o["_col"], o["project"])) | dict(zip(o["_size_col"], o["project"]))
        spend["project"] = spend["col"].map(col2proj)
        spent = spend.groupby("project")["value"].sum()
        cp = pd.DataFrame({"project": chosen["project"], "setting": chosen["setting"],
                           "provision": chosen["setting"].map(prov),
                           "opening_year": chosen["year"].astype(int),
                           "places": chosen["places_built"].round(6),
                           "capital_cost": chosen["project"].map(spent).to_numpy(),
                           "committed": chosen["committed"].astype(bool)})
        cp = cp.sort_values(["opening_year", "project"], kind="stable").reset_index(drop=True)
        sp = spend.groupby(["project", "spend_year"], as_index=False)["value"].sum()
        sp = sp[sp["value"] > TOL].copy()
        sp["provision"] = sp["project"].map(o.drop_duplicates("project").set_index("project")[
            "setting"]).map(prov)
        cap_by = sp.groupby(["spend_year", "provision"])["value"].sum().rename("capital")
        cap_by.index = cap_by.index.set_names(["year", "provision"])
    else:
        cp = _empty(PROGRAMME_COLS)
        cap_by = pd.Series(dtype=float, name="capital", index=pd.MultiIndex.from_arrays(
            [[], []], names=["year", "provision"]))

    rev = pl.groupby(["year", "provision"])[["revenue_cost", "transport_cost"]].sum()
    rev.columns = ["revenue", "transport"]
    cost = rev.join(cap_by, how="outer").fillna(0.0).reset_index()
    if len(cost):
        cost["year"] = cost["year"].astype(int)
    cost["total"] = cost["revenue"] + cost["transport"] + cost["capital"]
    cost = cost.reindex(columns=COST_COLS).sort_values(["year", "provision"]).reset_index(drop=True)

    cells = ctx.cells
    uv = x[m.col_blocks["unplaced"].ids]
    ck = np.ones(len(cells), bool) if path is None else (cells["path"] == path).to_numpy()
    un = cells.loc[ck, ["year", "need", "phase", "area"]].assign(unplaced=uv[ck])
    un = un[un["unplaced"] > TOL].reset_index(drop=True)

    ut = _utilisation(inp, cp, pl) if utilisation else _empty(UTIL_COLS)
    mpv = marginal_values(m, ctx, duals, path)
    return dict(placements=placements, capital_programme=cp, cost_by_year=cost, unplaced=un,
                utilisation=ut, marginal_place_value=mpv, step_downs=step_downs, over_demand=over)


def _utilisation(inp, cp: pd.DataFrame, pl: pd.DataFrame) -> pd.DataFrame:
    """``year, setting, provision, capacity, placed, spare, utilisation`` of a plan."""
    s = inp.settings
    years = inp.years
    ut = s[["setting", "provision", "capacity"]].merge(pd.DataFrame({"year": years}), how="cross")
    if len(cp):
        add = cp.assign(year=cp["opening_year"])[["setting", "year", "places"]]
        extra = ut[["setting", "year"]].merge(add.rename(columns={"year": "_oy"}), on="setting")
        extra = extra[extra["_oy"] <= extra["year"]].groupby(["setting", "year"])["places"].sum()
        ut["capacity"] = ut["capacity"] + pd.MultiIndex.from_frame(
            ut[["setting", "year"]]).map(extra).fillna(0.0).to_numpy(float)
    used = pl.groupby(["setting", "year"])["placed"].sum()
    ut["placed"] = pd.MultiIndex.from_frame(ut[["setting", "year"]]).map(used).fillna(0.0)
    ut["placed"] = ut["placed"].astype(float)
    ut["spare"] = ut["capacity"] - ut["placed"]
    ut["utilisation"] = np.where(np.isfinite(ut["capacity"]) & (ut["capacity"] > 0),
                                 ut["placed"] / ut["capacity"].where(ut["capacity"] > 0, 1.0),
                                 np.nan)
    ut.loc[~np.isfinite(ut["capacity"]), "spare"] = np.nan
    return ut[UTIL_COLS].sort_values(["year", "setting"]).reset_index(drop=True)


def marginal_values(m: LinearModel, ctx: ModelContext, duals, path=None) -> pd.DataFrame:
    """Value of one more place by setting, need, phase and year from capacity and cap duals."""
    if duals is None or "capacity" not in m.row_blocks:
        return _empty(MPV_COLS)
    inp = ctx.inputs
    g = inp.designation[["setting", "need", "phase"]]
    cb = m.row_blocks["capacity"]
    cap = cb.index.assign(_d=duals[cb.ids])
    paths = inp.paths if path is None else [path]
    cap = cap[cap["path"].isin(paths)]
    rows = cap.merge(g, on="setting")
    if "designation_cap" in m.row_blocks:
        db = m.row_blocks["designation_cap"]
        dc = db.index.assign(_dc=duals[db.ids])
        rows = rows.merge(dc, on=["path", "year", "setting", "need", "phase"], how="left")
        rows["_d"] = rows["_d"] + rows["_dc"].fillna(0.0)
    w = rows["path"].map(ctx.weights).to_numpy(float)
    disc = rows["year"].map(ctx.discount).to_numpy(float)
    rows["value_pv"] = -rows["_d"] / w if path is None else -rows["_d"] / w
    rows["value"] = rows["value_pv"] / disc
    out = rows.groupby(["year", "setting", "need", "phase"], as_index=False)[
        ["value", "value_pv"]].mean()
    out[["value", "value_pv"]] = out[["value", "value_pv"]].clip(lower=0.0).round(6)
    return out[MPV_COLS].sort_values(["year", "setting", "need", "phase"]).reset_index(drop=True)


def objective_table(m: LinearModel, ctx: ModelContext, x: np.ndarray) -> pd.DataFrame:
    """Objective broken down: discounted (as optimised) and undiscounted £."""
    rows = []
    parts = ["revenue", "transport", "capital", "unplaced_penalty"]
    if "horizon_tail" in m.objective_parts:
        parts.append("horizon_tail")
    for part in parts:
        c = m.part_vector(part)
        disc = float(c @ x)
        # undo discounting column by column
        und = 0.0
        if part in ("revenue", "transport"):
            b = m.col_blocks["x"]
            f = ctx.arcs["year"].map(ctx.discount).to_numpy(float)
            und = float((c[b.ids] / f) @ x[b.ids])
        elif part == "unplaced_penalty":
            b = m.col_blocks["unplaced"]
            f = ctx.cells["year"].map(ctx.discount).to_numpy(float)
            und = float((c[b.ids] / f) @ x[b.ids])
        elif part == "horizon_tail":
            und = disc
        else:
            spend = ctx.capital_spend
            und = float((spend["amount"].to_numpy() * x[spend["col"].to_numpy()]).sum()) \
                if len(spend) else 0.0
        rows.append((part, disc, und))
    return pd.DataFrame(rows, columns=["component", "discounted", "undiscounted"])


def plan_measures(plan: Plan, years, deferred: pd.Series | None = None) -> pd.DataFrame:
    """``year, measure, value, basis``: the board measures of a place plan.

    ``new_placements_independent_share`` (new specialist placements in independent or
    non-maintained schools / all new placements), and for every plan year
    ``children_without_suitable_place`` and ``children_awaiting_specialist_place`` (the
    unplaced), ``transitions_deferred`` (``deferred``: children moving up a phase among them,
    by year), ``step_downs`` and ``independent_placements``.

    Parameters
    ----------
    plan : Plan
    years : sequence of int
        The plan years.
    deferred : Series, optional
        Children moving up a phase among the unplaced, by year (0 when not given).
    """
    from ..data.vocabulary import INDEPENDENT

    rows = []
    placements = plan.placements
    if len(placements) and "new" in placements:
        for year, g in placements.groupby("year"):
            new = g["new"].clip(lower=0.0).round(9)
            new_total = new.sum()
            if new_total > 0:
                indep = new[g["provision"].isin(INDEPENDENT)].sum()
                rows.append((int(year), "new_placements_independent_share",
                             indep / new_total, "plan: optimiser, new specialist placements"))
    unplaced = plan.unplaced.groupby("year")["unplaced"].sum() \
        if len(plan.unplaced) else pd.Series(dtype=float)
    deferred = pd.Series(dtype=float) if deferred is None else deferred
    steps = plan.step_downs.groupby("year")["stepped_down"].sum() \
        if len(plan.step_downs) else pd.Series(dtype=float)
    indep = placements[placements["provision"].isin(INDEPENDENT)].groupby("year")[
        "placed"].sum() if len(placements) else pd.Series(dtype=float)
    for year in sorted(years):
        rows.append((int(year), "children_without_suitable_place",
                     float(unplaced.get(year, 0.0)), "plan: optimiser unplaced"))
        rows.append((int(year), "children_awaiting_specialist_place",
                     float(unplaced.get(year, 0.0)),
                     "plan: children needing a specialist place the plan cannot give"))
        rows.append((int(year), "transitions_deferred", float(deferred.get(year, 0.0)),
                     "plan: children moving up a phase among those without a place"))
        rows.append((int(year), "step_downs", float(steps.get(year, 0.0)),
                     "plan: step-downs from independent / non-maintained at transitions"))
        rows.append((int(year), "independent_placements", float(indep.get(year, 0.0)),
                     "plan: children in independent / non-maintained special schools"))
    return pd.DataFrame(rows, columns=["year", "measure", "value", "basis"])
