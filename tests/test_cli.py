"""The command line: exit codes, messages, and the commands that need no solver."""
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
import pytest

from sufficiency.cli import main
from sufficiency.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]


def test_help_everywhere(capsys):
    for argv in ([], ["run", "--help"], ["compare", "--help"], ["backtest", "--help"],
                 ["validate", "--help"], ["new-scenario", "--help"]):
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code
        assert code in (0, 2)
    assert "new-scenario" in capsys.readouterr().out


def test_validate_scenario_ok(capsys):
    assert main(["validate", str(REPO / "scenarios" / "example-mitigated.yaml")]) == 0
    assert "valid scenario 'Wiltshire mitigated'" in capsys.readouterr().out


def test_validate_bad_scenario_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("data:\n  la: Nowhereshire\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml, line 2: data.la: no local authority 'Nowhereshire'" in err


def test_validate_history_file_reports_every_row(tmp_path, capsys):
    path = tmp_path / "h.csv"
    pd.DataFrame({"year": [2024, 2025, 2025], "need": ["ASD", "ASD", "AUT"],
                  "count": [5, -1, 3]}).to_csv(path, index=False)
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert "1 rows usable, 2 set aside" in out
    assert "rows 3" in out and "rows 4" in out


def test_new_scenario_writes_a_valid_commented_file(tmp_path, capsys):
    out = tmp_path / "hfd.yaml"
    assert main(["new-scenario", "--la", "Herefordshire", "--out", str(out)]) == 0
    text = out.read_text()
    assert "# Starting scenario for Herefordshire (LA 884)" in text
    assert "name: Herefordshire baseline" in text
    assert "discount_rate: 0.035" in text and "Green Book" in text
    scenario = load_scenario(out)
    assert scenario.get("data.la") == "884"
    assert main(["new-scenario", "--la", "Herefordshire", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


def test_new_scenario_sources_fit_the_la(tmp_path):
    out = tmp_path / "worcs.yaml"
    assert main(["new-scenario", "--la", "Worcester", "--out", str(out)]) == 0
    text = out.read_text()
    assert "Worcestershire's EHC plans grew" in text
    # another LA's figures are never passed off as this LA's
    for line in text.splitlines():
        if "Wiltshire" in line:
            assert "evidence from Wiltshire, not Worcestershire" in line, line


def test_unknown_la_exit_2(tmp_path, capsys):
    assert main(["new-scenario", "--la", "Atlantis", "--out", str(tmp_path / "x.yaml")]) == 2
    assert "no local authority 'Atlantis'" in capsys.readouterr().err


def test_console_script_is_installed():
    done = subprocess.run([sys.executable, "-m", "sufficiency.cli", "--version"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("sufficiency ")


def test_compare_writes_side_by_side(tmp_path, capsys):
    base = tmp_path / "base.yaml"
    base.write_text(f"extends: {REPO / 'scenarios' / 'example.yaml'}\n"
                    "report: {charts: false, html: false}\nforecast: {n_paths: 200}\n")
    mitigated = tmp_path / "mitigated.yaml"
    mitigated.write_text("extends: base.yaml\nname: Mitigated\nlevers:\n"
                         "  - {name: reduce_new_plan_growth, reduction: 0.3, from_year: 2027}\n")
    # the documented extends pattern without a new name: same name as the base
    same = tmp_path / "steps.yaml"
    same.write_text("extends: base.yaml\nlevers:\n"
                    "  - {name: reduce_new_plan_growth, reduction: 0.1, from_year: 2027}\n")
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(mitigated), str(same), "--out", str(out)]) == 0
    table = pd.read_csv(out / "comparison.csv")
    row = table.set_index("measure").loc["Specialist places needed, last year"]
    first = "Wiltshire baseline (base.yaml)"
    assert row["Mitigated"] < row[first]
    assert row[f"Mitigated - {first}"] == pytest.approx(row["Mitigated"] - row[first])
    # every scenario is kept: the two with the same name are named by their files
    assert "Wiltshire baseline (steps.yaml)" in table.columns
    assert (out / "mitigated" / "results.xlsx").exists()
    assert (out / "wiltshire-baseline-steps-yaml" / "results.xlsx").exists()
    captured = capsys.readouterr()
    assert f"Mitigated - {first}" in captured.out
    assert "writing comparison.xlsx" in captured.err          # progress to the end
    wb = load_workbook(out / "comparison.xlsx")
    assert len(set(wb.sheetnames)) == len(wb.sheetnames) == 7
    assert {"Mitigated - measures", "Base - measures", "Steps - measures"} <= set(wb.sheetnames)
    assert all(len(n) <= 31 and "_" not in n for n in wb.sheetnames)
    ws = wb["Comparison"]
    money = [r for r in ws.iter_rows(min_row=2) if "(£)" in str(r[0].value)]
    assert money and all("£" in c.number_format for c in money[0][1:])


def test_backtest_prints_accuracy_per_model(capsys):
    assert main(["backtest", str(REPO / "scenarios" / "herefordshire.yaml"), "--horizon", "2"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "constant_growth" in out and "median_ape_pct" in out and "coverage80" in out
    # the legend: every column of the table is explained under it
    legend = out.split("Columns:")[1]
    for column in ("model", "horizon", "n", "median_ape_pct", "mase", "median_scaled_error",
                   "over_share", "coverage80", "coverage90"):
        assert re.search(rf"^  {column} +\S", legend, re.M), column
    # progress on stderr: a line per origin year with the model, done / left and time left
    steps = re.findall(r"origin (\d{4}), model (\d) of (\d) \((\w+)\): (\d+) of (\d+) steps "
                       r"done, (\d+) left \| elapsed \d+s, about \d+s left", captured.err)
    assert steps, captured.err
    done = [int(s[4]) for s in steps]
    total = int(steps[0][5])
    assert done == sorted(done) and done[-1] == total            # counts up to the end
    assert all(int(s[4]) + int(s[6]) == total for s in steps)     # done + left = all steps
    origins = [int(s[0]) for s in steps]
    assert origins == sorted(origins) and len(set(origins)) >= 5  # one line per origin at least


def test_backtest_quiet_prints_no_progress(capsys):
    assert main(["backtest", str(REPO / "scenarios" / "herefordshire.yaml"), "--horizon", "1",
                 "--quiet"]) == 0
    assert "steps done" not in capsys.readouterr().err


def test_validate_history_file_says_when_it_cannot_be_forecast(tmp_path, capsys):
    # every row is well formed, but one year per age band cannot be forecast: the scenario
    # naming the file would fail, so validating the file alone must say so too
    path = tmp_path / "h.csv"
    pd.DataFrame({"year": [2025, 2025], "age_band": ["under 5", "5-10"],
                  "count": [10, 100]}).to_csv(path, index=False)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert "2 rows usable, 0 set aside" in captured.out
    assert "series age_band='5-10'" in captured.err
    assert "expected at least 3 consecutive positive years" in captured.err


def test_validate_history_file_accepts_a_forecastable_history(tmp_path, capsys):
    path = tmp_path / "h.csv"
    years = [2021, 2022, 2023, 2024, 2025]
    pd.DataFrame({"year": years * 2, "age_band": ["under 5"] * 5 + ["5-10"] * 5,
                  "count": [10, 11, 12, 13, 14, 100, 104, 108, 112, 116]}).to_csv(path,
                                                                               index=False)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
