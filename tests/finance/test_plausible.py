"""The plausibility check: a hand-worked shrinkage and the peer rules."""
import numpy as np
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.finance.plausible import (peer_reference, plausible_ranges, shrink_cost,
                                           shrink_costs)


def test_hand_worked_shrinkage():
    # £132,000 from 44 placements; peers' median £72,000; range £30,000-£120,000
    used, w, shrunk, why = shrink_cost(132_000, 44, 72_000, 30_000, 120_000)
    assert shrunk
    assert w == pytest.approx(44 / 74)
    assert used == pytest.approx(72_000 + 44 / 74 * 60_000)       # £107,676
    assert "1.83x" in why and "44/(44+30) = 0.59" in why


def test_capped_at_the_range_and_plausible_costs_kept():
    used, _, _, why = shrink_cost(132_000, 44, 72_000, 30_000, 92_000)
    assert used == 92_000 and "kept inside the range" in why
    assert shrink_cost(80_000, 44, 72_000, 30_000, 92_000) == (80_000, 1.0, False, "")
    # far from the peers but inside the range: flagged, few placements -> mostly the peers
    used, w, shrunk, _ = shrink_cost(40_000, 10, 80_000, 20_000, 100_000)
    assert shrunk and used == pytest.approx(80_000 - 0.25 * 40_000)


def test_more_placements_more_weight():
    a = shrink_cost(150_000, 10, 60_000, 20_000, 200_000)[0]
    b = shrink_cost(150_000, 300, 60_000, 20_000, 200_000)[0]
    assert 60_000 < a < b < 150_000


def test_bad_parameters():
    with pytest.raises(ValidationError, match="prior_placements"):
        shrink_cost(1.0, 1, 1.0, 0, 2, prior_placements=-1)


def peers():
    codes = [f"{i:03d}" for i in range(1, 21)]
    cost = np.linspace(40_000, 80_000, 20)
    return pd.DataFrame({"la_code": codes, "group": "independent", "placements": 50.0,
                         "implied_cost_gbp": cost})


def test_reference_neighbours_then_region_then_england():
    t = peers()
    ref, basis = peer_reference(t, "independent", neighbours=["001", "002", "003"])
    assert basis.startswith("statistical neighbours") and ref == pytest.approx(
        t["implied_cost_gbp"].iloc[1])
    ref, basis = peer_reference(t, "independent", neighbours=["001"], region_codes=["018", "019",
                                                                                    "020", "017"])
    assert basis.startswith("region")
    ref, basis = peer_reference(t, "independent")
    assert basis.startswith("England") and ref == pytest.approx(60_000)


def test_shrink_costs_table():
    t = peers()
    ranges = plausible_ranges(t).set_index("group")
    assert ranges.loc["independent", "las"] == 20
    mine = pd.DataFrame({"group": ["independent"], "placements": [40.0],
                         "implied_cost_gbp": [150_000.0]})
    out = shrink_costs(mine, t, neighbours=["001", "002", "003", "004"]).iloc[0]
    assert out["shrunk"] and out["used_gbp"] <= ranges.loc["independent", "high_gbp"]
    assert "statistical neighbours (4 LAs)" in out["reason"]
