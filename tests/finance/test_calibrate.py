"""Calibration reproduces the outturn it was derived from."""
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.finance.calibrate import calibrate_costs


def toy():
    lines = {
        "placements_mainstream": 100, "placements_resourced": 20, "placements_special": 50,
        "placements_independent": 25, "placements_ap": 2, "placements_post16": 30,
        "placements_other": 8,
        "place_funding_primary": 60_000, "place_funding_secondary": 60_000,
        "place_funding_special": 300_000, "place_funding_ap": 100_000,
        "place_funding_post_school": 0, "place_funding_early_years": 0,
        "top_up_maintained_primary": 500_000, "top_up_maintained_secondary": 400_000,
        "top_up_maintained_special": 700_000, "top_up_maintained_ap": 50_000,
        "top_up_maintained_post_school": 90_000, "top_up_maintained_early_years": 10_000,
        "top_up_maintained_income": 20_000,
        "top_up_independent_primary": 0, "top_up_independent_secondary": 60_000,
        "top_up_independent_special": 1_375_000, "top_up_independent_ap": 0,
        "top_up_independent_post_school": 120_000, "top_up_independent_early_years": 0,
        "top_up_independent_income": 0,
        "sen_support_services": 200_000, "ap_services": 80_000, "hospital_services": 5_000,
        "therapies": 15_000,
    }
    high = pd.DataFrame({"line": list(lines), "value": [float(v) for v in lines.values()]})
    fp = pd.DataFrame({"year": 2020, "place_type": ["special_academy_pre16", "academy_rp_sen_unit_6k",
                                                    "fe_ilp_post16", "hospital_academy"],
                       "deduction_gbp": [200_000.0, 30_000.0, 60_000.0, 7_000.0]})
    return high, fp


def test_toy_la_by_hand():
    high, fp = toy()
    cal = calibrate_costs(high_needs=high, funded_places=fp, la="Toy")
    imp = cal.implied.set_index("group")
    # special: (300k place + 200k ESFA special academy + 700k top-up) / 50
    assert imp.loc["special", "implied_cost_gbp"] == pytest.approx(1_200_000 / 50)
    # independent: 1,375k / 25
    assert imp.loc["independent", "implied_cost_gbp"] == pytest.approx(55_000)
    # mainstream + resourced share the primary/secondary top-ups (960k) per pupil (120)
    assert imp.loc["mainstream", "implied_cost_gbp"] == pytest.approx(960_000 / 120)
    # resourced also carries its place funding (120k maintained + 30k ESFA) per place
    assert imp.loc["resource_base", "implied_cost_gbp"] == pytest.approx(8_000 + 150_000 / 20)
    # post-16: 90k + 120k + 60k FE/ILP over 30
    assert imp.loc["post16", "implied_cost_gbp"] == pytest.approx(270_000 / 30)
    assert not imp.loc["ap", "reliable"]
    # central: early years 10k + services 300k + hospital academy 7k - income 20k
    assert cal.central_gbp / (1.03 ** 3) == pytest.approx(297_000)


def test_calibration_reproduces_the_outturn_total():
    high, fp = toy()
    cal = calibrate_costs(high_needs=high, funded_places=fp)
    rebuilt = (cal.implied["implied_cost_gbp"] * cal.implied["placements"]).sum() + \
        cal.derivation.loc[cal.derivation["assigned_to"] == "central", "amount_gbp"].sum()
    assert rebuilt == pytest.approx(cal.total_gbp)
    lines = high.set_index("line")["value"]
    spend = lines[~lines.index.str.startswith("placements_")]
    income = lines[lines.index.str.endswith("_income")].sum()
    assert cal.total_gbp == pytest.approx(spend.sum() - 2 * income + fp["deduction_gbp"].sum())


def test_reliable_figures_become_the_la_costs():
    high, fp = toy()
    cal = calibrate_costs(high_needs=high, funded_places=fp, inflation=0.0)
    costs = cal.costs.set_index("provision")
    assert costs.loc["special_maintained", "hnb_cost_gbp"] == pytest.approx(24_000)
    assert costs.loc["special_maintained", "place_funding_gbp"] == 10_000
    assert costs.loc["special_independent", "fee_gbp"] == pytest.approx(55_000)
    assert costs.loc["ap", "source"] == "defaults"
    assert costs.loc["special_maintained", "source"].startswith("calibrated")


def test_missing_placements_is_an_error():
    high, fp = toy()
    with pytest.raises(ValidationError, match="placements_special"):
        calibrate_costs(high_needs=high[high["line"] != "placements_special"], funded_places=fp)


@pytest.fixture(scope="module")
def derby():
    try:
        return calibrate_costs("Derby")
    except FileNotFoundError as exc:
        pytest.skip(f"no embedded or source high-needs data: {exc}")


def test_derby_reproduces_its_outturn(derby):
    from sufficiency.data.highneeds import la_funded_places, la_high_needs
    high = la_high_needs("Derby").set_index("line")["value"]
    # published totals equal their parts (the reading is right)
    assert (derby.checks["published_gbp"] - derby.checks["rebuilt_gbp"]).abs().max() < 1
    assert high["top_up_maintained_total"] == 24_514_310
    # special by hand: maintained place funding + ESFA special places 2020-21 + top-up
    fp = la_funded_places("Derby").query("year == 2020").set_index("place_type")["deduction_gbp"]
    esfa = fp[["special_academy_pre16", "special_academy_post16", "special_free_pre16",
               "special_free_post16"]].sum()
    special = (high["place_funding_special"] + esfa + high["top_up_maintained_special"]) / 806
    imp = derby.implied.set_index("group")
    assert imp.loc["special", "implied_cost_gbp"] == pytest.approx(special)
    assert imp.loc["independent", "implied_cost_gbp"] == pytest.approx(12_153_270 / 166)  # s251 outturn, by hand
    rebuilt = (derby.implied["amount_gbp"]).sum() + \
        derby.derivation.query("assigned_to == 'central'")["amount_gbp"].sum()
    assert rebuilt == pytest.approx(derby.total_gbp)
    s251 = high[[k for k in high.index if not k.startswith(("placements_", "budget_", "ehcp",
                                                             "population"))
                 and k not in ("place_funding_special_ap", "top_up_maintained_total",
                               "top_up_independent_total")]]
    income = high[["top_up_maintained_income", "top_up_independent_income"]].sum()
    esfa_all = la_funded_places("Derby").query("year == 2020")["deduction_gbp"].sum()
    assert derby.total_gbp == pytest.approx(s251.sum() - 2 * income + esfa_all)


def test_england_costs_close_to_the_national_defaults():
    try:
        eng = calibrate_costs("England")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    imp = eng.implied.set_index("group")
    assert imp.loc["special", "placements"] > 100_000
    for group in ("special", "independent", "post16"):
        assert 0.75 < imp.loc[group, "ratio"] < 1.33
