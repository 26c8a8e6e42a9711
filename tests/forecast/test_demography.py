"""The population driver: ageing by hand, bands, rates per 1,000, the growth split."""
import numpy as np
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.forecast import project
from sufficiency.forecast.demography import (age_forward, band_population, census_population,
                                             growth_split, plans_per_1000)


def small_base():
    # ages 0-4 at mid-2023
    return pd.DataFrame({"age": range(5), "population": [100.0, 110.0, 120.0, 130.0, 140.0]})


def test_ageing_forward_and_back_by_hand():
    out = age_forward(small_base(), [2021, 2023, 2025], births=90.0).pivot(
        index="year", columns="age", values="population")
    # two years back: age a was a + 2 in 2023; the top two ages are unknown
    assert out.loc[2021].tolist()[:3] == [120.0, 130.0, 140.0]
    assert out.loc[2021].iloc[3:].isna().all()
    assert out.loc[2023].tolist() == [100.0, 110.0, 120.0, 130.0, 140.0]
    # two years on: two new birth cohorts of 90, then the 2023 cohorts aged by two
    assert out.loc[2025].tolist() == [90.0, 90.0, 100.0, 110.0, 120.0]


def test_births_default_and_migration():
    out = age_forward(small_base(), [2024], migration=0.1).set_index("age")["population"]
    # births default to the base year's 0-year-olds; a cohort grows 10% in the year
    assert out.tolist() == pytest.approx([100.0, 110.0, 121.0, 132.0, 143.0])


def test_reverse_ageing_is_limited():
    with pytest.raises(ValidationError, match="more than 5 years"):
        age_forward(small_base(), [2017])


def test_bands_and_rates():
    by_age = pd.DataFrame({"year": 2024, "age": range(26), "population": 10.0})
    bands = band_population(by_age).set_index("age_band")["population"]
    assert bands["5-10"] == 60.0 and bands["all"] == 260.0
    hist = pd.DataFrame({"year": 2024, "age_band": ["5-10", "all"], "count": [3.0, 13.0]})
    r = plans_per_1000(hist, band_population(by_age)).set_index("age_band")["per_1000"]
    assert r["5-10"] == pytest.approx(50.0) and r["all"] == pytest.approx(50.0)


def test_census_years_pair_with_the_mid_year_before():
    base = pd.DataFrame({"age": range(31), "population": np.arange(31, dtype=float) + 1})
    p = census_population(base, [2024, 2025]).set_index(["year", "age_band"])["population"]
    # January 2024 = mid-2023 itself: under 5 = ages 0-4 = 1+2+3+4+5
    assert p[(2024, "under 5")] == 15.0
    # January 2025 = mid-2024: the 0-year-olds are the births (1), ages 1-4 were 0-3
    assert p[(2025, "under 5")] == 1 + (1 + 2 + 3 + 4)


def test_growth_split_by_hand():
    # one band whose population grows 10% and whose plans double: at the origin's rate the
    # population adds 10% of the plans, the rest is prevalence
    hist = pd.DataFrame({"year": list(range(2018, 2026)) * 2,
                         "age_band": ["5-10"] * 8 + ["11-15"] * 8,
                         "count": [100.0 * 1.1 ** i for i in range(8)] * 2})
    pop = pd.DataFrame({"year": [2025, 2026, 2025, 2026, 2025, 2026],
                        "age_band": ["5-10", "5-10", "11-15", "11-15", "all", "all"],
                        "population": [1000.0, 1100.0, 1000.0, 1000.0, 2000.0, 2100.0]})
    f = project(hist, 1, model="constant_growth", long_run="trend", population=pop,
                reference=None)
    split = f.components.set_index("age_band")
    last = 100 * 1.1 ** 7
    assert split.loc["5-10", "demographic_effect"] == pytest.approx(0.1 * last)
    assert split.loc["11-15", "demographic_effect"] == pytest.approx(0.0)
    assert split.loc["all", "demographic_effect"] == pytest.approx(0.1 * last)
    for band in ("5-10", "11-15", "all"):
        row = split.loc[band]
        assert row["demographic_effect"] + row["prevalence_effect"] == pytest.approx(
            row["growth"])


def test_growth_split_names_missing_years():
    hist = pd.DataFrame({"year": range(2018, 2026), "age_band": "5-10",
                         "count": [100.0 * 1.1 ** i for i in range(8)]})
    pop = pd.DataFrame({"year": [2025], "age_band": ["5-10"], "population": [1000.0]})
    f = project(hist, 2, model="constant_growth", long_run="trend")
    with pytest.raises(ValidationError, match="expected years 2025-2027"):
        growth_split(f, pop)


def test_embedded_population_covers_every_la():
    import sufficiency.data as sd
    from sufficiency.data.population import area_populations, base_year_population

    codes = set(sd.example_histories()["la_code"])
    assert codes <= set(base_year_population()["la_code"])
    pop = area_populations()
    assert codes <= set(pop["la_code"])
    eng = pop[pop["la_code"] == "E92000001"].set_index("year")["population"]
    las = pop[pop["la_code"].isin(codes)].groupby("year")["population"].sum()
    # the LAs (continuous footprints) add up to England
    assert las[2024] == pytest.approx(eng[2024], rel=1e-9)
