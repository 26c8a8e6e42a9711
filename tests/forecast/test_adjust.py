"""The steps after the model: long-run growth, prevalence convergence, the growth-rate shock,
and the coverage machinery on simulated series with a known answer."""
import numpy as np
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.forecast import backtest, project
from sufficiency.forecast.adjust import (CALIBRATED_YEARS, growth_shock, long_run_growth,
                                         national_growth, parse_long_run, relative_prevalence)


def geometric(rate=0.1, start=1000.0, years=range(2012, 2026)):
    return pd.DataFrame({"year": list(years),
                         "count": [start * (1 + rate) ** i for i in range(len(years))]})


def test_converge_by_hand():
    # a series growing exactly 10% a year; converge to 5% with a half-life of 1 year:
    # log growth at step s = l + (g - l) / 2**s, l = log 1.05, g = log 1.10
    f = project(geometric(), 3, model="constant_growth", growth_shock_sd=0,
                long_run={"method": "converge", "rate": 0.05, "half_life": 1})
    g, lr = np.log(1.1), np.log(1.05)
    last = 1000 * 1.1 ** 13
    expect = last * np.exp(np.cumsum([lr + (g - lr) / 2 ** s for s in (1, 2, 3)]))
    assert f.table["mean"].to_numpy() == pytest.approx(expect, rel=1e-9)
    assert "converges to 5.0% a year" in f.assumptions.set_index("name").loc[
        "long-run growth", "value"]


def test_trend_leaves_the_model_alone():
    f = project(geometric(), 3, model="constant_growth", growth_shock_sd=0, long_run="trend")
    assert f.table["mean"].round(6).tolist() == pytest.approx(
        [1000 * 1.1 ** k for k in (14, 15, 16)], rel=1e-9)


def test_national_path_geometric_between_points():
    path = pd.DataFrame({"year": [2027, 2029], "count": [121.0, 100.0]})
    g = np.expm1(national_growth(path, 100.0, 2025, 5))
    assert g[:2] == pytest.approx([0.1, 0.1])
    assert g[2:4] == pytest.approx([np.sqrt(100 / 121) - 1] * 2)
    assert g[4] == pytest.approx(g[3])            # after the last point: its last rate


def test_national_path_series_without_reference_follows_the_nation():
    paths = np.full((1, 4, 3), 50.0) * np.array([1.2, 1.44, 1.728])[None, None, :]
    lr = parse_long_run({"method": "national_path", "year": 2028, "count": 1331.0})
    out = long_run_growth(paths, np.array([50.0]), lr, None, national_last=1000.0,
                          origin_year=2025)
    # no reference: the series' gap is measured against its own first-year growth, so it
    # grows exactly as the nation does (10% a year)
    assert out[0, 0] == pytest.approx([55.0, 60.5, 66.55])


def test_long_run_errors_name_what_was_expected():
    with pytest.raises(ValidationError, match="expected one of"):
        parse_long_run({"method": "plateau"})
    with pytest.raises(ValidationError, match="half_life"):
        parse_long_run({"method": "converge", "rate": 0.03})
    with pytest.raises(ValidationError, match="no point after the origin"):
        project(geometric(), 3, long_run={"method": "national_path", "year": 2020,
                                           "count": 1e6})


def test_growth_shock_variance_and_shared_draw():
    rng = np.random.default_rng(1)
    paths = np.ones((3, 20000, 10))
    out = growth_shock(paths, rng, sd=0.05)
    # the same factor for every series (a national shock), mean exactly preserved
    assert np.allclose(out[0], out[2])
    assert np.allclose(out.mean(axis=1), 1.0)
    # log-factor variance sd^2 sum_{m<s} (m + 1/2)^2 up to the calibrated years, then held
    v = np.log(out[0]).var(axis=0)
    expect = [0.05 ** 2 * sum((m + 0.5) ** 2 for m in range(s))
              for s in range(1, CALIBRATED_YEARS + 1)]
    assert v[:CALIBRATED_YEARS] == pytest.approx(expect, rel=0.05, abs=1e-9)
    assert np.allclose(out[0][:, CALIBRATED_YEARS:], out[0][:, [CALIBRATED_YEARS - 1]])


