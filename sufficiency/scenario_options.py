"""What each stage takes from a scenario's settings, as that stage's own keyword arguments.

The scenario file's keys (``forecast.long_run``, ``allocate.discount_rate`` ...) are named for
the person writing it; the stages' arguments for the code. These functions are the one place
that maps one onto the other, so the run (:mod:`sufficiency.workflow`) and the backtest read a
setting the same way.
"""

from __future__ import annotations

import pandas as pd

from .data.vocabulary import PHASES, THREE_TIER_PHASES
from .scenario import Scenario

__all__ = ["long_run_assumption", "growth_steps", "forecast_options", "policy_options",
           "solver_options", "finance_options", "phase_table"]


def long_run_assumption(scenario: Scenario) -> dict:
    """The forecast's ``long_run`` argument from ``forecast.long_run`` and its parameters.

    Examples
    --------
    >>> from sufficiency.scenario import scenario_from_dict
    >>> long_run_assumption(scenario_from_dict({"data": {"la": "Wiltshire"}}))
    {'method': 'converge', 'rate': 0.05, 'half_life': 5.0}
    """
    method = scenario.get("forecast.long_run")
    if method == "converge":
        return {"method": "converge", "rate": scenario.get("forecast.long_run_rate"),
                "half_life": scenario.get("forecast.long_run_half_life")}
    if method == "national_path":
        return {"method": "national_path", "year": scenario.get("forecast.national_path_year"),
                "count": scenario.get("forecast.national_path_count")}
    return {"method": "trend"}


def growth_steps(scenario: Scenario) -> dict:
    """The steps applied after the forecast model, as :func:`sufficiency.forecast.project` and
    :func:`sufficiency.forecast.backtest` take them: ``long_run``, ``growth_shock_sd`` (the band
    width) and ``convergence`` (prevalence convergence towards England)."""
    return {"long_run": long_run_assumption(scenario),
            "growth_shock_sd": scenario.get("forecast.growth_shock_sd"),
            "convergence": scenario.get("forecast.prevalence_convergence")}


def forecast_options(scenario: Scenario, levers: bool = True) -> dict:
    """Keyword arguments of :func:`sufficiency.forecast.project` from the scenario's settings:
    horizon, model, levers (none with ``levers=False``), seed, paths, the growth steps and,
    for ``constant_growth``, a given ``forecast.growth_rate``.

    Examples
    --------
    >>> from sufficiency.scenario import scenario_from_dict
    >>> s = scenario_from_dict({"data": {"la": "Wiltshire"}, "forecast": {"horizon": 6}})
    >>> o = forecast_options(s)
    >>> o["horizon"], o["model"], o["levers"]
    (6, 'auto', None)
    """
    out = {"horizon": scenario.get("forecast.horizon"), "model": scenario.get("forecast.model"),
           "levers": (scenario.get("levers") or None) if levers else None,
           "seed": scenario.get("seed"), "n_paths": scenario.get("forecast.n_paths"),
           **growth_steps(scenario)}
    if out["model"] == "constant_growth" and scenario.get("forecast.growth_rate") is not None:
        out["growth_rate"] = scenario.get("forecast.growth_rate")
    return out


def policy_options(scenario: Scenario) -> dict:
    """Keyword arguments of :class:`sufficiency.allocate.Policy` from the ``allocate`` settings.

    Examples
    --------
    >>> from sufficiency.scenario import scenario_from_dict
    >>> policy_options(scenario_from_dict({"data": {"la": "Wiltshire"}}))["discount_rate"]
    0.035
    """
    return {"discount_rate": scenario.get("allocate.discount_rate"),
            "unplaced_penalty": scenario.get("allocate.penalty_unplaced"),
            "capital_budget": scenario.get("allocate.capital_budget_per_year"),
            "capital_budget_total": scenario.get("allocate.capital_budget_total"),
            "step_down_share": scenario.get("allocate.step_down_share"),
            "tail_years": scenario.get("allocate.tail_years"),
            "max_travel_minutes": scenario.get("allocate.max_travel_minutes")}


def solver_options(scenario: Scenario) -> dict:
    """Keyword arguments of :func:`sufficiency.allocate.optimise` for the solver: ``solver,
    time_limit, mip_gap, node_limit, duals`` (``allocate.marginal_values``)."""
    return {"solver": scenario.get("allocate.solver"),
            "time_limit": scenario.get("allocate.time_limit"),
            "mip_gap": scenario.get("allocate.mip_gap"),
            "node_limit": scenario.get("allocate.node_limit"),
            "duals": scenario.get("allocate.marginal_values")}


def finance_options(scenario: Scenario) -> dict:
    """Keyword arguments of :func:`sufficiency.finance.deficit_plan` from the ``finance``
    settings: ``income_growth, inflation, independent_fee_growth, target_year`` and the seed.

    Examples
    --------
    >>> from sufficiency.scenario import scenario_from_dict
    >>> sorted(finance_options(scenario_from_dict({"data": {"la": "Wiltshire"}})))
    ['income_growth', 'independent_fee_growth', 'inflation', 'seed', 'target_year']
    """
    return {"income_growth": scenario.get("finance.income_growth"),
            "inflation": scenario.get("finance.inflation"),
            "independent_fee_growth": scenario.get("finance.independent_fee_growth"),
            "target_year": scenario.get("finance.target_year"), "seed": scenario.get("seed")}


def phase_table(scenario: Scenario) -> pd.DataFrame:
    """The scenario's phase table (``data.phases``: standard or three-tier)."""
    return THREE_TIER_PHASES if scenario.get("data.phases") == "three_tier" else PHASES
