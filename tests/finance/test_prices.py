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


def test_index_is_the_chained_product_of_the_rates_exactly():
    # each year's level is the year before times (1 + its rate), and back again below the base
    i = price_index(range(2016, 2036), base_year=2024, independent_fee_growth=0.05)
    for series, g in i.groupby("series"):
        g = g.set_index("year")
        assert g.loc[2024, "index"] == 1.0
        for y in range(2025, 2036):
            assert g.loc[y, "index"] == g.loc[y - 1, "index"] * (1.0 + g.loc[y, "rate"]), series
        for y in range(2016, 2024):
            assert g.loc[y, "index"] == g.loc[y + 1, "index"] / (1.0 + g.loc[y + 1, "rate"]), series
    assert list(i["series"].unique()) == ["place_funding", "top_up", "independent_fee",
                                          "transport", "central"]
    own = pd.DataFrame({"series": ["top_up"], "year": [2025], "rate": [0.5]})   # no source
    r = price_rates([2025], history=own).set_index("series")
    assert r.loc["top_up", "rate"] == 0.5 and r.loc["top_up", "source"] == "given"


def test_the_published_price_index_is_cached_by_its_arguments_and_copied():
    # price_index on the published paths is cached by (years, base year, fee growth): the
    # same figures as made afresh, a fee growth is part of the key, and callers get a copy
    from sufficiency.finance.prices import _index, price_index

    a = price_index([2026, 2027, 2030], 2024, independent_fee_growth=0.04)
    pd.testing.assert_frame_equal(a, _index([2026, 2027, 2030], 2024,
                                            independent_fee_growth=0.04), check_exact=True)
    b = price_index([2026, 2027, 2030], 2024, independent_fee_growth=0.08)
    fee = lambda t: t.query("series == 'independent_fee' and year == 2030")["index"].item()  # noqa: E731
    assert fee(b) > fee(a)
    a.loc[:, "index"] = 0.0
    assert (price_index([2026, 2027, 2030], 2024, independent_fee_growth=0.04)["index"] > 0).all()
