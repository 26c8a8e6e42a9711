"""Numbers as people read them; words for every code (the label table)."""
import re

import pytest

from sufficiency.data.labels import LABELS, label, label_values, unit_of, words
from sufficiency.data.vocabulary import NEEDS, PROVISIONS
from sufficiency.report.formats import (cell_text, excel_format, money_text, share_text,
                                        value_text)


@pytest.mark.parametrize("value,unit,text", [
    (0.035, "per year", "3.5%"),          # the discount rate, not "0.04"
    (0.005, "fraction", "0.5%"),          # the MIP gap, not "0.01"
    (0.03, "per year", "3%"),
    (2030, "year", "2030"),               # a year, not "2,030"
    (2030, "census year", "2030"),
    (True, "", "yes"), (False, "", "no"), ("True", "", "yes"),
    (250000.0, "GBP per child-year", "£250,000"),
    (19481.4, "gbp_per_placement_2023_24_prices", "£19,481"),
    (120.0, "seconds", "120"), (500, "paths", "500"), (None, "", "not set"),
    ("auto", "", "auto"),
])
def test_assumption_values_as_given(value, unit, text):
    assert value_text(value, unit) == text


@pytest.mark.parametrize("value,text", [
    (-38_603_858.0, "-£38.6m"), (845_200_000.0, "£845.2m"), (19_481.25, "£19,481"),
    (0.0, "£0"), (float("nan"), ""),
])
def test_money_on_the_page(value, text):
    assert money_text(value) == text


def test_shares_and_counts_on_the_page():
    assert share_text(0.2) == "20%" and share_text(0.1234) == "12.3%"
    assert cell_text("new_plans_mainstream_share", 0.2) == "20%"
    assert cell_text("placed", 12.6) == "13"           # whole children
    assert cell_text("opening_year", 2029) == "2029"
    assert cell_text("income_gbp", 75_306_287.1252) == "£75.3m"
    assert cell_text("setting", "Special school 1") == "Special school 1"


@pytest.mark.parametrize("column,fmt", [
    ("capital_cost", '"£"#,##0;[Red]-"£"#,##0'), ("income_gbp", '"£"#,##0;[Red]-"£"#,##0'),
    ("cost_per_place", '"£"#,##0;[Red]-"£"#,##0'), ("utilisation", "0.0%"),
    ("new_plans_mainstream_share", "0.0%"), ("placed", "#,##0"), ("p90", "#,##0"),
    ("year", "0"), ("opening_year", "0"), ("setting", None),
    # a column another stage adds later is formatted by its name
    ("safety_valve_payment_gbp", '"£"#,##0;[Red]-"£"#,##0'), ("step_down_share", "0.0%"),
])
def test_excel_formats_by_unit(column, fmt):
    assert excel_format(column) == fmt


def test_every_need_and_provision_has_words():
    for code in NEEDS["need"]:
        assert label(code, "need") != code
    for code in PROVISIONS["provision"]:
        assert "_" not in label(code, "provision")


def test_no_label_is_a_machine_name():
    snake = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
    for text in LABELS["label"]:
        assert not snake.search(text), text


def test_unknown_names_become_words_with_units():
    assert words("capital_cost_gbp") == "Capital cost (£)"
    assert words("cumulative_deficit_p10") == "Cumulative deficit, 10th percentile (£)"
    assert label("dsg_placements_mitigated", "sheet") == "DSG placements mitigated"
    assert unit_of("balance_at_min_gbp") == "£"


def test_label_values_turns_codes_into_words():
    import pandas as pd

    df = pd.DataFrame({"need_group": ["semh", "cognition_learning"], "scenario":
                       ["unmitigated", "allocation_plan"], "demand": [1.0, 2.0]})
    out = label_values(df)
    assert out["need_group"].tolist() == ["Social, emotional and mental health",
                                          "Cognition and learning"]
    assert out["scenario"].tolist() == ["Today's placement mix", "With the optimised place plan"]
