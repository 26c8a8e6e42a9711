"""The s251 high-needs outturn series: read, year labels checked, embedded."""
import pandas as pd
import pytest

import sufficiency.data as sd
from sufficiency.data.s251 import la_s251_high_needs, read_s251_high_needs, s251_high_needs
from sufficiency.errors import ValidationError

TOPUPS_AND_SERVICES = ["top_up_maintained_total", "top_up_independent_total",
                       "sen_support_services", "ap_services", "hospital_services", "therapies"]


def test_wiltshire_series():
    w = la_s251_high_needs("Wiltshire")
    assert w["financial_year"].tolist() == ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]
    assert w.set_index("year").loc[2022, "spend_gbp"] == 55397174.0


def test_year_labels_match_the_benchmarking_outturn():
    """The series labelled 2021-22 is the benchmarking extract's outturn (top-ups + services)."""
    t = s251_high_needs()
    t = t[t["year"] == 2022].set_index("la_code")["spend_gbp"]
    ratios = []
    for code in t.index[:40]:
        try:
            lines = sd.la_high_needs(code).set_index("line")["value"]
        except KeyError:
            continue
        ratios.append(lines.reindex(TOPUPS_AND_SERVICES).sum() / t[code])
    ratios = pd.Series(ratios)
    assert len(ratios) >= 35
    assert ((ratios - 1).abs() < 1e-6).mean() > 0.8      # to the pound
    assert ((ratios - 1).abs() < 0.02).all()             # the rest: small later revisions


def test_buckinghamshire_unitary_code_is_matched():
    t = s251_high_needs()
    assert len(t[t["la_code"] == "825"]) == 5


def test_bad_label(tmp_path):
    p = tmp_path / "s.csv"
    pd.DataFrame({"new_la_code": ["E06000054"], "la_name": ["Wiltshire"], "fy_start": [2021],
                  "financial_year": ["2020-21"], "high_needs_net_gbp": [1.0]}).to_csv(p, index=False)
    with pytest.raises(ValidationError, match="row 2, column financial_year"):
        read_s251_high_needs(p)


def test_unknown_code(tmp_path):
    p = tmp_path / "s.csv"
    pd.DataFrame({"new_la_code": ["E99999999"], "la_name": ["Nowhere"], "fy_start": [2021],
                  "financial_year": ["2021-22"], "high_needs_net_gbp": [1.0]}).to_csv(p, index=False)
    with pytest.raises(ValidationError, match="not matched"):
        read_s251_high_needs(p)
