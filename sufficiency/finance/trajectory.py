"""The DSG position: in-year balance and cumulative balance from an opening balance, with uncertainty.

Signs: a **balance** is income minus spend (negative = deficit); the **deficit** columns are the
same numbers with the sign turned (positive = deficit), as DSG management plans present them.
``opening_balance_gbp`` is the cumulative DSG balance brought forward into the first year (e.g.
-20e6 for a £20m deficit). The deficit is **eliminated by** a target year when the cumulative
balance at the end of that year is >= 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.vocabulary import DEFICIT_QUANTILES
from ..errors import ValidationError
from .income import financial_year_label

__all__ = ["dsg_trajectory", "path_balances", "elimination_probability"]



def dsg_trajectory(spend: pd.DataFrame, income: pd.DataFrame, opening_balance_gbp: float = 0.0,
                   quantiles=DEFICIT_QUANTILES) -> pd.DataFrame:
    """In-year and cumulative DSG (High Needs Block) position per year.

    Parameters
    ----------
    spend : DataFrame
        ``year, spend_gbp`` (one row a year), or ``path, year, spend_gbp`` (simulated paths).
    income : DataFrame
        ``year, income_gbp`` (:func:`~sufficiency.finance.income.project_income`).
    opening_balance_gbp : float
        Cumulative balance brought forward (negative = deficit), £.
    quantiles : tuple of float
        Reported across paths for the cumulative deficit and the in-year balance.

    Returns
    -------
    DataFrame
        ``year, financial_year, income_gbp, spend_gbp, in_year_balance_gbp,
        cumulative_balance_gbp, cumulative_deficit_gbp``; with paths, ``spend_gbp`` and the
        balances are path means, plus ``cumulative_deficit_p10 ..`` (one column per quantile) and
        ``prob_no_deficit`` (share of paths with a cumulative balance >= 0 at year end).

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2025, 2026], "spend_gbp": [110.0, 115.0]})
    >>> i = pd.DataFrame({"year": [2025, 2026], "income_gbp": [100.0, 120.0]})
    >>> dsg_trajectory(s, i, opening_balance_gbp=-10.0)["cumulative_deficit_gbp"].tolist()
    [20.0, 15.0]
    """
    for col in ("year", "spend_gbp"):
        if col not in spend:
            raise ValidationError(f"spend: missing column {col!r}; expected year, spend_gbp")
    for col in ("year", "income_gbp"):
        if col not in income:
            raise ValidationError(f"income: missing column {col!r}; expected year, income_gbp")
    years = sorted(spend["year"].unique())
    inc = income.set_index("year")["income_gbp"]
    missing = [y for y in years if y not in inc.index]
    if missing:
        raise ValidationError(f"income: no income for years {missing}; project it over the "
                              "forecast's years")
    if "path" not in spend:
        s = spend.groupby("year")["spend_gbp"].sum().reindex(years)
        out = pd.DataFrame({"year": years, "income_gbp": inc.reindex(years).to_numpy(),
                            "spend_gbp": s.to_numpy()})
        out["in_year_balance_gbp"] = out["income_gbp"] - out["spend_gbp"]
        out["cumulative_balance_gbp"] = opening_balance_gbp + out["in_year_balance_gbp"].cumsum()
        out["cumulative_deficit_gbp"] = -out["cumulative_balance_gbp"]
        out.insert(1, "financial_year", [financial_year_label(y) for y in years])
        return out
    cum = path_balances(spend, income, opening_balance_gbp)
    wide = cum.pivot(index="path", columns="year", values="cumulative_balance_gbp")[years]
    inyear = cum.pivot(index="path", columns="year", values="in_year_balance_gbp")[years]
    spend_w = cum.pivot(index="path", columns="year", values="spend_gbp")[years]
    out = pd.DataFrame({"year": years, "income_gbp": inc.reindex(years).to_numpy(),
                        "spend_gbp": spend_w.mean().to_numpy()})
    out["in_year_balance_gbp"] = inyear.mean().to_numpy()
    out["cumulative_balance_gbp"] = wide.mean().to_numpy()
    out["cumulative_deficit_gbp"] = -out["cumulative_balance_gbp"]
    for q in quantiles:
        out[f"cumulative_deficit_p{round(q * 100):02d}"] = np.quantile(-wide.to_numpy(), q, axis=0)
    out["prob_no_deficit"] = (wide.to_numpy() >= 0).mean(axis=0)
    out.insert(1, "financial_year", [financial_year_label(y) for y in years])
    return out


def path_balances(spend: pd.DataFrame, income: pd.DataFrame, opening_balance_gbp: float = 0.0
                  ) -> pd.DataFrame:
    """Per path: ``path, year, spend_gbp, income_gbp, in_year_balance_gbp, cumulative_balance_gbp``."""
    s = spend.groupby(["path", "year"], as_index=False)["spend_gbp"].sum()
    s = s.merge(income[["year", "income_gbp"]], on="year", how="left")
    s = s.sort_values(["path", "year"], kind="stable").reset_index(drop=True)
    s["in_year_balance_gbp"] = s["income_gbp"] - s["spend_gbp"]
    s["cumulative_balance_gbp"] = opening_balance_gbp + s.groupby("path")["in_year_balance_gbp"].cumsum()
    return s


def elimination_probability(spend: pd.DataFrame, income: pd.DataFrame, target_year: int,
                            opening_balance_gbp: float = 0.0) -> float:
    """Probability (share of paths) that the cumulative deficit is eliminated by ``target_year``.

    Eliminated = cumulative balance >= 0 at the end of ``target_year``. Without paths the answer
    is 0 or 1.

    Examples
    --------
    >>> s = pd.DataFrame({"path": [0, 1], "year": 2026, "spend_gbp": [90.0, 130.0]})
    >>> i = pd.DataFrame({"year": [2026], "income_gbp": [100.0]})
    >>> elimination_probability(s, i, 2026, opening_balance_gbp=-20.0)
    0.0
    """
    if "path" not in spend:
        traj = dsg_trajectory(spend, income, opening_balance_gbp)
        row = traj[traj["year"] == target_year]
        if row.empty:
            raise ValidationError(f"target_year {target_year} is not in the spend years")
        return float(row["cumulative_balance_gbp"].iloc[0] >= 0)
    cum = path_balances(spend, income, opening_balance_gbp)
    at = cum[cum["year"] == target_year]
    if at.empty:
        raise ValidationError(f"target_year {target_year} is not in the spend years "
                              f"{sorted(cum['year'].unique())}")
    return float((at["cumulative_balance_gbp"] >= 0).mean())
