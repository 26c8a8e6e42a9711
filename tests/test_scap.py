"""SCAP by national curriculum year: single ages aged forward, agreeing with the plan's demand."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from sufficiency.data.single_age import la_caseload_by_single_age
from sufficiency.errors import ValidationError
from sufficiency.scap import NC_YEARS, age_forward, nc_year_demand


def test_nc_years_are_reception_to_year_11():
    assert NC_YEARS["nc_year"].tolist() == ["Reception"] + [f"Year {i}" for i in range(1, 12)]
    assert NC_YEARS.set_index("nc_year").loc["Reception", "age"] == 4
    assert NC_YEARS.set_index("nc_year").loc["Year 7", "phase"] == "secondary"


def test_age_forward_by_hand():
    # 2024: ages 4,5,6 = 10, 20, 30; 2025: 12, 11, 22 -> ratios r5 = 11/10, r6 = 22/20
    s = pd.DataFrame({"year": [2024] * 3 + [2025] * 3, "age": [4, 5, 6] * 2,
                      "count": [10.0, 20.0, 30.0, 12.0, 11.0, 22.0]})
    out = age_forward(s, [2026, 2027]).set_index(["year", "age"])["count"]
    assert out[(2026, 4)] == 12.0                     # youngest keeps its latest count
    assert out[(2026, 5)] == pytest.approx(12 * 1.1)  # the 2025 age-4 cohort, one year on
    assert out[(2026, 6)] == pytest.approx(11 * 1.1)
    assert out[(2027, 6)] == pytest.approx(12 * 1.1 * 1.1)


def test_needs_two_census_years():
    with pytest.raises(ValidationError, match="two consecutive"):
        age_forward(pd.DataFrame({"year": [2025], "age": [4], "count": [1.0]}), [2026])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 500), min_size=2, max_size=2),
       st.lists(st.floats(0, 50), min_size=24, max_size=24))
def test_nc_split_adds_up_to_the_plan_demand(targets, counts):
    """Whatever the single-age profile, each year x phase x type sums to the plan's demand."""
    ages = list(range(4, 16))
    single = pd.DataFrame({"year": [2024] * 12 + [2025] * 12, "age": ages * 2,
                           "count": counts})
    single = pd.concat([single.assign(provision="all"),
                        single.assign(provision="special_maintained", count=single["count"] / 2)])
    demand = pd.DataFrame({"year": 2027, "provision": "special_maintained",
                           "phase": ["primary", "secondary"], "demand": targets})
    out = nc_year_demand(demand, single)
    got = out.groupby("phase")["demand"].sum()
    assert got["primary"] == pytest.approx(targets[0], abs=1e-9)
    assert got["secondary"] == pytest.approx(targets[1], abs=1e-9)
    assert (out["demand"] >= 0).all()


def test_wiltshire_from_the_embedded_single_ages():
    single = la_caseload_by_single_age("Wiltshire")
    assert sorted(single["year"].unique()) == [2024, 2025]
    demand = pd.DataFrame({"year": [2026, 2026], "provision": ["special_maintained"] * 2,
                           "phase": ["primary", "secondary"], "demand": [400.0, 700.0]})
    out = nc_year_demand(demand, single)
    assert len(out) == 12 and out["demand"].sum() == pytest.approx(1100.0)
    # the share by NC year follows the aged-forward profile: no year is empty
    assert (out["demand"] > 0).all()


def test_planning_areas_split_and_must_add_up():
    single = la_caseload_by_single_age("Wiltshire")
    demand = pd.DataFrame({"year": 2026, "provision": "resource_base", "phase": "primary",
                           "demand": [100.0]})
    areas = pd.DataFrame({"area": ["North", "South"], "share": [0.25, 0.75]})
    out = nc_year_demand(demand, single, areas=areas)
    assert out.groupby("area")["demand"].sum().to_dict() == pytest.approx(
        {"North": 25.0, "South": 75.0})
    with pytest.raises(ValidationError, match="add up to"):
        nc_year_demand(demand, single, areas=areas.assign(share=[0.3, 0.3]))
