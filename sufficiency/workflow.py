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
from dataclasses import dataclass, field

import pandas as pd

from . import data as sd
from .allocate import Plan
from .data.la_data import LAData, la_data
from .data.validate import own_history_by_age_band
from .data.vocabulary import QUANTILES
from .errors import SolverError, ValidationError
from .finance import Calibration, DeficitPlan
from .flows import Flows
from .forecast import Forecast
from .scenario import FILE_KEYS, Scenario, income_lines_frame, load_scenario
from .scenario_files import read_scenario_files

__all__ = ["ScenarioRun", "run_scenario", "board_measures", "backtest_scenario"]


@dataclass
class ScenarioRun:
    """Everything one scenario run produced: the stages' own results.

    Attributes
    ----------
    scenario : Scenario
        The scenario run (data, assumptions and levers).
    la_code : str or None
        The LA's code in the embedded data; None when the history is the user's own file and
        no ``data.la`` was given.
    la_name : str
        The LA's everyday name, e.g. "Herefordshire" for "Herefordshire, County of"
        (``"Your LA"`` for an own history without ``data.la``).
    history : DataFrame
        ``year, age_band, count, flag``: the EHC plan history used (``year`` = January
        census year).
    forecast : Forecast
        The forecast with the scenario's levers (:func:`sufficiency.forecast.project`).
    forecast_unmitigated : Forecast or None
        The same forecast without the levers, when the scenario has levers.
    demand : DataFrame
        ``year, provision, need_group, phase, demand``: specialist places needed (the
        planning figure chosen by ``forecast.planning_quantile``), from the flow account.
    flows : Flows or None
        The placements as stocks and flows (:func:`sufficiency.flows.placement_flows`): who
        stays, leaves, joins and moves at a transition point, by provision and age, adding up
        to the forecast; its ``carry`` rates keep children where they are in the optimiser.
    need_mix : DataFrame or None
        ``provision, need_group, share``: the LA's need mix within each placement type
        (:func:`sufficiency.data.need_mix`), which splits the flows by need group.
    allocation : Plan or None
        The optimiser's placement plan and capital programme (``allocate.enabled``).
    population : DataFrame or None
        ``year, age_band, population``: the LA's ONS mid-2023 population aged to each January
        from 2019 to the last forecast year (``forecast.births``, ``forecast.migration``);
        None for an own history without ``data.la``.
    deficit : DeficitPlan or None
        The costed DSG deficit plan, mitigated vs unmitigated (``finance.enabled``).
    measures : DataFrame
        ``year, measure, value, basis``: the measures LAs report to their boards.
    scap : DataFrame
        ``year, phase, nc_year, age, provision, demand`` (and ``area``): the specialist demand
        by national curriculum year for the SCAP return (:func:`sufficiency.scap.nc_year_demand`);
        empty when the LA has no single-age data.
    timings : dict
        Seconds per stage.
    notes : list of str
        Data notes and labels (e.g. illustrative settings) shown in every output.
    inputs : dict
        Input files read (scenario key -> path), for the manifest.
    data : LAData or None
        The LA's published tables, read once for the run (:func:`sufficiency.data.la_data`)
        and handed to the stages; None for an own history without ``data.la``.
    """

    scenario: Scenario
    la_code: str | None
    la_name: str
    history: pd.DataFrame
    forecast: Forecast
    forecast_unmitigated: Forecast | None = None
    demand: pd.DataFrame = field(default_factory=pd.DataFrame)
    flows: Flows | None = None
    need_mix: pd.DataFrame | None = None
    allocation: Plan | None = None
    deficit: DeficitPlan | None = None
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    scap: pd.DataFrame = field(default_factory=pd.DataFrame)
    timings: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    inputs: dict = field(default_factory=dict)
    population: pd.DataFrame | None = None
    data: LAData | None = None

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def baseline(self) -> Forecast:
        """The forecast without levers (the forecast itself when the scenario has none)."""
        return self.forecast_unmitigated if self.forecast_unmitigated is not None \
            else self.forecast


