"""Run a scenario end to end: data -> forecast -> demand -> allocate -> finance.

:func:`run_scenario` is what ``sufficiency run`` does; it returns a :class:`ScenarioRun` whose
fields are the stages' own results (DataFrames, a :class:`~sufficiency.forecast.Forecast`, an
allocation :class:`~sufficiency.allocate.Plan`, a :class:`~sufficiency.finance.DeficitPlan`),
so a notebook can stop at any stage, inspect, and continue with the library's functions.
Everything a person reads (tables for the page, headlines, captions, charts, the manifest,
comparisons) is built from a run by :mod:`sufficiency.report`; this module imports nothing
from it.

The run reads the LA's published tables once (:func:`sufficiency.data.la_data`) and hands the
frames to the stages; no stage reads data by LA code inside a run.
"""

from __future__ import annotations

import time

import pandas as pd

from . import data as sd
from .data.la_data import LAData, la_data
from .data.validate import own_history_by_age_band
from .data.vocabulary import QUANTILES
from .errors import SolverError, ValidationError
from .finance import Calibration
from .finance.la_inputs import backcast_and_opening, la_calibration, run_costs, settings_prices
from .flows import Flows
from .forecast import Forecast
from .forecast.la_inputs import pooling_inputs, population_inputs, run_population
from .progress import step_meter
from .scenario import FILE_KEYS, Scenario, income_lines_frame, load_scenario
from .scenario_files import read_scenario_files
from .scenario_options import (finance_options, forecast_options, growth_steps, phase_table,
                               policy_options, solver_options)
from .scenario_run import ScenarioRun, check_skip

__all__ = ["ScenarioRun", "run_scenario", "board_measures", "backtest_scenario"]


def run_scenario(scenario, progress=None, *, skip=()) -> ScenarioRun:
    """Run a scenario (a :class:`Scenario` or a path to its YAML) end to end.

    Parameters
    ----------
    scenario : Scenario, str or Path
    progress : callable, optional
        Called with a short message at the start of each stage.
    skip : sequence of str
        Parts left out and empty (:data:`~sufficiency.scenario_run.SKIPPABLE`); no other change.

    Examples
    --------
    The forecast and demand of the example scenario (the full run adds ``run.allocation``, the
    optimiser's plan, and ``run.deficit``, the DSG deficit plan):

    >>> from sufficiency.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/example.yaml", overrides={
    ...     "allocate.enabled": False, "finance.enabled": False})
    >>> run = run_scenario(scenario)
    >>> run.la_name, run.allocation is None
    ('Wiltshire', True)
    >>> sorted(run.demand["phase"].unique())
    ['early years', 'post-16', 'post-19', 'primary', 'secondary']
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    say, skip = progress or (lambda message: None), check_skip(skip)
    timings, notes, inputs = {}, list(scenario.notes), {}

    t = time.perf_counter()
    say("reading data")
    data = _read_la(scenario)   # every table of the LA the stages use, read once
    # the same check as `sufficiency validate`
    files = read_scenario_files(scenario, tables=data)
    files.raise_if_any(str(scenario.path))
    notes += files.notes
    for key in FILE_KEYS:
        if scenario.get(key):
            inputs[key] = scenario.resolve(scenario.get(key))
    la_code, la_name, history = _history(scenario, files, data, notes)
    timings["data"] = time.perf_counter() - t

    t = time.perf_counter()
    say(f"forecasting {scenario.get('forecast.horizon')} years ahead "
        f"({scenario.get('forecast.model')})")
    population = _population(scenario, history, data)
    forecast = _forecast(scenario, history, data, population=population)
    unmitigated = _forecast(scenario, history, data, levers=False, population=population) \
        if scenario.get("levers") else None
    timings["forecast"] = time.perf_counter() - t

    t = time.perf_counter()
    say("turning the forecast into demand for specialist places")
    flows = _flows(scenario, data, forecast)
    need_mix = sd.need_mix(data.needs)
    demand = flows.demand(need_mix)
    scap = pd.DataFrame() if "scap" in skip else \
        _scap(scenario, data, forecast, demand, need_mix, notes, files.planning_areas)
    timings["demand"] = time.perf_counter() - t

    run = ScenarioRun(scenario=scenario, la_code=la_code, la_name=la_name, history=history,
                      forecast=forecast, forecast_unmitigated=unmitigated, demand=demand,
                      flows=flows, need_mix=need_mix, scap=scap, timings=timings, notes=notes,
                      inputs=inputs, population=population, data=data, skipped=skip)
    # the LA's cost per placement, calibrated once and handed to allocate and to finance
    calibration = la_calibration(data) if scenario.get("allocate.enabled") or \
        scenario.get("finance.enabled") else None
    costs = None
    if files.costs is not None:
        costs, note = run_costs(files.costs, calibration)
        notes.append(note)
    if scenario.get("allocate.enabled"):
        t = time.perf_counter()
        say(f"optimising placements and the capital programme ({scenario.get('allocate.solver')},"
            f" time limit {scenario.get('allocate.time_limit'):.0f}s)")
        run.allocation = _allocate(scenario, la_code, demand, flows, data, need_mix,
                                   calibration, notes, files, costs, skip)
        timings["allocate"] = time.perf_counter() - t
        outcome = run.allocation.outcome
        if outcome.status in ("no_solution", "error"):
            hint = ("raise allocate.time_limit" if outcome.status == "no_solution" else
                    "try allocate.solver: highs, and report this as a bug with the scenario")
            raise SolverError(f"{scenario.path}: the optimiser gave no plan: "
                              f"{outcome.describe()} Nothing was written; {hint}.")
    if scenario.get("finance.enabled"):
        t = time.perf_counter()
        say("costing the plan and projecting the DSG position")
        run.deficit = _finance(scenario, run, calibration, costs)
        timings["finance"] = time.perf_counter() - t
    run.measures = board_measures(run)
    return run


# --- the stage adapters: scenario settings and the LA's frames -> each stage's arguments ------

def _read_la(scenario: Scenario) -> LAData | None:
    """The LA's published tables (``data.la``), read once; None for an own history alone."""
    la = scenario.get("data.la")
    if not la:
        return None
    pooled = scenario.get("allocate.new_placement_mix") == "pooled"
    return la_data(sd.resolve_la(la, sd.las()), neighbour_new_plans=pooled)


