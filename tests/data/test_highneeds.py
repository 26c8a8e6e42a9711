"""The high-needs money readers, on the real DfE/ESFA files (skipped when they are absent)."""
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sufficiency.data import highneeds as hn
from sufficiency.errors import ValidationError

REPO = Path(__file__).resolve().parents[2]
SOURCE = Path(os.environ.get("SUFFICIENCY_SOURCE_DATA", REPO.parent / "shared" / "data")).resolve()
HN = SOURCE / "dfe-high-needs"


@pytest.fixture(scope="module")
def src():
    if not (HN / "high_needs_outturn_2021_22.xlsx").exists():
        pytest.skip(f"DfE high-needs files not found at {HN} (set SUFFICIENCY_SOURCE_DATA to the "
                    "shared/data folder to run the money reader tests)")
    return HN


@pytest.fixture(scope="module")
def extract(src):
    return hn.build_high_needs_extract(src)


def test_funded_places_england_total_2023(src):
    fp = hn.read_funded_places(src / "dsg_2023_24_high_needs_deductions.csv")
    assert set(fp.columns) == {"year", "financial_year", "la_code", "la_name", "place_type",
                               "places", "deduction_gbp"}
    # year is the census year the financial year holds: 2023-24 -> January 2024
    assert (fp["year"] == 2024).all() and (fp["financial_year"] == "2023-24").all()
    eng = fp[fp["la_code"] == "E92000001"]
    # first data row of the sheet: total deduction to the high needs block, England
    assert eng["deduction_gbp"].sum() == 1_079_358_891
    assert eng.set_index("place_type").loc["fe_ilp_post16", "places"] == 38968  # Aug-March
    assert set(fp["place_type"]) == set(hn.PLACE_TYPES["place_type"])
    assert fp["la_code"].str.fullmatch(r"\d{3}|E92000001").all()
    # LAs add up to England, place type by place type (regions were dropped)
    las = fp[fp["la_code"] != "E92000001"].groupby("place_type")["deduction_gbp"].sum()
    gap = (las - eng.set_index("place_type")["deduction_gbp"]).abs()
    assert gap.max() <= 200  # published rounding, pounds


def test_funded_places_derby_by_hand(src):
    """Derby 2023-24, row 831 of the sheet, worked by hand."""
    fp = hn.read_funded_places(src / "dsg_2023_24_high_needs_deductions.csv")
    derby = fp[fp["la_code"] == "831"].set_index("place_type")
    assert (derby["la_name"] == "Derby").all()
    # 117 places Apr-Aug and 122 Sep-Mar at £6,000: 117*6000*5/12 + 122*6000*7/12
    assert derby.loc["academy_rp_sen_unit_6k", "places"] == 122
    assert derby.loc["academy_rp_sen_unit_6k", "deduction_gbp"] == 117 * 6000 * 5 / 12 + 122 * 6000 * 7 / 12
    assert derby.loc["special_academy_pre16", "places"] == 638
    assert derby.loc["special_academy_post16", "deduction_gbp"] == 101 * 10000
    assert derby.loc["fe_ilp_post16", "places"] == 417
    assert derby["deduction_gbp"].sum() == 10_550_502
    assert np.isnan(derby.loc["hospital_academy", "places"])


def test_high_needs_block_and_allocations_agree_with_deductions(src):
    """HNB before deductions - ESFA deductions = HNB after deductions (Derby 2023-24)."""
    block = hn.read_high_needs_block(src / "dsg_2023_24_high_needs_block.csv")
    alloc = hn.read_dsg_allocations(src / "dsg_2023_24_allocations_summary.csv")
    fp = hn.read_funded_places(src / "dsg_2023_24_high_needs_deductions.csv")
    d = block[block["la_code"] == "831"].set_index("line")["value"]
    # [I] = [A] + [B]*[C] + [D] + [E] + [F] + [H]
    rebuilt = (d["nff_floor_gains_elements"] + d["basic_entitlement_rate"] * d["basic_entitlement_pupils"]
               + d["import_export_adjustment"] + d["special_free_schools_additional"]
               + d["hospital_ap_teachers_pay"] + d["additional_high_needs_allocation"])
    assert rebuilt == pytest.approx(d["total_before_deductions"], abs=1)
    assert d["total_before_deductions"] == 56_648_963
    a = alloc[alloc["la_code"] == "831"].set_index("line")["value_gbp"]
    assert a["high_needs_block"] == d["total_before_deductions"]
    ded = fp[fp["la_code"] == "831"]["deduction_gbp"].sum()
    assert a["high_needs_block"] - ded == a["high_needs_block_after_deductions"] == 46_098_461


