"""project(): coherence, reproducibility, quantiles, levers, errors, result object."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sufficiency.errors import ValidationError  # noqa: E402
from sufficiency.forecast import Forecast, project, split_by_need  # noqa: E402

BANDS = ["under 5", "5-10", "11-15", "16-19", "20-25"]


def bands_history(n_la=1, seed=0, with_total=True):
    rng = np.random.default_rng(seed)
    rows = []
    for la in range(n_la):
        for b, base in zip(BANDS, [80, 600, 700, 400, 150]):
            g = 0.09 + 0.03 * rng.standard_normal(11)
            counts = base * np.exp(np.cumsum(g)) * (1 + 0.2 * la)
            rows.append(pd.DataFrame({"la_code": f"{850 + la}", "age_band": b,
                                      "year": range(2015, 2026), "count": counts.round()}))
    hist = pd.concat(rows, ignore_index=True)
    if with_total:
        tot = hist.groupby(["la_code", "year"], as_index=False)["count"].sum()
        tot["age_band"] = "all"
        hist = pd.concat([hist, tot], ignore_index=True)
    if n_la == 1:
        hist = hist.drop(columns="la_code")
    return hist


@pytest.mark.parametrize("model", ["auto", "pooled_growth", "log_linear", "cohort_flow",
                                   "ensemble"])
def test_parts_add_up_to_the_total_mean_and_paths(model):
    f = project(bands_history(), 5, model=model, n_paths=200)
    arr = f.path_array
    total = np.flatnonzero(f.series["age_band"] == "all")[0]
    parts = np.flatnonzero(f.series["age_band"] != "all")
    assert np.allclose(arr[parts].sum(axis=0), arr[total])
    t = f.table.pivot(index="year", columns="age_band", values="mean")
    assert np.allclose(t[BANDS].sum(axis=1), t["all"])


def test_total_added_when_missing_and_reconciled_with_levers():
    hist = bands_history(with_total=False)
    levers = [{"name": "reduce_new_plan_growth", "reduction": 0.3, "from_year": 2027},
              {"name": "one_off", "amount": 50, "year": 2028}]
    f = project(hist, 4, levers=levers, n_paths=200)
    assert "all" in set(f.table["age_band"])
    arr = f.path_array
    total = np.flatnonzero(f.series["age_band"] == "all")[0]
    parts = np.flatnonzero(f.series["age_band"] != "all")
    assert np.allclose(arr[parts].sum(axis=0), arr[total])
    assert f.levers["lever"].tolist() == ["reduce_new_plan_growth", "one_off"]
    assert (f.levers["status"] == "assumption").all()
    assert f.notes


def test_mitigation_lowers_the_forecast_from_its_year_only():
    hist = bands_history()
    base = project(hist, 5, n_paths=200, seed=4)
    mit = project(hist, 5, n_paths=200, seed=4,
                  levers=[{"name": "reduce_new_plan_growth", "reduction": 0.25,
                           "from_year": 2028}])
    b = base.table.query("age_band == 'all'").set_index("year")["mean"]
    m = mit.table.query("age_band == 'all'").set_index("year")["mean"]
    assert m.loc[[2026, 2027]].to_numpy() == pytest.approx(b.loc[[2026, 2027]].to_numpy())
    assert (m.loc[2028:] < b.loc[2028:]).all()
    assert any("reduce_new_plan_growth" in str(n) for n in mit.assumptions["name"])


def test_same_seed_same_output_other_seed_differs():
    hist = bands_history()
    a = project(hist, 3, seed=11, n_paths=100)
    b = project(hist, 3, seed=11, n_paths=100)
    c = project(hist, 3, seed=12, n_paths=100)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.table["p90"], c.table["p90"])


def test_table_shape_columns_and_future_years_only():
    f = project(bands_history(), 3, n_paths=100, quantiles=(0.05, 0.1, 0.5, 0.8, 0.9, 0.95))
    assert list(f.table.columns) == ["age_band", "year", "mean", "p05", "p10", "p50", "p80",
                                     "p90", "p95"]
    assert f.table["year"].min() == 2026 and f.table["year"].max() == 2028
    paths = f.paths
    assert list(paths.columns) == ["age_band", "path", "year", "value"]
    assert len(paths) == 6 * 100 * 3
    assert isinstance(f, Forecast)
    assert {"name", "value", "unit", "source"} <= set(f.assumptions.columns)
    sf = f.summary_frame(alpha=0.2)
    assert (sf["lower"] <= sf["mean"]).all() and (sf["mean"] <= sf["upper"]).all()
    assert "Models:" in f.summary()


def test_plot_returns_a_figure():
    f = project(bands_history(), 3, n_paths=100)
    fig = f.plot()
    assert fig.axes
    fig2 = f.plot(where={"age_band": "16-19"})
    assert "16-19" in fig2.axes[0].get_title()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=1, max_value=1e5), min_size=4, max_size=12),
       st.sampled_from(["constant_growth", "log_linear", "pooled_growth", "auto"]),
       st.integers(min_value=1, max_value=6))
def test_quantiles_are_ordered_and_finite(counts, model, horizon):
    hist = pd.DataFrame({"year": range(2000, 2000 + len(counts)), "count": counts})
    f = project(hist, horizon, model=model, n_paths=50)
    q = f.table[["p05", "p10", "p50", "p90", "p95"]].to_numpy()
    assert np.isfinite(q).all() and (q >= 0).all()
    assert (np.diff(q, axis=1) >= -1e-9).all()
    assert np.isfinite(f.table["mean"]).all()


def test_split_by_need_is_coherent_and_moves_towards_new_plan_mix():
    f = project(bands_history(), 5, n_paths=100)
    stock = pd.DataFrame([(n, b, c) for b in BANDS for n, c in
                          (("ASD", 30), ("MLD", 50), ("SEMH", 20))],
                         columns=["need", "age_band", "count"])
    new = pd.DataFrame({"need": ["ASD", "MLD", "SEMH"], "count": [60, 10, 30]})
    g = split_by_need(f, stock, new)
    t = g.table
    for b in BANDS:
        part = t[(t.age_band == b) & (t.need != "all")].groupby("year")["mean"].sum()
        whole = t[(t.age_band == b) & (t.need == "all")].set_index("year")["mean"]
        assert np.allclose(part, whole)
    asd = t[(t.age_band == "11-15") & (t.need == "ASD")].set_index("year")["mean"]
    whole = t[(t.age_band == "11-15") & (t.need == "all")].set_index("year")["mean"]
    share = asd / whole
    assert share.iloc[0] > 0.30 and share.is_monotonic_increasing


def test_prevalence_separates_demography_from_prevalence():
    hist = pd.DataFrame({"year": range(2018, 2026), "count": [100.0 * 1.05 ** i
                                                               for i in range(8)]})
    pop = pd.DataFrame({"year": range(2018, 2031), "population": [10000.0] * 8 +
                        [10000.0 * 1.02 ** i for i in range(1, 6)]})
    f = project(hist, 5, model="prevalence", population=pop, n_paths=200)
    c = f.components
    assert {"demographic_effect", "prevalence_effect"} <= set(c.columns)
    total_change = f.table["mean"].to_numpy() - hist["count"].iloc[-1]
    assert np.allclose(c["demographic_effect"] + c["prevalence_effect"], total_change)
    assert (c["demographic_effect"] > 0).all()


def test_damped_trend_runs_and_falls_back_on_short_series():
    hist = pd.concat([
        pd.DataFrame({"s": "long", "year": range(2012, 2026),
                      "count": [100 * 1.08 ** i for i in range(14)]}),
        pd.DataFrame({"s": "short", "year": range(2023, 2026), "count": [50.0, 55, 61]})])
    hist = hist.rename(columns={"s": "area"})
    f = project(hist, 3, model="damped_trend", n_paths=100, reconcile=None)
    m = f.model.set_index("area")["model"]
    assert m["long"] == "damped_trend" and m["short"] == "log_linear"
    assert "phi" in f.model.set_index("area").loc["long", "description"]


# --- errors -----------------------------------------------------------------------------

def test_too_short_series_names_the_series():
    hist = pd.DataFrame({"need": ["ASD", "ASD", "MLD", "MLD", "MLD"],
                         "year": [2024, 2025, 2023, 2024, 2025], "count": [5.0, 6, 5, 6, 7]})
    with pytest.raises(ValidationError, match="ends in|need='ASD'"):
        project(hist, 2)
    hist = pd.DataFrame({"year": [2024, 2025], "count": [5.0, 6]})
    with pytest.raises(ValidationError, match="at least 3"):
        project(hist, 2)


@pytest.mark.parametrize("counts,match", [([10.0, -1, 12, 13], "count >= 0"),
                                          ([10.0, 11, 0, 0], "positive"),
                                          ([0.0, 0, 0, 0], "positive"),
                                          ([10.0, None, 12, 13], "expected a number")])
def test_non_positive_or_missing_counts(counts, match):
    hist = pd.DataFrame({"age_band": "5-10", "year": range(2020, 2024), "count": counts})
    with pytest.raises(ValidationError, match=match) as err:
        project(hist, 2)
    assert "count" in str(err.value)


def test_other_input_errors():
    good = pd.DataFrame({"year": range(2020, 2025), "count": [1.0, 2, 3, 4, 5]})
    with pytest.raises(ValidationError, match="horizon"):
        project(good, 0)
    with pytest.raises(ValidationError, match="model"):
        project(good, 2, model="magic")
    with pytest.raises(ValidationError, match="column 'count' is missing"):
        project(good.rename(columns={"count": "n"}), 2)
    with pytest.raises(ValidationError, match="more than once"):
        project(pd.concat([good, good]), 2)
    with pytest.raises(ValidationError, match="gaps"):
        project(good[good.year != 2022], 2)
    with pytest.raises(ValidationError, match="levers"):
        project(good, 2, levers=[{"name": "magic"}])
    with pytest.raises(ValidationError, match="quantiles"):
        project(good, 2, quantiles=(0.5, 1.5))
    with pytest.raises(ValidationError, match="population"):
        project(good, 2, model="prevalence")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=1, max_value=1e4), min_size=3, max_size=6),
       st.floats(min_value=0.5, max_value=2.0), st.integers(min_value=0, max_value=2 ** 31))
def test_reconciled_total_lies_between_the_parts_sum_and_the_total_forecast(sizes, ratio, seed):
    from sufficiency.forecast.reconcile import reconcile_paths

    rng = np.random.default_rng(seed)
    parts = np.array(sizes)[:, None, None] * np.exp(0.1 * rng.standard_normal((len(sizes), 50, 3)))
    total = sum(sizes) * ratio * np.exp(0.05 * rng.standard_normal((50, 3)))
    out = reconcile_paths(parts, total)
    assert (out >= 0).all()
    s0, s1 = parts.sum(axis=0), out.sum(axis=0)
    lo, hi = np.minimum(s0, total), np.maximum(s0, total)
    assert ((s1 >= lo - 1e-6) | (out == 0).any(axis=0)).all() and (s1 <= hi + 1e-6).all()