def _history(scenario: Scenario, files, data: LAData | None, notes: list):
    """``(la_code, la_name, history)``: the scenario's own history, else the LA's published one
    (its reading notes added to ``notes``)."""
    if files.history is not None:
        code = data.la_code if data is not None else None
        name = sd.everyday_name(sd.la_names().get(code, "Your LA")) if code else "Your LA"
        return code, name, own_history_by_age_band(files.history)
    if data is None:   # the scenario check asks for data.la or data.history
        raise ValidationError(f"{scenario.path}: expected data.la or data.history")
    notes.extend(data.history_notes)
    code = data.la_code
    return code, sd.everyday_name(sd.la_names().get(code, code)), data.history


def _forecast(scenario: Scenario, history: pd.DataFrame, data: LAData | None,
              levers: bool = True, population: pd.DataFrame | None = None):
    from . import forecast as fc

    by = scenario.get("forecast.by")
    if by == "age_band" and (history["age_band"] != "all").any():
        frame = history[history["age_band"] != "all"][["year", "age_band", "count"]]
    else:
        frame = history[history["age_band"] == "all"][["year", "count"]]
    populations = {} if population is None or data is None else population_inputs(
        data, population, "age_band" in frame,
        prevalence=scenario.get("forecast.model") == "prevalence")
    return fc.project(frame.dropna(subset=["count"]), quantiles=QUANTILES,
                      **forecast_options(scenario, levers), **_pooling(scenario, data, frame),
                      **populations)


def _pooling(scenario: Scenario, data: LAData | None, frame: pd.DataFrame) -> dict:
    """An LA from the embedded data pools its growth towards England's; an own history not."""
    if scenario.get("data.history") or data is None:
        return {}
    return pooling_inputs(data, "age_band" in frame)


def _population(scenario: Scenario, history: pd.DataFrame,
                data: LAData | None) -> pd.DataFrame | None:
    """The LA's population aged to each January of the run; None for an own history."""
    if scenario.get("data.history") or data is None:
        return None
    return run_population(data, int(history["year"].max()) + int(scenario.get("forecast.horizon")),
                          births=scenario.get("forecast.births"),
                          migration=scenario.get("forecast.migration"))


def _flows(scenario: Scenario, data: LAData | None, forecast: Forecast) -> Flows:
    """The flow account: the LA's latest placements by age carried forward with its leaver
    rates, new plans placed by the projected mix, adding up to the forecast."""
    from . import flows as fl

    table = forecast.table
    value = scenario.get("forecast.planning_quantile")
    if "age_band" not in table:
        raise ValidationError(
            f"{scenario.path}: demand for places needs a forecast by age band; expected "
            "forecast.by: age_band and a history with an age_band column (under 5, 5-10, "
            "11-15, 16-19, 20-25)")
    if data is None:
        raise ValidationError(
            f"{scenario.path}: data.la is needed beside data.history: the placement and need "
            "mix that turn the forecast into demand for places come from the LA's published "
            "figures; expected e.g. data: {la: Wiltshire, history: my-history.csv}")
    method = scenario.get("allocate.new_placement_mix")
    own, mix = fl.new_placement_mix(data.new_plans, table["year"].unique(), method,
                                    data.neighbour_new_plans)
    rates = fl.leaver_rates(data.ceased_plans, data.history)
    return fl.placement_flows(data.placements_by_age,
                              table[table["age_band"] != "all"], rates, mix,
                              phases=phase_table(scenario), value=value, history=own)


