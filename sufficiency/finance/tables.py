"""Tables in the DfE layouts: the DSG management plan and the SCAP specialist forecast.

Every table is a DataFrame with the row labels as the index, one column per ``year`` and a
``Total`` row (or rows). Values are **unrounded**; totals are sums of the unrounded rows, so a
breakdown and its total always agree. :func:`display` rounds for presentation only (a rounded
total may then differ by a unit from the sum of the rounded rows, as in any published table).

DSG management plan (DfE template): EHC plans per year by the seven placement categories
(:data:`sufficiency.data.DSG_CATEGORIES`), by the five age groups and by the 13 primary needs,
and a financial summary (income, spend by placement category, in-year and cumulative balance).

SCAP specialist provision (school capacity survey): resident pupils with an EHC plan who need a
specialist place, by four provision types, primary and secondary, per year. Primary/secondary
come from ``phase`` or, failing that, from ``age_band`` (5-10 read as primary, 11-15 as
secondary, an approximation to national curriculum years R-6 and 7-11); other ages are left out.
"""

from __future__ import annotations

import pandas as pd

from ..data.vocabulary import AGE_BANDS, DSG_CATEGORIES, PROVISIONS
from ..data.vocabulary import NEEDS as NEED_TABLE
from ..errors import ValidationError
from .validate import require as _require
from .income import financial_year_label

__all__ = ["DSG_ORDER", "DSG_LABELS", "PROVISION_TO_DSG", "AGE_GROUPS", "NEEDS", "NEED_LABELS",
           "SCAP_TYPES", "SCAP_ORDER", "TOTAL", "by_placement_category", "by_age_group",
           "by_need", "financial_summary", "scap_specialist", "display"]

DSG_ORDER = list(DSG_CATEGORIES["dsg_category"])
DSG_LABELS = dict(zip(DSG_CATEGORIES["dsg_category"], DSG_CATEGORIES["name"]))
#: provision -> DSG management plan category (:data:`sufficiency.data.PROVISIONS`).
PROVISION_TO_DSG = dict(zip(PROVISIONS["provision"], PROVISIONS["dsg_category"]))
AGE_GROUPS = dict(zip(AGE_BANDS["age_band"], AGE_BANDS["name"]))
#: Row order of the DSG management plan template's need table (ASD first, as DfE prints it).
NEEDS = ["ASD", "HI", "MLD", "MSI", "PD", "PMLD", "SEMH", "SLCN", "SLD", "SPLD", "VI", "OTH",
         "NSA"]
NEED_LABELS = dict(zip(NEED_TABLE["need"], NEED_TABLE["name"]))
_scap = PROVISIONS.dropna(subset=["scap_type"])
SCAP_TYPES = dict(zip(_scap["provision"], _scap["scap_type"]))
#: Row order of the SCAP specialist provision table (as the survey form prints it).
SCAP_ORDER = ["State-funded special schools", "SEN units and resourced provision",
              "Alternative provision", "Independent and non-maintained special schools"]
TOTAL = "Total"


def _wide(frame: pd.DataFrame, row: str, order: list, labels: dict, value: str = "count"
          ) -> pd.DataFrame:
    table = frame.groupby([row, "year"])[value].sum().unstack("year")
    table = table.reindex(order).fillna(0.0)
    table.index = [labels.get(k, k) for k in table.index]
    table.loc[TOTAL] = table.sum(axis=0)
    table.index.name = row
    table.columns.name = "year"
    return table


def by_placement_category(placements: pd.DataFrame) -> pd.DataFrame:
    """EHC plans per year by the DSG management plan's seven placement categories + Total.

    Parameters
    ----------
    placements : DataFrame
        ``year, provision, count`` (other keys are summed over).

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2026, "provision": ["mainstream", "special_independent",
    ...                   "special_non_maintained"], "count": [10.4, 2.3, 1.4]})
    >>> round(float(by_placement_category(p).loc["NMSS or independent schools", 2026]), 6)
    3.7
    """
    _require(placements, ["year", "provision", "count"], "placements")
    cats = PROVISION_TO_DSG
    df = placements.assign(category=placements["provision"].map(cats))
    if df["category"].isna().any():
        raise ValidationError(f"placements: provisions "
                              f"{sorted(set(df.loc[df['category'].isna(), 'provision']))} have no "
                              "DSG category")
    return _wide(df, "category", DSG_ORDER, DSG_LABELS)


def by_age_group(frame: pd.DataFrame, value: str = "count") -> pd.DataFrame:
    """EHC plans per year by the five age groups + Total (needs ``age_band``)."""
    _require(frame, ["year", "age_band", value], "forecast")
    df = frame[frame["age_band"] != "all"]
    return _wide(df, "age_band", list(AGE_GROUPS), AGE_GROUPS, value)


def by_need(frame: pd.DataFrame, value: str = "count") -> pd.DataFrame:
    """EHC plans per year by the 13 primary needs + Total (needs ``need``)."""
    _require(frame, ["year", "need", value], "forecast")
    df = frame[frame["need"] != "all"]
    return _wide(df, "need", NEEDS, NEED_LABELS, value)


