"""Price paths: published where known, the stated assumption beyond."""
import pandas as pd
import pytest

from sufficiency.errors import ValidationError
from sufficiency.finance.prices import PRICE_ASSUMPTIONS, price_index, price_rates


def test_published_rates():
    r = price_rates([2021, 2023]).set_index(["series", "year"])
    assert r.loc[("place_funding", 2023), "rate"] == 0.0
    assert r.loc[("independent_fee", 2023), "rate"] == pytest.approx(0.091)  # CPI 2022
    assert r.loc[("top_up", 2021), "rate"] == pytest.approx(7 / 12 * 0.031 + 5 / 12 * 0.0275)
    assert r["published"].all()


def test_assumption_beyond_and_fee_parameter():
    r = price_rates([2030], independent_fee_growth=0.06).set_index("series")
    assert not r["published"].any()
    assert r.loc["independent_fee", "rate"] == 0.06
    assert r.loc["independent_fee", "source"] == "parameter independent_fee_growth"
    top = PRICE_ASSUMPTIONS.set_index("series").loc["top_up", "rate"]
    assert r.loc["top_up", "rate"] == top


def test_index_chains_both_ways():
    i = price_index([2020, 2022, 2024], base_year=2022)
    fee = i[i["series"] == "independent_fee"].set_index("year")["index"]
    assert fee[2022] == 1.0
    assert fee[2024] == pytest.approx(1.091 * 1.073)
    assert fee[2020] == pytest.approx(1 / (1.026 * 1.009))
    assert (i[i["series"] == "place_funding"]["index"] == 1.0).all()


def test_bad_input():
    with pytest.raises(ValidationError, match="series \\['fees'\\]"):
        price_rates([2030], assumptions={"fees": 0.02})
    with pytest.raises(ValidationError, match="independent_fee_growth"):
        price_rates([2030], independent_fee_growth=-2)