def run_scenario(scenario, progress=None) -> ScenarioRun:
    """Run a scenario (a :class:`Scenario` or a path to its YAML) end to end.

    Parameters
    ----------
    scenario : Scenario, str or Path
    progress : callable, optional
        Called with a short message at the start of each stage.

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
    say = progress or (lambda message: None)
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
    scap = _scap(scenario, data, forecast, demand, need_mix, notes, files.planning_areas)
    timings["demand"] = time.perf_counter() - t

    run = ScenarioRun(scenario=scenario, la_code=la_code, la_name=la_name, history=history,
                      forecast=forecast, forecast_unmitigated=unmitigated, demand=demand,
                      flows=flows, need_mix=need_mix, scap=scap, timings=timings, notes=notes,
                      inputs=inputs, population=population, data=data)
    # the LA's cost per placement, calibrated once and handed to allocate and to finance
    calibration = _calibration(data) if scenario.get("allocate.enabled") or \
        scenario.get("finance.enabled") else None
    costs = _own_costs(files.costs, calibration, notes) if files.costs is not None else None
    if scenario.get("allocate.enabled"):
        t = time.perf_counter()
        say(f"optimising placements and the capital programme ({scenario.get('allocate.solver')},"
            f" time limit {scenario.get('allocate.time_limit'):.0f}s)")
        run.allocation = _allocate(scenario, la_code, demand, flows, data, need_mix,
                                   calibration, notes, files, costs)
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
    if (data.history["flag"] != "").any():
        notes.append("DfE did not publish 2023 age bands: they are estimated (flagged in the "
                     "history sheet) and add up to the published 2023 total.")
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
    kwargs = _pooling(scenario, data, frame)
    kwargs.update(_growth_assumptions(scenario, frame, population, data))
    if scenario.get("forecast.model") == "constant_growth" and \
            scenario.get("forecast.growth_rate") is not None:
        kwargs["growth_rate"] = scenario.get("forecast.growth_rate")
    return fc.project(frame.dropna(subset=["count"]), horizon=scenario.get("forecast.horizon"),
                      model=scenario.get("forecast.model"), quantiles=QUANTILES,
                      levers=(scenario.get("levers") or None) if levers else None,
                      seed=scenario.get("seed"),
                      n_paths=scenario.get("forecast.n_paths"), **kwargs)


def _pooling(scenario: Scenario, data: LAData | None, frame: pd.DataFrame) -> dict:
    """An LA from the embedded data pools its growth towards England's (docs/forecast.md):
    England's series on the forecast's keys, and its population (prevalence convergence)."""
    if scenario.get("data.history") or data is None:
        return {}
    england = data.england_history
    reference = england[["year", "age_band", "count"]] if "age_band" in frame else \
        england[england["age_band"] == "all"][["year", "count"]]
    return {"reference": reference, "reference_population": data.england_population}


def _long_run(scenario: Scenario) -> dict:
    """The scenario's long-run growth assumption (``forecast.long_run`` and its parameters)."""
    method = scenario.get("forecast.long_run")
    if method == "converge":
        return {"method": "converge", "rate": scenario.get("forecast.long_run_rate"),
                "half_life": scenario.get("forecast.long_run_half_life")}
    if method == "national_path":
        return {"method": "national_path", "year": scenario.get("forecast.national_path_year"),
                "count": scenario.get("forecast.national_path_count")}
    return {"method": "trend"}


def _growth_assumptions(scenario: Scenario, frame: pd.DataFrame,
                        population: pd.DataFrame | None, data: LAData | None) -> dict:
    """Long-run growth, band width and, for an LA in the embedded data, its ONS populations:
    all-age (prevalence convergence towards England) and by age band, aged forward (the
    demographic / prevalence split of the forecast's growth; the prevalence model)."""
    out = {"long_run": _long_run(scenario),
           "growth_shock_sd": scenario.get("forecast.growth_shock_sd"),
           "convergence": scenario.get("forecast.prevalence_convergence")}
    if population is None or data is None:
        return out
    out["area_population"] = data.area_population
    out["age_population"] = population
    if scenario.get("forecast.model") == "prevalence":
        # the prevalence model's denominator, on the forecast's own keys
        out["population"] = population if "age_band" in frame else \
            population[population["age_band"] == "all"].drop(columns="age_band")
    return out


