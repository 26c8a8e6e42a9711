"""The user's own history files: precise errors, nothing lost."""
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from sufficiency.data import read_history, validate_history
from sufficiency.errors import ValidationError


def write(tmp_path, rows, name="h.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_good_file_round_trips(tmp_path):
    path = write(tmp_path, {"year": [2023, 2024, 2025], "need": ["ASD"] * 3, "count": [1, 2, 3]})
    out = read_history(path)
    assert out["count"].tolist() == [1, 2, 3]
    assert out.attrs["validation"].ok


def test_excel_is_read(tmp_path):
    path = tmp_path / "h.xlsx"
    pd.DataFrame({"year": [2024, 2025], "count": [5, 6]}).to_excel(path, index=False)
    assert read_history(path)["count"].sum() == 11


def test_missing_column_suggests_the_misspelt_one(tmp_path):
    path = write(tmp_path, {"yeer": [2024], "count": [1]})
    with pytest.raises(ValidationError, match=r"\['year'\] are missing.*did you mean 'yeer'"):
        read_history(path)


def test_each_bad_value_names_file_row_and_column(tmp_path):
    path = write(tmp_path, {"year": [2023, 2024, 2025, 2025],
                            "need": ["ASD", "AUT", "SEMH", "SEMH"],
                            "count": [1, -2, 2.5, 3]})
    with pytest.raises(ValidationError) as err:
        read_history(path)
    text = str(err.value)
    assert "h.csv" in text
    assert "column 'count', rows 3" in text and "0 or more" in text
    assert "column 'count', rows 4" in text and "whole number" in text
    assert "column 'need', rows 3" in text and "did you mean 'ASD'" in text
    assert len(err.value.problems) == 3


def test_dfe_age_band_labels_get_our_code_as_did_you_mean(tmp_path):
    # a history copied from a DfE SEN2 table carries its labels ("Age 5 to 10"): each row is
    # set aside (never guessed) and the message names the code to use
    path = write(tmp_path, {"year": [2025, 2025, 2025],
                            "age_band": ["Under 5", "Age 5 to 10", "age 20 to 25"],
                            "count": [1, 2, 3]})
    with pytest.raises(ValidationError) as err:
        read_history(path)
    text = str(err.value)
    assert "rows 2" in text and "did you mean 'under 5'" in text
    assert "rows 3" in text and "did you mean '5-10'" in text
    assert "rows 4" in text and "did you mean '20-25'" in text


def test_duplicates_are_reported(tmp_path):
    path = write(tmp_path, {"year": [2024, 2024], "need": ["ASD", "ASD"], "count": [1, 2]})
    with pytest.raises(ValidationError, match=r"rows 2, 3 repeat the same key"):
        read_history(path)


def test_set_aside_keeps_a_record_of_every_row_removed(tmp_path):
    path = write(tmp_path, {"year": [2023, "twenty", 2025], "count": [1, 2, 3]})
    out = read_history(path, on_error="set_aside")
    report = out.attrs["validation"]
    assert out["year"].tolist() == [2023, 2025]
    assert report.set_aside["row"].tolist() == [3]
    assert "year" in report.set_aside["reason"].item()
    assert "2 rows usable, 1 set aside" in report.summary()


def test_gap_in_years_is_noted(tmp_path):
    path = write(tmp_path, {"year": [2020, 2021, 2024], "count": [1, 2, 3]})
    report = read_history(path).attrs["validation"]
    assert any("[2022, 2023]" in n for n in report.notes)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(2000, 2030),
                          st.sampled_from(["ASD", "SEMH", "XYZ", ""]),
                          st.one_of(st.integers(-5, 50), st.floats(-1, 50), st.just(float('nan')))),
                min_size=1, max_size=30))
def test_nothing_is_lost(rows):
    """Every input row is either kept or set aside with a reason: never silently dropped."""
    frame = pd.DataFrame(rows, columns=["year", "need", "count"]).astype(str)
    report = validate_history(frame, on_error="set_aside")
    assert len(report.data) + len(report.set_aside) == len(frame)
    assert (report.set_aside["reason"] != "").all() if len(report.set_aside) else True
    assert (report.data["count"] >= 0).all()
    assert report.data.duplicated(["year", "need"]).sum() == 0


def test_a_step_in_the_published_history_is_noted():
    # Newham's published total falls 2,705 -> 1,199 (2024 -> 2025): a recording change the
    # forecast would take as real; the run's notes must say so, with the figures
    import importlib

    from sufficiency.data.history import history_steps

    la_data = importlib.import_module("sufficiency.data.la_data").la_data
    notes = la_data("Newham").history_notes
    step = [n for n in notes if "fall from 2,705 in 2024 to 1,199 in 2025 (0.44x)" in n]
    assert len(step) == 1 and "recording change" in step[0]
    assert not [n for n in la_data("Wiltshire").history_notes if "published EHC plans" in n]
    small = pd.DataFrame({"year": [2024, 2025], "count": [10.0, 5.0]})
    assert history_steps(small) == []          # fewer than STEP_MIN_PLANS: noise
    rise = pd.DataFrame({"year": [2024, 2025], "count": [1000.0, 1600.0]})
    assert "rise from 1,000 in 2024 to 1,600 in 2025 (1.60x)" in history_steps(rise)[0]
    gap = pd.DataFrame({"year": [2020, 2025], "count": [1000.0, 1600.0]})
    assert history_steps(gap) == []            # not consecutive years
