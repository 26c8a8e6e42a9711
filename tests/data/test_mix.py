"""The one placement mix and the one need mix: known answers, the rules' named options, and
shares that add up whatever the counts."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import sufficiency.data as sd
from sufficiency.errors import ValidationError

BANDS = ["under 5", "5-10", "11-15"]
PROVISIONS = ["mainstream", "special_maintained", "special_independent"]


def test_placement_mix_by_hand():
    p = pd.DataFrame({"year": [2024, 2025, 2025, 2025, 2025],
                      "provision": ["mainstream", "mainstream", "special_maintained", "ap", "all"],
                      "count": [99.0, 30.0, 10.0, np.nan, 40.0]})
    mix = sd.placement_mix(p).set_index("provision")["share"]
    # the latest year, the total row ignored, a missing count is 0
    assert mix.to_dict() == {"ap": 0.0, "mainstream": 0.75, "special_maintained": 0.25}
    assert sd.placement_mix(p, year=2024).set_index("provision")["share"]["mainstream"] == 1.0


def test_a_band_without_placements_follows_the_named_rule():
    a = pd.DataFrame({"year": 2025, "age_band": ["5-10", "5-10", "11-15"],
                      "provision": ["mainstream", "ap", "mainstream"], "count": [3.0, 1.0, 0.0]})
    with pytest.raises(ValidationError, match="11-15"):
        sd.placement_mix(a, by="age_band")                  # the demand step's rule
    overall = pd.DataFrame({"provision": ["mainstream"], "share": [1.0]})
    filled = sd.placement_mix(a, by="age_band", groups=["5-10", "11-15", "16-19"], empty=overall)
    assert filled.groupby("age_band")["share"].sum().to_dict() == {
        "11-15": 1.0, "16-19": 1.0, "5-10": 1.0}             # the DSG plan's rule
    zero = sd.placement_mix(a, by="age_band", empty="zero")
    assert zero.query("age_band == '11-15'")["share"].sum() == 0.0
    dropped = sd.placement_mix(a, by="age_band", empty="drop")
    assert set(dropped["age_band"]) == {"5-10"}


def test_a_mix_for_each_year():
    p = pd.DataFrame({"year": [2026, 2026, 2027, 2027], "provision": PROVISIONS[:2] * 2,
                      "stock": [60.0, 40.0, 50.0, 50.0]})
    mix = sd.placement_mix(p, year="each", value="stock")
    assert mix.columns.tolist() == ["year", "provision", "share"]
    assert mix["share"].tolist() == [0.6, 0.4, 0.5, 0.5]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e4), min_size=len(BANDS) * len(PROVISIONS),
                max_size=len(BANDS) * len(PROVISIONS)))
def test_placement_shares_add_up_within_each_band(counts):
    rows = [(2025, b, p) for b in BANDS for p in PROVISIONS]
    a = pd.DataFrame(rows, columns=["year", "age_band", "provision"]).assign(count=counts)
    mix = sd.placement_mix(a, by="age_band", empty="zero")
    totals = a.groupby("age_band")["count"].sum()
    sums = mix.groupby("age_band")["share"].sum()
    for band, total in totals.items():
        assert sums[band] == pytest.approx(1.0 if total > 0 else 0.0)
    assert ((mix["share"] >= 0) & (mix["share"] <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e4), min_size=6, max_size=6))
def test_need_shares_add_up_and_fall_back_to_the_la_wide_mix(counts):
    needs = pd.DataFrame({"need": ["ASD", "SEMH", "MLD"] * 2,
                          "provision": ["special_maintained"] * 3 + ["all"] * 3,
                          "count": counts})
    mix = sd.need_mix(needs)
    assert set(mix["provision"]) == set(sd.PROVISIONS["provision"])
    special = needs.iloc[:3]["count"].sum()
    la_wide = needs.iloc[3:]["count"].sum()
    sums = mix.groupby("provision")["share"].sum()
    assert sums["special_maintained"] == pytest.approx(1.0 if special > 0 or la_wide > 0 else 0.0)
    assert sums["ap"] == pytest.approx(1.0 if la_wide > 0 else 0.0)  # ap takes the LA-wide mix


def test_need_mix_by_age_band_on_need_codes_matches_the_counts():
    n = pd.DataFrame({"need": ["ASD", "SEMH", "ASD"], "age_band": ["5-10", "5-10", "11-15"],
                      "count": [3.0, 1.0, 2.0]})
    mix = sd.need_mix(n, by="age_band", mapping=None, fill_from=None)
    assert sorted(mix.values.tolist()) == [["11-15", "ASD", 1.0], ["5-10", "ASD", 0.75],
                                           ["5-10", "SEMH", 0.25]]


# --- placement_mix(year="each") in one grouping = year by year -----------------------------

def _year_by_year(placements, by, empty, value):
    out = [sd.placement_mix(placements, int(y), by, empty=empty, value=value).assign(year=int(y))
           for y in sorted(placements["year"].unique())]
    out = pd.concat(out, ignore_index=True)
    return out[["year"] + [c for c in out.columns if c != "year"]]


@given(st.lists(st.tuples(st.sampled_from([2025, 2026, 2027]),
                          st.sampled_from(["under 5", "5-10", "11-15"]),
                          st.sampled_from(["mainstream", "special_maintained",
                                           "special_independent", "all"]),
                          st.one_of(st.none(), st.floats(0, 1e4, allow_nan=False))),
                min_size=1, max_size=40),
       st.sampled_from(["drop", "zero"]))
@settings(max_examples=150, deadline=None)
def test_each_year_in_one_grouping_is_the_same_as_year_by_year(rows, empty):
    # the flow account's stock mix (Flows.stock_mix) takes the one-grouping path: the same
    # figures, bit for bit, as one placement_mix per year
    p = pd.DataFrame(rows, columns=["year", "age_band", "provision", "stock"])
    fast = sd.placement_mix(p, year="each", by="age_band", empty=empty, value="stock")
    pd.testing.assert_frame_equal(fast, _year_by_year(p, "age_band", empty, "stock"),
                                  check_exact=True)


def test_each_year_on_an_embedded_la_is_the_same_as_year_by_year():
    p = sd.la_placements_by_age("Derby")
    for empty in ("drop", "zero"):
        pd.testing.assert_frame_equal(
            sd.placement_mix(p, year="each", by="age_band", empty=empty),
            _year_by_year(p, "age_band", empty, "count"), check_exact=True)
