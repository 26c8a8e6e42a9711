"""User tables: hypothesis-generated tables against the schema checks (issue 15)."""

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sufficiency.data.tables import Vocabulary, check_table, read_table
from sufficiency.scenario_files import user_schema

SCHEMA = user_schema("settings")
PROVISIONS = ["special_maintained", "resource_base", "ap", "special_independent"]

good_row = st.fixed_dictionaries({
    "setting": st.text("abcdefghij ", min_size=1, max_size=8).map(str.strip).filter(bool),
    "provision": st.sampled_from(PROVISIONS),
    "capacity": st.integers(0, 5000).map(str),
    "cost_per_place": st.integers(0, 900_000).map(str),
})
BAD = {"capacity": ["-1", "lots", "1e400", "nan", "12..5"],
       "cost_per_place": ["", "-5", "£-3", "2000000", "inf", "abc"],
       "provision": ["Indep", "special", "xyz"]}


@st.composite
def tables(draw):
    rows = draw(st.lists(good_row, min_size=1, max_size=12))
    bad = {}
    for i in range(len(rows)):
        if draw(st.integers(0, 4)) == 0:
            column = draw(st.sampled_from(sorted(BAD)))
            value = draw(st.sampled_from(BAD[column]))
            if column == "provision" and value == "special":
                continue   # 'special' is an accepted alias, not an error
            rows[i][column] = value
            bad[i] = column
    blank_before = [draw(st.integers(0, 2)) for _ in rows]
    sep = draw(st.sampled_from([",", ";"]))
    return rows, bad, blank_before, sep


def write(rows, blank_before, sep, path):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(["setting", "provision", "capacity", "cost_per_place"])
    lines = []
    line = 1
    for row, blanks in zip(rows, blank_before):
        for _ in range(blanks):
            buf.write("\n")
            line += 1
        line += 1
        w.writerow([row[c] for c in ("setting", "provision", "capacity", "cost_per_place")])
        lines.append(line)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return lines


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables())
def test_every_bad_cell_is_reported_at_its_line_and_good_tables_round_trip(tmp_path, case):
    rows, bad, blank_before, sep = case
    path = tmp_path / "settings.csv"
    lines = write(rows, blank_before, sep, path)
    frame, problems, _ = check_table(read_table(path, expect=["setting"]), SCHEMA,
                                     Vocabulary(), "settings")
    if not bad:
        assert problems == []
        assert frame.attrs["rows"] == lines
        assert frame["capacity"].tolist() == [float(r["capacity"]) for r in rows]
        assert frame["cost_per_place"].tolist() == [float(r["cost_per_place"]) for r in rows]
        return
    assert problems
    text = "\n".join(problems)
    for i, column in bad.items():
        hits = [p for p in problems if f"column {column!r}" in p]
        assert hits, (column, text)
        assert any(str(lines[i]) in p for p in hits), (lines[i], column, text)
    for p in problems:
        assert str(path) in p and (" line " in p or " lines " in p)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=6), min_size=1, max_size=5),
       st.lists(st.lists(st.text(max_size=6), max_size=6), max_size=6))
def test_any_text_table_is_read_or_refused_with_a_location(tmp_path, header, body):
    from sufficiency.errors import ValidationError

    path = tmp_path / "t.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in [header] + body:
        w.writerow(row)
    path.write_text(buf.getvalue(), encoding="utf-8")
    try:
        table = read_table(path)
    except ValidationError as err:
        assert str(path) in str(err)
        return
    frame, problems, _ = check_table(table, SCHEMA, Vocabulary(), "settings")
    for p in problems:
        assert str(path) in p


@pytest.mark.parametrize("need,group", [("ASD", "communication_interaction"),
                                        ("asc", "communication_interaction"),
                                        ("SEMH", "semh"), ("semh", "semh"),
                                        ("Cognition learning", "cognition_learning")])
def test_need_codes_and_need_groups_are_both_accepted(need, group):
    assert Vocabulary().map("need", need)[0] == group


@pytest.mark.parametrize("phase,mapped", [("KS2", "primary"), ("ks4", "secondary"),
                                          ("Sixth form", "post-16"), ("Primary", "primary")])
def test_key_stages_map_onto_phases(phase, mapped):
    assert Vocabulary().map("phase", phase)[0] == mapped


def test_three_tier_phases_are_their_own_vocabulary():
    v = Vocabulary.for_phases("three_tier")
    assert v.map("phase", "middle")[0] == "middle"
    assert Vocabulary().map("phase", "middle")[0] is None


def test_excel_title_rows_are_skipped_and_rows_numbered_as_in_excel(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "settings"
    ws.append(["Our special schools, 2026"])
    ws.append([])
    ws.append(["Setting", "Provision", "Capacity", "Cost per place"])
    ws.append(["Oak", "special_maintained", 100, 25000])
    ws.append(["Elm", "special_maintained", -3, 25000])
    book.save(tmp_path / "s.xlsx")
    table = read_table(tmp_path / "s.xlsx", expect=["setting"])
    frame, problems, _ = check_table(table, SCHEMA, Vocabulary(), "settings")
    assert problems == [f"{tmp_path / 's.xlsx'} [sheet 'settings'], row 5, column 'capacity': "
                        "'-3': expected a number of places of 0 or more"]


def test_inputs_doc_tables_are_generated_from_the_schemas():
    from pathlib import Path

    from sufficiency.scenario_files import DOC_MARKER, user_tables_markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "inputs.md").read_text()
    assert doc.split(DOC_MARKER, 1)[1].lstrip("\n") == user_tables_markdown(), (
        "docs/inputs.md is out of date: regenerate its tables with "
        "sufficiency.scenario_files.user_tables_markdown()")


@pytest.mark.parametrize("cell, value", [("25,000", 25000.0), ("£1,234,567.50", 1234567.5),
                                         ("-1,000", -1000.0), ("12", 12.0)])
def test_thousands_separators_are_read(cell, value):
    from sufficiency.data.tables import _parse_number

    assert _parse_number(cell) == value


@pytest.mark.parametrize("cell", ["0,6", "25000,50", "1,2,3", "12,34"])
def test_a_decimal_comma_is_never_read_as_thousands(tmp_path, cell):
    path = tmp_path / "s.csv"
    path.write_text(f"setting;provision;capacity;cost_per_place\nOak;special_maintained;10;{cell}\n")
    frame, problems, _ = check_table(read_table(path), SCHEMA, Vocabulary(), "settings")
    assert len(problems) == 1 and "line 2, column 'cost_per_place'" in problems[0], problems
    if cell.count(",") == 1:
        assert f"did you mean {cell.replace(',', '.')}?" in problems[0]