def financial_summary(trajectory: pd.DataFrame, costed: pd.DataFrame | None = None,
                      income_lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """The DSG management plan financial summary (£, unrounded), one column per year.

    Rows: High Needs Block income; spend by placement category (from ``costed``, the
    placement spend ``year, provision, hnb_gbp``); spend not per placement; total spend; in-year
    balance; cumulative balance brought forward; cumulative balance carried forward; cumulative
    deficit (positive = deficit). Total spend = the sum of the spend rows. With
    ``income_lines`` (``year, line, amount_gbp``: Safety Valve payments, block transfers) the
    income is split: the allocation, one row per listed line, then total income.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2026, 2027], "income_gbp": [110.0, 100.0],
    ...                   "spend_gbp": [120.0, 120.0], "in_year_balance_gbp": [-10.0, -20.0],
    ...                   "cumulative_balance_gbp": [-10.0, -30.0]})
    >>> sv = pd.DataFrame({"year": [2026], "line": ["Safety Valve"], "amount_gbp": [10.0]})
    >>> financial_summary(t, income_lines=sv).iloc[:3][2026].tolist()
    [100.0, 10.0, 110.0]
    """
    _require(trajectory, ["year", "income_gbp", "spend_gbp", "in_year_balance_gbp",
                          "cumulative_balance_gbp"], "trajectory")
    t = trajectory.set_index("year")
    years = list(t.index)
    if income_lines is not None and len(income_lines):
        by_line = income_lines.groupby(["line", "year"])["amount_gbp"].sum().unstack("year")
        by_line = by_line.reindex(columns=years).fillna(0.0)
        rows = {"High Needs Block allocation": t["income_gbp"] - by_line.sum(axis=0)}
        for line in by_line.index:
            rows[f"Income: {line}"] = by_line.loc[line]
        rows["Total income"] = t["income_gbp"]
    else:
        rows = {"High Needs Block income": t["income_gbp"]}
    placement_total = pd.Series(0.0, index=years)
    if costed is not None and len(costed):
        cats = PROVISION_TO_DSG
        c = costed.assign(category=costed["provision"].map(cats))
        if "path" in c:
            n = c["path"].nunique()
            c = c.assign(hnb_gbp=c["hnb_gbp"] / n)
        by = c.groupby(["category", "year"])["hnb_gbp"].sum().unstack("year").reindex(
            DSG_ORDER).reindex(columns=years).fillna(0.0)
        for cat in DSG_ORDER:
            rows[f"Spend: {DSG_LABELS[cat]}"] = by.loc[cat]
        placement_total = by.sum(axis=0)
    rows["Spend not per placement"] = t["spend_gbp"] - placement_total
    rows["Total spend"] = t["spend_gbp"]
    rows["In-year balance"] = t["in_year_balance_gbp"]
    rows["Cumulative balance brought forward"] = (t["cumulative_balance_gbp"]
                                                  - t["in_year_balance_gbp"])
    rows["Cumulative balance carried forward"] = t["cumulative_balance_gbp"]
    rows["Cumulative deficit"] = -t["cumulative_balance_gbp"]
    table = pd.DataFrame(rows).T
    table.columns.name = "year"
    return table


def scap_specialist(placements: pd.DataFrame) -> pd.DataFrame:
    """SCAP specialist layout: pupils needing a specialist place by type x primary/secondary.

    Parameters
    ----------
    placements : DataFrame
        ``year, provision, count`` with ``phase`` (``"primary"``, ``"secondary"``) or
        ``age_band`` (``"5-10"``, ``"11-15"``).

    Returns
    -------
    DataFrame
        Index ``(provision type, phase)`` for the four types x primary/secondary, then
        ``(Total, primary)``, ``(Total, secondary)`` and ``(Total, all)``; one column per year.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2026, "age_band": ["5-10", "11-15"],
    ...                   "provision": "special_maintained", "count": [30.0, 45.0]})
    >>> float(scap_specialist(p).loc[("Total", "all"), 2026])
    75.0
    """
    _require(placements, ["year", "provision", "count"], "placements")
    if "phase" in placements:
        phase = placements["phase"].str.lower()
    elif "age_band" in placements:
        phase = placements["age_band"].map({"5-10": "primary", "11-15": "secondary"})
    else:
        raise ValidationError("placements: the SCAP layout needs a 'phase' or 'age_band' column "
                              "to split primary and secondary")
    df = placements.assign(phase=phase, type=placements["provision"].map(SCAP_TYPES))
    df = df[df["phase"].isin(["primary", "secondary"]) & df["type"].notna()]
    table = df.groupby(["type", "phase", "year"])["count"].sum().unstack("year")
    index = pd.MultiIndex.from_product([SCAP_ORDER, ["primary", "secondary"]],
                                       names=["provision_type", "phase"])
    years = sorted(placements["year"].unique())
    table = table.reindex(index).reindex(columns=years).fillna(0.0)
    for ph in ("primary", "secondary"):
        table.loc[(TOTAL, ph), :] = table.xs(ph, level="phase").sum(axis=0).to_numpy()
    table.loc[(TOTAL, "all"), :] = (table.loc[(TOTAL, "primary")].to_numpy()
                                    + table.loc[(TOTAL, "secondary")].to_numpy())
    table.columns.name = "year"
    return table


def display(table: pd.DataFrame, decimals: int = 0, financial_years: bool = False) -> pd.DataFrame:
    """A rounded copy for presentation (totals were computed before rounding).

    ``financial_years=True`` labels the columns ``"2025-26"`` instead of 2026.

    Examples
    --------
    >>> t = pd.DataFrame({2026: [1.4, 1.4]}, index=["a", "b"]); t.loc["Total"] = t.sum()
    >>> display(t)[2026].tolist()          # the total of the unrounded rows, rounded
    [1.0, 1.0, 3.0]
    """
    out = table.round(decimals)
    if decimals == 0:
        out = out.astype(float)
    if financial_years:
        out.columns = [financial_year_label(y) for y in out.columns]
    return out
