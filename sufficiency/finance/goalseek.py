"""Goal-seek: what growth reduction, or how many new local places, clears the deficit by a year.

Both searches cost the (mean) placements with the levers already in the plan plus one extra
lever whose size is the unknown, and find with :func:`scipy.optimize.brentq` the size at which
the cumulative DSG balance at the end of ``target_year`` is exactly zero. The balance rises
monotonically with either lever, so the root is unique when it exists; when even the largest
size leaves a deficit the result says so (``achievable=False``) instead of failing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd
from scipy.optimize import brentq

from ..errors import ValidationError
from .levers import Lever, apply_levers, as_levers
from .spend import cost_placements, spend_by_year
from .trajectory import dsg_trajectory

__all__ = ["GoalSeekResult", "seek", "growth_reduction_needed", "new_places_needed"]


@dataclass
class GoalSeekResult:
    """The answer of a goal-seek.

    Attributes
    ----------
    lever : str
        ``"fewer_new_plans"`` (``value`` = share of growth avoided, 0-1) or ``"new_places"``
        (``value`` = new local places a year from ``from_year``).
    value : float
        The size that brings the cumulative balance to 0 at ``target_year`` (NaN if not
        achievable within the bounds).
    achievable : bool
    target_year : int
    balance_at_bounds : tuple of float
        Cumulative balance at the target year with the smallest and largest size (£).
    note : str
    baseline : str
        What the lever is added to (``"unmitigated"`` or ``"mitigated"``), for the record.
    """

    lever: str
    value: float
    achievable: bool
    target_year: int
    balance_at_bounds: tuple
    note: str
    baseline: str = ""

    def as_dict(self) -> dict:
        """One row for a table: ``lever, baseline, target_year, value, achievable,
        balance_at_min_gbp, balance_at_max_gbp, summary``."""
        return {"lever": self.lever, "baseline": self.baseline, "target_year": self.target_year,
                "value": self.value, "achievable": self.achievable,
                "balance_at_min_gbp": self.balance_at_bounds[0],
                "balance_at_max_gbp": self.balance_at_bounds[1], "summary": self.summary()}

    def summary(self) -> str:
        where = {"unmitigated": " (alone, from the unmitigated forecast)",
                 "mitigated": " (on top of the levers)"}.get(self.baseline, "")
        if not self.achievable:
            return self.note + where
        if self.note:
            return f"{self.lever}: {self.note}{where}"
        if self.lever == "fewer_new_plans":
            return (f"Avoiding {self.value:.1%} of the growth in EHC plans clears the cumulative "
                    f"deficit by the end of {self.target_year - 1}-{self.target_year % 100:02d}"
                    f"{where}.")
        return (f"{self.value:,.1f} new local places a year (i.e. {math.ceil(self.value - 1e-9):,d})"
                f" clear the cumulative deficit by the end of "
                f"{self.target_year - 1}-{self.target_year % 100:02d}{where}.")


def seek(evaluate: Callable[[float], float], lo: float, hi: float, lever: str, target_year: int,
         xtol: float = 1e-6) -> GoalSeekResult:
    """Find ``x`` in ``[lo, hi]`` with ``evaluate(x) == 0`` (brentq), or report why not.

    Examples
    --------
    >>> r = seek(lambda x: 100 * x - 25, 0, 1, "fewer_new_plans", 2030)
    >>> round(r.value, 6), r.achievable
    (0.25, True)
    """
    f_lo, f_hi = float(evaluate(lo)), float(evaluate(hi))
    if f_lo >= 0:
        return GoalSeekResult(lever, float(lo), True, target_year, (f_lo, f_hi),
                              "none needed: no deficit at the target year without it")
    if f_hi < 0:
        return GoalSeekResult(lever, float("nan"), False, target_year, (f_lo, f_hi),
                              f"not achievable: even {lever} = {hi:g} leaves a cumulative deficit "
                              f"of £{-f_hi:,.0f} at the end of {target_year - 1}-"
                              f"{target_year % 100:02d}")
    x = brentq(evaluate, lo, hi, xtol=xtol)
    return GoalSeekResult(lever, float(x), True, target_year, (f_lo, f_hi), "")


def _balance_function(placements, income, opening_balance_gbp, target_year, costs, levers,
                      other_spend_gbp, inflation, price_year, make_lever, fee_growth=None):
    base = apply_levers(placements, levers)
    if target_year not in set(base["year"]):
        raise ValidationError(f"target_year {target_year}: not among the forecast years "
                              f"{sorted(base['year'].unique())}")

    def balance(x: float) -> float:
        mitigated = apply_levers(placements, list(levers) + [make_lever(x)])
        costed = cost_placements(mitigated, costs, inflation, price_year,
                                 independent_fee_growth=fee_growth)
        spend = spend_by_year(costed, other_spend_gbp, inflation,
                              2024 if price_year is None else price_year)
        traj = dsg_trajectory(spend, income, opening_balance_gbp)
        return float(traj.loc[traj["year"] == target_year, "cumulative_balance_gbp"].iloc[0])

    return balance


def growth_reduction_needed(placements: pd.DataFrame, income: pd.DataFrame, target_year: int,
                            from_year: int, opening_balance_gbp: float = 0.0, costs=None,
                            levers=None, other_spend_gbp: float = 0.0, inflation=None,
                            price_year=None, independent_fee_growth=None) -> GoalSeekResult:
    """The share of growth in EHC plans to avoid (from ``from_year``) to clear the deficit.

    Parameters
    ----------
    placements : DataFrame
        ``year, provision, count`` (mean), e.g. a plan's unmitigated placements.
    income : DataFrame
        ``year, income_gbp``.
    target_year, from_year : int
        Census-convention years (2029 = 2028-29).
    levers : optional
        Levers applied first (the rest of the plan).
    inflation, price_year, independent_fee_growth : optional
        Pricing as :func:`~sufficiency.finance.costs.unit_costs` (default the price paths).

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2025, 2026, 2027], "provision": "special_maintained",
    ...                   "count": [100.0, 120.0, 140.0]})
    >>> i = pd.DataFrame({"year": [2025, 2026, 2027], "income_gbp": 2.9e6})
    >>> r = growth_reduction_needed(p, i, 2027, 2026, inflation=0.0)
    >>> r.achievable and 0 < r.value < 1
    True
    """
    f = _balance_function(placements, income, opening_balance_gbp, target_year, costs,
                          as_levers(levers), other_spend_gbp, inflation, price_year,
                          lambda x: Lever("goal_seek", "fewer_new_plans",
                                          {"share": x, "from_year": from_year}),
                          independent_fee_growth)
    return seek(f, 0.0, 1.0, "fewer_new_plans", target_year)


def new_places_needed(placements: pd.DataFrame, income: pd.DataFrame, target_year: int,
                      from_year: int, opening_balance_gbp: float = 0.0, costs=None, levers=None,
                      other_spend_gbp: float = 0.0, inflation=None, price_year=None,
                      independent_fee_growth=None, from_provision: str = "special_independent",
                      to: str = "special_maintained", max_per_year: float | None = None
                      ) -> GoalSeekResult:
    """New local places a year (from ``from_year``) that clear the deficit by ``target_year``.

    Each place takes a child who would otherwise be placed in ``from_provision``; the saving
    is capped by the number of such children, so the answer may be "not achievable".
    """
    base = apply_levers(placements, as_levers(levers))
    if max_per_year is None:
        max_per_year = float(base.loc[base["provision"] == from_provision, "count"].max() or 0.0)
        max_per_year = max(max_per_year, 1.0)
    f = _balance_function(placements, income, opening_balance_gbp, target_year, costs,
                          as_levers(levers), other_spend_gbp, inflation, price_year,
                          lambda x: Lever("goal_seek", "new_places",
                                          {"per_year": x, "from_year": from_year,
                                           "from_provision": from_provision, "to": to}),
                          independent_fee_growth)
    return seek(f, 0.0, float(max_per_year), "new_places", target_year, xtol=1e-4)
