"""Forecast -> place demand: shares are proper, totals are conserved, hand-worked answers."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import sufficiency.data as sd
from sufficiency import demand as dm

BANDS = ["under 5", "5-10", "11-15", "16-19", "20-25"]


def test_phase_shares_sum_to_one_for_both_systems():
    for phases in (sd.PHASES, sd.THREE_TIER_PHASES):
        shares = dm.phase_shares(phases).groupby("age_band")["share"].sum()
        np.testing.assert_allclose(shares, 1.0)


def test_three_tier_split_by_hand():
    s = dm.phase_shares(sd.THREE_TIER_PHASES).set_index(["age_band", "phase"])["share"]
    assert s[("5-10", "first")] == pytest.approx(4 / 6)     # ages 5, 6, 7, 8
    assert s[("11-15", "high")] == pytest.approx(3 / 5)     # ages 13, 14, 15


def test_wiltshire_2025_reproduces_its_specialist_placements():
    """Splitting the 2025 actuals by the 2025 mix gives back the 2025 specialist count."""
    pm = sd.placement_mix(sd.la_placements_by_age("Wiltshire"), by="age_band")
    nm = sd.need_mix(sd.la_needs("Wiltshire"))
    hist = sd.la_history("Wiltshire")
    f = hist[hist["year"] == 2025].rename(columns={"count": "mean"})
    d = dm.place_demand(f, pm, nm)
    by_age = sd.la_placements_by_age("Wiltshire")
    actual = by_age[(by_age["year"] == 2025) & by_age["provision"].isin(dm.SPECIALIST)]
    known = by_age[by_age["year"] == 2025]["count"].sum()
    total = f[f["age_band"] != "all"]["mean"].sum()
    # plans of unknown age are in the total but not in the by-age mix: scale by that ratio
    assert d["demand"].sum() == pytest.approx(actual["count"].sum() * total / known, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.floats(0, 1000), min_size=5, max_size=5),
       mix=st.lists(st.floats(0.01, 10), min_size=3, max_size=3),
       needs=st.lists(st.floats(0.01, 10), min_size=2, max_size=2))
def test_demand_is_conserved(counts, mix, needs):
    forecast = pd.DataFrame({"year": 2030, "age_band": BANDS, "mean": counts})
    provisions = ["mainstream", "special_maintained", "resource_base"]
    placements = pd.DataFrame([(2025, b, p, m) for b in BANDS for p, m in zip(provisions, mix)],
                              columns=["year", "age_band", "provision", "count"])
    need_table = pd.DataFrame([("ASD", p, needs[0]) for p in provisions + ["all"]] +
                              [("SEMH", p, needs[1]) for p in provisions + ["all"]],
                              columns=["need", "provision", "count"])
    pm, nm = sd.placement_mix(placements, by="age_band"), sd.need_mix(need_table)
    everything = dm.place_demand(forecast, pm, nm, provisions=None)
    assert everything["demand"].sum() == pytest.approx(sum(counts), rel=1e-9, abs=1e-9)
    specialist = dm.place_demand(forecast, pm, nm)
    assert specialist["demand"].sum() == pytest.approx(sum(counts) * sum(mix[1:]) / sum(mix),
                                                       rel=1e-9, abs=1e-9)
    assert (specialist["demand"] >= 0).all()


def test_unmapped_need_is_an_error():
    with pytest.raises(ValueError, match="not mapped"):
        sd.need_mix(pd.DataFrame({"need": ["ASD"], "provision": ["all"], "count": [1]}),
                    mapping={"SEMH": "semh"})
