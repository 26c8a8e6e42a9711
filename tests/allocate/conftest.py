"""Small hand-checkable instances for the allocate tests."""

import numpy as np
import pandas as pd
import pytest

from sufficiency.allocate.solve import highs_available

SOLVERS = ["cbc"] + (["highs"] if highs_available() else [])


def frames(demand, settings, designation, projects=None):
    d = pd.DataFrame(demand, columns=["year", "need", "phase", "demand"])
    s = pd.DataFrame(settings, columns=["setting", "provision", "capacity", "cost_per_place"])
    g = pd.DataFrame(designation, columns=["setting", "need", "phase"])
    j = None
    if projects is not None:
        j = pd.DataFrame(projects)
    return d, s, g, j


@pytest.fixture(params=SOLVERS)
def solver(request):
    return request.param


@pytest.fixture
def build_case():
    """Special school with no room, dear independent; two alternative projects."""
    d = pd.DataFrame({"year": [2026, 2027, 2028], "need": "ASD", "phase": "primary",
                      "demand": [10.0, 10.0, 10.0]})
    s = pd.DataFrame({"setting": ["Special", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [0.0, np.inf], "cost_per_place": [20_000.0, 50_000.0]})
    g = pd.DataFrame({"setting": ["Special", "Indep"], "need": "ASD", "phase": "primary"})
    j = pd.DataFrame({"project": ["A", "B"], "setting": ["Special", "Special"],
                      "places": [10.0, 10.0], "capital_cost": [500_000.0, 550_000.0],
                      "lead_time": [1, 0], "group": ["site", "site"]})
    return d, s, g, j
