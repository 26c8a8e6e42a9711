"""The backcast: exact in the calibration year, hand-checked elsewhere, on the s251 definition."""
import numpy as np
import pandas as pd
import pytest

import sufficiency.data as sd
from sufficiency.data.s251 import la_s251_high_needs
from sufficiency.errors import ValidationError
from sufficiency.finance.outturn import (CENSUS_WEIGHT, LA_WEIGHT, backcast, england_model,
                                         s251_unit_costs, weighted_placements)
from sufficiency.finance.prices import price_index


def toy():
    placements = pd.DataFrame({
        "year": [2021] * 3 + [2022] * 3,
        "provision": ["mainstream", "special_maintained", "special_independent"] * 2,
        "count": [90.0, 45.0, 9.0, 100.0, 50.0, 10.0]})
    lines = pd.DataFrame({"line": ["top_up_maintained_primary", "top_up_maintained_special",
                                   "top_up_independent_special", "sen_support_services",
                                   "top_up_maintained_income"],
                          "value": [800e3, 1e6, 630e3, 200e3, 30e3]})
    return placements, lines


def test_toy_by_hand():
    placements, lines = toy()
    b = backcast(placements, lines, census_weight=1.0, la_weight=1.0).set_index("year")
    # calibration year: the lines' total, income deducted
    assert b.loc[2022, "spend_gbp"] == pytest.approx(800e3 + 1e6 + 630e3 + 200e3 - 30e3)
    # 2021: counts x 2021-22 unit costs, deflated by the published price paths
    pay = 7 / 12 * 0.0 + 5 / 12 * 0.031          # teachers' pay awards Sept 2021 and 2020
    cpi = 0.026                                  # CPI 2021 (financial year 2021-22)
    top_up = (90 * 8000 + 45 * 20000) / (1 + pay)
    fee = 9 * 63000 / (1 + cpi)
    central = 170e3 * (144 / 160) / (1 + pay)
    assert b.loc[2021, "top_up_gbp"] == pytest.approx(top_up)
    assert b.loc[2021, "fee_gbp"] == pytest.approx(fee)
    assert b.loc[2021, "central_gbp"] == pytest.approx(central)
    assert b.loc[2021, "spend_gbp"] == pytest.approx(top_up + fee + central)
    assert b.loc[2021, "financial_year"] == "2020-21"


def test_reconciles_to_published_outturn():
    placements, lines = toy()
    out = pd.DataFrame({"year": [2021, 2022], "spend_gbp": [2.3e6, 2.7e6]})
    b = backcast(placements, lines, out).set_index("year")
    assert b.loc[2022, "spend_gbp"] == 2.7e6
    assert b.loc[2022, "difference_pct"] == pytest.approx(0.0, abs=1e-12)
    derivation = backcast(placements, lines, out).attrs["derivation"]
    rec = derivation.set_index("item").loc["reconciliation", "amount_gbp"]
    assert rec == pytest.approx(2.7e6 - 2.6e6)


@pytest.mark.parametrize("la", ["Wiltshire", "Herefordshire", "Kent", "Derby", "Rutland"])
def test_real_las_exact_in_calibration_year(la):
    b = backcast(sd.la_placements(la), sd.la_high_needs(la), la_s251_high_needs(la), la=la)
    row = b[b["calibration"]].iloc[0]
    assert row["year"] == 2022 and row["financial_year"] == "2021-22"
    assert row["spend_gbp"] == pytest.approx(row["outturn_gbp"], rel=1e-12)
    assert sorted(b["year"]) == list(range(2019, 2026))
    assert np.allclose(b[["top_up_gbp", "fee_gbp", "central_gbp"]].sum(axis=1), b["spend_gbp"])


