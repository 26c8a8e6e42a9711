"""Known answers for the models, worked by hand."""
import numpy as np
import pandas as pd
import pytest

from sufficiency.forecast import project
from sufficiency.forecast.cohort import cohort_flow, cohort_structure
from sufficiency.forecast.models import Context, constant_growth, log_linear, pooled_growth


def frame(counts, start=2015, **keys):
    out = pd.DataFrame({"year": range(start, start + len(counts)), "count": counts})
    for k, v in keys.items():
        out[k] = v
    return out


def test_constant_growth_fixed_rate_known_answer():
    f = project(frame([500.0, 520, 560, 600]), 3, model="constant_growth", growth_rate=0.108)
    assert f.table["mean"].tolist() == pytest.approx([600 * 1.108, 600 * 1.108 ** 2,
                                                      600 * 1.108 ** 3])
    assert f.table["year"].tolist() == [2019, 2020, 2021]


def test_constant_growth_mean_of_last_three_years():
    # growth 0%, 10%, 20%, 20%: the last three average 16.67%
    v = np.array([[100.0, 100, 110, 132, 158.4]])
    sim = constant_growth(v, 2, 200, np.random.default_rng(0), k=3)
    rate = (0.10 + 0.20 + 0.20) / 3
    assert sim.paths.mean(axis=1)[0] == pytest.approx([158.4 * (1 + rate),
                                                        158.4 * (1 + rate) ** 2])
    assert sim.parameters["growth"][0] == pytest.approx(rate)


def test_log_linear_exact_exponential_recovers_growth():
    v = np.array([[100 * 1.07 ** i for i in range(10)]])
    sim = log_linear(v, 3, 400, np.random.default_rng(1))
    assert sim.parameters["growth"][0] == pytest.approx(0.07, abs=1e-9)
    assert sim.paths.mean(axis=1)[0] == pytest.approx(100 * 1.07 ** np.arange(10, 13),
                                                      rel=1e-4)


def test_log_linear_slope_by_hand():
    # log y = 1.0, 1.2, 1.1, 1.5 at x = -3..0: slope 0.7 / 5 = 0.14, level at x=0 is 1.41
    v = np.exp(np.array([[1.0, 1.2, 1.1, 1.5]]))
    sim = log_linear(v, 1, 4000, np.random.default_rng(2))
    assert np.log1p(sim.parameters["growth"][0]) == pytest.approx(0.14)
    assert np.median(sim.paths[0, :, 0]) == pytest.approx(np.exp(1.55), rel=0.03)


def test_pooled_growth_weight_zero_takes_the_reference_growth():
    v = np.array([[100.0, 130, 150, 160, 200]])
    ref = np.array([[1000.0, 1050, 1100, 1150, 1265]])       # last year's growth 10%
    ctx = Context(groups=np.array([0]), reference=ref)
    sim = pooled_growth(v, 2, 100, np.random.default_rng(0), ctx, weight=0.0, k_ref=1)
    assert sim.parameters["growth"][0] == pytest.approx(0.10)
    assert np.median(sim.paths[0, :, 0]) == pytest.approx(220.0, rel=0.02)


def test_pooled_growth_weight_one_takes_own_growth():
    v = np.array([[100.0, 110, 121, 133.1]])
    ref = np.array([[10.0, 20, 40, 80]])
    ctx = Context(groups=np.array([0]), reference=ref)
    sim = pooled_growth(v, 1, 100, np.random.default_rng(0), ctx, weight=1.0, k=3)
    assert sim.parameters["growth"][0] == pytest.approx(0.10)


def test_pooling_across_las_uses_the_pool_sum():
    rng = np.random.default_rng(3)
    rows = []
    for la in range(12):
        g = 0.08 + 0.01 * rng.standard_normal(12)
        counts = 200 * np.exp(np.cumsum(g))
        rows.append(frame(counts, start=2014, la_code=f"{800 + la}"))
    f = project(pd.concat(rows), 3, model="pooled_growth")
    desc = f.model["description"].iloc[0]
    assert "pooled growth" in desc and "weight" in desc
    growth = f.table.groupby("la_code")["mean"].apply(lambda s: s.iloc[1] / s.iloc[0] - 1)
    assert growth.between(0.05, 0.12).all()


def test_cohort_flow_steady_state_stays_steady():
    # 10 plans per year of age in every band, every year: ageing balances, nothing changes
    bands = {"under 5": 50.0, "5-10": 60.0, "11-15": 50.0, "16-19": 40.0, "20-25": 60.0}
    rows = [frame([n] * 8, age_band=b) for b, n in bands.items()]
    hist = pd.concat(rows)
    f = project(hist, 3, model="cohort_flow", reconcile=None, long_run="trend")
    for b, n in bands.items():
        got = f.table.query("age_band == @b")["mean"]
        assert got.to_numpy() == pytest.approx(n, rel=1e-6)


def test_cohort_flow_ages_a_large_cohort_into_post16():
    keys = pd.DataFrame({"age_band": ["11-15", "16-19"]})
    parents, widths = cohort_structure(keys)
    assert parents.tolist() == [-1, 0]
    # 16-19 gains exactly a fifth of 11-15 and keeps three quarters of itself each year (no
    # net new plans): the projection continues that ageing as 11-15 keeps growing
    young = np.array([500.0, 600, 700, 800, 900, 1000])
    old = [400.0]
    for t in range(5):
        old.append(0.75 * old[-1] + young[t] / 5)
    v = np.array([young, old])
    ctx = Context(groups=np.array([0, 1]), parents=parents, band_width=widths)
    sim = cohort_flow(v, 1, 100, np.random.default_rng(0), ctx)
    assert sim.paths[1, :, 0].mean() == pytest.approx(0.75 * old[-1] + 1000 / 5, rel=1e-6)


def test_auto_backtests_only_what_it_chooses_on():
    # a pool too small to choose on takes its model by rule: only that model is backtested
    # (its score is quoted in the description); a pool of MIN_POOL series scores every
    # candidate and takes the best mean score
    from sufficiency.forecast import select
    from sufficiency.forecast.models import MIN_POOL

    rng = np.random.default_rng(1)
    years = 12
    values = 100 * np.cumprod(1 + rng.normal(0.05, 0.02, (MIN_POOL, years)), axis=1)
    one = select.auto(values[:1], 3, 20, np.random.default_rng(0),
                      Context(groups=np.array([0])))
    scored = np.isfinite(one.parameters["mase"][0])
    assert one.parameters["model"][0] == "constant_growth"   # no reference: the rule's model
    assert list(np.array(one.parameters["candidates"])[scored]) == ["constant_growth"]
    assert "MASE" in one.description[0]
    # the same series alone is scored and forecast as before: the chosen model's own run
    alone = select.run_model("constant_growth", values[:1], 3, 20, np.random.default_rng(0),
                             Context(groups=np.array([0])))
    np.testing.assert_array_equal(one.paths, alone.paths)
    pool = select.auto(values, 3, 20, np.random.default_rng(0),
                       Context(groups=np.zeros(MIN_POOL, int)))
    assert np.isfinite(pool.parameters["mase"]).any(axis=0).all()
    best = np.argmin(np.nanmean(pool.parameters["mase"], axis=0))
    assert set(pool.parameters["model"]) == {pool.parameters["candidates"][best]}
