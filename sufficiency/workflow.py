"""Run a scenario end to end: data -> forecast -> demand -> allocate -> finance -> report tables.

:func:`run_scenario` is what ``sufficiency run`` does; it returns a :class:`ScenarioRun`
whose fields are the stage results (plain DataFrames or the stages' own result objects), so a
notebook can stop at any stage, inspect, and continue with the library's functions.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from . import data as sd
from . import demand as dm
from .errors import ValidationError
from .scenario import Scenario, load_scenario

QUANTILES = (0.05, 0.1, 0.5, 0.8, 0.9, 0.95)


@dataclass
class ScenarioRun:
    """Everything one scenario run produced. Tables are tidy DataFrames.

    Attributes
    ----------
    scenario : Scenario
    la_code, la_name : str
    history : DataFrame
        ``year, age_band, count, flag``: the EHC plan history used.
    forecast : object
        The forecast result (:func:`sufficiency.forecast.project`): ``.table``, ``.paths``...
    demand : DataFrame
        ``year, provision, need_group, phase, demand``: specialist places needed (the
        planning figure chosen by ``forecast.planning_quantile``).
    plan : Plan or None
        The optimiser's placement plan and capital programme.
    finance : object or None
        The costed DSG trajectory (mitigated vs unmitigated).
    measures : DataFrame
        ``year, measure, value, basis``: the measures LAs report to their boards.
    timings : dict
        Seconds per stage.
    notes : list of str
        Data notes and labels (e.g. illustrative settings) shown in every output.
    """

    scenario: Scenario
    la_code: str
    la_name: str
    history: pd.DataFrame
    forecast: object = None
    forecast_unmitigated: object = None
    demand: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan: object = None
    finance: object = None
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    inputs: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def title(self) -> str:
        return f"{self.la_name}: SEND place sufficiency - {self.name}"

    @property
    def subtitle(self) -> str:
        first = int(self.demand["year"].min()) if len(self.demand) else "-"
        last = int(self.demand["year"].max()) if len(self.demand) else "-"
        return (f"EHC plan history {int(self.history['year'].min())}-"
                f"{int(self.history['year'].max())}, plan {first}-{last}. "
                f"sufficiency {__version__}, seed {self.scenario.get('seed')}.")

    # --- tables ------------------------------------------------------------------------

    def assumptions(self) -> pd.DataFrame:
        parts = [self.scenario.assumptions()[["parameter", "value", "unit", "source"]]]
        for stage, frame in (("demand", dm.assumptions()),
                             ("forecast", _attr(self.forecast, "assumptions")),
                             ("allocate", _attr(self.plan, "assumptions")),
                             ("finance", _attr(self.finance, "assumptions"))):
            if isinstance(frame, pd.DataFrame) and len(frame):
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

    def forecast_table(self) -> pd.DataFrame:
        return self.forecast.table.copy() if self.forecast is not None else pd.DataFrame()

    def forecast_unmitigated_table(self) -> pd.DataFrame:
        base = self.forecast_unmitigated or self.forecast
        return base.table.copy() if base is not None else pd.DataFrame()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by sheet name (the workbook and ``tables/*.csv``)."""
        out = {"assumptions": self.assumptions(), "history": self.history,
               "forecast": self.forecast_table(), "demand": self.demand,
               "measures": self.measures}
        if self.plan is not None:
            for name in ("placements", "capital_programme", "cost_by_year", "unplaced",
                         "utilisation", "marginal_place_value", "objective"):
                out[name] = getattr(self.plan, name)
        if self.finance is not None:
            for name, frame in _finance_tables(self.finance).items():
                out[name] = frame
        return out

    def report_tables(self) -> list[tuple[str, pd.DataFrame, str]]:
        """The tables shown in ``report.html`` (heading, frame, caption)."""
        out = [("Measures reported to the board", _measures_wide(self.measures),
                "Per year, history (DfE SEN2) and plan alike.")]
        need = self.demand.pivot_table(index="year", columns="phase", values="demand",
                                       aggfunc="sum").round(0).reset_index()
        out.append(("Specialist places needed by phase", need,
                    "Children needing a specialist place (planning figure: "
                    f"{self.scenario.get('forecast.planning_quantile')}); all need groups."))
        if self.plan is not None:
            out.append(("Capital programme", self.plan.capital_programme,
                        "Projects chosen, opening year (September), places and capital cost."))
            if len(self.plan.unplaced):
                un = self.plan.unplaced.groupby(["year"], as_index=False)["unplaced"].sum()
                out.append(("Children without a suitable place", un,
                            "Demand the plan cannot place locally or independently within "
                            "the constraints."))
        if self.finance is not None:
            for heading, frame, caption in _finance_report_tables(self.finance):
                out.append((heading, frame, caption))
        return out

    def comparison_tables(self) -> dict[str, pd.DataFrame]:
        return {"measures": self.measures, "demand": self.demand.groupby(
            "year", as_index=False)["demand"].sum()}

    # --- headlines and charts ------------------------------------------------------------

    def headline_values(self) -> dict:
        last = int(self.demand["year"].max())
        first = int(self.demand["year"].min())
        values = {
            "ehcp_latest": float(self.history.query("age_band == 'all'")
                                 .sort_values("year")["count"].iloc[-1]),
            "ehcp_forecast_last": float(self.forecast.table.query("age_band == 'all'")
                                        .query("year == @last")["mean"].sum())
            if self.forecast is not None and "age_band" in self.forecast.table else np.nan,
            "specialist_first": float(self.demand.query("year == @first")["demand"].sum()),
            "specialist_last": float(self.demand.query("year == @last")["demand"].sum()),
            "first_year": first, "last_year": last,
        }
        if self.plan is not None:
            values["projects"] = int(len(self.plan.capital_programme))
            values["places_added"] = float(self.plan.capital_programme["places"].sum()) \
                if len(self.plan.capital_programme) else 0.0
            values["capital_gbp"] = float(self.plan.capital_programme["capital_cost"].sum()) \
                if len(self.plan.capital_programme) else 0.0
            values["unplaced_last"] = float(self.plan.unplaced.query("year == @last")
                                            ["unplaced"].sum()) if len(self.plan.unplaced) \
                else 0.0
            values["status"] = self.plan.outcome.describe() if hasattr(
                self.plan.outcome, "describe") else self.plan.status
        if self.finance is not None:
            values.update(_finance_headlines(self.finance))
        return values

    def headlines(self) -> list[tuple[str, str]]:
        v = self.headline_values()
        out = [(f"EHC plans, January {int(self.history['year'].max())}",
                f"{v['ehcp_latest']:,.0f}"),
               (f"Specialist places needed {v['first_year']} -> {v['last_year']}",
                f"{v['specialist_first']:,.0f} -> {v['specialist_last']:,.0f}")]
        if "projects" in v:
            out.append(("Capital projects chosen", f"{v['projects']} (+{v['places_added']:,.0f} "
                                                   f"places, £{v['capital_gbp'] / 1e6:,.1f}m)"))
            out.append((f"Children without a suitable place, {v['last_year']}",
                        f"{v['unplaced_last']:,.0f}"))
        for label, text in _finance_headline_text(v):
            out.append((label, text))
        return out

    def charts(self):
        from .report import charts as ch

        out = []
        hist = self.history[self.history["age_band"] != "all"]
        table = self.forecast_table()
        if len(table) and "age_band" in table:
            f = table[table["age_band"] != "all"]
            out.append(("fan_chart_by_age.png", "Demand forecast by age band",
                        "EHC plans by age band: history (black) and forecast with 80% and 90% "
                        "intervals. Read the width of the band as the planning risk.",
                        lambda: ch.fan_chart(hist, f, by="age_band")))
        groups = self.demand.groupby(["year", "need_group"], as_index=False)["demand"].sum()
        cap = _local_capacity(self.plan)
        dvc = groups.rename(columns={"need_group": "group"})
        if cap is not None:
            dvc = dvc.merge(cap, on=["year", "group"], how="left").fillna({"capacity": 0})
        else:
            dvc["capacity"] = 0.0
        out.append(("demand_vs_capacity.png", "Specialist demand against local places",
                    "Children needing a specialist place (line) against the local places the plan "
                    "fills for them (bars: maintained special, resourced provision, AP and "
                    "post-16, existing and new). The gap is placed in independent or "
                    "non-maintained schools, or waits.",
                    lambda: ch.demand_vs_capacity(dvc, by="group")))
        if self.plan is not None:
            prog = self.plan.capital_programme.rename(columns={"capital_cost":
                                                               "capital_cost_gbp"})
            out.append(("capital_programme.png", "Capital programme",
                        "Projects the optimiser chose and when they open.",
                        lambda: ch.capital_timeline(prog)))
            cost = self.plan.cost_by_year.rename(columns={"total": "cost_gbp"})
            out.append(("cost_by_provision.png", "Cost by provision type",
                        "Annual revenue, transport and capital cost of the plan by provision "
                        "type (£ of each year).",
                        lambda: ch.cost_by_provision(cost)))
        traj = _finance_trajectory(self.finance)
        if traj is not None:
            out.append(("cumulative_deficit.png", "Cumulative DSG position",
                        "The cumulative DSG balance (below zero is a deficit) with the 80% "
                        "range from the forecast's uncertainty. 'Today's placement mix' "
                        "assumes local places grow with demand at no capital cost; the "
                        "mitigated line adds the scenario's levers; the optimised place plan "
                        "holds local capacity to today's plus the projects it builds, so "
                        "growth beyond the candidate projects goes to independent places.",
                        lambda: ch.deficit_chart(traj)))
        return out

    # --- text and manifest --------------------------------------------------------------

    def summary(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        lines += [f"{label}: {value}" for label, value in self.headlines()]
        if self.plan is not None:
            lines.append(f"optimiser: {self.headline_values().get('status')}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def manifest(self) -> dict:
        files = {}
        for chain_path in self.scenario.chain:
            files[str(chain_path)] = _sha(Path(chain_path))
        for key, path in self.inputs.items():
            files[key] = _sha(Path(path))
        return {
            "library": "sufficiency", "version": __version__,
            "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__,
            "scenario": self.name, "scenario_hash": self.scenario.digest(),
            "seed": self.scenario.get("seed"), "input_files_sha256": files,
            "embedded_data_sha256": _embedded_digest(),
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }


# --- the run ---------------------------------------------------------------------------------

def run_scenario(scenario, progress=None) -> ScenarioRun:
    """Run a scenario (a :class:`Scenario` or a path to its YAML) end to end.

    Parameters
    ----------
    scenario : Scenario, str or Path
    progress : callable, optional
        Called with a short message at the start of each stage.

    Examples
    --------
    >>> run = run_scenario("scenarios/example.yaml")        # doctest: +SKIP
    >>> run.plan.capital_programme                           # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    say = progress or (lambda message: None)
    timings, notes, inputs = {}, [], {}

    t = time.perf_counter()
    say("reading data")
    la_code, la_name, history = _history(scenario, inputs, notes)
    timings["data"] = time.perf_counter() - t

    t = time.perf_counter()
    say(f"forecasting {scenario.get('forecast.horizon')} years ahead "
        f"({scenario.get('forecast.model')})")
    forecast = _forecast(scenario, history)
    unmitigated = _forecast(scenario, history, levers=False) if scenario.get("levers") else None
    timings["forecast"] = time.perf_counter() - t

    t = time.perf_counter()
    say("turning the forecast into demand for specialist places")
    demand = _demand(scenario, la_code, forecast)
    timings["demand"] = time.perf_counter() - t

    run = ScenarioRun(scenario=scenario, la_code=la_code, la_name=la_name, history=history,
                      forecast=forecast, forecast_unmitigated=unmitigated, demand=demand,
                      timings=timings, notes=notes, inputs=inputs)
    if scenario.get("allocate.enabled"):
        t = time.perf_counter()
        say(f"optimising placements and the capital programme ({scenario.get('allocate.solver')},"
            f" time limit {scenario.get('allocate.time_limit'):.0f}s)")
        run.plan = _allocate(scenario, la_code, demand, notes, inputs)
        timings["allocate"] = time.perf_counter() - t
    if scenario.get("finance.enabled"):
        t = time.perf_counter()
        say("costing the plan and projecting the DSG position")
        run.finance = _finance(scenario, run)
        timings["finance"] = time.perf_counter() - t
    run.measures = board_measures(run)
    return run


def _history(scenario: Scenario, inputs: dict, notes: list):
    own = scenario.resolve(scenario.get("data.history"))
    la = scenario.get("data.la")
    if own is not None:
        history = sd.read_history(own)
        report = history.attrs.pop("validation")
        notes += [f"{own}: {n}" for n in report.notes]
        inputs["data.history"] = own
        if "age_band" not in history:
            history = history.assign(age_band="all")
        history = history.assign(flag="")[["year", "age_band", "count", "flag"]]
        code = sd.resolve_la(la, sd.las()) if la else "own"
        return code, sd.la_names().get(code, "Your LA"), history
    code = sd.resolve_la(la, sd.las())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = sd.la_history(code)
    for w in caught:
        notes.append(str(w.message))
    if (history["flag"] != "").any():
        notes.append("DfE did not publish 2023 age bands: they are estimated (flagged in the "
                     "history sheet) and add up to the published 2023 total.")
    return code, sd.la_names().get(code, code), history


def _forecast(scenario: Scenario, history: pd.DataFrame, levers: bool = True):
    from . import forecast as fc

    by = scenario.get("forecast.by")
    if by == "age_band" and (history["age_band"] != "all").any():
        frame = history[history["age_band"] != "all"][["year", "age_band", "count"]]
    else:
        frame = history[history["age_band"] == "all"][["year", "count"]]
    kwargs = _pooling(scenario)
    if scenario.get("forecast.model") == "constant_growth" and \
            scenario.get("forecast.growth_rate") is not None:
        kwargs["growth_rate"] = scenario.get("forecast.growth_rate")
    return fc.project(frame.dropna(subset=["count"]), horizon=scenario.get("forecast.horizon"),
                      model=scenario.get("forecast.model"), quantiles=QUANTILES,
                      levers=(scenario.get("levers") or None) if levers else None,
                      seed=scenario.get("seed"),
                      n_paths=scenario.get("forecast.n_paths"), **kwargs)


def _demand(scenario: Scenario, la_code: str, forecast) -> pd.DataFrame:
    table = forecast.table
    value = scenario.get("forecast.planning_quantile")
    if "age_band" not in table:
        raise ValidationError(
            f"{scenario.path}: demand for places needs a forecast by age band; expected "
            "forecast.by: age_band and a history with an age_band column (under 5, 5-10, "
            "11-15, 16-19, 20-25)")
    if la_code == "own":
        raise ValidationError(
            f"{scenario.path}: data.la is needed beside data.history: the placement and need "
            "mix that turn the forecast into demand for places come from the LA's published "
            "figures; expected e.g. data: {la: Wiltshire, history: my-history.csv}")
    pm = dm.provision_shares(sd.la_placements_by_age(la_code))
    nm = dm.need_shares(sd.la_needs(la_code))
    return dm.place_demand(table, pm, nm, dm.phase_shares(_phases(scenario)), value=value)


def _allocate(scenario: Scenario, la_code: str, demand: pd.DataFrame, notes: list, inputs: dict):
    from . import allocate as al

    policy = al.Policy(discount_rate=scenario.get("allocate.discount_rate"),
                       unplaced_penalty=scenario.get("allocate.penalty_unplaced"),
                       capital_budget=scenario.get("allocate.capital_budget_per_year"),
                       capital_budget_total=scenario.get("allocate.capital_budget_total"))
    own = scenario.resolve(scenario.get("allocate.settings"))
    if own is not None:
        settings = pd.read_csv(own)
        designation = pd.read_csv(scenario.resolve(scenario.get("allocate.designations")))
        projects_path = scenario.resolve(scenario.get("allocate.projects"))
        projects = pd.read_csv(projects_path) if projects_path else None
        inputs.update({"allocate.settings": own})
        args = (settings, designation, projects)
    else:
        totals = demand.groupby("year")["demand"].sum()
        growth = float(totals.iloc[-1] - totals.iloc[0]) if len(totals) else 0.0
        example = al.example_settings(la_code, phases=_phases(scenario), growth_places=max(growth, 0.0))
        _calibrated_costs(example, la_code, int(demand["year"].min()), notes)
        notes.append("Settings, capacities, costs and candidate projects are ILLUSTRATIVE: "
                     "derived from the LA's published placement counts and ESFA-funded places, "
                     "not from its own school list. Replace them with allocate.settings.")
        args = (example,)
    need = demand.groupby(["year", "need_group", "phase"], as_index=False)["demand"].sum()
    need = need.rename(columns={"need_group": "need"})
    return al.optimise(need, *args, policy=policy, solver=scenario.get("allocate.solver"),
                       time_limit=scenario.get("allocate.time_limit"),
                       mip_gap=scenario.get("allocate.mip_gap"))


def _calibrated_costs(example, la_code: str, year: int, notes: list) -> None:
    """Give the illustrative settings the LA's own cost per placement, so the place plan and
    the DSG trajectory price a placement the same way (finance's calibration from the LA's
    high needs outturn, in the first plan year's prices)."""
    from . import finance as fi

    try:
        calibration = fi.calibrate_costs(la_code)
    except (KeyError, ValueError) as err:  # no outturn for this LA: keep the example's costs
        notes.append(f"Settings keep the example's cost per place: no calibration ({err}).")
        return
    unit = fi.unit_costs([year], calibration.costs)
    cost = unit[unit["hnb_cost_gbp"] > 0].groupby("provision")["hnb_cost_gbp"].mean()
    settings = example.settings
    known = settings["provision"].isin(cost.index)
    settings.loc[known, "cost_per_place"] = settings.loc[known, "provision"].map(cost)
    notes.append(f"Cost per place in the settings is the LA's calibrated High Needs cost per "
                 f"placement by provision ({year} prices), as in the finance sheets.")


def _finance(scenario: Scenario, run: ScenarioRun):
    from . import finance as fi

    opening = scenario.get("finance.opening_balance_gbp")
    if opening is None:
        run.notes.append("Opening DSG balance taken as 0: the embedded data has no published "
                         "balance after 2021-22; set finance.opening_balance_gbp to your LA's.")
    # the mitigated forecast is costed against the unmitigated one: demand levers are already
    # in its paths, placement levers (step-downs, shifts) come from its provision_shifts
    extra = {"baseline": run.forecast_unmitigated} if run.forecast_unmitigated is not None \
        else {}
    return fi.deficit_plan(run.forecast, **extra, la=run.la_code,
                           income_growth=scenario.get("finance.income_growth"),
                           opening_balance_gbp=float(opening or 0.0),
                           inflation=scenario.get("finance.inflation"),
                           target_year=scenario.get("finance.target_year"),
                           allocation=run.plan, seed=scenario.get("seed"))


def board_measures(run: ScenarioRun) -> pd.DataFrame:
    """The measures LAs report to their boards, per year, history and plan alike.

    ``year, measure, value, basis``: share of new EHC plans placed in mainstream, share of new
    placements into independent provision, children awaiting a specialist place (unplaced),
    cost per EHCP. Out-of-county placements are not in the DfE data (reported as such).
    """
    rows = []
    if run.la_code not in ("own",):
        new = sd.la_new_plans(run.la_code)
        wide = new.pivot_table(index="year", columns="provision", values="count", aggfunc="sum")
        for year, r in wide.iterrows():
            total = r.get("all", np.nan)
            if total and total > 0:
                rows.append((int(year), "new_plans_mainstream_share", r.get("mainstream", 0) /
                             total, "history: DfE SEN2 new plans by placement"))
                rows.append((int(year), "new_plans_independent_share",
                             sum(r.get(p, 0) for p in sd.INDEPENDENT) / total,
                             "history: DfE SEN2 new plans by placement"))
        place = sd.la_placements(run.la_code)
        unknown = place[place["provision"] == "unknown"]
        for _, r in unknown.iterrows():
            rows.append((int(r["year"]), "awaiting_placement_or_unknown", r["count"],
                         "history: SEN2 awaiting provision / placement not recorded"))
    if run.plan is not None:
        placements = run.plan.placements
        if len(placements) and "new" in placements:
            for year, g in placements.groupby("year"):
                new_total = g["new"].sum()
                if new_total > 0:
                    indep = g.loc[g["provision"].isin(sd.INDEPENDENT), "new"].sum()
                    rows.append((int(year), "new_placements_independent_share",
                                 indep / new_total, "plan: optimiser, new specialist placements"))
        unplaced = run.plan.unplaced.groupby("year")["unplaced"].sum() \
            if len(run.plan.unplaced) else pd.Series(dtype=float)
        for year in sorted(run.demand["year"].unique()):
            rows.append((int(year), "children_without_suitable_place",
                         float(unplaced.get(year, 0.0)), "plan: optimiser unplaced"))
    for year, value in _finance_cost_per_ehcp(run).items():
        rows.append((int(year), "cost_per_ehcp_gbp", value, "plan: finance"))
    out = pd.DataFrame(rows, columns=["year", "measure", "value", "basis"])
    return out.sort_values(["measure", "year"]).reset_index(drop=True)


_COMPARE_LABELS = {
    "ehcp_latest": "EHC plans, latest January", "ehcp_forecast_last": "EHC plans, last plan year",
    "specialist_first": "specialist places needed, first year",
    "specialist_last": "specialist places needed, last year",
    "projects": "capital projects chosen", "places_added": "places added by projects",
    "capital_gbp": "capital cost (£)", "unplaced_last": "children without a place, last year",
    "deficit_last_unmitigated_gbp": "cumulative DSG deficit, unmitigated (£)",
    "deficit_last_mitigated_gbp": "cumulative DSG deficit, mitigated (£)",
    "deficit_last_allocation_plan_gbp": "cumulative DSG deficit, with the place plan (£)",
}


def compare_runs(runs: list[ScenarioRun]) -> pd.DataFrame:
    """Headline figures of several runs side by side, and each one's difference from the first.

    Returns one row per measure: ``measure``, one column per scenario, and ``<scenario> - <first>``
    columns for the others (NaN where a scenario has no such figure).
    """
    values = {run.name: run.headline_values() for run in runs}
    names = list(values)
    rows = []
    for key, label in _COMPARE_LABELS.items():
        if not any(key in v for v in values.values()):
            continue
        row = {"measure": label}
        for name in names:
            row[name] = values[name].get(key, np.nan)
        for name in names[1:]:
            row[f"{name} - {names[0]}"] = row[name] - row[names[0]]
        rows.append(row)
    return pd.DataFrame(rows)


def backtest_scenario(scenario, horizon: int = 3, models=None) -> pd.DataFrame:
    """Rolling-origin accuracy of the forecast models on the scenario's own history.

    Returns one row per model and horizon: ``n, median_ape_pct, mase, over_share, coverage80,
    coverage90`` (see :func:`sufficiency.forecast.accuracy`). The LA total is backtested, with
    the same pooling reference as the scenario's forecast.
    """
    from . import forecast as fc

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    _, _, history = _history(scenario, {}, [])
    total = history[history["age_band"] == "all"][["year", "count"]].dropna()
    chosen = scenario.get("forecast.model")
    models = models or list(dict.fromkeys(["constant_growth", "log_linear", "damped_trend",
                                           "auto", chosen]))
    errors = fc.backtest(total, models=models, horizon=horizon, seed=scenario.get("seed"),
                         **_pooling(scenario))
    return fc.accuracy(errors).round(3)


def starting_scenario(la) -> str:
    """The text of a commented starting scenario for any LA in the embedded data."""
    code = sd.resolve_la(la, sd.las())
    names = sd.la_names()
    hist = sd.la_history(code)
    total = hist[hist["age_band"] == "all"].set_index("year")["count"]
    growth = (total.iloc[-1] / total.iloc[-4]) ** (1 / 3) - 1
    from .scenario_schema import SCENARIO_SCHEMA

    lines = [f"# Starting scenario for {names.get(code, code)} (LA {code}).",
             f"# EHC plans: {total.index[0]} {total.iloc[0]:,.0f} -> {total.index[-1]} "
             f"{total.iloc[-1]:,.0f}; growth over the last 3 years {growth:.1%} a year.",
             "# Every key below shows its default; edit what you know better.",
             "# Reference: docs/scenario-reference.md", "",
             f"name: {names.get(code, code)} baseline", "seed: 0", "data:", f"  la: '{code}'"]
    section = None
    for row in SCENARIO_SCHEMA.itertuples(index=False):
        if "." not in row.key or row.key in ("data.la", "data.history"):
            continue
        head, key = row.key.split(".", 1)
        if head != section:
            if head != "data":
                lines.append(f"{head}:")
            section = head
        default = "" if row.default is None else json.dumps(row.default)
        comment = f"  # {row.description}" + (f" [{row.unit}]" if row.unit else "") + \
            (f" Source: {row.source}." if row.source else "")
        lines.append(f"  {key}: {default}{comment}")
    lines.append("levers: []  # e.g. - {name: reduce_new_plan_growth, reduction: 0.2, "
                 "from_year: 2027}")
    return "\n".join(lines) + "\n"


# --- helpers ---------------------------------------------------------------------------------

def _phases(scenario: Scenario) -> pd.DataFrame:
    """The scenario's phase table (``data.phases``)."""
    return sd.THREE_TIER_PHASES if scenario.get("data.phases") == "three_tier" else sd.PHASES


def _pooling(scenario: Scenario) -> dict:
    """An LA from the embedded data pools its growth towards England's (docs/forecast.md)."""
    return {} if scenario.get("data.history") else {"reference": "england"}


def _attr(obj, name):
    if obj is None:
        return None
    value = getattr(obj, name, None)
    return value() if callable(value) else value


def _local_capacity(plan):
    """Local (maintained, resourced, AP) places filled per year and need group in the plan.

    A setting's capacity is shared by the needs it is designated for, so capacity cannot be
    split by need; the places the optimiser filled for each need are what it effectively gets.
    """
    if plan is None or not len(plan.placements):
        return None
    p = plan.placements
    local = p[~p["provision"].isin(sd.INDEPENDENT)]
    out = local.groupby(["year", "need"], as_index=False)["placed"].sum()
    return out.rename(columns={"need": "group", "placed": "capacity"})


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _embedded_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((Path(sd.__file__).parent / "example").glob("*.csv.gz")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _measures_wide(measures: pd.DataFrame) -> pd.DataFrame:
    if measures.empty:
        return measures
    wide = measures.pivot_table(index="measure", columns="year", values="value", aggfunc="first")
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


# finance: the DeficitPlan (sufficiency.finance) read for the report
def _finance_tables(plan) -> dict:
    out = {"dsg_trajectory": plan.trajectory, "hnb_income": plan.income,
           "lever_savings": plan.attribution, "needs_vs_finance_led": plan.comparison}
    for name, frame in sorted(plan.tables.items()):
        out[f"dfe_{name}"[:31]] = frame
    goal = [res.as_dict() if hasattr(res, "as_dict") else {"goal": key, "result": res.summary()}
            for key, res in plan.goal_seek.items()]
    if goal:
        out["goal_seek"] = pd.DataFrame(goal)
    return out


def _finance_report_tables(plan) -> list:
    t = plan.trajectory
    cols = [c for c in ("scenario", "year", "financial_year", "income_gbp", "spend_gbp",
                        "in_year_balance_gbp", "cumulative_deficit_gbp",
                        "cumulative_deficit_p10", "cumulative_deficit_p90") if c in t]
    out = [("DSG position by year", t[cols],
            "High Needs Block income and spend, in-year balance and cumulative deficit (£; "
            "positive = deficit), with the 80% range from the forecast's uncertainty.")]
    if len(plan.attribution):
        out.append(("Savings by lever", plan.attribution,
                    "What each mitigation saves over the plan; the parts add up to the total."))
    return out


def _finance_headlines(plan) -> dict:
    t = plan.trajectory
    last = int(t["year"].max())
    out = {}
    for scenario in t["scenario"].unique():
        row = t[(t["scenario"] == scenario) & (t["year"] == last)]
        column = "cumulative_deficit_p50" if "cumulative_deficit_p50" in t and \
            row["cumulative_deficit_p50"].notna().all() else "cumulative_deficit_gbp"
        out[f"deficit_last_{scenario}_gbp"] = float(row[column].iloc[0])
    return out


def _finance_headline_text(values: dict) -> list:
    out = []
    labels = {"unmitigated": "unmitigated", "mitigated": "mitigated",
              "allocation_plan": "the optimised place plan"}
    for key, value in values.items():
        if key.startswith("deficit_last_") and key.endswith("_gbp"):
            scenario = key[len("deficit_last_"):-len("_gbp")]
            out.append((f"Cumulative DSG deficit {values['last_year']}, "
                        f"{labels.get(scenario, scenario)}",
                        f"£{value / 1e6:,.1f}m"))
    return out


def _finance_trajectory(plan):
    if plan is None:
        return None
    t = plan.trajectory
    labels = {"unmitigated": "forecast, today's placement mix",
              "mitigated": "forecast with the levers",
              "allocation_plan": "optimised place plan"}
    out = pd.DataFrame({"year": t["year"], "variant": t["scenario"].map(labels).fillna(
        t["scenario"])})
    for q in ("p10", "p50", "p90"):
        column = f"cumulative_deficit_{q}"
        source = t[column] if column in t and t[column].notna().all() else \
            t["cumulative_deficit_gbp"]
        out[q] = -source  # balance: negative = deficit
    return out


def _finance_cost_per_ehcp(run) -> dict:
    if run.finance is None:
        return {}
    t = run.finance.trajectory
    t = t[t["scenario"] == "unmitigated"] if "unmitigated" in set(t["scenario"]) else t
    plans = run.forecast_unmitigated_table()
    plans = plans[plans["age_band"] == "all"].set_index("year")["mean"] \
        if "age_band" in plans else plans.groupby("year")["mean"].sum()
    out = {}
    for _, row in t.iterrows():
        n = plans.get(row["year"])
        if n and n > 0:
            out[int(row["year"])] = float(row["spend_gbp"]) / float(n)
    return out
