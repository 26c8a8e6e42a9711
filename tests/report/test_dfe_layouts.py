"""DfE layouts: every row labelled as the template labels it, years as columns (golden files).

Regenerate deliberately with ``SUFFICIENCY_REGENERATE_GOLDEN=1 pytest tests/report``.
"""
import os
from pathlib import Path

import pandas as pd
import pytest

from sufficiency.finance import tables as T
from sufficiency.report.dfe import (AGE_TOTAL, ALL_CATEGORIES, ALL_TYPES, LAYOUTS, NEED_TOTAL,
                                   dsg_breakdown, layout_sheet, scap_nc_sheets)
from sufficiency.scap import nc_year_demand

GOLDEN = Path(__file__).parent / "golden"
YEARS = [2026, 2027, 2028]


def _placements():
    rows = []
    provisions = ["mainstream", "resource_base", "special_maintained", "special_independent",
                  "special_non_maintained", "ap", "fe_college", "specialist_post16", "elsewhere"]
    bands = ["under 5", "5-10", "11-15", "16-19", "20-25"]
    needs = ["ASD", "SLCN", "SEMH", "MLD", "SLD", "PD", "SPLD", "HI", "PMLD", "OTH", "VI", "MSI",
             "NSA"]
    for k, year in enumerate(YEARS):
        for i, p in enumerate(provisions):
            for j, b in enumerate(bands):
                if p in ("fe_college", "specialist_post16") and j < 3:
                    continue   # post-16 settings take young people of 16 and over
                rows.append((year, p, b, needs[(i + j) % len(needs)],
                             10.0 * (i + 1) + j + 5.5 * k))
    return pd.DataFrame(rows, columns=["year", "provision", "age_band", "need", "count"])


def _trajectory():
    return pd.DataFrame({"year": YEARS, "income_gbp": [75_306_287.13, 77_634_235.74, 80.0e6],
                         "spend_gbp": [90.0e6, 95.5e6, 101.25e6],
                         "in_year_balance_gbp": [-14_693_712.87, -17_865_764.26, -21.25e6],
                         "cumulative_balance_gbp": [-14_693_712.87, -32_559_477.13,
                                                    -53_809_477.13]})


def _costed():
    p = _placements()
    return p.assign(hnb_gbp=p["count"] * 25_000.0)


def _sheets():
    p = _placements()
    out = {
        "dsg_placements": layout_sheet(T.by_placement_category(p), "dsg_placements"),
        "dsg_ages": dsg_breakdown(p, "age_band"),
        "dsg_needs": dsg_breakdown(p, "need"),
        "dsg_financial_summary": layout_sheet(T.financial_summary(_trajectory(), _costed()),
                                              "dsg_financial_summary"),
        "scap_specialist": layout_sheet(T.scap_specialist(p), "scap_specialist"),
    }
    ages = list(range(2, 26))
    single = pd.DataFrame([(y, a, prov, float(20 + a + (y - 2024) * 3) * share)
                           for y in (2024, 2025) for a in ages
                           for prov, share in (("all", 1.0), ("special_maintained", 0.3),
                                               ("resource_base", 0.1),
                                               ("special_independent", 0.05))],
                          columns=["year", "age", "provision", "count"])
    demand = pd.DataFrame([(y, prov, ph, 100.0 + 10 * (y - 2026) + 7 * i)
                           for y in range(2026, 2034)
                           for i, prov in enumerate(["special_maintained", "resource_base",
                                                     "special_independent"])
                           for ph in ("primary", "secondary")],
                          columns=["year", "provision", "phase", "demand"])
    out.update(scap_nc_sheets(nc_year_demand(demand, single)))
    return out


@pytest.mark.parametrize("name", ["dsg_placements", "dsg_ages", "dsg_needs",
                                  "dsg_financial_summary", "scap_specialist", "scap_nc_primary",
                                  "scap_nc_secondary"])