def _scap(scenario: Scenario, data: LAData, forecast: Forecast, demand: pd.DataFrame,
          need_mix: pd.DataFrame, notes: list, areas: pd.DataFrame | None = None
          ) -> pd.DataFrame:
    """Specialist demand by NC year (SCAP), by planning area when ``data.planning_areas`` is
    given (:func:`sufficiency.scap.scap_demand`)."""
    from .scap import scap_demand

    if data.caseload_single_age is None:
        notes.append(f"No SCAP table by national curriculum year: "
                     f"{data.missing['caseload_single_age'].args[0]}.")
        return pd.DataFrame()
    if areas is not None:   # read and checked with the other files (scenario_files)
        areas = areas[["area", "share"] + (["phase"] if areas["phase"].notna().any() else [])]
    if scenario.get("data.phases") == "standard":
        return scap_demand(demand, data.caseload_single_age, areas=areas)
    # SCAP asks for primary and secondary whatever the LA's own phases (first/middle/high)
    return scap_demand(demand, data.caseload_single_age, areas=areas, forecast=forecast.table,
                       placements_by_age=data.placements_by_age, need_mix=need_mix,
                       value=scenario.get("forecast.planning_quantile"))


def _allocate(scenario: Scenario, la_code: str, demand: pd.DataFrame, flows: Flows,
              data: LAData, need_mix: pd.DataFrame, calibration: Calibration | str | None,
              notes: list, files, costs: pd.DataFrame | None = None, skip: tuple = ()):
    from . import allocate as al
    from . import flows as fl

    policy = al.Policy(**policy_options(scenario))
    by_phase = fl.base_by_phase(data.placements_by_age, need_mix, phase_table(scenario))
    if files.settings is not None:
        if files.existing is not None:   # the LA's own count of who is placed where
            initial = files.existing[["setting", "need", "phase", "area", "count"]]
            left = pd.DataFrame({"count": []})
        else:
            initial, left, _ = fl.initial_placements(by_phase, files.settings, files.designation)
        args = (files.settings, files.designation, files.projects)
        if costs is not None:
            notes.append(f"Your settings keep their own cost_per_place in the place plan; "
                         f"{scenario.get('finance.costs')} prices the DSG projection.")
    else:
        totals = demand.groupby("year")["demand"].sum()
        growth = float(totals.iloc[-1] - totals.iloc[0]) if len(totals) else 0.0
        data.require("funded_places")
        example = al.example_settings(phases=phase_table(scenario), growth_places=max(growth, 0.0),
                                      placements=data.placements, needs=data.needs,
                                      funded_places=data.funded_places, la_name=la_code)
        initial, left, added = fl.initial_placements(by_phase, example.settings,
                                                     example.designation, designate=True)
        example.designation = pd.concat([example.designation, added], ignore_index=True)
        prices, note = settings_prices(costs if costs is not None else calibration,
                                       int(demand["year"].min()))
        if prices is not None:
            example.price(*prices)
        notes.append(note)
        notes.append("Settings, capacities, costs and candidate projects are ILLUSTRATIVE: "
                     "derived from the LA's published placement counts and ESFA-funded places, "
                     "not from its own school list. Replace them with allocate.settings.")
        args = (example,)
    notes.append(f"{initial['count'].sum():,.0f} children in specialist placements in January "
                 f"{flows.base_year} stay where they are placed (carried forward with the flow "
                 f"account's rates); {left['count'].sum():,.0f} could not be matched to a "
                 "setting taking their need and phase and are placed afresh.")
    need = demand.groupby(["year", "need_group", "phase"], as_index=False)["demand"].sum()
    need = need.rename(columns={"need_group": "need"})
    return al.optimise(need, *args, travel=files.travel, policy=policy, initial=initial,
                       carry=flows.carry, report_tables="report_tables" not in skip,
                       **solver_options(scenario))


