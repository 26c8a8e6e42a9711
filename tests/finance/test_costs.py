"""Funding rules, worked by hand."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sufficiency.errors import ValidationError
from sufficiency.finance import costs as C
from sufficiency.finance.spend import cost_placements


def table(**overrides):
    return C.cost_table(overrides or None).set_index("provision")


def test_defaults_are_sourced_and_typed():
    d = C.DEFAULTS
    assert list(d.columns) == ["name", "value", "unit", "year", "source", "assumption"]
    assert d["name"].is_unique
    assert (d["source"].str.len() > 10).all()
    assert d["assumption"].isin([True, False]).all()
    assert set(C.RULES["provision"]) == set(C.TRANSPORT_SHARE)


@pytest.mark.parametrize("provision, expected", [
    # place funding + top-up
    ("special_maintained", 10_000 + 16_000),
    ("special_non_maintained", 10_000 + 35_000),
    ("resource_base", 6_000 + 10_000),
    ("ap", 10_000 + 8_000),
    ("fe_college", 6_000 + 5_000),
    # mainstream: support of £14,000, the school meets the first £6,000
    ("mainstream", 14_000 - 6_000),
    # independent special school and specialist post-16: the full fee
    ("special_independent", 63_000),
    ("specialist_post16", 45_000),
    ("early_years", 4_000),
    ("unknown", 0),
])
def test_each_rule_by_hand(provision, expected):
    assert table().loc[provision, "hnb_cost_gbp"] == expected


def test_worcestershire_rules_from_the_seed_paper():
    """£10,000 per special place; mainstream schools fund the first £6,000 (2017 board paper)."""
    t = table()
    assert t.loc["special_maintained", "place_funding_gbp"] == 10_000
    assert t.loc["mainstream", "threshold_gbp"] == 6_000
    # a pupil whose support costs £5,000 costs the High Needs Block nothing
    low = C.cost_table({"mainstream": {"support_gbp": 5_000}}).set_index("provision")
    assert low.loc["mainstream", "hnb_cost_gbp"] == 0
    high = C.cost_table({"mainstream": {"support_gbp": 21_500}}).set_index("provision")
    assert high.loc["mainstream", "hnb_cost_gbp"] == 15_500


def test_overrides_per_provision_and_phase():
    o = pd.DataFrame({"provision": ["special_independent", "special_maintained"],
                      "phase": [None, "post-16"], "fee_gbp": [70_000.0, np.nan],
                      "top_up_gbp": [np.nan, 20_000.0]})
    t = C.cost_table(o)
    iss = t[(t["provision"] == "special_independent")]
    assert iss["hnb_cost_gbp"].tolist() == [70_000]
    sm = t[t["provision"] == "special_maintained"].set_index("phase")
    assert sm.loc["all", "hnb_cost_gbp"] == 26_000
    assert sm.loc["post-16", "hnb_cost_gbp"] == 30_000
    # the phase-specific cost is used only for that phase
    p = pd.DataFrame({"year": 2024, "provision": "special_maintained",
                      "phase": ["secondary", "post-16"], "count": [1.0, 1.0]})
    assert cost_placements(p, t)["hnb_gbp"].tolist() == [26_000, 30_000]


def test_override_errors_name_row_and_column():
    with pytest.raises(ValidationError, match="row 2, column provision"):
        C.cost_table(pd.DataFrame({"provision": ["castle"], "fee_gbp": [1.0]}))
    with pytest.raises(ValidationError, match="column top_up_gbp"):
        C.cost_table({"ap": {"top_up_gbp": -5}})
    with pytest.raises(ValidationError, match="not recognised"):
        C.cost_table({"ap": {"topup": 5}})


def test_inflation_uplifts_top_ups_fees_and_transport_not_place_funding():
    u = C.unit_costs([2024, 2026], inflation=0.03).set_index(["year", "provision"])
    assert u.loc[(2026, "special_maintained"), "place_funding_gbp"] == 10_000
    assert u.loc[(2026, "special_maintained"), "hnb_cost_gbp"] == pytest.approx(10_000 + 16_000 * 1.03 ** 2)
    assert u.loc[(2026, "special_independent"), "hnb_cost_gbp"] == pytest.approx(63_000 * 1.0609)
    assert u.loc[(2026, "mainstream"), "threshold_gbp"] == 6_000
    assert u.loc[(2024, "ap"), "hnb_cost_gbp"] == 18_000
    per = C.unit_costs([2025], inflation={"special_independent": 0.10}).set_index("provision")
    assert per.loc["special_independent", "hnb_cost_gbp"] == pytest.approx(69_300)


def test_costing_placements_by_hand():
    p = pd.DataFrame({"year": [2024, 2024], "provision": ["special_maintained", "mainstream"],
                      "count": [10.0, 4.0]})
    c = cost_placements(p).set_index("provision")
    assert c.loc["special_maintained", "hnb_gbp"] == 260_000
    assert c.loc["special_maintained", "place_funding_gbp"] == 100_000
    assert c.loc["special_maintained", "transport_gbp"] == pytest.approx(10 * 9_800 * 0.7)
    assert c.loc["mainstream", "hnb_gbp"] == 32_000


def test_independent_fees_are_right_skewed():
    d = C.lognormal_fee()
    assert d.mean() == pytest.approx(63_000)
    assert d.median() == pytest.approx(50_000)
    assert d.std() > 0 and d.ppf(0.9) - d.median() > d.median() - d.ppf(0.1)
    assert math.isclose(d.kwds["s"], math.sqrt(2 * math.log(63_000 / 50_000)))
    with pytest.raises(ValidationError):
        C.lognormal_fee(40_000, 50_000)
    fees = C.sample_mean_fees(25, 20_000, np.random.default_rng(3))
    assert fees.mean() == pytest.approx(63_000, rel=0.01)
    assert fees.std() == pytest.approx(d.std() / 5, rel=0.05)


def test_wiltshire_step_down_saving_per_child():
    """Wiltshire: 92 step-downs from independent schools saved a net £3,479,479 (2022/23),
    £37,820 a child; the defaults' saving (independent fee - maintained special cost) is close."""
    t = table()
    saving = t.loc["special_independent", "hnb_cost_gbp"] - t.loc["special_maintained", "hnb_cost_gbp"]
    assert saving == pytest.approx(3_479_479 / 92, rel=0.03)


