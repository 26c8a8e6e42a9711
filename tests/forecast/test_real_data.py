"""On the embedded DfE data: one call by need and age, pooled, with a mitigation lever."""
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

sd = pytest.importorskip("sufficiency.data")

from sufficiency.errors import DataWarning  # noqa: E402
from sufficiency.forecast import forecast_la, project  # noqa: E402


@pytest.fixture(scope="module")
def wiltshire():
    return forecast_la("Wiltshire", horizon=5, n_paths=200, levers=[
        {"name": "reduce_new_plan_growth", "reduction": 0.25, "from_year": 2027}])


def test_forecast_la_by_need_and_age_is_coherent(wiltshire):
    t = wiltshire.table
    assert {"need", "age_band", "year", "mean", "p10", "p90"} <= set(t.columns)
    assert set(t["year"]) == set(range(2026, 2031))
    bands = t[(t.need == "all") & (t.age_band != "all")].groupby("year")["mean"].sum()
    total = t[(t.need == "all") & (t.age_band == "all")].set_index("year")["mean"]
    assert np.allclose(bands, total)
    needs = t[(t.need != "all") & (t.age_band == "16-19")].groupby("year")["mean"].sum()
    band = t[(t.need == "all") & (t.age_band == "16-19")].set_index("year")["mean"]
    assert np.allclose(needs, band)
    assert wiltshire.levers["lever"].tolist() == ["reduce_new_plan_growth"]
    assert wiltshire.model["model"].str.contains("pooled|constant|cohort|log").all()
    fig = wiltshire.plot(where={"need": "all"})
    assert len([a for a in fig.axes if a.get_visible()]) == 6


def test_single_la_with_england_reference():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        hist = sd.la_history("Herefordshire")
    hist = hist[hist["age_band"] == "all"][["year", "count"]]
    f = project(hist, 3, model="pooled_growth", reference="england", n_paths=200)
    assert "weight 0.20" in f.model["description"].iloc[0]
    assert (f.table["mean"] > hist["count"].iloc[-1]).all()


def test_auto_for_one_la_uses_the_reference_or_constant_growth():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        hist = sd.la_history("Worcestershire")[["year", "age_band", "count"]]
    alone = project(hist, 3, n_paths=100)
    assert (alone.model["model"] == "constant_growth").all()
    assert any("reference='england'" in n for n in alone.notes)
    pooled = project(hist, 3, n_paths=100, reference="england")
    assert (pooled.model["model"] == "pooled_growth_k1").all()
    assert not pooled.notes or not any("No reference" in n for n in pooled.notes)
