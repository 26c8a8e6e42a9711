"""High Needs Block income and the DSG trajectory, by hand."""
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.finance.income import (financial_year_label, fy_to_year, la_income_base,
                                        project_income)
from sufficiency.finance.trajectory import dsg_trajectory, elimination_probability


def test_project_income_by_hand():
    inc = project_income(100e6, [2025, 2026, 2027], 2024, growth={2025: 0.05, 2027: 0.02},
                         import_export_gbp=-1e6, other_income_gbp={2026: 2e6})
    assert inc["allocation_gbp"].tolist() == pytest.approx([105e6, 110.25e6, 112.455e6])
    assert inc["income_gbp"].tolist() == pytest.approx([104e6, 111.25e6, 111.455e6])
    with pytest.raises(ValidationError):
        project_income(-1, [2025], 2024)


def test_year_conventions():
    assert fy_to_year(2023) == 2024
    assert financial_year_label(2024) == "2023-24"


def test_la_income_base_derby():
    try:
        base, year, imp = la_income_base("Derby")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    assert year == 2024
    assert base + imp == 56_648_963  # ESFA 2023-24 high needs block before deductions
    assert imp == 861_000


def test_trajectory_by_hand():
    spend = pd.DataFrame({"year": [2025, 2026, 2027], "spend_gbp": [110.0, 115.0, 100.0]})
    income = pd.DataFrame({"year": [2025, 2026, 2027], "income_gbp": [100.0, 110.0, 130.0]})
    t = dsg_trajectory(spend, income, opening_balance_gbp=-20.0)
    assert t["in_year_balance_gbp"].tolist() == [-10.0, -5.0, 30.0]
    assert t["cumulative_balance_gbp"].tolist() == [-30.0, -35.0, -5.0]
    assert t["cumulative_deficit_gbp"].tolist() == [30.0, 35.0, 5.0]
    assert t["financial_year"].tolist() == ["2024-25", "2025-26", "2026-27"]
    assert elimination_probability(spend, income, 2027, -20.0) == 0.0
    assert elimination_probability(spend, income, 2027, -4.0) == 1.0


def test_trajectory_from_paths_quantiles_and_probability():
    years = [2025, 2026]
    rows = [(p, y, 100.0 + p) for p in range(10) for y in years]
    spend = pd.DataFrame(rows, columns=["path", "year", "spend_gbp"])
    income = pd.DataFrame({"year": years, "income_gbp": [104.5, 104.5]})
    t = dsg_trajectory(spend, income, 0.0, quantiles=(0.1, 0.5, 0.9)).set_index("year")
    # end of 2026: balance per path = 2 * (4.5 - p): paths 0-4 have no deficit
    assert t.loc[2026, "prob_no_deficit"] == 0.5
    assert elimination_probability(spend, income, 2026) == 0.5
    assert t.loc[2026, "cumulative_deficit_p50"] == pytest.approx(0.0)
    assert t.loc[2026, "cumulative_deficit_p10"] <= t.loc[2026, "cumulative_deficit_p50"] \
        <= t.loc[2026, "cumulative_deficit_p90"]
    assert t.loc[2026, "cumulative_deficit_gbp"] == pytest.approx(0.0)
    with pytest.raises(ValidationError, match="income"):
        dsg_trajectory(spend, income.iloc[:1])
