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
    ws = load_workbook(path)["costs"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert "£" in ws["B2"].number_format and ws["C2"].number_format == "0.0%"
    assert ws.column_dimensions["B"].width >= 8


def test_number_formats_follow_column_names():
    assert number_format("capital_cost_gbp").startswith('"£"')
    assert number_format("share_mainstream") == "0.0%"
    assert number_format("p90") == "#,##0"
    assert number_format("setting") is None
