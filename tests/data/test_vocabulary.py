import pandas as pd
import pytest

import sufficiency.data as sd
from sufficiency.errors import ValidationError


def test_thirteen_needs_in_four_areas():
    assert len(sd.NEEDS) == 13
    cop = {a for a in sd.NEED_AREAS.values() if a != "other"}
    assert cop == {"cognition_learning", "communication_interaction", "semh", "sensory_physical"}


def test_every_sen2_placement_maps_to_a_dsg_category():
    provisions = set(sd.PROVISIONS["provision"])
    assert set(sd.SEN2_PLACEMENT_COLUMNS.values()) <= provisions
    assert set(sd.SEN2_PLACEMENT_LABELS.values()) <= provisions
    assert set(sd.PROVISIONS["dsg_category"]) == set(sd.DSG_CATEGORIES["dsg_category"])
    assert len(sd.DSG_CATEGORIES) == 7
    # subtotals would double count: none of them is mapped as a placement
    from sufficiency.data.vocabulary import SEN2_SUBTOTAL_COLUMNS
    assert not set(SEN2_SUBTOTAL_COLUMNS) & set(sd.SEN2_PLACEMENT_COLUMNS)


def test_age_bands_and_phases():
    assert sd.age_band_of([0, 4, 5, 10, 11, 15, 16, 19, 20, 25]).tolist() == [
        "under 5", "under 5", "5-10", "5-10", "11-15", "11-15", "16-19", "16-19", "20-25",
        "20-25"]
    assert sd.phase_of([3, 4, 11, 16, 19]).tolist() == [
        "early years", "primary", "secondary", "post-16", "post-19"]
    assert sd.phase_of([4, 8, 9, 12, 13], sd.THREE_TIER_PHASES).tolist() == [
        "first", "first", "middle", "middle", "high"]
    with pytest.raises(ValidationError, match="outside 0-25"):
        sd.age_band_of([26])


def test_define_phases_rejects_gaps_and_overlaps():
    ok = sd.define_phases({"early": (0, 4), "school": (5, 15), "adult": (16, 25)})
    assert ok["phase"].tolist() == ["early", "school", "adult"]
    with pytest.raises(ValidationError, match="expected it to start at age 4"):
        sd.define_phases({"early": (0, 3), "school": (5, 15), "adult": (16, 25)})
    with pytest.raises(ValidationError, match="reach 25"):
        sd.define_phases({"early": (0, 4), "school": (5, 15)})


def test_group_needs_with_own_mapping():
    df = pd.DataFrame({"year": [2025] * 3, "need": ["ASD", "SLCN", "SEMH"], "count": [5, 2, 1]})
    out = sd.group_needs(df, {"ASD": "autism", "SLCN": "autism", "SEMH": "semh"})
    assert out.set_index("need")["count"].to_dict() == {"autism": 7, "semh": 1}
    with pytest.raises(ValidationError, match="not in the mapping"):
        sd.group_needs(df, {"ASD": "autism"})
