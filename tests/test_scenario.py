"""Scenario files: validated before anything runs, with the file, line and what was expected."""
import textwrap
from pathlib import Path

import pytest

from sufficiency.errors import ValidationError
from sufficiency.scenario import load_scenario, scenario_from_dict
from sufficiency.scenario_schema import SCENARIO_SCHEMA, schema_markdown

REPO = Path(__file__).resolve().parents[1]

SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_are_valid(path):
    s = load_scenario(path)
    assert s.name
    assert s.get("forecast.horizon") >= 1


def test_extends_overrides_only_what_it_sets():
    base = load_scenario(REPO / "scenarios" / "example.yaml")
    mitigated = load_scenario(REPO / "scenarios" / "example-mitigated.yaml")
    assert mitigated.get("data.la") == base.get("data.la")
    assert mitigated.get("forecast.horizon") == base.get("forecast.horizon")
    assert [lever["name"] for lever in mitigated.get("levers")] == [
        "reduce_new_plan_growth", "independent_step_down"]
    assert len(mitigated.chain) == 2
    assert mitigated.digest() != base.digest()


def write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_every_problem_named_with_file_and_line(tmp_path):
    path = write(tmp_path, """\
        name: bad
        data:
          la: Wiltshireshire
        forecast:
          horizn: 5
          model: magic
        allocate:
          discount_rate: 3.5
          settings: nothere.csv
        """)
    with pytest.raises(ValidationError) as err:
        load_scenario(path)
    problems = err.value.problems
    assert len(problems) == 6   # settings without designations is the sixth
    text = "\n".join(problems)
    assert "s.yaml, line 5: unknown key 'forecast.horizn' (did you mean 'forecast.horizon'" in text
    assert "line 6: forecast.model = 'magic': expected one of" in text
    assert "line 3: data.la: no local authority 'Wiltshireshire' (did you mean 'Wiltshire'" in text
    assert "line 8: allocate.discount_rate = 3.5: expected -0.5 to 1 per year (did you mean " \
        "0.035?)" in text
    assert "line 9: allocate.settings: file 'nothere.csv' not found" in text


def test_wrong_types(tmp_path):
    path = write(tmp_path, """\
        data: {la: Kent}
        seed: one
        forecast: {horizon: 20}
        report: {charts: maybe}
        """)
    with pytest.raises(ValidationError) as err:
        load_scenario(path)
    text = "\n".join(err.value.problems)
    assert "seed = 'one': expected a whole number" in text
    assert "forecast.horizon = 20: expected 1 to 10 years" in text
    assert "report.charts = 'maybe': expected true or false" in text


def test_missing_base_and_loops(tmp_path):
    path = write(tmp_path, "extends: nobase.yaml\n")
    with pytest.raises(ValidationError, match="line 1: extends: 'nobase.yaml': no such file"):
        load_scenario(path)
    write(tmp_path, "extends: b.yaml\ndata: {la: Kent}\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ValidationError, match="loop"):
        load_scenario(tmp_path / "a.yaml")


def test_invalid_yaml_reports_line(tmp_path):
    path = write(tmp_path, "data:\n  la: [Kent\n")
    with pytest.raises(ValidationError, match="not valid YAML"):
        load_scenario(path)


def test_needs_data():
    with pytest.raises(ValidationError, match="expected 'la'"):
        scenario_from_dict({"name": "x"})


def test_assumptions_list_every_schema_key():
    s = load_scenario(REPO / "scenarios" / "example-constant-growth.yaml")
    table = s.assumptions()
    assert list(table["parameter"]) == list(SCENARIO_SCHEMA["key"])
    growth = table.set_index("parameter").loc["forecast.growth_rate"]
    # the rate is the scenario's own; the schema's source no longer names one LA's strategy
    assert growth["value"] == 0.108 and "Wiltshire" not in growth["source"]


def test_reference_doc_is_generated_from_the_schema():
    doc = (REPO / "docs" / "scenario-reference.md").read_text()
    assert doc == schema_markdown(), ("docs/scenario-reference.md is out of date: run "
                                      "python -m sufficiency.scenario_schema > "
                                      "docs/scenario-reference.md")
