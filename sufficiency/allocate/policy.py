"""Policy and assumptions of an allocation run, each a named parameter with a default and source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pandas as pd

from ..data.vocabulary import INDEPENDENT

__all__ = ["GREEN_BOOK_DISCOUNT_RATE", "DEFAULT_UNPLACED_PENALTY", "STICKY_PROVISIONS",
           "INDEPENDENT_PROVISIONS", "Cap", "Policy"]

#: HM Treasury, *The Green Book* (2022), Annex 6: social time preference rate 3.5% a year
#: for the first 30 years.
GREEN_BOOK_DISCOUNT_RATE = 0.035

#: Penalty per child-year left without a suitable place. Not a published figure: a sufficiency
#: default set well above the annual cost of the dearest placements (residential independent
#: special school placements rarely exceed £250,000 a year), so that placing a child anywhere
#: designated always beats leaving them unplaced, yet finite so that the model stays feasible
#: and reports the shortfall.
DEFAULT_UNPLACED_PENALTY = 250_000.0

#: Provision types children stay in across a transition point unless stepped down (independent
#: and non-maintained special schools, the vocabulary's INDEPENDENT).
STICKY_PROVISIONS = tuple(INDEPENDENT)

#: Provision types counted as "independent" by :meth:`Cap.independent_share` (vocabulary).
INDEPENDENT_PROVISIONS = INDEPENDENT


@dataclass(frozen=True)
class Cap:
    """A cap on the share of placements in some provision types, in every year.

    Parameters
    ----------
    name : str
        Name used in results and diagnoses, e.g. ``"independent share"``.
    provisions : sequence of str
        Provision codes counted in the numerator.
    max_share : float
        Largest share (0-1) of placements allowed in those provisions.
    basis : {"new", "all"}
        ``"new"``: share of new placements (placements beyond the existing ones carried
        forward); ``"all"``: share of every placement including existing ones.

    Examples
    --------
    >>> Cap.independent_share(0.1).provisions
    ('special_non_maintained', 'special_independent', 'out_of_area')
    """

    name: str
    provisions: tuple[str, ...]
    max_share: float
    basis: str = "new"

    def __post_init__(self):
        object.__setattr__(self, "provisions", tuple(self.provisions))
        if not 0.0 <= float(self.max_share) <= 1.0:
            raise ValueError(f"Cap {self.name!r}: max_share must be between 0 and 1, "
                             f"got {self.max_share!r}")
        if self.basis not in ("new", "all"):
            raise ValueError(f"Cap {self.name!r}: basis must be 'new' or 'all', got {self.basis!r}")

    @classmethod
    def independent_share(cls, max_share: float, basis: str = "new") -> "Cap":
        """Cap the share of independent, non-maintained and out-of-area placements."""
        return cls("independent share", INDEPENDENT_PROVISIONS, max_share, basis)


def _as_year_map(value) -> dict[int, float] | float | None:
    if value is None:
        return None
    if isinstance(value, pd.Series):
        return {int(k): float(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return {int(y): float(b) for y, b in zip(value["year"], value["budget"])}
    if isinstance(value, Mapping):
        return {int(k): float(v) for k, v in value.items()}
    return float(value)


@dataclass(frozen=True)
class Policy:
    """Policy constraints and assumptions.

    Parameters
    ----------
    discount_rate : float, default 0.035
        Annual discount rate for costs in later years (HM Treasury Green Book 2022, 3.5%).
        Year ``t`` of the plan is weighted ``1 / (1 + r) ** (t - first year)``.
    unplaced_penalty : float, default 250,000
        £ per child-year left without a place. High, stated, never infinite.
    capital_budget : float, mapping year -> £, Series or DataFrame(year, budget), optional
        Capital spend allowed in each year (capital is spent evenly over a project's lead
        time before it opens, or in its opening year if the lead time is 0).
    capital_budget_total : float, optional
        Capital spend allowed over the whole plan (undiscounted £).
    revenue_budget : float or mapping year -> £, optional
        Annual spend on placements plus transport allowed in each year.
    caps : sequence of Cap
        Caps on the share of placements in some provisions (e.g. independent).
    max_travel_minutes : float, optional
        Area-setting pairs with a longer travel time (travel table) are not used.
    integer_placements : bool, default False
        Place whole children (integer variables) rather than continuous numbers.
    step_down_share : float, default 0 (no step-down lever)
        Most children a year who may move from ``sticky_provisions`` to another placement at a
        transition point, as a share of the children in those provisions the year before.
        The evidence for the lever is :data:`sufficiency.flows.STEP_DOWN_SHARE` (35.1%:
        Wiltshire stepped down 92 of 262 children in 2022-23). Only with ``carry`` rates.
    sticky_provisions : sequence of str
        Provisions children stay in across transition points (independent, non-maintained).
    tail_years : float, default 0
        Years the last plan year's placements are assumed to go on after the plan, costed
        (discounted) in the objective as ``horizon_tail``: without it, a place that opens late
        in the plan pays back only after the plan ends, so the last years fill independent
        places that a planner would not. Not part of ``Plan.total_cost``.
    in_year_capital : bool, default False
        Allow projects that are not committed to spend capital in the first plan year (the
        financial year already under way, e.g. 2025-26 for plan year 2026). By default a
        project that is not committed opens no earlier than the first plan year plus its lead
        time and not in the first plan year.

    Examples
    --------
    >>> Policy(capital_budget={2026: 5e6}, caps=[Cap.independent_share(0.1)]).discount_rate
    0.035
    """

    discount_rate: float = GREEN_BOOK_DISCOUNT_RATE
    unplaced_penalty: float = DEFAULT_UNPLACED_PENALTY
    capital_budget: object = None
    capital_budget_total: float | None = None
    revenue_budget: object = None
    caps: Sequence[Cap] = field(default_factory=tuple)
    max_travel_minutes: float | None = None
    integer_placements: bool = False
    step_down_share: float = 0.0
    sticky_provisions: Sequence[str] = STICKY_PROVISIONS
    in_year_capital: bool = False
    tail_years: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "caps", tuple(self.caps))
        object.__setattr__(self, "sticky_provisions", tuple(self.sticky_provisions))
        if not (0.0 <= float(self.step_down_share) <= 1.0):
            raise ValueError("Policy.step_down_share must be between 0 and 1, got "
                             f"{self.step_down_share!r}")
        if not (0.0 <= float(self.tail_years) <= 50.0):
            raise ValueError(f"Policy.tail_years must be between 0 and 50, got {self.tail_years!r}")
        object.__setattr__(self, "capital_budget", _as_year_map(self.capital_budget))
        object.__setattr__(self, "revenue_budget", _as_year_map(self.revenue_budget))
        if not (0 <= self.discount_rate < 1):
            raise ValueError(f"Policy.discount_rate must be in [0, 1), got {self.discount_rate!r}")
        if not (0 < self.unplaced_penalty < float("inf")):
            raise ValueError("Policy.unplaced_penalty must be positive and finite, got "
                             f"{self.unplaced_penalty!r}")

    def assumptions(self) -> pd.DataFrame:
        """The assumptions as a tidy table ``name, value, unit, source``."""
        def fmt(v):
            if v is None:
                return "none"
            if isinstance(v, dict):
                return "; ".join(f"{k}: {b:,.0f}" for k, b in sorted(v.items()))
            return v
        rows = [
            ("discount_rate", self.discount_rate, "per year",
             "HM Treasury Green Book (2022), social time preference rate"),
            ("unplaced_penalty", self.unplaced_penalty, "£ per child-year",
             "sufficiency default: above the dearest annual placement cost, finite"),
            ("capital_budget", fmt(self.capital_budget), "£ per year", "policy input"),
            ("capital_budget_total", fmt(self.capital_budget_total), "£", "policy input"),
            ("revenue_budget", fmt(self.revenue_budget), "£ per year", "policy input"),
            ("max_travel_minutes", fmt(self.max_travel_minutes), "minutes", "policy input"),
            ("integer_placements", self.integer_placements, "", "policy input"),
            ("capital_spend_timing", "evenly over the lead time, the last year being the "
             "opening year (year 2028 = financial year 2027-28)", "", "sufficiency convention"),
            ("tail_years", self.tail_years, "years",
             "the last plan year's placements costed for this many more years (discounted) "
             "when choosing the plan; sufficiency convention"),
            ("in_year_capital", self.in_year_capital, "",
             "no capital in the financial year under way unless committed (sufficiency default)"),
            ("step_down_share", self.step_down_share, "share of independent placements a year",
             "policy lever; evidence: Wiltshire stepped down 92 of 262 (35.1%) in 2022-23, "
             "SEND & Inclusion Strategy 2020-24 final report" if self.step_down_share else
             "no step-down lever"),
            ("sticky_provisions", ", ".join(self.sticky_provisions), "",
             "children stay there across transition points unless stepped down"),
        ]
        for c in self.caps:
            rows.append((f"cap: {c.name}", c.max_share, f"share of {c.basis} placements",
                         "policy input: " + ", ".join(c.provisions)))
        return pd.DataFrame(rows, columns=["name", "value", "unit", "source"]).astype(
            {"value": object})
