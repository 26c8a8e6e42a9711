"""Scenario files: YAML safety limits, encodings and schema-driven ranges (issue 15)."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from sufficiency import safe_yaml
from sufficiency.errors import ValidationError
from sufficiency.forecast.levers import LEVERS
from sufficiency.scenario import load_scenario, scenario_from_dict
from sufficiency.scenario_schema import LEVER_PARAMETERS, RATE_UNITS, SCENARIO_SCHEMA


def test_every_scenario_number_has_a_finite_range():
    numeric = SCENARIO_SCHEMA[SCENARIO_SCHEMA["type"].str.contains("int|float")]
    assert len(numeric) >= 10
    for row in numeric.itertuples(index=False):
        assert math.isfinite(row.min) and math.isfinite(row.max) and row.min < row.max, row.key
        if row.default is not None:
            assert row.min <= row.default <= row.max, row.key


def test_every_lever_parameter_has_a_row():
    for name, (_, required, optional) in LEVERS.items():
        for p in required + optional:
            assert p in set(LEVER_PARAMETERS["parameter"]), f"{name}.{p} has no range"


def test_a_key_added_with_a_unit_gets_its_range_from_the_unit():
    from sufficiency.scenario_schema import UNIT_RANGES, _range

    assert _range(("finance.new_rate", "float", 0.1, "per year", "", "")) == \
        UNIT_RANGES["per year"]
    assert _range(("x", "float", 1, "GBP", "", "", -5, 5)) == (-5, 5)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([r for r in SCENARIO_SCHEMA.itertuples(index=False)
                        if "float" in r.type or "int" in r.type]),
       st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
                 st.text(max_size=8), st.booleans()))
def test_any_value_for_a_number_is_accepted_only_within_range(row, value):
    config = {"data": {"la": "Wiltshire"}}
    node = config
    parts = row.key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    try:
        scenario = scenario_from_dict(config)
    except ValidationError as err:
        assert any(row.key in p for p in err.problems)
        return
    got = scenario.get(row.key)
    assert not isinstance(got, bool) and isinstance(got, (int, float))
    assert math.isfinite(got) and row.min <= got <= row.max
    if "int" in row.type and "float" not in row.type:
        assert float(got).is_integer()


@pytest.mark.parametrize("value,hint", [(10.8, "0.108"), ("25%", "0.25"), (35, "0.35")])
def test_rates_given_as_percentages_get_did_you_mean(value, hint):
    rate_keys = SCENARIO_SCHEMA[SCENARIO_SCHEMA["unit"].isin(RATE_UNITS)
                                & (SCENARIO_SCHEMA["max"] <= 1)]["key"]
    key = [k for k in rate_keys if k.startswith("finance")][0]
    section, name = key.split(".")
    with pytest.raises(ValidationError) as err:
        scenario_from_dict({"data": {"la": "Wiltshire"}, section: {name: value}})
    assert f"did you mean {hint}?" in str(err.value)


def test_windows_1252_scenario_is_read_with_a_note(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes("name: Côte – baseline\ndata:\n  la: Wiltshire\n".encode("cp1252"))
    s = load_scenario(path)
    assert s.name == "Côte – baseline"
    assert any("Windows-1252" in n for n in s.notes)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes("\ufeffdata:\n  la: Wiltshire\n".encode("utf-8"))
    assert load_scenario(path).get("data.la") == "Wiltshire"


def test_binary_and_oversized_files_are_refused(tmp_path, monkeypatch):
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"data:\n  la: x\x00\x01\n")
    with pytest.raises(ValidationError, match=r"b.yaml, line 2: holds NUL bytes"):
        load_scenario(binary)
    monkeypatch.setattr(safe_yaml, "MAX_BYTES", 100)
    big = tmp_path / "big.yaml"
    big.write_text("data:\n  la: Wiltshire\n" + "# padding\n" * 50)
    with pytest.raises(ValidationError, match="at most 100 bytes"):
        load_scenario(big)


def test_alias_bomb_is_refused_quickly_and_small_aliases_work(tmp_path):
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]"
             for i in range(8)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(rows) + "\n")
    with pytest.raises(ValidationError, match="expands to more than"):
        safe_yaml.load_yaml(bomb)
    ok = tmp_path / "ok.yaml"
    ok.write_text("base: &b {la: Wiltshire}\ndata: *b\n")
    assert safe_yaml.load_yaml(ok).data["data"] == {"la": "Wiltshire"}


def test_self_referencing_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a\n  b: *a\n")
    with pytest.raises(ValidationError, match="line"):
        safe_yaml.load_yaml(path)


def test_overrides_cannot_bypass_the_checks(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("data:\n  la: Wiltshire\n")
    with pytest.raises(ValidationError, match="forecast.horizon"):
        load_scenario(path, overrides={"forecast.horizon": 99})
