"""The opening balance: a published balance rolled forward with the backcast, line by line."""
import numpy as np
import pandas as pd
import pytest

import sufficiency.finance as fin
from sufficiency.errors import ValidationError
from sufficiency.finance.opening import la_opening_inputs, opening_balance


def inputs():
    return dict(
        dsg_balance=pd.DataFrame({"year": [2021, 2022], "balance_pct_income": [-5.0, -6.0]}),
        dsg_income=pd.DataFrame({"year": [2021, 2022], "total_dsg_gbp": [400e6, 420e6]}),
        hnb_income=pd.DataFrame({"year": [2022, 2023, 2024], "income_gbp": [60e6, 65e6, 70e6]}),
        backcast=pd.DataFrame({"year": [2022, 2023, 2024, 2025],
                               "spend_gbp": [58e6, 66e6, 74e6, 80e6]}),
        deductions=pd.DataFrame({"year": [2022, 2023], "deduction_gbp": [1e6, 1.5e6]}),
        place_funding_gbp=4e6)


def test_derivation_line_by_line():
    ob = opening_balance(2026, **inputs())
    d = ob.derivation.set_index("step")
    # 1. published: -6% x £420m
    assert d.loc["published balance end of 2021-22", "amount_gbp"] == pytest.approx(-25.2e6)
    # 2. reconciliation (shown, not carried): movement -25.2 - (-20) = -5.2;
    #    model gap 2021-22 = 60 - 58 - 4 - 1 = -3; other = -2.2
    assert d.loc["reconciliation 2021-22", "amount_gbp"] == pytest.approx(-2.2e6)
    assert d.loc["reconciliation 2021-22", "balance_gbp"] == pytest.approx(-25.2e6)
    # 3. roll forward: 2022-23 65 - 66 - 4 - 1.5; 2023-24 70 - 74 - 4 - 1.5 (deductions held);
    #    2024-25 income projected 70 x 1.03 - 80 - 4 - 1.5
    assert d.loc["in-year gap 2022-23", "amount_gbp"] == pytest.approx(-6.5e6)
    assert d.loc["in-year gap 2023-24", "amount_gbp"] == pytest.approx(-9.5e6)
    assert d.loc["in-year gap 2024-25", "amount_gbp"] == pytest.approx(70e6 * 1.03 - 85.5e6)
    assert "projected" in d.loc["in-year gap 2024-25", "source"]
    expected = -25.2e6 - 6.5e6 - 9.5e6 + (70e6 * 1.03 - 85.5e6)
    assert ob.balance_gbp == pytest.approx(expected)
    assert ob.derivation["balance_gbp"].iloc[-1] == pytest.approx(expected)
    assert ob.status == "estimated" and ob.first_year == 2026
    assert "(estimated)" in ob.summary() and ob.deficit_gbp == pytest.approx(-expected)


def test_held_other_movements_and_income_lines():
    sv = pd.DataFrame({"year": [2024], "line": ["Safety Valve"], "amount_gbp": [5e6]})
    ob = opening_balance(2025, **inputs(), hold_other_movements=True, income_lines=sv)
    d = ob.derivation.set_index("step")
    assert d.loc["other DSG movements 2022-23", "amount_gbp"] == pytest.approx(-2.2e6)
    assert d.loc["listed income 2023-24", "amount_gbp"] == 5e6
    assert ob.balance_gbp == pytest.approx(-25.2e6 - 6.5e6 - 2.2e6 - 9.5e6 - 2.2e6 + 5e6)


def test_given_overrides_the_estimate():
    ob = opening_balance(2026, **inputs(), given_gbp=-56.2e6)
    assert ob.status == "given" and ob.balance_gbp == -56.2e6
    assert np.isfinite(ob.estimate_gbp) and ob.estimate_gbp != ob.balance_gbp
    assert ob.derivation["step"].iloc[-1].startswith("given by the scenario")
    assert "estimate is" in ob.summary()


def test_errors():
    bad = inputs()
    bad["backcast"] = bad["backcast"].query("year != 2023")
    with pytest.raises(ValidationError, match="no modelled spend for 2022-23"):
        opening_balance(2026, **bad)
    with pytest.raises(ValidationError, match="missing columns"):
        opening_balance(2026, **{**inputs(), "dsg_balance": pd.DataFrame({"year": [2022]})})
    with pytest.raises(ValidationError, match="no published DSG balance"):
        opening_balance(2021, **inputs())


def test_wiltshire_end_2023_24_near_the_published_figure():
    """Wiltshire's published cumulative deficit at the end of 2023-24 was £56.2m; the estimate
    rolls the published end of 2021-22 (-6.38% x £407.9m) forward with the backcast."""
    ob = opening_balance(2025, backcast=fin.backcast("Wiltshire"),
                         **la_opening_inputs("Wiltshire"))
    first = ob.derivation.iloc[0]
    assert first["amount_gbp"] == pytest.approx(-0.0638 * 407_852_938)
    assert 40e6 < ob.deficit_gbp < 80e6


def test_deficit_plan_takes_the_opening_balance_and_income_lines():
    f = pd.DataFrame({"year": [2026, 2027], "mean": [1000.0, 1100.0]})
    mix = pd.DataFrame({"provision": ["mainstream", "special_maintained"], "share": [0.6, 0.4]})
    ob = opening_balance(2026, **inputs())
    sv = pd.DataFrame({"year": [2027], "line": ["Safety Valve"], "amount_gbp": [3e6]})
    plan = fin.deficit_plan(f, mix=mix, income=14e6, opening_balance_gbp=ob, income_lines=sv,
                            goal_seek=False)
    base = fin.deficit_plan(f, mix=mix, income=14e6, opening_balance_gbp=ob.balance_gbp,
                            goal_seek=False)
    t, b = plan.trajectory.set_index("year"), base.trajectory.set_index("year")
    assert t.loc[2026, "cumulative_deficit_gbp"] == b.loc[2026, "cumulative_deficit_gbp"]
    assert t.loc[2027, "cumulative_deficit_gbp"] == pytest.approx(
        b.loc[2027, "cumulative_deficit_gbp"] - 3e6)
    summary = plan.tables["dsg_financial_summary_unmitigated"]
    assert summary.loc["Income: Safety Valve", 2027] == 3e6
    assert summary.loc["Total income", 2027] == pytest.approx(
        summary.loc["High Needs Block allocation", 2027] + 3e6)
    assert plan.opening is ob
    assert any("(estimated)" in str(v) for v in plan.assumptions["value"])
    with pytest.raises(ValidationError, match="income_lines: missing columns"):
        fin.deficit_plan(f, mix=mix, income=14e6, income_lines=pd.DataFrame({"year": [2026]}),
                         goal_seek=False)
