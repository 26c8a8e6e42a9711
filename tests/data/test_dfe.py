"""The readers on the real DfE files: known national and LA figures, markers, the breaks."""
import warnings

import pytest

from sufficiency.data import dfe
from sufficiency.errors import DataWarning


@pytest.fixture(scope="module")
def age22(source_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return dfe.read_age_caseload(source_dir / "dfe-sen2-2022" / "sen2_age_caseload.csv")


@pytest.fixture(scope="module")
def place25(source_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return dfe.read_placement_caseload(source_dir / "dfe-sen2-2025" / "caseload.csv")


def national(frame, **keys):
    sub = frame[frame["level"] == "national"]
    for k, v in keys.items():
        sub = sub[sub[k] == v]
    return sub.set_index("year")["count"]


def test_age_caseload_national_totals_match_published(age22):
    total = national(age22, age_band="all")
    assert total[2010] == 228221
    assert total[2016] == 256315
    assert total[2022] == 473255


def test_age_bands_add_up_to_total_nationally(age22):
    sub = age22[age22["level"] == "national"]
    wide = sub.pivot_table(index="year", columns="age_band", values="count")
    bands = wide.drop(columns="all").fillna(0).sum(axis=1)
    assert (bands == wide["all"]).all()


def test_kent_2019_2022(age22):
    kent = age22[(age22["la_code"] == "886") & (age22["age_band"] == "all")]
    assert kent.set_index("year")["count"].loc[2019:2022].tolist() == [11763, 13499, 15281, 17733]


def test_releases_agree_where_they_overlap(age22, place25):
    old = age22[(age22["age_band"] == "all") & age22["year"].between(2019, 2022)]
    new = place25[(place25["provision"] == "all") & place25["year"].between(2019, 2022)]
    merged = old.merge(new, on=["year", "level", "la_code"], suffixes=("_22", "_25"))
    assert len(merged) > 4 * 150
    both = merged.dropna(subset=["count_22", "count_25"])
    assert (both["count_22"] == both["count_25"]).all()


def test_placement_columns_add_up_to_published_total(place25):
    sub = place25[place25["level"] == "national"]
    wide = sub.pivot_table(index="year", columns="provision", values="count")
    detail = wide.drop(columns="all").sum(axis=1)
    # every year but 2024, where one LA's placement cells are 'x', adds up exactly
    assert (detail - wide["all"]).drop(2024).abs().max() == 0
    assert national(place25, provision="all")[2025] == 638745
    assert national(place25, provision="all")[2024] == 576474  # the revised Jan 2024 figure


def test_collection_break_is_flagged(place25):
    flagged = place25.loc[place25["flag"] != "", "year"].unique()
    assert sorted(flagged) == [2023, 2024, 2025]


def test_markers_become_nan_and_are_counted(tmp_path):
    path = tmp_path / "mini.csv"
    path.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,characteristic_age,Total_all\n"
        "2022,Calendar year,Local authority,E92000001,England,E1,North,201,E09000001,City,Total,5\n"
        "2022,Calendar year,Local authority,E92000001,England,E1,North,201,E09000001,City,Under 5,c\n"
        "2022,Calendar year,Local authority,E92000001,England,E1,North,201,E09000001,City,Age 5 to 10,x\n"
        "2022,Calendar year,Local authority,E92000001,England,E1,North,201,E09000001,City,Age 11 to 15,z\n")
    with pytest.warns(DataWarning, match=r"3 cells read as missing.*c: 1, x: 1, z: 1"):
        out = dfe.read_age_caseload(path)
    assert out["count"].isna().sum() == 3
    assert out.loc[out["age_band"] == "all", "count"].item() == 5


def test_bad_number_names_file_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "time_period,geographic_level,country_code,country_name,region_code,region_name,"
        "old_la_code,new_la_code,la_name,characteristic_age,Total_all\n"
        "2022,Local authority,E92000001,England,E1,North,201,E09000001,City,Total,five\n")
    with pytest.raises(ValueError, match=r"bad.csv.*'Total_all'.*rows \[2\].*five"):
        dfe.read_age_caseload(path)


def test_need_caseload_adds_up_to_total(source_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        needs = dfe.read_need_caseload(source_dir / "dfe-sen2-2025" / "sen_needs_all_plans.csv")
    eng = needs[(needs["level"] == "national") & (needs["age_band"] == "all")
                & (needs["provision"] == "all")]
    assert eng["count"].sum() == 638745
    assert eng.set_index("need")["count"]["ASD"] == 201183
    assert set(eng["need"]) == {"SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI",
                                "PD", "ASD", "OTH", "NSA"}


def test_flows(source_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        new = dfe.read_new_plans(source_dir / "dfe-sen2-2025" / "newplans.csv")
        ceased = dfe.read_ceased_plans(source_dir / "dfe-sen2-2025" / "ceased_plans.csv")
        req = dfe.read_requests(source_dir / "dfe-sen2-2025" / "requests.csv")
    # flows are published by calendar year; `year` is the census year they lead up to
    assert national(new, provision="all")[2020] == 53899          # made in calendar 2019
    assert national(ceased, reason="all")[2023] == 34724          # ceased in calendar 2022
    assert national(req, measure="received")[2020] == 82329       # received in calendar 2019
    for frame in (new, ceased, req):
        assert (frame["calendar_year"] == frame["year"] - 1).all()
        assert list(frame.columns[:2]) == ["year", "calendar_year"]
    wilts = new[(new["la_name"] == "Wiltshire") & (new["provision"] == "all")]
    assert wilts.set_index("calendar_year")["count"][2024] == 993  # newplans.csv, 2024
    assert wilts.set_index("year")["count"][2025] == 993
    # the collection break: calendar 2022's plans came from the first person-level return
    # (January 2023), so they carry the flag and calendar 2021's do not
    flagged = new[new["flag"] != ""]
    assert flagged["calendar_year"].min() == 2022 and flagged["year"].min() == 2023


def test_flow_years_lead_up_to_the_census(source_dir):
    """stock(year) = stock(year - 1) + new(year) - ceased(year), on England's published
    figures: the plans made and ceased in calendar 2024 take January 2024's 576,474 to within
    1.5% of January 2025's 638,745 (the rest: plans moving in from outside England, late
    records); the same flows set against the year before miss by more."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        new = national(dfe.read_new_plans(source_dir / "dfe-sen2-2025" / "newplans.csv"),
                       provision="all")
        ceased = national(dfe.read_ceased_plans(source_dir / "dfe-sen2-2025" /
                                                "ceased_plans.csv"), reason="all")
        stock = national(dfe.read_placement_caseload(source_dir / "dfe-sen2-2025" /
                                                     "caseload.csv"), provision="all")
    assert (new[2025], ceased[2025]) == (97747, 44862)
    assert (stock[2024], stock[2025]) == (576474, 638745)
    for year in (2024, 2025):
        implied = stock[year - 1] + new[year] - ceased[year]
        assert abs(implied / stock[year] - 1) < 0.06
    assert abs(stock[2024] + new[2025] - ceased[2025] - stock[2025]) / stock[2025] < 0.015


def test_estab_caseload_detail_adds_up(source_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        est = dfe.read_estab_caseload(source_dir / "dfe-sen2-2022" / "sen2_estab_caseload.csv")
    wide = est[est["level"] == "national"].pivot_table(index="year", columns="provision",
                                                       values="count")
    assert ((wide.drop(columns="all").sum(axis=1) - wide["all"]).abs() == 0).all()
