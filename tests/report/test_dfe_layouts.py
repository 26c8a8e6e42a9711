"""DfE layouts: every row labelled as the template labels it, years as columns (golden files).

Regenerate deliberately with ``SUFFICIENCY_REGENERATE_GOLDEN=1 pytest tests/report``.
"""
import os
from pathlib import Path

import pandas as pd
import pytest

from sufficiency.finance import tables as T
from sufficiency.report.dfe import LAYOUTS, layout_sheet, scap_nc_sheets
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
        "dsg_ages": layout_sheet(T.by_age_group(p), "dsg_ages"),
        "dsg_needs": layout_sheet(T.by_need(p), "dsg_needs"),
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


@pytest.mark.parametrize("name", ["dsg_placements", "dsg_ages", "dsg_needs",
                                  "dsg_financial_summary", "scap_specialist"])
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


def test_years_are_columns_in_the_template_convention():
    sheets = _sheets()
    assert list(sheets["dsg_placements"].columns[1:]) == ["2025-26", "2026-27", "2027-28"]
    assert list(sheets["scap_nc_primary"].columns[2:]) == [
        "2025/26", "2026/27", "2027/28", "2028/29", "2029/30"]          # 5 primary years
    assert len(sheets["scap_nc_secondary"].columns[2:]) == 7          # 7 secondary years
    nc = sheets["scap_nc_secondary"]["National curriculum year"].tolist()
    assert nc[:6] == ["Year 7", "Year 8", "Year 9", "Year 10", "Year 11", "Total"]


def test_totals_are_sums_of_the_rows():
    s = _sheets()["scap_nc_primary"]
    body = s[s["National curriculum year"] != "Total"]
    grand = s[s["Provision type"] == "All provision types"]
    assert body["2025/26"].sum() == pytest.approx(float(grand["2025/26"].iloc[0]))


def test_extra_rows_from_a_stage_are_kept_not_dropped():
    t = pd.DataFrame({2026: [1.0, 2.0, 3.0, 4.0, 6.0]},
                     index=["High Needs Block allocation", "Income: Safety Valve", "Total income",
                            "Total spend", "Cumulative deficit"])
    sheet = layout_sheet(t, "dsg_financial_summary_mitigated")
    assert sheet["High needs block"].tolist() == list(t.index)   # the stage's order, all kept