@pytest.mark.parametrize("year", ["2020_21", "2021_22", "2022_23", "2023_24"])
def test_every_year_reads(src, year):
    fp = hn.read_funded_places(src / f"dsg_{year}_high_needs_deductions.csv")
    block = hn.read_high_needs_block(src / f"dsg_{year}_high_needs_block.csv")
    alloc = hn.read_dsg_allocations(src / f"dsg_{year}_allocations_summary.csv")
    start = int(year[:4])
    for frame in (fp, block, alloc):
        assert (frame["year"] == start + 1).all()
        assert (frame["financial_year"] == year.replace("_", "-")).all()
        assert frame["la_code"].nunique() >= 150
    assert "total_before_deductions" in set(block["line"])
    total = block[block["line"] == "total_before_deductions"].set_index("la_code")["value"]
    hnb = alloc[alloc["line"] == "high_needs_block"].set_index("la_code")["value_gbp"]
    assert (total - hnb).abs().max() < 1


def test_outturn_lines_and_derby(src):
    out = hn.read_high_needs_outturn(src / "high_needs_outturn_2021_22.xlsx")
    assert set(out.columns) == {"year", "financial_year", "la_code", "la_name", "line", "value",
                                "unit"}
    assert (out["year"] == 2022).all() and (out["financial_year"] == "2021-22").all()
    assert set(out["unit"]) <= {"people", "pupils", "gbp", "gbp_per_head"}
    assert set(out["line"]) <= set(hn.OUTTURN_LINES["line"])
    derby = out[out["la_code"] == "831"].set_index("line")["value"]
    assert derby["ehcp_total"] == 2613  # = SEN2 January 2021
    placements = [c for c in derby.index if c.startswith("placements_")]
    assert len(placements) == 7
    assert derby[placements].sum() == derby["ehcp_total"]
    assert derby["placements_special"] == 806
    assert derby["top_up_maintained_special"] == 14_690_608
    # published totals: top-up = parts - income; place funding total = special + AP
    parts = ["early_years", "primary", "secondary", "special", "ap", "post_school"]
    assert derby["top_up_maintained_total"] == pytest.approx(
        sum(derby[f"top_up_maintained_{p}"] for p in parts) - derby["top_up_maintained_income"])
    assert derby["place_funding_special_ap"] == derby["place_funding_special"] + derby["place_funding_ap"]
    # #REF! cells (NFF factors) are not read; nothing but numbers left
    assert out["value"].notna().all()
    # placements add up to the national figure for January 2021 (430,697 published; the tool: 430,665)
    total = out[out["line"] == "ehcp_total"]["value"].sum()
    assert 430_000 < total < 431_000


def test_deficit_codes_names(src):
    d = hn.read_dsg_deficit(src / "dsg_deficit_pct_income.xlsx")
    eng = d[d["la_code"] == "E92000001"].set_index("year")["deficit_pct_income"]
    assert eng.to_dict() == {2020: 1.08, 2021: 1.69, 2022: 2.26}  # 2019-20 .. 2021-22
    assert d["la_code"].str.fullmatch(r"\d{3}|E92000001").all()
    # Dorset in 2019-20 onwards is the new unitary (838), not the old county (835)
    assert "835" not in set(d["la_code"]) and "838" in set(d["la_code"])
    assert not d.duplicated(["la_code", "year"]).any()


def test_extract_is_tidy_sorted_and_deterministic(src, extract):
    assert sorted(extract) == ["dsg_deficit", "funded_places", "high_needs_block", "high_needs_outturn"]
    again = hn.build_high_needs_extract(src)
    for name, frame in extract.items():
        pd.testing.assert_frame_equal(frame, again[name])
        assert list(frame.columns[:2]) == ["la_code", "year"]
        assert frame["year"].dtype == "int64"
        key = [c for c in ("place_type", "line") if c in frame]
        assert frame.equals(frame.sort_values(["la_code", "year"] + key, kind="stable")
                            .reset_index(drop=True))
        assert not frame.duplicated(["la_code", "year"] + key).any()
    assert "gbp_per_head" not in set(extract["high_needs_outturn"]["unit"])


