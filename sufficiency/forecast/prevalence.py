"""Prevalence model: plans per 1,000 of the age population times a population projection.

``count[t] = rate[t] * population[t] / 1000``. The rate is projected with pooled growth (or
its own recent growth) and the supplied population projection carries the demography, so a
forecast separates the *demographic effect* (population change at today's rate) from the
*prevalence effect* (rate change at the projected population); see :func:`decompose`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .models import Simulation, pooled_growth

__all__ = ["prevalence", "align_population", "decompose"]


def prevalence(values, horizon, n_paths, rng, context=None, **params):
    """Rate per 1,000 of the age population, projected, times the population projection.

    Needs ``population=`` in :func:`~sufficiency.forecast.project`: a tidy frame ``year,
    population`` (and the history's keys where the population differs by them, e.g.
    ``age_band``), covering the history and the horizon.
    """
    if context is None or context.population is None:
        raise ValidationError("model = 'prevalence': needs population= (a DataFrame with "
                              "year, population and the history's keys, covering the "
                              "forecast years)")
    T = values.shape[1]
    pop = context.population
    hist_pop = pop[:, :T]
    fut_pop = pop[:, T:T + horizon]
    if fut_pop.shape[1] < horizon or not np.isfinite(fut_pop).all() \
            or not np.isfinite(hist_pop[:, -3:]).all():
        raise ValidationError("population: expected a value for every series in every "
                              "history year used and every forecast year")
    rate = values / hist_pop * 1000.0
    sim = pooled_growth(rate, horizon, n_paths, rng, context, **params)
    paths = sim.paths * fut_pop[:, None, :] / 1000.0
    desc = [f"prevalence per 1,000: {r:.2f} now; rate {d}" for r, d in
            zip(rate[:, -1], sim.description)]
    return Simulation(paths, desc, {"rate_now": rate[:, -1], "rate_paths": sim.paths,
                                    "population": fut_pop})


def align_population(population: pd.DataFrame, keys: pd.DataFrame, years: np.ndarray,
                     horizon: int) -> np.ndarray:
    """The population as an array (n_series, n_years + horizon) matching the panel."""
    if not isinstance(population, pd.DataFrame) or not {"year", "population"} <= set(population):
        raise ValidationError("population: expected a DataFrame with columns year, population "
                              "and optionally the history's keys (e.g. age_band)")
    on = [k for k in keys.columns if k in population.columns]
    all_years = np.arange(years[0], years[-1] + horizon + 1)
    out = np.full((len(keys), len(all_years)), np.nan)
    for i in range(len(keys)):
        sel = np.ones(len(population), bool)
        for k in on:
            sel &= population[k].astype(str).to_numpy() == str(keys.iloc[i][k])
        sub = population[sel].groupby("year")["population"].sum()
        out[i] = sub.reindex(all_years).to_numpy(dtype=float)
    if (out[np.isfinite(out)] <= 0).any():
        raise ValidationError("population: column 'population': expected positive numbers")
    return out


def decompose(count_now, rate_now, population_now, mean_future, population_future):
    """Split the change from now into a demographic and a prevalence effect (additive).

    demographic = rate_now * (pop_future - pop_now) / 1000; prevalence = the rest.
    """
    demographic = rate_now * (population_future - population_now) / 1000.0
    prevalence_effect = mean_future - count_now - demographic
    return demographic, prevalence_effect
