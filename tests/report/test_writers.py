"""Report writers: atomic output, no silent overwrite, same input -> same bytes."""
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from sufficiency.report import write_report
from sufficiency.report.workbook import number_format, write_workbook


def test_outputs_written_and_reproducible(tmp_path, tiny_report):
    a = write_report(tiny_report(), tmp_path / "a")
    b = write_report(tiny_report(), tmp_path / "b")
    for name in ("results.xlsx", "charts/cost.png", "report.html", "tables/costs.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    manifest = json.loads((a / "manifest.json").read_text())
    assert "results.xlsx" in manifest["outputs"]
    html = (a / "report.html").read_text()
    assert "2,717 -&gt; 4,100" in html and "Green Book" in html and "data:image/png;base64" in html


def test_existing_folder_is_not_overwritten_without_force(tmp_path, tiny_report):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="--force"):
        write_report(tiny_report(), out)
    assert (out / "keep.txt").read_text() == "mine"
    # --force replaces only an earlier output of this tool (its manifest), never this folder
    with pytest.raises(FileExistsError, match="not an output folder of sufficiency"):
        write_report(tiny_report(), out, force=True)
    assert (out / "keep.txt").read_text() == "mine"
    earlier = tmp_path / "earlier"
    write_report(tiny_report(), earlier)
    (earlier / "stale.txt").write_text("from an old run")
    write_report(tiny_report(), earlier, force=True)
    assert not (earlier / "stale.txt").exists() and (earlier / "report.html").exists()


def test_failure_leaves_nothing_half_written(tmp_path, tiny_report):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        write_report(tiny_report(fail=True), out)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir()]  # no temporary folder left behind


def test_workbook_is_formatted_for_people(tmp_path, tiny_report):
    path = tmp_path / "x.xlsx"
    write_workbook({"costs": pd.DataFrame({"year": [2026], "cost_gbp": [1.5e6],
                                           "independent_share": [0.12]})}, path)
    ws = load_workbook(path)["Costs"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert [c.value for c in ws[1]] == ["Year (January census)", "Cost (£)", "Independent share"]
    assert "£" in ws["B2"].number_format and ws["C2"].number_format == "0.0%"
    assert ws["A2"].number_format == "0"                     # a year, not 2,026
    assert ws.column_dimensions["B"].width >= 8


def test_number_formats_follow_column_names():
    assert number_format("capital_cost_gbp").startswith('"£"')
    assert number_format("share_mainstream") == "0.0%"
    assert number_format("p90") == "#,##0"
    assert number_format("setting") is None


def test_dfe_layout_sheet_keeps_labels_and_formats_every_year(tmp_path):
    from sufficiency.report.dfe import layout_sheet

    table = pd.DataFrame({2026: [75306287.1252, 1.0e6], 2027: [77.6e6, 1.1e6]},
                         index=["High Needs Block income", "Total spend"])
    path = tmp_path / "dfe.xlsx"
    write_workbook({"dfe_dsg_financial_summary_unmitigated":
                    layout_sheet(table, "dsg_financial_summary")}, path)
    ws = load_workbook(path)["DSG finance (today's mix)"]
    assert [c.value for c in ws[1]] == ["High needs block", "2025-26", "2026-27"]
    assert ws["A2"].value == "High Needs Block income"
    assert ws["B2"].value == 75306287.1252 and "£" in ws["B2"].number_format
    assert "#,##0" in ws["C3"].number_format


def test_codes_become_words_in_the_workbook_not_in_the_csv(tmp_path, tiny_report):
    path = tmp_path / "w.xlsx"
    frame = pd.DataFrame({"year": [2026], "provision": ["special_independent"],
                          "need_group": ["semh"], "placed": [12.6]})
    write_workbook({"placements": frame}, path)
    ws = load_workbook(path)["Placements"]
    assert [c.value for c in ws[2]][1:3] == ["Independent special school",
                                             "Social, emotional and mental health"]
    assert ws["D2"].number_format == "#,##0"


def test_sheet_names_are_readable_unique_and_short():
    from sufficiency.report.workbook import sheet_names

    names = sheet_names(["dfe_dsg_financial_summary_unmitigated",
                         "dfe_dsg_financial_summary_allocation_plan", "a" * 40, "a" * 40 + "b"])
    assert list(names.values())[:2] == ["DSG finance (today's mix)", "DSG finance (place plan)"]
    assert len(set(names.values())) == 4 and all(len(v) <= 31 for v in names.values())


def test_a_long_table_of_measures_formats_each_row_by_its_unit(tmp_path):
    from openpyxl import load_workbook

    m = pd.DataFrame({"year": [2026, 2026, 2026],
                      "measure": ["new_plans_mainstream_share", "cost_per_ehcp_gbp",
                                  "independent_placements"],
                      "value": [0.623, 15928.6, 172.0]})
    write_workbook({"measures": m}, tmp_path / "m.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx")["Board measures"]
    assert [c.value for c in ws[1]] == ["Year (January census)", "Measure", "Value"]
    assert [ws.cell(row=r, column=3).number_format for r in (2, 3, 4)] == [
        "0.0%", '"£"#,##0;[Red]-"£"#,##0', "#,##0"]          # a share as %, never 0.623


def test_comparison_sheet_header_is_a_word(tmp_path):
    from openpyxl import load_workbook

    table = pd.DataFrame({"measure": ["Capital cost (£)"], "A": [1.5e6], "B": [2.0e6]})
    table.attrs["row_units"] = ["£"]
    write_workbook({"comparison": table}, tmp_path / "c.xlsx")
    ws = load_workbook(tmp_path / "c.xlsx")["Comparison"]
    assert ws["A1"].value == "Measure" and ws["B2"].number_format.startswith('"£"#,##0')


def test_age_bands_read_youngest_first_with_the_total_last():
    from sufficiency.report.tables import _youngest_first

    f = pd.DataFrame({"age_band": ["11-15", "11-15", "5-10", "all", "under 5", "16-19"],
                      "year": [2026, 2027, 2026, 2026, 2026, 2026]})
    out = _youngest_first(f)
    assert out["age_band"].tolist() == ["under 5", "5-10", "11-15", "11-15", "16-19", "all"]
    assert out[out["age_band"] == "11-15"]["year"].tolist() == [2026, 2027]