def _population(scenario: Scenario, history: pd.DataFrame,
                data: LAData | None) -> pd.DataFrame | None:
    """The LA's ONS mid-2023 population by age band, aged to each January from 2019 (as far
    back as reverse ageing is trusted) to the last forecast year; None for an own history."""
    if scenario.get("data.history") or data is None:
        return None
    from .forecast.demography import census_population

    if data.population is None:
        raise data.missing["population"]
    last = int(history["year"].max()) + int(scenario.get("forecast.horizon"))
    return census_population(data.population, range(2019, last + 1),
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
    own = fl.mix_history(data.new_plans)
    neighbours = None
    if method == "pooled":
        parts = [fl.mix_history(new).assign(la_code=code)
                 for code, new in data.neighbour_new_plans.items()]
        neighbours = pd.concat(parts, ignore_index=True) if parts else None
    years = sorted(int(y) for y in table["year"].unique())
    # new plans made in calendar year y - 1 are counted in January y
    mix = fl.project_mix(own, [y - 1 for y in years], method, neighbours)
    mix = mix.assign(year=mix["year"] + 1)
    rates = fl.leaver_rates(data.ceased_plans, data.history)
    return fl.placement_flows(data.placements_by_age,
                              table[table["age_band"] != "all"], rates, mix,
                              phases=_phases(scenario), value=value, history=own)


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
              notes: list, files, costs: pd.DataFrame | None = None):
    from . import allocate as al
    from . import flows as fl

    policy = al.Policy(discount_rate=scenario.get("allocate.discount_rate"),
                       unplaced_penalty=scenario.get("allocate.penalty_unplaced"),
                       capital_budget=scenario.get("allocate.capital_budget_per_year"),
                       capital_budget_total=scenario.get("allocate.capital_budget_total"),
                       step_down_share=scenario.get("allocate.step_down_share"),
                       tail_years=scenario.get("allocate.tail_years"),
                       max_travel_minutes=scenario.get("allocate.max_travel_minutes"))
    by_phase = fl.base_by_phase(data.placements_by_age, need_mix, _phases(scenario))
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
        _require(data, "funded_places")
        example = al.example_settings(phases=_phases(scenario), growth_places=max(growth, 0.0),
                                      placements=data.placements, needs=data.needs,
                                      funded_places=data.funded_places, la_name=la_code)
        initial, left, added = fl.initial_placements(by_phase, example.settings,
                                                     example.designation, designate=True)
        example.designation = pd.concat([example.designation, added], ignore_index=True)
        _calibrated_costs(example, costs if costs is not None else calibration,
                          int(demand["year"].min()), notes)
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
                       carry=flows.carry,
                       solver=scenario.get("allocate.solver"),
                       time_limit=scenario.get("allocate.time_limit"),
                       mip_gap=scenario.get("allocate.mip_gap"),
                       node_limit=scenario.get("allocate.node_limit"),
                       duals=scenario.get("allocate.marginal_values"))


def _calibration(data: LAData | None) -> Calibration | str | None:
    """The LA's cost calibration from its high needs outturn (finance), made once per run; the
    reason as text when the LA has none (the settings and the deficit plan then say so)."""
    from . import finance as fi

    if data is None:
        return None
    try:
        _require(data, "high_needs", "funded_places")
        # neighbours and region: none without the LA's neighbours (the peers' fallback)
        region = data.region_codes if "neighbours" not in data.missing else []
        return fi.calibrate_costs(high_needs=data.high_needs, funded_places=data.funded_places,
                                  placements=data.placements, neighbours=data.neighbours,
                                  region_codes=region, la_code=data.la_code, label=data.la_code)
    except (KeyError, ValueError) as err:  # no outturn for this LA
        return str(err)