def test_accessors(src):
    fp = hn.la_funded_places("derby")
    assert list(fp.columns) == ["year", "financial_year", "place_type", "places", "deduction_gbp"]
    assert sorted(fp["year"].unique()) == [2021, 2022, 2023, 2024]
    assert len(fp) == 4 * len(hn.PLACE_TYPES)
    assert fp.query("year == 2024")["deduction_gbp"].sum() == 10_550_502
    assert hn.la_funded_places(831).equals(fp)
    high = hn.la_high_needs("DERBY")
    assert list(high.columns) == ["year", "financial_year", "line", "value", "unit"]
    assert high.set_index("line").loc["placements_independent", "value"] == 166
    assert not hn.la_high_needs_block("Kent").empty
    assert not hn.la_dsg_deficit("Kent").empty
    with pytest.raises(KeyError):
        hn.la_funded_places("Atlantis")


def test_bad_header_is_a_validation_error(tmp_path):
    bad = tmp_path / "dsg_2023_24_high_needs_deductions.csv"
    bad.write_text("Dedicated schools grant: 2023 to 2024 high needs block deductions,,Mystery group,,,"
                   "Total deduction to high needs block\n,,Odd places,,,\n,,a,b,c,\nENGLAND,,1,2,3,3\n")
    with pytest.raises(ValidationError, match="unrecognised place type"):
        hn.read_funded_places(bad)
    notitle = tmp_path / "x.csv"
    notitle.write_text("no year here,,a\n,,b\n")
    with pytest.raises(ValidationError, match="financial year"):
        hn.read_dsg_allocations(notitle)


def test_markers_become_missing_with_a_warning(src, tmp_path):
    """x / c / z / #REF! cells are read as NaN and counted in a DataWarning."""
    from sufficiency.errors import DataWarning
    lines = (src / "dsg_2023_24_high_needs_deductions.csv").read_text(encoding="utf-8-sig").splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("831,Derby,"))
    cells = lines[i].split(",")
    cells[3], cells[6] = "c", "#REF!"   # Sep-March places of the first two place types
    lines[i] = ",".join(cells)
    path = tmp_path / "dsg_2023_24_high_needs_deductions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.warns(DataWarning, match="#REF!: 1, c: 1"):
        fp = hn.read_funded_places(path)
    derby = fp[fp["la_code"] == "831"].set_index("place_type")
    assert np.isnan(derby.loc["academy_rp_sen_unit_6k", "places"])
    assert np.isnan(derby.loc["academy_rp_sen_unit_10k", "places"])
    assert derby.loc["academy_rp_sen_unit_6k", "deduction_gbp"] == 719_500


def test_money_tables_use_the_census_year_with_a_financial_year_label():
    """Published figures (embedded, no source files needed) sit under the census year that the
    financial year holds: Derby's provisional High Needs Block before deductions for 2021-22
    (£45,363,086) and 2023-24 (£56,648,963), its ESFA deductions 2023-24, the 2021-22
    benchmarking outturn and Kent's DSG balances 2019-20 to 2021-22."""
    block = hn.la_high_needs_block("Derby").query("line == 'total_before_deductions'")
    by_year = block.set_index("year")
    assert by_year.loc[2024, "financial_year"] == "2023-24"
    assert by_year.loc[2024, "value"] == 56_648_963
    assert by_year.loc[2022, "financial_year"] == "2021-22"
    assert by_year.loc[2022, "value"] == 45_363_086  # dsg_2021_22_high_needs_block.csv, row 831
    assert block["year"].tolist() == [2021, 2022, 2023, 2024]
    assert (block["financial_year"] == ["2020-21", "2021-22", "2022-23", "2023-24"]).all()
    fp = hn.la_funded_places("Derby")
    assert fp.query("financial_year == '2023-24'")["deduction_gbp"].sum() == 10_550_502
    assert set(fp.query("financial_year == '2023-24'")["year"]) == {2024}
    high = hn.la_high_needs("Derby")
    assert set(zip(high["year"], high["financial_year"])) == {(2022, "2021-22")}
    deficit = hn.la_dsg_deficit("Kent")
    assert set(zip(deficit["year"], deficit["financial_year"])) == {
        (2020, "2019-20"), (2021, "2020-21"), (2022, "2021-22")}
    table = hn.high_needs_table("funded_places")
    assert list(table.columns[:3]) == ["la_code", "year", "financial_year"]