def test_wiltshire_special_schools_by_hand():
    """One line of a real LA, by hand: maintained special top-ups, 2021-22 -> 2019-20."""
    la = "Wiltshire"
    placed, lines = sd.la_placements(la), sd.la_high_needs(la)
    top_up_special = lines.set_index("line").loc["top_up_maintained_special", "value"]
    n = placed.set_index(["year", "provision"])["count"]
    unit = top_up_special / n[(2022, "special_maintained")]
    units, _, _ = s251_unit_costs(placed, lines)
    assert units.set_index("provision").loc["special_maintained", "unit_cost_gbp"] == \
        pytest.approx(unit)
    # 2019-20 (year 2020): pay awards Sept 2019 2.75%, Sept 2020 3.1%, Sept 2021 0%
    r2021 = 7 / 12 * 0.031 + 5 / 12 * 0.0275
    r2022 = 7 / 12 * 0.0 + 5 / 12 * 0.031
    expected = n[(2020, "special_maintained")] * unit / (1 + r2021) / (1 + r2022)
    idx = price_index([2020], 2022).set_index("series").loc["top_up", "index"]
    assert n[(2020, "special_maintained")] * unit * idx == pytest.approx(expected)


def test_small_pools_are_central():
    placements, lines = toy()
    lines = pd.concat([lines, pd.DataFrame({"line": ["top_up_maintained_early_years"],
                                            "value": [50e3]})])
    placements = pd.concat([placements, pd.DataFrame({"year": [2021, 2022],
                                                      "provision": "early_years",
                                                      "count": [1.0, 2.0]})])
    units, central, derivation = s251_unit_costs(placements, lines)
    assert "early_years" not in set(units["provision"])
    assert central == pytest.approx(200e3 - 30e3 + 50e3)
    assert "fewer than 10" in derivation.set_index("item").loc[
        "top_up_maintained_early_years", "note"]


def test_clear_errors():
    placements, lines = toy()
    with pytest.raises(ValidationError, match="calibration year 2030"):
        backcast(placements, lines, calibration_year=2030)
    with pytest.raises(ValidationError, match="missing 'value'"):
        backcast(placements, lines.rename(columns={"value": "amount"}))
    with pytest.raises(ValidationError, match="none of the s251 outturn lines"):
        backcast(placements, pd.DataFrame({"line": ["x"], "value": [1.0]}))


def test_fee_growth_parameter_moves_only_fees_beyond_history():
    placements, lines = toy()
    later = pd.concat([placements, placements[placements["year"] == 2022].assign(year=2027)])
    a = backcast(later, lines, min_placements=5).set_index("year")
    b = backcast(later, lines, independent_fee_growth=0.10, min_placements=5).set_index("year")
    assert a.loc[2022, "spend_gbp"] == b.loc[2022, "spend_gbp"]
    assert a.loc[2027, "top_up_gbp"] == pytest.approx(b.loc[2027, "top_up_gbp"])
    assert b.loc[2027, "fee_gbp"] > a.loc[2027, "fee_gbp"]


def test_financial_year_weighting_by_hand():
    """The year (Y-1)-(Y) pays for 0.75 x January Y + 0.25 x January Y-1 placements; the January
    before the first is carried back with the plans' change (or given)."""
    assert CENSUS_WEIGHT == 0.75
    placements, lines = toy()
    w = weighted_placements(placements).set_index(["year", "provision"])["count"]
    # January 2020 = January 2021 x 144/160 (the 2021 -> 2022 change carried back)
    assert w[(2021, "special_maintained")] == pytest.approx(0.75 * 45 + 0.25 * 45 * 0.9)
    assert w[(2022, "special_maintained")] == pytest.approx(0.75 * 50 + 0.25 * 45)
    given = pd.DataFrame({"year": [2020], "count": [120.0]})       # plans in January 2020
    g = weighted_placements(placements, earlier_ehcp=given).set_index(["year", "provision"])
    assert g.loc[(2021, "mainstream"), "count"] == pytest.approx(0.75 * 90 + 0.25 * 90 * 120 / 144)
    b = backcast(placements, lines, min_placements=5, la_weight=1.0).set_index("year")
    units = b.attrs["unit_costs"].set_index("provision")["unit_cost_gbp"]
    assert units["special_maintained"] == pytest.approx(1e6 / (0.75 * 50 + 0.25 * 45))
    # every count grows 1/0.9: the weighting moves the unit costs, not the backcast
    january = backcast(placements, lines, census_weight=1.0, min_placements=5,
                       la_weight=1.0).set_index("year")
    assert b.loc[2021, "spend_gbp"] == pytest.approx(january.loc[2021, "spend_gbp"])
    assert b.loc[2022, "ehcp"] == 160 and b.loc[2022, "ehcp_weighted"] == pytest.approx(156)
    with pytest.raises(ValidationError, match="census weight"):
        weighted_placements(placements, weight=1.5)


