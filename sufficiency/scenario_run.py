"""What one scenario run produced: :class:`ScenarioRun`, the stages' own results side by side.

:func:`sufficiency.workflow.run_scenario` fills it (and ``sufficiency.workflow`` re-exports it);
:mod:`sufficiency.report` reads it. It holds results only: everything a person reads is built
from it by the report, so the class has no methods beyond two properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .allocate import Plan
from .data.la_data import LAData
from .finance import DeficitPlan
from .flows import Flows
from .forecast import Forecast
from .scenario import Scenario

__all__ = ["ScenarioRun", "SKIPPABLE", "check_skip"]

#: The parts of a run :func:`~sufficiency.workflow.run_scenario` can be asked to leave out
#: (``skip=``), and what is then empty. A sweep's tables-only run skips them all: no national
#: table holds them, and no other result changes.
SKIPPABLE = {"scap": "run.scap, the SCAP table by national curriculum year",
             "goal_seek": "run.deficit.goal_seek, the DSG plan's goal seeks",
             "report_tables": "the tables only a report or workbook shows: run.deficit.tables "
                              "(the DfE-layout summaries), .like_for_like, "
                              ".like_for_like_parts and .comparison (needs- vs finance-led), "
                              "and run.allocation.utilisation"}


def check_skip(skip) -> tuple:
    """``skip`` as a sorted tuple of :data:`SKIPPABLE` names; a ValueError names any other.

    Examples
    --------
    >>> check_skip(["scap"]), check_skip(())
    (('scap',), ())
    """
    import difflib

    skip = (skip,) if isinstance(skip, str) else tuple(skip or ())
    for name in skip:
        if name not in SKIPPABLE:
            near = difflib.get_close_matches(str(name), SKIPPABLE, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ValueError(f"skip: {name!r} is not a part of a run that can be skipped; "
                             f"expected any of {sorted(SKIPPABLE)}{hint}")
    return tuple(sorted(set(skip)))


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
        empty when the LA has no single-age data or the run skipped it.
    timings : dict
        Seconds per stage.
    notes : list of str
        Data notes and labels (e.g. illustrative settings) shown in every output.
    inputs : dict
        Input files read (scenario key -> path), for the manifest.
    data : LAData or None
        The LA's published tables, read once for the run (:func:`sufficiency.data.la_data`)
        and handed to the stages; None for an own history without ``data.la``.
    skipped : tuple of str
        The parts of the run left out (``run_scenario(skip=...)``, :data:`SKIPPABLE`): empty
        here, so a workbook or report made from this run lacks them.
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
    skipped: tuple = ()

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def baseline(self) -> Forecast:
        """The forecast without levers (the forecast itself when the scenario has none)."""
        return self.forecast_unmitigated if self.forecast_unmitigated is not None \
            else self.forecast