def test_relative_prevalence_by_hand():
    values = np.array([[10.0, 20.0], [5.0, 5.0]])
    pop = np.array([[1000.0, 1000.0], [1000.0, 1000.0]])
    ref = np.array([[15.0, 25.0]])
    ref_pop = np.array([[2000.0, 2000.0]])
    rel = relative_prevalence(values, pop, np.array([0, 0]), ref, ref_pop)
    # rates per head 0.020 and 0.005 against the reference's 0.0125
    assert rel == pytest.approx(np.log([0.02 / 0.0125, 0.005 / 0.0125]))


def test_convergence_slows_the_high_prevalence_la():
    years = range(2012, 2026)
    rows = []
    for code, start in (("A", 1000.0), ("B", 250.0)):
        for y, c in zip(years, geometric(0.1, start, years)["count"]):
            rows.append((code, y, c))
    hist = pd.DataFrame(rows, columns=["la_code", "year", "count"])
    pop = pd.DataFrame([(c, y, 100_000.0) for c in "AB" for y in years],
                       columns=["la_code", "year", "population"])
    ref = geometric(0.1, 1250.0, years)
    ref_pop = pop.groupby("year", as_index=False)["population"].sum()
    # one LA at a time against a reference with its own population: A has twice the
    # reference's plans per head, B half
    a = project(hist[hist.la_code == "A"].drop(columns="la_code"), 2, model="constant_growth",
                growth_shock_sd=0, long_run="trend", reference=ref,
                area_population=pop[pop.la_code == "A"].drop(columns="la_code"),
                reference_population=ref_pop, convergence=0.1)
    rel = np.log((1000 * 1.1 ** 13 / 1e5) / (1250 * 1.1 ** 13 / 2e5))
    expect = 1000 * 1.1 ** 13 * np.exp((np.log(1.1) - 0.1 * rel) * np.array([1, 2]))
    assert a.table["mean"].to_numpy() == pytest.approx(expect, rel=1e-9)
    assert a.model["relative_prevalence"].item() == pytest.approx(np.exp(rel))


def test_coverage_machinery_on_simulated_series_with_a_known_answer():
    # 300 series whose log growth is iid N(g, s^2): constant growth's one-year interval has a
    # known coverage (80% up to the estimation error of g and s from 6 years); the backtest
    # must count outcomes inside it correctly
    rng = np.random.default_rng(7)
    n, T = 300, 14
    g = rng.normal(0.08, 0.02, n)
    logy = np.log(500) + np.cumsum(g[:, None] + rng.normal(0, 0.05, (n, T)), axis=1)
    hist = pd.DataFrame({"la_code": np.repeat([f"L{i}" for i in range(n)], T),
                         "year": np.tile(np.arange(2012, 2012 + T), n),
                         "count": np.exp(logy).ravel()})
    bt = backtest(hist, models={"cg": ("constant_growth", {"k": 3, "growth_shock_sd": 0,
                                                           "convergence": 0})},
                  horizon=1, first_origin=2020, last_origin=2024, n_paths=400)
    inside = (bt["actual"] >= bt["p10"]) & (bt["actual"] <= bt["p90"])
    assert (bt["in80"] == inside).all()
    assert 0.70 <= bt["in80"].mean() <= 0.88
    assert bt["in90"].mean() >= bt["in80"].mean()


def test_steps_keep_paths_coherent_and_seeded():
    rows = []
    for band, start in (("5-10", 400.0), ("11-15", 600.0)):
        for y, c in zip(range(2014, 2026), geometric(0.09, start, range(2014, 2026))["count"]):
            rows.append((band, y, c * (1 + 0.01 * np.sin(y))))
    hist = pd.DataFrame(rows, columns=["age_band", "year", "count"])
    kw = dict(horizon=6, reference="england", n_paths=200,
              long_run={"method": "national_path", "year": 2033, "count": 1_000_000})
    f = project(hist, seed=3, **kw)
    total = f.series.index[f.series["age_band"] == "all"][0]
    parts = f.series.index[f.series["age_band"] != "all"]
    assert np.allclose(f.path_array[parts].sum(axis=0), f.path_array[total])
    g = project(hist, seed=3, **kw)
    pd.testing.assert_frame_equal(f.table, g.table)
    assert not project(hist, seed=4, **kw).table.equals(f.table)
