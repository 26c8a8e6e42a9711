"""backtest(): known answers, no look-ahead, accuracy summary; and the levers."""
import numpy as np
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.forecast import accuracy, backtest, project
from sufficiency.forecast.levers import parse_levers, reduce_new_plan_growth


def exact(rate=0.08, n=12, start=2010, **keys):
    out = pd.DataFrame({"year": range(start, start + n),
                        "count": [100 * (1 + rate) ** i for i in range(n)]})
    for k, v in keys.items():
        out[k] = v
    return out


def test_constant_growth_is_exact_on_exact_growth():
    bt = backtest(exact(), models={"constant_growth": ("constant_growth",
                                                       {"long_run": "trend"})}, horizon=3)
    assert bt["ape"].max() < 1e-9
    assert bt["origin"].min() == 2014 and bt["origin"].max() == 2020
    assert set(bt["horizon"]) == {1, 2, 3}
    assert (bt["year"] == bt["origin"] + bt["horizon"]).all()


def test_no_look_ahead():
    hist = pd.concat([exact(0.05, la_code="a"), exact(0.12, la_code="b")])
    bt1 = backtest(hist, models=["pooled_growth", "log_linear"], horizon=2, last_origin=2016,
                   seed=3)
    changed = hist.copy()
    changed.loc[changed["year"] > 2018, "count"] *= 3     # after the last outcome used
    bt2 = backtest(changed, models=["pooled_growth", "log_linear"], horizon=2,
                   last_origin=2016, seed=3)
    pd.testing.assert_frame_equal(bt1, bt2)


def test_accuracy_summary_and_model_variants():
    rng = np.random.default_rng(0)
    rows = [exact(0.08 + 0.02 * rng.standard_normal(), la_code=str(i)) for i in range(10)]
    hist = pd.concat(rows)
    hist["count"] *= np.exp(0.02 * rng.standard_normal(len(hist)))
    bt = backtest(hist, models={"cg3": ("constant_growth", {"k": 3}), "auto": "auto"},
                  horizon=3, first_origin=2015)
    acc = accuracy(bt)
    assert set(acc["model"]) == {"cg3", "auto"}
    assert {"median_ape_pct", "mase", "over_share", "coverage80", "coverage90"} <= set(acc)
    assert acc["coverage80"].between(0, 1).all()
    assert (acc["coverage90"] >= acc["coverage80"]).all()


def test_backtest_errors():
    with pytest.raises(ValidationError, match="origin"):
        backtest(exact(n=6), first_origin=2014, last_origin=2020)
    with pytest.raises(ValidationError, match="model"):
        backtest(exact(), models=["magic"])


def test_levers_compose_in_order_and_are_recorded():
    hist = exact(0.10, n=10, start=2016)
    levers = [{"name": "one_off", "amount": 100, "year": 2027},
              {"name": "reduce_new_plan_growth", "reduction": 0.5, "from_year": 2027}]
    f = project(hist, 3, model="constant_growth", levers=levers, n_paths=50)
    g = project(hist, 3, model="constant_growth", levers=levers[::-1], n_paths=50)
    assert f.levers["lever"].tolist() == ["one_off", "reduce_new_plan_growth"]
    assert not np.allclose(f.table["mean"], g.table["mean"])   # order matters, and is kept


def test_reduce_new_plan_growth_by_hand():
    # stock 100 -> 110 -> 121 with 10% ceasing: new plans 20, 22. Halved from year 2: 11
    paths = np.array([[[110.0, 121.0]]])
    out, _, _ = reduce_new_plan_growth(paths, np.array([100.0]), np.array([1, 2]), None,
                                       reduction=0.5, from_year=2, cease_rate=0.1)
    assert out[0, 0].tolist() == pytest.approx([110.0, 0.9 * 110 + 11])
    same, _, _ = reduce_new_plan_growth(paths, np.array([100.0]), np.array([1, 2]), None,
                                        reduction=0.0, from_year=1, cease_rate=0.1)
    assert same[0, 0].tolist() == pytest.approx([110.0, 121.0])


def test_placement_levers_act_on_provision_or_are_recorded():
    hist = pd.concat([exact(0.1, n=8, start=2018, provision=p) for p in
                      ("mainstream", "special_maintained", "special_independent")])
    lv = [{"name": "independent_step_down", "per_year": 5, "from_year": 2026},
          {"name": "shift_to_mainstream", "share": 0.2, "from_year": 2026}]
    f = project(hist, 3, model="constant_growth", levers=lv, n_paths=50)
    t = f.table.pivot(index="year", columns="provision", values="mean")
    base = project(hist, 3, model="constant_growth", n_paths=50).table.pivot(
        index="year", columns="provision", values="mean")
    assert np.allclose(t.drop(columns="all").sum(axis=1), t["all"])
    assert np.allclose(t["all"], base["all"])                     # placements move, not demand
    assert (t["special_independent"] < base["special_independent"]).all()
    assert (t["mainstream"] > base["mainstream"]).all()
    g = project(exact(0.1, n=8, start=2018), 3, levers=lv[:1], n_paths=50)
    assert g.provision_shifts["count"].tolist() == [5.0, 10.0, 15.0]
    assert "recorded" in g.levers["applied_to"].iloc[0]


def test_lever_parameter_errors():
    with pytest.raises(ValidationError, match="reduction"):
        parse_levers([{"name": "reduce_new_plan_growth", "from_year": 2027}])
    with pytest.raises(ValidationError, match="not known"):
        parse_levers([{"name": "one_off", "amount": 5, "year": 2027, "colour": "red"}])


def test_flagged_outcomes_are_inputs_but_not_scored():
    hist = exact(0.08)
    hist["flag"] = np.where(hist["year"] == 2018, "estimated", "")
    bt = backtest(hist, models=["constant_growth"], horizon=2)
    assert 2018 not in set(bt["year"])
    assert 2018 in set(backtest(hist, models=["constant_growth"], horizon=2,
                                score_flagged=True)["year"])


def test_on_step_counts_every_model_at_every_origin():
    h = pd.DataFrame({"year": range(2010, 2022), "count": [100 * 1.08 ** i for i in range(12)]})
    calls = []
    backtest(h, models=["constant_growth", "log_linear"], horizon=2,
             on_step=lambda *a: calls.append(a))
    origins = list(range(2014, 2021))                   # fifth year to the year before the last
    assert [c[2] for c in calls] == [o for o in origins for _ in range(2)]
    assert [c[3] for c in calls] == ["constant_growth", "log_linear"] * len(origins)
    assert [c[0] for c in calls] == list(range(1, 2 * len(origins) + 1))
    assert {c[1] for c in calls} == {2 * len(origins)}
