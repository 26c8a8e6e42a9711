"""la_data: one LA's tables, read once, the same frames the readers give; what is missing is
said, not raised."""
import pytest

import sufficiency.data as sd
from sufficiency.data import highneeds


def test_the_frames_are_the_readers_frames():
    d = sd.la_data("Wiltshire")
    assert d.la_code == "865" and not d.missing
    assert d.placements.equals(sd.la_placements("865"))
    assert d.placements_by_age.equals(sd.la_placements_by_age("865"))
    assert d.needs.equals(sd.la_needs("865"))
    assert d.high_needs_block.equals(highneeds.la_high_needs_block("865"))
    assert d.s251.equals(sd.la_s251_high_needs("865"))
    assert d.neighbours == sd.statistical_neighbours("865")
    assert "865" in d.region_codes
    assert set(d.england_history["age_band"]) >= {"all", "5-10"}
    assert d.neighbour_new_plans == {}          # read only for a pooled new-placement mix


def test_neighbours_new_plans_when_pooled():
    d = sd.la_data("Derby", neighbour_new_plans=True)
    assert set(d.neighbour_new_plans) <= set(d.neighbours)
    assert len(d.neighbour_new_plans) >= 5


def test_a_table_the_embedded_data_lacks_is_none_with_its_reason():
    d = sd.la_data("Isles of Scilly")
    assert d.funded_places is None and d.high_needs_block is None
    assert {"funded_places", "high_needs", "high_needs_block", "dsg_deficit"} <= set(d.missing)
    assert "no rows for LA" in str(d.missing["high_needs"])
    assert len(d.placements)                    # the SEN2 tables are there


def test_an_unknown_la_is_an_error():
    with pytest.raises(KeyError):
        sd.la_data("Atlantis")


def test_tables_made_once_per_process_are_handed_out_as_copies():
    # England's history and every area's population are made once from the embedded tables;
    # a caller changing what it was given changes nothing for the next run
    from sufficiency.data import england_history
    from sufficiency.data.population import area_populations

    for make, column in ((england_history, "count"), (area_populations, "population")):
        first = make()
        first.loc[:, column] = -1.0
        assert (make()[column].dropna() >= 0).all()
    # one LA's rows are its own: taken by position, as comparing every code would
    d = sd.la_data("Rutland")
    assert d.area_population["population"].gt(0).all() and len(d.area_population) > 5