def test_layout_matches_golden_file(name):
    sheet = _sheets()[name]
    text = sheet.round(2).to_csv(index=False, lineterminator="\n")
    path = GOLDEN / f"{name}.csv"
    if os.environ.get("SUFFICIENCY_REGENERATE_GOLDEN") or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from {path}"


@pytest.mark.parametrize("name", ["dsg_placements", "dsg_financial_summary", "scap_specialist"])
def test_every_template_row_is_there_in_order_and_labelled(name):
    sheet = _sheets()[name]
    spec = LAYOUTS[name]
    first = sheet.columns[0]
    assert first == spec.row_header
    labels = [str(v) for v in sheet[first]]
    if name == "scap_specialist":   # (type, phase) rows: type in the first column
        labels = list(dict.fromkeys(labels))
        assert sheet["Phase"].tolist()[:2] == ["Primary", "Secondary"]
    assert labels == list(spec.rows)
    assert sheet.attrs["unit"] == spec.unit


# The template's words, as DfE's DSG management plan template (v5, 2022-23) prints them.
TEMPLATE_CATEGORIES = [
    "Mainstream schools or academies", "Resourced provision or SEN units",
    "Maintained special schools or special academies",
    "Non-maintained special schools or independent (NMSS or independent)",
    "Hospital schools or alternative provision (AP)", "Post 16 and further education (FE)",
    "Other placements or direct payments"]
TEMPLATE_AGES = ["Under 5", "Age 5 to 10", "Age 11 to 15", "Age 16 to 19", "Age 20 to 25"]
TEMPLATE_NEEDS = [
    "Autistic Spectrum Disorder", "Hearing Impairment", "Moderate Learning Difficulty",
    "Multi- Sensory Impairment", "Physical Disability", "Profound & Multiple Learning Difficulty",
    "Social, Emotional and Mental Health", "Speech, Language and Communications needs",
    "Severe Learning Difficulty", "Specific Learning Difficulty", "Visual Impairment",
    "Other Difficulty/Disability", "SEN support but no specialist assessment of type of need"]


def test_placement_categories_are_the_templates():
    sheet = _sheets()["dsg_placements"]
    assert sheet["Placement category"].tolist() == TEMPLATE_CATEGORIES + ["Total"]


@pytest.mark.parametrize("name, rows, total", [("dsg_ages", TEMPLATE_AGES, AGE_TOTAL),
                                               ("dsg_needs", TEMPLATE_NEEDS, NEED_TOTAL)])
def test_each_placement_category_has_the_templates_breakdown(name, rows, total):
    sheet = _sheets()[name]
    sub = sheet.columns[1]
    assert list(dict.fromkeys(sheet["Placement category"])) == TEMPLATE_CATEGORIES + [
        ALL_CATEGORIES]
    for category, block in sheet.groupby("Placement category", sort=False):
        got = block[sub].tolist()
        if name == "dsg_ages" and category.startswith("Post 16"):
            # the template asks only 16-19 and 20-25; a younger row appears only if filled
            extra = block[~block[sub].isin(["Age 16 to 19", "Age 20 to 25", total])]
            assert (extra.iloc[:, 2:].to_numpy() > 0).any(axis=1).all(), category
        else:
            assert got == rows + [total], category
        assert got[-1] == total
        body = block[block[sub] != total]
        assert body["2025-26"].sum() == pytest.approx(float(block[sub].eq(total).pipe(
            lambda m: block.loc[m, "2025-26"].iloc[0])))
    # the blocks add up to all placements, which agrees with the seven categories' total
    grand = sheet[(sheet["Placement category"] == ALL_CATEGORIES) & (sheet[sub] == total)]
    assert float(grand["2025-26"].iloc[0]) == pytest.approx(
        float(_sheets()["dsg_placements"]["2025-26"].iloc[-1]))