def _calibrated_costs(example, calibration: Calibration | pd.DataFrame | str | None, year: int,
                      notes: list) -> None:
    """Give the illustrative settings the LA's own cost per placement, so the place plan and
    the DSG trajectory price a placement the same way (finance's calibration from the LA's
    high needs outturn, or the scenario's ``finance.costs`` merged into it (a cost table), in
    the first plan year's prices). A cost for one phase prices that phase's designations."""
    from . import finance as fi

    if isinstance(calibration, pd.DataFrame):
        table, what = calibration, "the scenario's finance.costs (where given) and the LA's " \
            "calibrated High Needs cost per placement"
    elif isinstance(calibration, Calibration):
        table, what = calibration.costs, "the LA's calibrated High Needs cost per placement"
    else:  # no outturn: keep the example's costs
        notes.append(f"Settings keep the example's cost per place: no calibration "
                     f"({calibration}).")
        return
    example.price(*fi.cost_per_place(table, year))
    notes.append(f"Cost per place in the settings is {what} by provision ({year} prices), as "
                 "in the finance sheets.")


def _own_costs(costs: pd.DataFrame, calibration: Calibration | str | None,
               notes: list) -> pd.DataFrame:
    """The run's cost table: the scenario's ``finance.costs`` in place of the calibrated (or
    default) cost of the provisions and phases it names
    (:func:`sufficiency.finance.with_costs_per_place`)."""
    from . import finance as fi

    table = calibration.costs if isinstance(calibration, Calibration) else fi.cost_table()
    notes.append(f"Cost per place from {costs.attrs.get('source', 'finance.costs')} for "
                 f"{', '.join(sorted(set(costs['provision'])))} (2023-24 prices, moved to each "
                 "year on the price paths).")
    return fi.with_costs_per_place(table, costs)


def _finance(scenario: Scenario, run: ScenarioRun, calibration: Calibration | str | None,
             costs: pd.DataFrame | None = None):
    from . import finance as fi

    lines = income_lines_frame(scenario)
    table = run.forecast.table
    first_year = int(table["year"].min())
    fee_growth = scenario.get("finance.independent_fee_growth")
    backcast, opening = _backcast_and_opening(scenario, run, first_year, lines, fee_growth)
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
        stocks = run.flows.table[run.flows.table["age_band"].astype(str) != "aged out"]
        extra["mix"] = sd.placement_mix(stocks, year="each", by="age_band", value="stock",
                                        empty="drop")
        extra["mix_basis"] = fi.FLOW_MIX_BASIS
    if run.data is not None:   # the LA's frames: the income base (and the mix without flows)
        extra.update(placements=run.data.placements,
                     placements_by_age=run.data.placements_by_age,
                     high_needs_block=run.data.high_needs_block)
    plan = fi.deficit_plan(run.forecast, **extra, label=run.la_code,
                           income_growth=scenario.get("finance.income_growth"),
                           opening_balance_gbp=opening, income_lines=lines,
                           inflation=scenario.get("finance.inflation"),
                           independent_fee_growth=fee_growth,
                           target_year=scenario.get("finance.target_year"),
                           allocation=run.allocation, seed=scenario.get("seed"))
    plan.backcast = backcast
    notes = plan.assumptions.loc[plan.assumptions["name"] == "note", "value"].astype(str)
    run.notes.extend(n for n in notes if "cost per placement shrunk" in n)
    return plan