def test_setting_costs():
    s = pd.DataFrame({"setting": ["Oak", "Elm", "Ash"],
                      "provision": ["special_maintained", "special_maintained", "resource_base"]})
    o = pd.DataFrame({"setting": ["Elm"], "top_up_gbp": [20_000.0]})
    out = C.setting_costs(s, overrides=o).set_index("setting")
    assert out["hnb_cost_gbp"].to_dict() == {"Oak": 26_000, "Elm": 30_000, "Ash": 16_000}
    with pytest.raises(ValidationError, match="provision"):
        C.setting_costs(pd.DataFrame({"setting": ["x"], "provision": ["moon"]}))


@settings(max_examples=25, deadline=None)
@given(years=st.lists(st.integers(2015, 2040), min_size=1, max_size=6),
       price_year=st.integers(2020, 2026),
       inflation=st.one_of(st.none(), st.floats(-0.05, 0.2),
                           st.fixed_dictionaries({"special_independent": st.floats(0, 0.2)})),
       fee_growth=st.one_of(st.none(), st.floats(-0.05, 0.2)))
def test_unit_costs_of_many_years_are_each_years_own_prices_exactly(years, price_year,
                                                                    inflation, fee_growth):
    # pricing all the years at once (a run asks for every forecast year) gives, row for row,
    # the same figures as pricing each year alone: the same table, the same factors
    costs = C.with_costs_per_place(C.cost_table(), pd.DataFrame(
        {"provision": ["mainstream"], "phase": ["primary"], "cost_per_place": [9_000.0],
         "source": ["ours"]}))
    kwargs = dict(inflation=inflation, price_year=price_year, independent_fee_growth=fee_growth)
    together = C.unit_costs(years, costs, **kwargs)
    alone = pd.concat([C.unit_costs([y], costs, **kwargs) for y in sorted(set(years))],
                      ignore_index=True)
    pd.testing.assert_frame_equal(together, alone, check_exact=True)
    assert list(together.columns) == ["year"] + list(costs.columns)
    assert len(together) == len(costs) * len(set(years))


def test_the_default_cost_table_is_made_once_and_handed_out_as_a_copy():
    # cost_table() (no arguments) is cached per process: a caller changing its copy changes
    # nobody else's, and the cached table is the one the rules make
    from sufficiency.finance.costs import _cost_table, cost_table

    first = cost_table()
    first.loc[:, "hnb_cost_gbp"] = -1.0
    pd.testing.assert_frame_equal(cost_table(), _cost_table(None, None, None), check_exact=True)
    assert (cost_table()["hnb_cost_gbp"] >= 0).all()
