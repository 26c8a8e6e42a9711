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


def test_income_follows_the_published_allocation_then_the_announced_floors_then_the_assumption():
    """Derby: 2023-24 High Needs Block before deductions (published), +3% for 2024-25 and +7% for
    2025-26 (the DfE's NFF floors), then the scenario's rate; each written into the
    assumptions with its value and source."""
    from sufficiency.finance import deficit_plan, la_income_base
    from sufficiency.finance.income import ANNOUNCED_GROWTH, income_growth_path, income_growth_table

    assert income_growth_path(0.05) == {2025: 0.03, 2026: 0.07, 2027: 0.05}
    assert income_growth_path({2026: 0.1}) == {2026: 0.1}           # a full path is as given
    table = income_growth_table([2026, 2028], 0.05, base_year=2024)
    assert table["basis"].tolist() == ["announced", "announced", "assumption", "assumption"]
    base, year, imp = la_income_base("Derby")
    assert year == 2024
    fc = pd.DataFrame({"year": [2026, 2027, 2028], "mean": [3000.0, 3200.0, 3400.0]})
    plan = deficit_plan(fc, la="Derby", income_growth=0.05, goal_seek=False)
    income = plan.income.set_index("year")
    expected = base * 1.03 * 1.07
    assert income.loc[2026, "allocation_gbp"] == pytest.approx(expected)
    assert income.loc[2027, "allocation_gbp"] == pytest.approx(expected * 1.05)
    assert income.loc[2028, "income_gbp"] == pytest.approx(expected * 1.05 ** 2 + imp)
    assert income["basis"].tolist() == ["announced", "assumption", "assumption"]
    a = plan.assumptions.set_index("name")
    assert ANNOUNCED_GROWTH[2025][0] == 0.03
    assert a.loc["income_growth_announced", "value"] == "3% (2024-25), 7% (2025-26)"
    assert "NFF 2025-26" in a.loc["income_growth_announced", "source"]
    assert a.loc["income_growth", "value"] == 0.05
    assert a.loc["income_growth", "source"].startswith("after 2025-26: given")


def test_opening_roll_forward_uses_the_announced_floors():
    from sufficiency.finance import opening_balance

    bal = pd.DataFrame({"year": [2021, 2022], "balance_pct_income": [-5.0, -6.0]})
    dsg = pd.DataFrame({"year": [2021, 2022], "total_dsg_gbp": [200e6, 210e6]})
    hnb = pd.DataFrame({"year": [2022, 2023, 2024], "income_gbp": [60e6, 65e6, 70e6]})
    back = pd.DataFrame({"year": [2022, 2023, 2024, 2025, 2026],
                         "spend_gbp": [58e6, 66e6, 72e6, 75e6, 80e6]})
    ob = opening_balance(2027, dsg_balance=bal, dsg_income=dsg, hnb_income=hnb, backcast=back,
                         income_growth=0.02)
    d = ob.derivation.set_index("year")
    # 2024-25: 70m x 1.03 - 75m; 2025-26: 70m x 1.03 x 1.07 - 80m (no deductions, no place funding)
    gaps = d[d["step"].str.startswith("in-year gap")]["amount_gbp"]
    assert gaps.loc[2025] == pytest.approx(70e6 * 1.03 - 75e6)
    assert gaps.loc[2026] == pytest.approx(70e6 * 1.03 * 1.07 - 80e6)