def _backcast_and_opening(scenario: Scenario, run: ScenarioRun, first_year: int,
                          lines: pd.DataFrame, fee_growth):
    """The LA's backcast against its s251 outturn, and the opening DSG balance: the scenario's
    figure, else the published balance rolled forward with the backcast (estimated)."""
    from . import finance as fi

    given = scenario.get("finance.opening_balance_gbp")
    data = run.data
    if data is None:
        if given is None:
            run.notes.append("Opening DSG balance taken as 0: no LA in the embedded data to "
                             "estimate it from; set finance.opening_balance_gbp.")
        return pd.DataFrame(), float(given or 0.0)
    try:
        _require(data, "high_needs", "s251")
        # EHC plans in the Januaries before the placements (the first year's weighting)
        plans = data.history[data.history["age_band"] != "all"]
        backcast = fi.backcast(data.placements, data.high_needs, data.s251, label=run.la_name,
                               independent_fee_growth=fee_growth,
                               earlier_ehcp=plans.groupby("year", as_index=False)["count"].sum())
    except (KeyError, ValueError) as err:
        run.notes.append(f"No backcast against s251 outturn ({err}).")
        if given is None:
            run.notes.append("Opening DSG balance taken as 0: it could not be estimated; set "
                             "finance.opening_balance_gbp.")
        return pd.DataFrame(), float(given or 0.0)
    try:
        _require(data, "dsg_deficit", "high_needs_block", "high_needs", "funded_places")
        published = fi.opening_inputs(data.dsg_deficit, data.high_needs_block, data.high_needs,
                                      data.funded_places)
        opening = fi.opening_balance(first_year, backcast=backcast, income_lines=lines,
                                     income_growth=scenario.get("finance.income_growth"),
                                     given_gbp=given, **published)
    except (KeyError, ValueError) as err:
        run.notes.append(f"Opening DSG balance not estimated ({err}); "
                         + ("the scenario's figure is used." if given is not None else
                            "taken as 0: set finance.opening_balance_gbp."))
        return backcast, float(given or 0.0)
    if opening.status == "estimated":
        run.notes.append(opening.summary() + ": the published balance at the end of 2021-22 "
                         "rolled forward with the backcast's in-year gaps (see the opening "
                         "balance table); set finance.opening_balance_gbp to your LA's figure.")
    return backcast, opening


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
    from .finance.spend import spend_per_plan
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
        cost = spend_per_plan(run.deficit.spend_by_year(), plans)
        parts.append(pd.DataFrame({"year": cost.index.astype(int), "measure": "cost_per_ehcp_gbp",
                                   "value": cost.to_numpy(), "basis": "plan: finance"}))
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
    steps = _growth_assumptions(scenario, total, _population(scenario, history, data), data)
    kwargs = {"area_population": steps.pop("area_population")} \
        if "area_population" in steps else {}
    steps = {k: v for k, v in steps.items()
             if k in ("long_run", "growth_shock_sd", "convergence")}
    specs = {m: (m, dict(steps)) for m in models}
    say(f"backtesting {len(models)} models ({', '.join(models)}), {horizon} years ahead from "
        "each past year")
    errors = fc.backtest(total, models=specs, horizon=horizon, seed=scenario.get("seed"),
                         on_step=_step_meter(say, len(specs)), **_pooling(scenario, data, total),
                         **kwargs)
    say("scoring the forecasts against what happened")
    return fc.accuracy(errors).round(3)


# --- helpers ---------------------------------------------------------------------------------

def _step_meter(say, per_origin: int, every: float = 2.0):
    """A backtest's ``on_step``: a line when an origin year's ``per_origin`` models are done
    (and after any step ``every`` seconds after the last line): the origin and model, steps
    done and left, elapsed and time left."""
    import time

    start = time.perf_counter()
    last = [start]

    def clock(seconds: float) -> str:
        seconds = int(round(seconds))
        return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"

    def on_step(done: int, total: int, origin: int, model: str) -> None:
        now = time.perf_counter()
        if done % per_origin and done != total and now - last[0] < every:
            return
        last[0] = now
        elapsed = now - start
        left = elapsed / done * (total - done) if done else 0.0
        k = (done - 1) % per_origin + 1
        say(f"origin {origin}, model {k} of {per_origin} ({model}): {done} of {total} steps "
            f"done, {total - done} left | elapsed {clock(elapsed)}, about {clock(left)} left")

    return on_step


def _require(data: LAData, *names: str) -> None:
    """Raise the reason the embedded data lacks one of the LA's tables ``names``."""
    for name in names:
        if getattr(data, name) is None:
            raise data.missing[name]


def _phases(scenario: Scenario) -> pd.DataFrame:
    """The scenario's phase table (``data.phases``)."""
    return sd.THREE_TIER_PHASES if scenario.get("data.phases") == "three_tier" else sd.PHASES