def test_a_child_the_template_has_no_row_for_is_kept():
    p = pd.DataFrame({"year": 2026, "provision": ["fe_college"], "age_band": ["11-15"],
                      "count": [2.0]})
    sheet = dsg_breakdown(p, "age_band")
    post16 = sheet[sheet["Placement category"] == "Post 16 and further education (FE)"]
    assert post16["Age group"].tolist() == ["Age 11 to 15", "Age 16 to 19", "Age 20 to 25",
                                            AGE_TOTAL]
    assert post16["2025-26"].tolist() == [2.0, 0.0, 0.0, 2.0]


# SCAP's four provision types, in the order of the SEND planning areas.
SCAP_TYPES = ["SEN units and resourced provision in mainstream schools",
              "Independent schools (independent schools and independent special schools)",
              "State-funded special schools (LA-maintained, special academies, non-maintained "
              "special schools)", "Alternative provision (PRUs, AP academies and independent AP)"]


def test_scap_types_are_the_surveys_and_non_maintained_is_state_funded():
    sheet = _sheets()["scap_specialist"]
    assert list(dict.fromkeys(sheet["Provision type"])) == SCAP_TYPES + ["Total"]
    p = pd.DataFrame({"year": 2026, "provision": ["special_non_maintained", "special_independent"],
                      "phase": "primary", "count": [4.0, 6.0]})
    s = layout_sheet(T.scap_specialist(p), "scap_specialist")
    by = s.set_index(["Provision type", "Phase"])["2025/26"]
    assert by[(SCAP_TYPES[2], "Primary")] == 4.0 and by[(SCAP_TYPES[1], "Primary")] == 6.0


def test_scap_nc_years_are_columns_and_forecast_years_rows():
    sheets = _sheets()
    primary, secondary = sheets["scap_nc_primary"], sheets["scap_nc_secondary"]
    assert primary.columns.tolist() == ["Provision type", "Academic year", "Reception"] + [
        f"Year {i}" for i in range(1, 7)] + ["Total"]
    assert secondary.columns.tolist()[2:] == [f"Year {i}" for i in range(7, 12)] + ["Total"]
    assert list(dict.fromkeys(primary["Provision type"])) == SCAP_TYPES + [ALL_TYPES]
    block = primary[primary["Provision type"] == SCAP_TYPES[0]]
    assert block["Academic year"].tolist() == [
        "2025/26", "2026/27", "2027/28", "2028/29", "2029/30"]          # 5 primary years
    assert len(secondary[secondary["Provision type"] == SCAP_TYPES[0]]) == 7   # 7 secondary


def test_totals_are_sums_of_the_rows():
    s = _sheets()["scap_nc_primary"]
    years = [c for c in s.columns if c == "Reception" or c.startswith("Year ")]
    assert s[years].sum(axis=1).to_numpy() == pytest.approx(s["Total"].to_numpy())
    body = s[s["Provision type"] != ALL_TYPES]
    grand = s[s["Provision type"] == ALL_TYPES]
    assert body.groupby("Academic year")["Total"].sum().to_numpy() == pytest.approx(
        grand.set_index("Academic year")["Total"].to_numpy())


def test_scap_planning_areas_keep_their_own_blocks():
    nc = pd.DataFrame({"area": ["North", "South"], "year": 2026, "phase": "primary",
                       "nc_year": "Year 1", "age": 5, "provision": "resource_base",
                       "demand": [1.0, 2.0]})
    s = scap_nc_sheets(nc)["scap_nc_primary"]
    assert s.columns[:3].tolist() == ["Planning area", "Provision type", "Academic year"]
    got = s[s["Provision type"] == SCAP_TYPES[0]].set_index("Planning area")["Year 1"]
    assert got.to_dict() == {"North": 1.0, "South": 2.0}


def test_extra_rows_from_a_stage_are_kept_not_dropped():
    t = pd.DataFrame({2026: [1.0, 2.0, 3.0, 4.0, 6.0]},
                     index=["High Needs Block allocation", "Income: Safety Valve", "Total income",
                            "Total spend", "Cumulative deficit"])
    sheet = layout_sheet(t, "dsg_financial_summary_mitigated")
    assert sheet["High needs block"].tolist() == list(t.index)   # the stage's order, all kept
