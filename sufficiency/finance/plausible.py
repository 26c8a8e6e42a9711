"""Plausible unit costs: an LA's implied cost per placement checked against its peers, and shrunk.

An implied cost per placement is an LA's spend on a placement type over its placements in one
January. With few placements a handful of very expensive children (or a line booked to the
wrong phase) makes it implausible: Herefordshire's independent special placements come out at
£132,000 a year in 2021-22 (£144,279 in 2023-24 prices before this check), against £72,000 for
its statistical neighbours, so a plan that moves 10 children "saves" millions that are not there.

The check (:func:`shrink_cost`, applied per placement type by :func:`shrink_costs`):

* **plausible range**: the 5th to 95th percentile of the implied cost across every LA with at
  least ``min_placements`` of that type (DfE high needs benchmarking extract 2021-22, the same
  calculation for every LA: :func:`implied_costs_all`);
* **reference**: the median implied cost of the LA's statistical neighbours (DfE, May 2025; at
  least 3 with ``min_placements``), else of its region, else of England;
* an implied cost is **flagged** when it is outside the range or more than
  ``max_neighbour_ratio`` times (or less than 1 / that) the reference;
* a flagged cost is **shrunk** towards the reference with the weight its own placements deserve,
  ``w = n / (n + prior_placements)`` (a credibility weight: ``prior_placements`` = 30 says the
  peers' figure is worth 30 placements of evidence; with the lognormal fee spread of
  :func:`~sufficiency.finance.costs.lognormal_fee` an average over 30 placements has a standard
  error of about 13%), ``used = reference + w x (implied - reference)``, then kept inside the
  range.

The reason (the figures, the rule and the result) goes into the calibration's ``implied.note``
and ``shrinkage`` table, and into the run's notes.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["RULES", "shrink_cost", "plausible_ranges", "peer_reference", "shrink_costs",
           "implied_costs_all", "embedded_implied_costs"]

#: Defaults of the check, with their source.
RULES = pd.DataFrame(
    [
        ("range_low_quantile", 0.05, "quantile", "assumption: 5th percentile of LAs' implied costs"),
        ("range_high_quantile", 0.95, "quantile", "assumption: 95th percentile of LAs' implied costs"),
        ("max_neighbour_ratio", 1.75, "x reference", "assumption: further than 1.75x from the "
         "statistical neighbours' median is flagged"),
        ("prior_placements", 30.0, "placements", "assumption: the peers' median carries the "
         "evidence of 30 placements (standard error ~13% with the lognormal fee spread)"),
        ("min_placements", 20.0, "placements", "an LA's figure counts as a peer figure with at "
         "least 20 placements (as the calibration's reliability rule)"),
    ],
    columns=["name", "value", "unit", "source"],
)


def _rule(name: str) -> float:
    return float(RULES.set_index("name").loc[name, "value"])


def shrink_cost(cost: float, placements: float, reference: float, low: float, high: float,
                prior_placements: float | None = None, max_neighbour_ratio: float | None = None
                ) -> tuple[float, float, bool, str]:
    """Shrink one implied cost per placement towards its peers when it is implausible.

    Parameters
    ----------
    cost : float
        The LA's implied cost per placement (£ a year).
    placements : float
        The placements it was derived from.
    reference : float
        The peers' median (statistical neighbours, region or England), £.
    low, high : float
        The plausible range (£).
    prior_placements, max_neighbour_ratio : float, optional
        See :data:`RULES` (defaults 30 and 1.75).

    Returns
    -------
    (used, weight, shrunk, reason)
        The cost to use (£), the weight on the LA's own figure, whether it was shrunk, and why.

    Examples
    --------
    A hand-worked case: £132,000 from 44 placements, neighbours' median £72,000, range
    £30,000-£92,000. Flagged (1.83x the neighbours and above the range); weight 44 / (44 + 30)
    = 0.595; 72,000 + 0.595 x 60,000 = £107,676, above the range, so £92,000.

    >>> used, w, shrunk, why = shrink_cost(132000, 44, 72000, 30000, 92000)
    >>> round(used), round(w, 3), shrunk
    (92000, 0.595, True)
    >>> shrink_cost(70000, 44, 72000, 30000, 92000)[2]       # plausible: kept
    False
    """
    k = _rule("prior_placements") if prior_placements is None else float(prior_placements)
    ratio_max = _rule("max_neighbour_ratio") if max_neighbour_ratio is None else \
        float(max_neighbour_ratio)
    if not (np.isfinite(cost) and np.isfinite(reference) and reference > 0):
        return float(cost), 1.0, False, ""
    if k < 0 or ratio_max < 1 or not low <= high:
        raise ValidationError(f"shrinkage: prior_placements {k!r} (expected >= 0), "
                              f"max_neighbour_ratio {ratio_max!r} (expected >= 1), range "
                              f"{low!r}-{high!r} (expected low <= high)")
    ratio = cost / reference
    outside = cost < low or cost > high
    far = ratio > ratio_max or ratio < 1.0 / ratio_max
    if not (outside or far):
        return float(cost), 1.0, False, ""
    n = max(float(placements), 0.0)
    weight = n / (n + k) if n + k > 0 else 0.0
    blended = reference + weight * (cost - reference)
    used = float(min(max(blended, low), high))
    why = []
    if far:
        why.append(f"{ratio:.2f}x the peers' median £{reference:,.0f} (outside "
                   f"1/{ratio_max:g}-{ratio_max:g}x)")
    if outside:
        side = "above" if cost > high else "below"
        why.append(f"{side} the plausible range £{low:,.0f}-£{high:,.0f}")
    reason = (f"implied £{cost:,.0f} from {n:,.0f} placements is " + " and ".join(why)
              + f"; shrunk with weight {n:,.0f}/({n:,.0f}+{k:g}) = {weight:.2f} towards the peers:"
              f" £{blended:,.0f}" + (f", kept inside the range: £{used:,.0f}"
                                      if used != blended else ""))
    return used, weight, True, reason


def plausible_ranges(implied_all: pd.DataFrame, min_placements: float | None = None,
                     low_q: float | None = None, high_q: float | None = None) -> pd.DataFrame:
    """The plausible range of each placement type's implied cost across LAs.

    Parameters
    ----------
    implied_all : DataFrame
        ``la_code, group, placements, implied_cost_gbp`` (:func:`implied_costs_all`).

    Returns
    -------
    DataFrame
        ``group, las, low_gbp, median_gbp, high_gbp``.

    Examples
    --------
    >>> t = pd.DataFrame({"la_code": list("abcde"), "group": "special",
    ...                   "placements": 100.0, "implied_cost_gbp": [10., 20., 30., 40., 50.]})
    >>> plausible_ranges(t, low_q=0.25, high_q=0.75)[["low_gbp", "median_gbp", "high_gbp"]].values.tolist()
    [[20.0, 30.0, 40.0]]
    """
    n_min = _rule("min_placements") if min_placements is None else float(min_placements)
    lo = _rule("range_low_quantile") if low_q is None else float(low_q)
    hi = _rule("range_high_quantile") if high_q is None else float(high_q)
    ok = implied_all[(implied_all["placements"] >= n_min)
                     & np.isfinite(implied_all["implied_cost_gbp"])]
    g = ok.groupby("group")["implied_cost_gbp"]
    out = pd.DataFrame({"las": g.size(), "low_gbp": g.quantile(lo), "median_gbp": g.median(),
                        "high_gbp": g.quantile(hi)}).reset_index()
    return out


def peer_reference(implied_all: pd.DataFrame, group: str, neighbours=(), region_codes=(),
                   exclude: str | None = None, min_placements: float | None = None
                   ) -> tuple[float, str]:
    """The peers' median implied cost: statistical neighbours, else region, else England.

    Returns ``(median_gbp, basis)``; at least 3 peers with ``min_placements`` are needed for
    the neighbours or the region to be used.
    """
    n_min = _rule("min_placements") if min_placements is None else float(min_placements)
    rows = implied_all[(implied_all["group"] == group) & (implied_all["placements"] >= n_min)
                       & np.isfinite(implied_all["implied_cost_gbp"])]
    if exclude is not None:
        rows = rows[rows["la_code"] != exclude]
    for codes, basis in ((list(neighbours), "statistical neighbours"),
                         (list(region_codes), "region")):
        peers = rows[rows["la_code"].isin(codes)]
        if len(peers) >= 3:
            return float(peers["implied_cost_gbp"].median()), f"{basis} ({len(peers)} LAs)"
    return float(rows["implied_cost_gbp"].median()), f"England ({len(rows)} LAs)"


def shrink_costs(implied: pd.DataFrame, implied_all: pd.DataFrame, *, la_code: str | None = None,
                 neighbours=(), region_codes=(), prior_placements: float | None = None,
                 max_neighbour_ratio: float | None = None,
                 groups=("mainstream", "resource_base", "special", "independent", "post16")
                 ) -> pd.DataFrame:
    """Check every placement type of one LA's calibration and shrink the implausible ones.

    Parameters
    ----------
    implied : DataFrame
        ``group, placements, implied_cost_gbp`` (a :class:`~sufficiency.finance.calibrate.
        Calibration`'s ``implied``).
    implied_all : DataFrame
        Every LA's ``la_code, group, placements, implied_cost_gbp`` (:func:`implied_costs_all`).
    la_code : str, optional
        The LA (left out of its own peers).
    neighbours, region_codes : sequence of str
        Its statistical neighbours and the LAs of its region.

    Returns
    -------
    DataFrame
        ``group, implied_cost_gbp, placements, reference_gbp, reference_basis, low_gbp,
        high_gbp, weight, shrunk, used_gbp, reason``.
    """
    ranges = plausible_ranges(implied_all).set_index("group")
    rows = []
    for r in implied.itertuples():
        if r.group not in groups or r.group not in ranges.index:
            continue
        ref, basis = peer_reference(implied_all, r.group, neighbours, region_codes, la_code)
        low, high = float(ranges.at[r.group, "low_gbp"]), float(ranges.at[r.group, "high_gbp"])
        used, weight, shrunk, reason = shrink_cost(r.implied_cost_gbp, r.placements, ref, low,
                                                   high, prior_placements, max_neighbour_ratio)
        if shrunk:
            reason = reason.replace("the peers", f"the {basis}")
        rows.append((r.group, float(r.implied_cost_gbp), float(r.placements), ref, basis, low,
                     high, weight, shrunk, used, reason))
    return pd.DataFrame(rows, columns=["group", "implied_cost_gbp", "placements", "reference_gbp",
                                       "reference_basis", "low_gbp", "high_gbp", "weight",
                                       "shrunk", "used_gbp", "reason"])


def implied_costs_all(high_needs_all: pd.DataFrame, funded_places_all: pd.DataFrame,
                      placements_all: pd.DataFrame | None = None, deductions_year: int = 2022,
                      outturn_year: int = 2022) -> pd.DataFrame:
    """Every LA's implied cost per placement type, the calibration's arithmetic for all at once.

    Parameters
    ----------
    high_needs_all : DataFrame
        ``la_code, line, value`` (the embedded ``high_needs_outturn`` table).
    funded_places_all : DataFrame
        ``la_code, year, place_type, deduction_gbp`` (the embedded ``funded_places``).
    placements_all : DataFrame, optional
        ``la_code, year, provision, count`` (SEN2): rolls the extract's January 2021 placements
        to January ``outturn_year`` (see :func:`~sufficiency.finance.calibrate.calibrate_costs`).

    Returns
    -------
    DataFrame
        ``la_code, group, placements, amount_gbp, implied_cost_gbp``.
    """
    from .calibrate import GROUPS, group_amounts, rolled_counts

    wide = high_needs_all.pivot_table(index="la_code", columns="line", values="value",
                                      aggfunc="sum")
    fp = funded_places_all[funded_places_all["year"] == deductions_year]
    ded = fp.pivot_table(index="la_code", columns="place_type", values="deduction_gbp",
                         aggfunc="sum").reindex(wide.index).fillna(0.0)
    values = {c: wide[c] for c in wide.columns}
    deductions = {c: ded[c] for c in ded.columns}
    n = {g.group: wide.get(g.placement_line, pd.Series(np.nan, index=wide.index))
         for g in GROUPS.itertuples()}
    if placements_all is not None:
        for la in wide.index:
            rows = placements_all[placements_all["la_code"] == la]
            if rows.empty:
                continue
            scaled = rolled_counts({g: float(v[la]) for g, v in n.items()}, rows, outturn_year)[0]
            for g, v in scaled.items():
                n[g].loc[la] = v
    amounts, _ = group_amounts(values, deductions, n)
    rows = []
    for group, amount in amounts.items():
        placements = n[group]
        cost = amount / placements.where(placements > 0)
        rows.append(pd.DataFrame({"la_code": wide.index, "group": group,
                                  "placements": placements.to_numpy(),
                                  "amount_gbp": amount.to_numpy(),
                                  "implied_cost_gbp": cost.to_numpy()}))
    return pd.concat(rows, ignore_index=True)


@functools.lru_cache(maxsize=2)
def _embedded_implied_all(deductions_year: int, outturn_year: int) -> pd.DataFrame:
    from ..data import highneeds
    from ..data.example import load_table

    placements = load_table("placements")
    return implied_costs_all(highneeds.high_needs_table("high_needs_outturn"),
                             highneeds.high_needs_table("funded_places"), placements,
                             deductions_year, outturn_year)


def embedded_implied_costs(deductions_year: int = 2022, outturn_year: int = 2022) -> pd.DataFrame:
    """:func:`implied_costs_all` over the embedded data (computed once, then cached)."""
    return _embedded_implied_all(int(deductions_year), int(outturn_year)).copy()
