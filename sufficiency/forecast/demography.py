"""The population driver: age the ONS mid-2023 population forward, plans per 1,000 by age
band, and the split of forecast growth into a demographic and a prevalence part.

Assumptions (each a parameter, stated in what the functions return):

* **Ageing.** Everyone alive at mid-year ``y`` aged ``a`` is aged ``a + 1`` at mid-year
  ``y + 1`` (deaths under 26 are about 0.03% a year in England and are ignored).
* **Births.** The number of 0-year-olds in every future year is ``births`` (default: the
  LA's mid-2023 count of 0-year-olds held constant; England's births fell 2012-2023 and the
  ONS 2022-based projections have them roughly flat, so constant is the middle course).
* **Migration.** Each cohort changes by ``migration`` a year (a fraction; default 0: no net
  migration). University towns (ages 18-22) and areas of high international migration break
  this assumption most: check the 16-19 and 20-25 bands.
* **The years before mid-2023** are reverse-aged the same way, back to ``BACK_YEARS`` (5)
  years: a child aged 7 in mid-2023 was aged 2 in mid-2018. Further back migration makes
  it unreliable, so rates per 1,000 start in January 2019.
* **Census timing.** The January census of year ``Y`` is paired with the mid-year ``Y - 1``
  population (six months earlier), ages as at mid-year.

Source of the base population: ONS mid-2023 estimates, Open Government Licence v3.0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["BAND_AGES", "BACK_YEARS", "BASE_MID_YEAR", "age_forward", "band_population",
           "census_population", "la_census_population", "plans_per_1000", "growth_split"]

#: DfE SEN2 age bands as single years of age (inclusive).
BAND_AGES = {"under 5": (0, 4), "5-10": (5, 10), "11-15": (11, 15), "16-19": (16, 19),
             "20-25": (20, 25)}
#: Years before the base year that reverse ageing is trusted for.
BACK_YEARS = 5
BASE_MID_YEAR = 2023


def age_forward(base: pd.DataFrame, years, base_year: int = BASE_MID_YEAR, births=None,
                migration: float = 0.0) -> pd.DataFrame:
    """Population by single year of age in each mid-year of ``years``, aged from ``base``.

    Parameters
    ----------
    base : DataFrame
        ``age, population`` at mid-``base_year`` (single years 0..max; the last age is
        open-ended and is not aged on).
    years : iterable of int
        Mid-years wanted; from ``base_year - BACK_YEARS`` on.
    base_year : int
        The base mid-year (2023 for the embedded ONS estimates).
    births : float, optional
        0-year-olds in each year after the base (default: the base year's 0-year-olds).
    migration : float
        Net migration as a fraction of each cohort a year (0 = none).

    Returns
    -------
    DataFrame
        ``year`` (mid-year), ``age``, ``population``; ages at the top that reverse ageing
        cannot reach (older than the base's oldest minus the years back) are NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> base = pd.DataFrame({"age": [0, 1, 2], "population": [100.0, 90.0, 80.0]})
    >>> out = age_forward(base, [2022, 2024, 2025], births=110.0)
    >>> out.pivot(index="year", columns="age", values="population").to_numpy().tolist()
    [[90.0, 80.0, nan], [110.0, 100.0, 90.0], [110.0, 110.0, 100.0]]
    """
    if not {"age", "population"} <= set(base.columns):
        raise ValidationError("age_forward: base needs columns age, population; got "
                              f"{list(base.columns)}")
    b = base.groupby("age")["population"].sum().sort_index()
    ages = np.arange(0, int(b.index.max()) + 1)
    b = b.reindex(ages)
    if b.isna().any():
        raise ValidationError(f"age_forward: base is missing ages {ages[b.isna()].tolist()}")
    pop0 = b.to_numpy(dtype=float)
    born = float(pop0[0]) if births is None else float(births)
    if born < 0 or not -0.5 < migration < 0.5:
        raise ValidationError(f"age_forward: births = {born} (expected >= 0) and migration "
                              f"= {migration} (expected a yearly fraction, -0.5 to 0.5)")
    rows = []
    for y in sorted(set(int(v) for v in years)):
        k = y - base_year
        if k < -BACK_YEARS:
            raise ValidationError(f"age_forward: mid-{y} is more than {BACK_YEARS} years "
                                  f"before the base mid-{base_year}; reverse ageing is not "
                                  "trusted that far (migration)")
        out = np.full(len(ages), np.nan)
        if k >= 0:
            for a in ages:
                src = a - k
                if src >= 0:
                    out[a] = pop0[src] * (1 + migration) ** k
                else:                     # born after the base year
                    out[a] = born * (1 + migration) ** (a)
        else:
            for a in ages:
                src = a - k               # a + |k|
                if src < len(ages):
                    out[a] = pop0[src] / (1 + migration) ** (-k)
        rows.append(pd.DataFrame({"year": y, "age": ages, "population": out}))
    return pd.concat(rows, ignore_index=True)


def band_population(by_age: pd.DataFrame, bands=None) -> pd.DataFrame:
    """Sum single years of age into bands: ``year, age_band, population`` (plus ``"all"``,
    ages 0-25).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"year": 2024, "age": range(26), "population": 1.0})
    >>> band_population(p).set_index("age_band")["population"].to_dict()
    {'under 5': 5.0, '5-10': 6.0, '11-15': 5.0, '16-19': 4.0, '20-25': 6.0, 'all': 26.0}
    """
    bands = bands or BAND_AGES
    frames = []
    for name, (lo, hi) in bands.items():
        sub = by_age[by_age["age"].between(lo, hi)]
        s = sub.groupby("year")["population"].sum(min_count=hi - lo + 1)
        frames.append(s.rename("population").reset_index().assign(age_band=name))
    out = pd.concat(frames, ignore_index=True)
    total = out.groupby("year")["population"].sum(min_count=len(bands)).reset_index() \
        .assign(age_band="all")
    out = pd.concat([out, total], ignore_index=True)
    return out[["year", "age_band", "population"]]


def census_population(base: pd.DataFrame, census_years, births=None, migration=0.0,
                      bands=None) -> pd.DataFrame:
    """Population by age band paired with January census years (mid-year ``Y - 1``):
    ``year, age_band, population``.

    Examples
    --------
    >>> import sufficiency.data.population as pop
    >>> p = census_population(pop.la_population("Wiltshire"), [2025, 2030])
    >>> sorted(p["year"].unique().tolist())
    [2025, 2030]
    """
    years = [int(y) - 1 for y in census_years]
    by_age = age_forward(base, years, births=births, migration=migration)
    out = band_population(by_age, bands)
    out["year"] = out["year"] + 1
    return out.dropna(subset=["population"]).reset_index(drop=True)


def la_census_population(la, census_years, births=None, migration=0.0) -> pd.DataFrame:
    """The embedded ONS population of one LA, aged to January census years by age band."""
    from ..data.population import la_population

    return census_population(la_population(la), census_years, births, migration)


def plans_per_1000(history: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """EHC plans per 1,000 children and young people, by age band and year.

    Parameters
    ----------
    history : DataFrame
        ``year, age_band, count`` (``"all"`` = ages 0-25).
    population : DataFrame
        ``year, age_band, population`` (e.g. :func:`census_population`).

    Returns
    -------
    DataFrame
        ``year, age_band, count, population, per_1000``, years where both are known.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"year": [2024], "age_band": ["5-10"], "count": [30.0]})
    >>> p = pd.DataFrame({"year": [2024], "age_band": ["5-10"], "population": [1000.0]})
    >>> plans_per_1000(h, p)["per_1000"].item()
    30.0
    """
    out = history[["year", "age_band", "count"]].merge(population, on=["year", "age_band"])
    out["per_1000"] = out["count"] / out["population"] * 1000
    return out.reset_index(drop=True)


def growth_split(forecast, population: pd.DataFrame) -> pd.DataFrame:
    """Split each forecast year's growth since the origin into a demographic part (the
    population change at the origin's plans per 1,000) and a prevalence part (the rest).

    ``demographic = rate_origin * (population_t - population_origin) / 1000`` for each age
    band; the total's parts are the sums of its bands' (a band-by-band split, so a change in
    the age mix counts as demographic). Works for any model.

    Parameters
    ----------
    forecast : Forecast
        With an ``age_band`` key (or a total only, split with the 0-25 population).
    population : DataFrame
        ``year, age_band, population`` covering the origin and the forecast years.

    Returns
    -------
    DataFrame
        Keys, ``year``, ``plans_origin``, ``plans_mean``, ``growth``, ``demographic_effect``,
        ``prevalence_effect``, ``per_1000_origin``, ``per_1000_mean``.
    """
    hist = forecast.history
    origin = int(forecast.years[0]) - 1
    keys = [k for k in forecast.keys if k != "year"]
    table = forecast.table[keys + ["year", "mean"]].copy()
    if "age_band" not in table.columns:
        table["age_band"] = "all"
        hist = hist.assign(age_band="all")
    now = hist[hist["year"] == origin][[k for k in keys if k in hist] +
                                       (["age_band"] if "age_band" not in keys else []) +
                                       ["count"]]
    now = now.drop_duplicates(subset=[c for c in now.columns if c != "count"])
    pop = population[["year", "age_band", "population"]]
    pop_now = pop[pop["year"] == origin].drop(columns="year").rename(
        columns={"population": "pop_origin"})
    on = [k for k in keys if k in now.columns and k != "age_band"] + ["age_band"]
    out = table.merge(now.rename(columns={"count": "plans_origin"}), on=on, how="left")
    out = out.merge(pop_now, on="age_band", how="left").merge(pop, on=["year", "age_band"],
                                                              how="left")
    if out[["pop_origin", "population"]].isna().any().any():
        missing = out[out["population"].isna() | out["pop_origin"].isna()]
        raise ValidationError("growth_split: population: no value for age band / year "
                              f"{missing[['age_band', 'year']].drop_duplicates().values.tolist()[:5]}"
                              f"; expected years {origin}-{int(forecast.years[-1])}")
    rate = out["plans_origin"] / out["pop_origin"] * 1000
    out["demographic_effect"] = rate * (out["population"] - out["pop_origin"]) / 1000
    out["growth"] = out["mean"] - out["plans_origin"]
    out["prevalence_effect"] = out["growth"] - out["demographic_effect"]
    out["per_1000_origin"] = rate
    out["per_1000_mean"] = out["mean"] / out["population"] * 1000
    # the total's split is the sum of its bands' (where bands are forecast)
    if "age_band" in keys and (out["age_band"] != "all").any():
        others = [k for k in keys if k != "age_band"]
        parts = out[out["age_band"] != "all"].groupby(others + ["year"], dropna=False)[
            ["demographic_effect"]].sum().reset_index()
        tot = out["age_band"] == "all"
        merged = out[tot].drop(columns="demographic_effect").merge(parts, on=others + ["year"],
                                                                   how="left")
        merged["prevalence_effect"] = merged["growth"] - merged["demographic_effect"]
        out = pd.concat([out[~tot], merged[out.columns]], ignore_index=True)
    out = out.rename(columns={"mean": "plans_mean"})
    cols = keys + ["year", "plans_origin", "plans_mean", "growth", "demographic_effect",
                   "prevalence_effect", "per_1000_origin", "per_1000_mean"]
    return out[[c for c in dict.fromkeys(cols)]].reset_index(drop=True)
