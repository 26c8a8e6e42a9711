"""What the forecast takes from one LA's published tables in a run: England's series to pool
towards, and the LA's ONS populations (aged to each January census year).

Each function takes the frames of :class:`sufficiency.data.LAData` (read once by the run) and
returns keyword arguments of :func:`sufficiency.forecast.project`; none reads data by LA code.
"""

from __future__ import annotations

import pandas as pd

from ..data.la_data import LAData
from .demography import census_population

__all__ = ["pooling_inputs", "population_inputs", "run_population"]


def pooling_inputs(data: LAData, by_age_band: bool) -> dict:
    """An LA pools its growth towards England's (docs/forecast.md): England's EHC plans on the
    forecast's keys (by age band, or the all-age total) as ``reference``, and England's
    population as ``reference_population`` (prevalence convergence)."""
    england = data.england_history
    reference = england[["year", "age_band", "count"]] if by_age_band else \
        england[england["age_band"] == "all"][["year", "count"]]
    return {"reference": reference, "reference_population": data.england_population}


def population_inputs(data: LAData, population: pd.DataFrame, by_age_band: bool,
                      prevalence: bool = False) -> dict:
    """The LA's ONS populations for :func:`~sufficiency.forecast.project`: all-age by census
    year (``area_population``: prevalence convergence towards England) and by age band, aged
    forward (``age_population``: the demographic / prevalence split of the growth); with
    ``prevalence`` also the prevalence model's denominator on the forecast's own keys."""
    out = {"area_population": data.area_population, "age_population": population}
    if prevalence:
        out["population"] = population if by_age_band else \
            population[population["age_band"] == "all"].drop(columns="age_band")
    return out


def run_population(data: LAData, last_year: int, births=None, migration=0.0) -> pd.DataFrame:
    """The LA's ONS mid-2023 population by age band, aged to each January from 2019 (as far
    back as reverse ageing is trusted) to ``last_year``: ``year, age_band, population``
    (:func:`~sufficiency.forecast.demography.census_population`).

    Examples
    --------
    >>> from sufficiency.data import la_data
    >>> p = run_population(la_data("Wiltshire"), 2030)
    >>> int(p["year"].min()), int(p["year"].max())
    (2019, 2030)
    """
    data.require("population")
    return census_population(data.population, range(2019, last_year + 1), births=births,
                             migration=migration)
