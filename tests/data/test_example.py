"""The embedded example data: continuous histories, cross-checks against published figures."""
import gzip
import re

import numpy as np
import pytest

import sufficiency.data as sd
from sufficiency.data.build import build_tables, to_csv_bytes, EXAMPLE_DIR
from sufficiency.errors import DataWarning

BANDS = ["under 5", "5-10", "11-15", "16-19", "20-25"]


def total(frame):
    return frame[frame["age_band"] == "all"].set_index("year")["count"]


def test_england_published_figures():
    eng = total(sd.england_history())
    assert eng[2010] == 228221
    assert eng[2025] == 638745
    assert eng[2024] == 576474
    assert list(eng.index) == list(range(2010, 2026))


def test_kent_by_code_name_and_new_code():
    for la in ("886", 886, "KENT", "kent", "E10000016"):
        assert total(sd.la_history(la)).loc[2019:2022].tolist() == [11763, 13499, 15281, 17733]


def test_typo_gets_did_you_mean():
    # one letter off and only one LA that close: read as that LA (sufficiency.data.names)
    assert sd.resolve_la("Kentt", sd.las()) == "886"
    with pytest.raises(KeyError, match="did you mean 'Kent'"):
        sd.la_history("Kenttt")


def test_buckinghamshire_both_new_codes_resolve():
    assert sd.resolve_la("E06000060", sd.las()) == "825"
    assert sd.resolve_la("E10000002", sd.las()) == "825"
    assert total(sd.la_history("Buckinghamshire")).notna().all()


@pytest.mark.parametrize("new_la,footprint", [("Cumberland", "909"),
                                               ("West Northamptonshire", "928"),
                                               ("Bournemouth, Christchurch and Poole",
                                                "835+836+837")])
def test_reorganised_las_give_continuous_footprint(new_la, footprint):
    with pytest.warns(DataWarning, match=re.escape(footprint)):
        series = total(sd.la_history(new_la))
    assert list(series.index) == list(range(2010, 2026))
    assert series.notna().all()
    own = total(sd.la_history(new_la, footprint="own"))
    assert own.index.min() >= 2020
    assert (own < series.loc[own.index]).all()


def test_footprint_equals_sum_of_new_las_after_the_change():
    fp = total(sd.la_history("909"))
    parts = sum(total(sd.la_history(c, footprint="own")) for c in ("942", "943"))
    assert fp.loc[2024:2025].tolist() == parts.loc[2024:2025].tolist()


def test_age_bands_add_up_every_year_including_estimated_2023():
    kent = sd.la_history("Kent")
    wide = kent.pivot_table(index="year", columns="age_band", values="count")
    np.testing.assert_allclose(wide[BANDS].sum(axis=1), wide["all"])
    flags = kent.set_index(["year", "age_band"])["flag"]
    assert flags[(2023, "5-10")].startswith("estimated")
    assert flags[(2022, "5-10")] == ""
    assert flags[(2012, "20-25")].startswith("z (not applicable)")


def test_every_la_has_a_continuous_series():
    hist = sd.example_histories()
    totals = hist[hist["age_band"] == "all"]
    per_la = totals.groupby("la_code")["year"].agg(["min", "max", "count"])
    assert len(per_la) >= 148
    assert (per_la["min"] == 2010).all() and (per_la["max"] == 2025).all()
    assert (per_la["count"] == 16).all()
    # no LA lost: footprints stand in for the reorganised ones
    assert not set(hist["la_code"]) & {"838", "839", "940", "941", "942", "943"}
    # the continuous LA series add up to England every year the DfE published them all
    eng = total(sd.england_history())
    summed = totals.groupby("year")["count"].sum()
    np.testing.assert_allclose(summed.loc[2019:2025], eng.loc[2019:2025], rtol=1e-6)


def test_placements_and_needs():
    mix = sd.la_placements("Wiltshire")
    y25 = mix[mix["year"] == 2025].set_index("provision")["count"]
    assert y25.drop("all").sum() == pytest.approx(y25["all"])
    assert set(mix["year"]) == set(range(2019, 2026))
    assert (mix.loc[mix["year"] >= 2023, "flag"] != "").all()
    needs = sd.la_needs("Wiltshire")
    totals = needs[needs["provision"] == "all"]
    assert totals["count"].sum() == pytest.approx(y25["all"])


def test_statistical_neighbours():
    sn = sd.statistical_neighbours("Kent")
    assert len(sn) == 10 and "886" not in sn
    hist_codes = set(sd.example_histories()["la_code"])
    assert set(sn) <= hist_codes


def test_embedded_data_is_small():
    size = sum(p.stat().st_size for p in EXAMPLE_DIR.glob("*"))
    assert size < 5 * 1024 * 1024


def test_shipped_files_match_what_the_script_builds(source_dir):
    tables = build_tables(source_dir)
    for name, frame in tables.items():
        shipped = gzip.decompress((EXAMPLE_DIR / f"{name}.csv.gz").read_bytes())
        assert to_csv_bytes(frame) == shipped, f"{name}.csv differs from a fresh build"


def test_flow_tables_take_the_census_year_they_lead_up_to():
    """New, ceased plans and requests are published by calendar year; `year` is the January
    they lead up to and `calendar_year` the published one (Wiltshire made 993 new plans in
    calendar 2024, DfE newplans.csv: year 2025)."""
    new = sd.la_new_plans("Wiltshire")
    assert list(new.columns[:2]) == ["year", "calendar_year"]
    assert new.query("year == 2025 and provision == 'all'")["count"].item() == 993
    for read in (sd.la_new_plans, sd.la_ceased_plans, sd.la_requests, sd.la_new_plan_needs,
                 sd.la_new_plans_by_age):
        t = read("Wiltshire")
        assert (t["calendar_year"] == t["year"] - 1).all(), read.__name__
    assert sorted(sd.la_requests("Wiltshire")["year"].unique()) == list(range(2020, 2026))
    assert sd.la_new_plan_needs("Wiltshire")["year"].unique().tolist() == [2025]


def test_footprints_take_each_years_flows_from_the_las_that_returned_them():
    """A reorganised LA's flows are returned by the new LAs from the first census year they
    exist: Cumberland and Westmorland and Furness returned calendar 2023's plans in January
    2024 (Cumbria's footprint, new LAs from 2024). Read by calendar year, 2023 fell to the
    abolished county and went missing; read by census year every year is there."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for footprint in ("909", "928", "835+836+837"):
            new = sd.la_new_plans(footprint)
            total = new[new["provision"] == "all"].dropna(subset=["count"])
            assert sorted(total["year"].astype(int)) == list(range(2020, 2026)), footprint
        cumbria = sd.la_new_plans("909")
        assert cumbria.query("year == 2024 and provision == 'all'")["count"].item() == 755
        ceased = sd.la_ceased_plans("909")
        assert sorted(ceased.loc[ceased["reason"] == "all", "year"]) == [2023, 2024, 2025]
