"""example_settings on the embedded data, and robust mode."""

import numpy as np
import pandas as pd
import pytest

from sufficiency.allocate import example_settings, optimise, optimise_robust

sd = pytest.importorskip("sufficiency.data")
if not all(hasattr(sd, f) for f in ("la_placements", "la_needs", "la_funded_places")):
    pytest.skip("sufficiency.data does not provide la_placements/la_needs/la_funded_places yet",
                allow_module_level=True)


@pytest.fixture(scope="module")
def derby():
    return example_settings("Derby")


def test_example_settings_from_published_counts(derby):
    s = derby.settings
    assert derby.illustrative
    pl = sd.la_placements("Derby").query("year == 2025").set_index("provision")["count"]
    cap = s.groupby("provision")["capacity"].sum()
    # capacity at least the 2025 caseload (settings are full), and projects add to it
    assert cap["special_maintained"] >= pl["special_maintained"]
    assert cap["resource_base"] >= pl["resource_base"]
    assert np.isinf(cap["special_independent"])
    assert set(derby.projects["setting"]) <= set(s["setting"])
    assert set(derby.designation["setting"]) <= set(s["setting"])
    assert (derby.projects.groupby("group").size() == 2).all()
    assert "source" in derby.assumptions


def test_one_call_from_demand_and_example(derby):
    years = range(2026, 2031)
    groups = sorted(derby.designation["need"].unique())
    d = pd.MultiIndex.from_product([years, groups, ["primary", "secondary", "post-16"]],
                                   names=["year", "need", "phase"]).to_frame(index=False)
    d["demand"] = 60.0 * 1.1 ** (d["year"] - 2026)
    plan = optimise(d, derby)
    assert plan.status == "optimal"
    assert plan.illustrative and plan.summary().startswith("ILLUSTRATIVE")
    names = set(plan.assumptions["name"])
    assert "discount_rate" in names and "capital_per_place: new_special_school" in names
    tot = plan.placements.groupby("year")["placed"].sum()
    un = plan.unplaced.groupby("year")["unplaced"].sum().reindex(tot.index, fill_value=0)
    np.testing.assert_allclose(tot + un, d.groupby("year")["demand"].sum())


def _paths():
    rng = np.random.default_rng(3)
    rows = []
    for p in range(6):
        level = rng.normal(20, 4)
        for y in (2026, 2027, 2028):
            rows.append((p, y, "ASD", "primary", max(0.0, level * 1.1 ** (y - 2026))))
    return pd.DataFrame(rows, columns=["path", "year", "need", "phase", "demand"])


def _supply():
    s = pd.DataFrame({"setting": ["Oak", "Indep"],
                      "provision": ["special_maintained", "special_independent"],
                      "capacity": [15, None], "cost_per_place": [25_000, 60_000]})
    g = pd.DataFrame({"setting": ["Oak", "Indep"], "need": "ASD", "phase": "primary"})
    j = pd.DataFrame({"project": ["+5", "+10"], "setting": "Oak", "places": [5.0, 10.0],
                      "capital_cost": [150_000.0, 300_000.0], "group": "expansion"})
    return s, g, j


def test_robust_shares_build_decisions_and_beats_mean_in_expectation(solver):
    d = _paths()
    s, g, j = _supply()
    plan = optimise_robust(d, s, g, j, solver=solver)
    assert plan.status == "optimal"
    r = plan.robust.set_index("plan")
    assert set(r.index) == {"robust", "mean demand"}
    # the robust programme is optimal for the sample: never worse in expectation
    assert r.loc["robust", "expected_cost"] <= r.loc["mean demand", "expected_cost"] * (1 + 1e-6)
    assert 0 <= r.loc["robust", "shortfall_probability"] <= 1
    assert "Against the simulated demand paths" in plan.summary()
    # expected placements + unplaced = mean demand
    mean = d.groupby("year")["demand"].mean()
    tot = plan.placements.groupby("year")["placed"].sum()
    un = plan.unplaced.groupby("year")["unplaced"].sum().reindex(tot.index, fill_value=0)
    np.testing.assert_allclose(tot + un, mean, rtol=1e-6)


def test_robust_single_path_equals_deterministic(solver):
    d = _paths().query("path == 0")
    s, g, j = _supply()
    a = optimise_robust(d, s, g, j, solver=solver, compare_mean=False)
    b = optimise(d.drop(columns="path"), s, g, j, solver=solver)
    assert a.outcome.objective == pytest.approx(b.outcome.objective, rel=1e-9)
    pd.testing.assert_frame_equal(a.capital_programme, b.capital_programme)


def test_growth_places_adds_enough_candidate_schools():
    base = example_settings("Derby")
    grown = example_settings("Derby", growth_places=2000)
    extra = grown.projects[~grown.projects["project"].isin(base.projects["project"])]
    assert len(extra) >= 1 and (extra["places"] == 150).all()
    alternatives = 150.0  # the two sites of the standard new school are one option
    assert grown.projects["places"].sum() - alternatives >= 2000
    new = set(extra["setting"])
    assert new <= set(grown.settings["setting"]) and new <= set(grown.designation["setting"])
    assert (grown.settings.set_index("setting").loc[sorted(new), "capacity"] == 0).all()