def _finance(scenario: Scenario, run: ScenarioRun, calibration: Calibration | str | None,
             costs: pd.DataFrame | None = None):
    from . import finance as fi

    lines, options = income_lines_frame(scenario), finance_options(scenario)
    backcast, opening, said = backcast_and_opening(
        run.data, first_year=int(run.forecast.table["year"].min()),
        given_gbp=scenario.get("finance.opening_balance_gbp"), income_lines=lines,
        income_growth=options["income_growth"],
        independent_fee_growth=options["independent_fee_growth"], label=run.la_name)
    run.notes.extend(said)
    # the mitigated forecast is costed against the unmitigated one: demand levers are already
    # in its paths, placement levers (step-downs, shifts) come from its provision_shifts
    extra = {"baseline": run.forecast_unmitigated} if run.forecast_unmitigated is not None \
        else {}
    if calibration is not None:   # a calibration, or why the LA has none (said in the notes)
        extra["calibration"] = calibration
    if costs is not None:
        extra["costs"] = costs
    # every scenario places the forecast as the flow account does, year by year: the place
    # plan is given the same specialist demand, so the scenarios differ only in placement
    if run.flows is not None and len(run.flows.table):
        extra.update(mix=run.flows.stock_mix(), mix_basis=fi.FLOW_MIX_BASIS)
    if run.data is not None:   # the LA's frames: the income base (and the mix without flows)
        extra.update(placements=run.data.placements,
                     placements_by_age=run.data.placements_by_age,
                     high_needs_block=run.data.high_needs_block)
    deficit = fi.deficit_plan(run.forecast, **extra, **options, label=run.la_code,
                              opening_balance_gbp=opening, income_lines=lines,
                              allocation=run.allocation, goal_seek="goal_seek" not in run.skipped,
                              report_tables="report_tables" not in run.skipped)
    deficit.backcast = backcast
    notes = deficit.assumptions.loc[deficit.assumptions["name"] == "note", "value"].astype(str)
    run.notes.extend(n for n in notes if "cost per placement shrunk" in n)
    return deficit


def board_measures(run: ScenarioRun) -> pd.DataFrame:
    """The measures LAs report to their boards, per year, history and plan alike.

    ``year, measure, value, basis``: share of new EHC plans placed in mainstream, share of new
    placements into independent provision, children awaiting a specialist place (unplaced),
    cost per EHCP. Out-of-county placements are not in the DfE data (reported as such). Each
    stage gives its own: the LA's published tables the run read
    (:func:`sufficiency.data.history_measures`), the place plan
    (:func:`sufficiency.allocate.plan.plan_measures`), the flow account
    (:func:`sufficiency.flows.board_flows`) and the DSG plan (spend per EHC plan).
    """
    from .allocate.plan import plan_measures
    from .data.history import history_measures
    from .finance.spend import cost_measures
    from .flows import board_flows

    parts = []
    if run.data is not None:
        parts.append(history_measures(run.data.new_plans, run.data.placements))
    if run.allocation is not None:
        deferred = run.flows.deferred(run.allocation.unplaced, run.need_mix) \
            if run.flows is not None else None
        parts.append(plan_measures(run.allocation, run.demand["year"].unique(), deferred))
    if run.flows is not None:
        parts.append(board_flows(run.flows))
    if run.deficit is not None:
        plans = run.baseline.table
        plans = plans[plans["age_band"] == "all"].set_index("year")["mean"] \
            if "age_band" in plans else plans.groupby("year")["mean"].sum()
        parts.append(cost_measures(run.deficit.spend_by_year(), plans))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else pd.DataFrame(columns=["year", "measure", "value", "basis"])
    return out.sort_values(["measure", "year"]).reset_index(drop=True)


def backtest_scenario(scenario, horizon: int = 5, models=None, progress=None) -> pd.DataFrame:
    """Rolling-origin accuracy of the forecast models on the scenario's own history.

    Returns one row per model and horizon: ``n, median_ape_pct, mase, over_share, coverage80,
    coverage90`` (see :func:`sufficiency.forecast.accuracy`). The LA total is backtested, with
    the same pooling reference as the scenario's forecast. ``progress`` is called with a short
    message before each step.
    """
    from . import forecast as fc

    say = progress or (lambda message: None)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    say("reading data")
    data = _read_la(scenario)
    files = read_scenario_files(scenario, purpose="backtest", tables=data)
    files.raise_if_any(str(scenario.path))
    _, _, history = _history(scenario, files, data, [])
    total = history[history["age_band"] == "all"][["year", "count"]].dropna()
    chosen = scenario.get("forecast.model")
    models = models or list(dict.fromkeys(["constant_growth", "log_linear", "damped_trend",
                                           "auto", chosen]))
    # the scenario's own long-run assumption, band width and prevalence convergence
    steps = growth_steps(scenario)
    kwargs = {"area_population": data.area_population} \
        if _population(scenario, history, data) is not None else {}
    specs = {m: (m, dict(steps)) for m in models}
    say(f"backtesting {len(models)} models ({', '.join(models)}), {horizon} years ahead from "
        "each past year")
    errors = fc.backtest(total, models=specs, horizon=horizon, seed=scenario.get("seed"),
                         on_step=step_meter(say, len(specs)), **_pooling(scenario, data, total),
                         **kwargs)
    say("scoring the forecasts against what happened")
    return fc.accuracy(errors).round(3)