def test_la_weight_blends_own_and_england_growth_by_hand():
    """growth from the calibration year = LA's own ** w x England's ** (1 - w), every component
    scaled alike; the calibration year stays the outturn."""
    assert LA_WEIGHT == 0.39
    placements, lines = toy()
    england = pd.DataFrame({"year": [2021, 2022], "spend_gbp": [7.5e9, 9.0e9]})
    alone = backcast(placements, lines, la_weight=1.0).set_index("year")
    own = alone.loc[2021, "spend_gbp"] / alone.loc[2022, "spend_gbp"]
    for w in (0.0, 0.39, 1.0):
        b = backcast(placements, lines, la_weight=w, england=england).set_index("year")
        assert b.loc[2022, "spend_gbp"] == pytest.approx(alone.loc[2022, "spend_gbp"], rel=1e-12)
        expected = alone.loc[2022, "spend_gbp"] * own ** w * (7.5 / 9.0) ** (1 - w)
        assert b.loc[2021, "spend_gbp"] == pytest.approx(expected)
        assert b.loc[2021, "la_placements_gbp"] == pytest.approx(alone.loc[2021, "spend_gbp"])
        parts = b[["top_up_gbp", "fee_gbp", "central_gbp"]].sum(axis=1)
        assert np.allclose(parts, b["spend_gbp"])
        # each component keeps its share of the LA's own model in every year
        share = alone.loc[2021, "fee_gbp"] / alone.loc[2021, "spend_gbp"]
        assert b.loc[2021, "fee_gbp"] / b.loc[2021, "spend_gbp"] == pytest.approx(share)
    zero = backcast(placements, lines, la_weight=0.0, england=england).set_index("year")
    assert zero.loc[2021, "spend_gbp"] / zero.loc[2022, "spend_gbp"] == pytest.approx(7.5 / 9.0)
    with pytest.raises(ValidationError, match="la_weight"):
        backcast(placements, lines, la_weight=1.5, england=england)
    with pytest.raises(ValidationError, match="england: missing column 'spend_gbp'"):
        backcast(placements, lines, england=england.rename(columns={"spend_gbp": "x"}))


def test_england_model_is_england_lines_in_calibration_year():
    from sufficiency.finance.calibrate import _england_high_needs

    e = england_model().set_index("year")["spend_gbp"]
    assert sorted(e.index) == list(range(2019, 2026))
    lines = _england_high_needs().set_index("line")["value"]
    from sufficiency.finance.outturn import S251_LINES, _INCOME
    total = sum(-lines.get(k, 0.0) if k in _INCOME else lines.get(k, 0.0) for k in S251_LINES)
    assert e[2022] == pytest.approx(total, rel=1e-9)
    assert e[2019] < e[2020] < e[2021] < e[2022]
    # the default backcast uses it: Wiltshire's 2019-20 by hand from its own model and England's
    la = "Wiltshire"
    alone = backcast(la, la_weight=1.0).set_index("year")["spend_gbp"]
    b = backcast(la).set_index("year")
    expected = alone[2022] * (alone[2020] / alone[2022]) ** 0.39 * (e[2020] / e[2022]) ** 0.61
    assert b.loc[2020, "spend_gbp"] == pytest.approx(expected)
    assert b.loc[2022, "spend_gbp"] == b.loc[2022, "outturn_gbp"]
