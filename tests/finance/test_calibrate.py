"""Calibration reproduces the outturn it was derived from."""
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.finance.calibrate import calibrate_costs, rolled_counts
from sufficiency.finance.prices import price_index


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
    fp = pd.DataFrame({"year": 2022, "place_type": ["special_academy_pre16", "academy_rp_sen_unit_6k",
                                                    "fe_ilp_post16", "hospital_academy"],
                       "deduction_gbp": [200_000.0, 30_000.0, 60_000.0, 7_000.0]})
    return high, fp


def test_toy_la_by_hand():
    high, fp = toy()
    cal = calibrate_costs(high_needs=high, funded_places=fp, la="Toy", shrink=False)
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
    # uplifted from 2021-22 to 2023-24 prices on the central (pay) price path
    idx = price_index([2024], 2022).set_index("series").loc["central", "index"]
    assert cal.central_gbp / idx == pytest.approx(297_000)
    # without SEN2 placements the January 2021 counts are used, and a note says so
    assert "January 2021 placements are used" in cal.notes[0]


def test_calibration_reproduces_the_outturn_total():
    high, fp = toy()
    cal = calibrate_costs(high_needs=high, funded_places=fp, shrink=False)
    rebuilt = (cal.implied["implied_cost_gbp"] * cal.implied["placements"]).sum() + \
        cal.derivation.loc[cal.derivation["assigned_to"] == "central", "amount_gbp"].sum()
    assert rebuilt == pytest.approx(cal.total_gbp)
    lines = high.set_index("line")["value"]
    spend = lines[~lines.index.str.startswith("placements_")]
    income = lines[lines.index.str.endswith("_income")].sum()
    assert cal.total_gbp == pytest.approx(spend.sum() - 2 * income + fp["deduction_gbp"].sum())


def test_reliable_figures_become_the_la_costs():
    high, fp = toy()
    cal = calibrate_costs(high_needs=high, funded_places=fp, inflation=0.0, shrink=False)
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
    import sufficiency.data as sd
    from sufficiency.data.highneeds import la_funded_places, la_high_needs
    high = la_high_needs("Derby").set_index("line")["value"]
    # published totals equal their parts (the reading is right)
    assert (derby.checks["published_gbp"] - derby.checks["rebuilt_gbp"]).abs().max() < 1
    assert high["top_up_maintained_total"] == 24_514_310
    # placements: the extract's January 2021 count (806) rolled to January 2022 with SEN2 growth
    sen2 = sd.la_placements("Derby").query("provision == 'special_maintained'")
    sen2 = sen2.set_index("year")["count"]
    n_special = 806 * sen2[2022] / sen2[2021]
    # special by hand: maintained place funding + ESFA special places 2021-22 + top-up
    fp = la_funded_places("Derby").query("year == 2022").set_index("place_type")["deduction_gbp"]
    esfa = fp[["special_academy_pre16", "special_academy_post16", "special_free_pre16",
               "special_free_post16"]].sum()
    special = (high["place_funding_special"] + esfa + high["top_up_maintained_special"]) / n_special
    imp = derby.implied.set_index("group")
    assert imp.loc["special", "placements"] == pytest.approx(n_special)
    assert imp.loc["special", "implied_cost_gbp"] == pytest.approx(special)
    rebuilt = (derby.implied["amount_gbp"]).sum() + \
        derby.derivation.query("assigned_to == 'central'")["amount_gbp"].sum()
    assert rebuilt == pytest.approx(derby.total_gbp)
    s251 = high[[k for k in high.index if not k.startswith(("placements_", "budget_", "ehcp",
                                                             "population"))
                 and k not in ("place_funding_special_ap", "top_up_maintained_total",
                               "top_up_independent_total")]]
    income = high[["top_up_maintained_income", "top_up_independent_income"]].sum()
    esfa_all = la_funded_places("Derby").query("year == 2022")["deduction_gbp"].sum()
    assert derby.total_gbp == pytest.approx(s251.sum() - 2 * income + esfa_all)


def test_rolled_counts_by_hand():
    p = pd.DataFrame({"year": [2021, 2022, 2021, 2022],
                      "provision": ["special_independent"] * 2 + ["special_non_maintained"] * 2,
                      "count": [40.0, 50.0, 10.0, 10.0]})
    n, notes = rolled_counts({"independent": 55.0, "special": 10.0}, p, 2022)
    assert n["independent"] == pytest.approx(55.0 * 60 / 50)
    assert n["special"] == 10.0 and "special" in notes[0]


def test_herefordshire_independent_cost_is_shrunk():
    """The issue's case: £144,279 a year before (Jan 2021 placements, 2020-21 label, 3% a year),
    now rolled to January 2022 and shrunk towards its statistical neighbours."""
    cal = calibrate_costs("Herefordshire")
    imp = cal.implied.set_index("group")
    row = cal.shrinkage.set_index("group").loc["independent"]
    assert row["shrunk"] and row["reference_basis"].startswith("statistical neighbours")
    w = row["placements"] / (row["placements"] + 30)
    expected = min(row["reference_gbp"] + w * (row["implied_cost_gbp"] - row["reference_gbp"]),
                   row["high_gbp"])
    assert imp.loc["independent", "used_gbp"] == pytest.approx(expected)
    assert imp.loc["independent", "used_gbp"] < imp.loc["independent", "implied_cost_gbp"]
    assert "shrunk" in imp.loc["independent", "note"]
    assert any("independent cost per placement shrunk" in n for n in cal.notes)
    fee = cal.costs.set_index("provision").loc["special_independent", "fee_gbp"]
    assert fee < 110_000                            # was £144,279 (2023-24 prices)
    assert "shrunk towards peers" in cal.costs.set_index("provision").loc[
        "special_independent", "source"]


def test_england_costs_close_to_the_national_defaults():
    try:
        eng = calibrate_costs("England")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    imp = eng.implied.set_index("group")
    assert imp.loc["special", "placements"] > 100_000
    for group in ("special", "independent", "post16"):
        assert 0.75 < imp.loc[group, "ratio"] < 1.33
