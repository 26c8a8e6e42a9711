"""An LA's implied cost per placement type, from its own high-needs outturn and placements.

The DfE high needs benchmarking extract (2021-22 tool; :func:`sufficiency.data.highneeds.
la_high_needs`) gives, per LA, the section 251 high-needs lines (place funding, top-ups to
maintained and to independent providers by phase, central services) and the number of children
and young people with an EHC plan by placement type (SEN2, January 2021). Academies' place
funding is not in the s251 lines: the ESFA pays it and deducts it from the LA's High Needs Block,
so the ESFA deductions of the same financial year (:func:`~sufficiency.data.highneeds.
la_funded_places`) are added. Each line is assigned to one placement type (or to central spend);
the implied cost per placement is the assigned amount divided by the placements:

==============================  ==========================================================
placement type (benchmarking)   lines assigned
==============================  ==========================================================
special (maintained/academy)    place funding special + ESFA special academy/free school
                                places (pre- and post-16) + maintained top-up special
NMSS or independent             independent top-up special schools
mainstream + resourced          top-ups primary + secondary (maintained and independent),
                                shared per pupil; resourced provision also gets the place
                                funding primary + secondary and the ESFA academy SEN unit/RP
                                places, per resourced place
hospital / AP                   place funding AP + ESFA AP places + top-ups AP
post-16                         place funding post school + top-ups post school + ESFA FE/ILP,
                                16-19 academy and AP post-16 places
central (not per placement)     SEN support, AP services, hospital education, therapies,
                                early-years lines, hospital academies, less top-up income
==============================  ==========================================================

So ``sum(implied cost x placements) + central = the total of the lines``: the calibration
reproduces the LA's outturn exactly. What it cannot see: place funding pays for places used by
other LAs' children and top-ups follow the LA's own children wherever they are; mainstream and
resourced top-ups are not separated in s251 (the same average is used); AP spend mostly serves
pupils without an EHC plan, so its implied cost per EHCP placement is flagged unreliable and the
national default is kept.

Years: the extract is the 2021-22 tool; its placements are January 2021 (they match SEN2), and
the sheet notes its outturn covers years up to 2020-21, so the ESFA deductions of 2020-21
(``deductions_year=2020``, financial-year start) are used. The implied costs are in those
prices; :attr:`Calibration.costs` is uplifted to the price year of the defaults (2023-24) with the
inflation assumption, place funding staying at its cash rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.vocabulary import PROVISIONS
from ..errors import ValidationError
from .costs import DEFAULTS, RULES, cost_table, default

#: The benchmarking extract's placement line for each group of :data:`PROVISIONS`
#: (column ``benchmark_group``).
PLACEMENT_LINES = {"mainstream": "placements_mainstream", "resource_base": "placements_resourced",
                   "special": "placements_special", "independent": "placements_independent",
                   "ap": "placements_ap", "post16": "placements_post16",
                   "other": "placements_other"}
#: The provision whose national default a group's implied cost is compared with (the first
#: of the group's provisions unless named here): independent special schools' fees.
PRICED_AS = {"independent": "special_independent"}


def _groups() -> pd.DataFrame:
    """``group, placement_line, provisions``: benchmarking groups -> provision codes they price,
    the comparison provision first."""
    rows = []
    for group, line in PLACEMENT_LINES.items():
        provisions = list(PROVISIONS.loc[PROVISIONS["benchmark_group"] == group, "provision"])
        lead = PRICED_AS.get(group, provisions[0])
        rows.append((group, line, tuple([lead] + [p for p in provisions if p != lead])))
    return pd.DataFrame(rows, columns=["group", "placement_line", "provisions"])


#: Placement-type groups of the benchmarking extract -> provision codes they price.
GROUPS = _groups()

_OUTTURN_ASSIGN = {
    "place_funding_early_years": "central",
    "place_funding_primary": "resource_base_places",
    "place_funding_secondary": "resource_base_places",
    "place_funding_special": "special",
    "place_funding_ap": "ap",
    "place_funding_post_school": "post16",
    "top_up_maintained_early_years": "central",
    "top_up_maintained_primary": "mainstream_pool",
    "top_up_maintained_secondary": "mainstream_pool",
    "top_up_maintained_special": "special",
    "top_up_maintained_ap": "ap",
    "top_up_maintained_post_school": "post16",
    "top_up_maintained_income": "central",
    "top_up_independent_early_years": "central",
    "top_up_independent_primary": "mainstream_pool",
    "top_up_independent_secondary": "mainstream_pool",
    "top_up_independent_special": "independent",
    "top_up_independent_ap": "ap",
    "top_up_independent_post_school": "post16",
    "top_up_independent_income": "central",
    "sen_support_services": "central",
    "ap_services": "central",
    "hospital_services": "central",
    "therapies": "central",
}
_DEDUCTION_ASSIGN = {
    "academy_rp_sen_unit_6k": "resource_base_places",
    "academy_rp_sen_unit_10k": "resource_base_places",
    "academy_rp_post16": "resource_base_places",
    "academy_ap_pre16": "ap",
    "special_academy_pre16": "special",
    "special_academy_post16": "special",
    "special_academy_ap_pre16": "ap",
    "special_free_pre16": "special",
    "special_free_post16": "special",
    "special_free_ap_pre16": "ap",
    "ap_academy_sen_pre16": "ap",
    "ap_academy_sen_post16": "post16",
    "ap_academy_ap_pre16": "ap",
    "hospital_academy": "central",
    "academy_16_19_post16": "post16",
    "fe_ilp_post16": "post16",
}
#: Published totals and how they are rebuilt from their parts (a check on the reading).
_TOTAL_CHECKS = {
    "place_funding_special_ap": (["place_funding_special", "place_funding_ap"], []),
    "top_up_maintained_total": ([f"top_up_maintained_{p}" for p in
                                 ("early_years", "primary", "secondary", "special", "ap",
                                  "post_school")], ["top_up_maintained_income"]),
    "top_up_independent_total": ([f"top_up_independent_{p}" for p in
                                  ("early_years", "primary", "secondary", "special", "ap",
                                   "post_school")], ["top_up_independent_income"]),
}
_INCOME = ("top_up_maintained_income", "top_up_independent_income")


@dataclass
class Calibration:
    """An LA's implied costs per placement type and how they were derived.

    Attributes
    ----------
    la : str
        The LA as asked for.
    derivation : DataFrame
        ``item, source, amount_gbp, assigned_to``: every line used (s251 outturn lines, ESFA
        deductions), signed (income negative), in the outturn's prices (£).
    implied : DataFrame
        ``group, provisions, placements, amount_gbp, implied_cost_gbp, default_cost_gbp, ratio,
        reliable, used_gbp, note``: per placement type, the implied cost per placement per year
        (£), the national default in the same prices, and the figure used.
    checks : DataFrame
        ``line, published_gbp, rebuilt_gbp``: published totals vs their rebuilt parts.
    costs : DataFrame
        A :func:`~sufficiency.finance.costs.cost_table` with the LA's figures where reliable, in
        the defaults' price year (``price_year``).
    central_gbp : float
        Spend not attributable to a placement (services, early years, hospital, less income),
        in the defaults' price year (£ a year).
    total_gbp : float
        The total of all derivation lines (outturn prices).
    assumptions : DataFrame
        ``name, value, unit, source``.
    """

    la: str
    derivation: pd.DataFrame
    implied: pd.DataFrame
    checks: pd.DataFrame
    costs: pd.DataFrame
    central_gbp: float
    total_gbp: float
    price_year: int
    outturn_price_year: int
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> str:
        """A short text: implied cost per placement type vs the national default."""
        lines = [f"Calibration for {self.la}: implied High Needs Block cost per placement "
                 f"(£ a year, {self.outturn_price_year - 1}-{self.outturn_price_year % 100:02d} "
                 "prices)"]
        for r in self.implied.itertuples():
            flag = "" if r.reliable else "  (not used: " + r.note + ")"
            lines.append(f"  {r.group:14s} {r.placements:8,.0f} placements  £{r.implied_cost_gbp:>9,.0f}"
                         f"  vs default £{r.default_cost_gbp:>9,.0f}{flag}")
        lines.append(f"  central (not per placement): £{self.central_gbp:,.0f} a year "
                     f"({self.price_year - 1}-{self.price_year % 100:02d} prices)")
        return "\n".join(lines)


def calibrate_costs(la=None, high_needs: pd.DataFrame | None = None,
                    funded_places: pd.DataFrame | None = None, deductions_year: int = 2020,
                    outturn_price_year: int = 2021, inflation: float | None = None,
                    min_placements: int = 20, max_ratio: float = 4.0) -> Calibration:
    """Derive an LA's cost per placement type from its high-needs outturn and placements.

    Parameters
    ----------
    la : str or int, optional
        LA code or name (``"Derby"``, ``831``), or ``"England"`` for the sum of all LAs. Used to
        read the embedded tables when ``high_needs`` / ``funded_places`` are not given.
    high_needs : DataFrame, optional
        ``line, value`` (and optionally ``year, unit``) as :func:`sufficiency.data.highneeds.
        la_high_needs` returns.
    funded_places : DataFrame, optional
        ``year, place_type, deduction_gbp`` as :func:`~sufficiency.data.highneeds.
        la_funded_places` returns; rows of ``deductions_year`` are used. Empty = none.
    deductions_year : int
        Financial-year start of the ESFA deductions to add (2020 = 2020-21; see module notes).
    outturn_price_year : int
        Census-convention year of the outturn prices (2021 = 2020-21).
    inflation : float, optional
        Uplift from ``outturn_price_year`` to the defaults' price year (default 3%).
    min_placements, max_ratio : int, float
        A type's implied cost is used only with at least ``min_placements`` placements and
        within ``1/max_ratio`` .. ``max_ratio`` times the national default.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> cal = calibrate_costs("Derby")
    >>> float(cal.implied.set_index("group").loc["special", "placements"])
    806.0
    >>> print(cal.summary())                                    # doctest: +SKIP
    """
    label = str(la) if la is not None else "LA"
    if high_needs is None:
        high_needs = _england_high_needs() if _is_england(la) else _la_table("high_needs", la)
    if funded_places is None:
        funded_places = _la_table("funded_places", "England" if _is_england(la) else la)
    values = _line_values(high_needs, label)
    rate = default("inflation") if inflation is None else float(inflation)
    price_year = int(DEFAULTS.loc[DEFAULTS["name"] == "inflation", "year"].iloc[0])
    uplift = (1.0 + rate) ** (price_year - outturn_price_year)

    rows = []
    for line, target in _OUTTURN_ASSIGN.items():
        amount = values.get(line, 0.0)
        if line in _INCOME:
            amount = -amount
        rows.append((line, "s251 outturn", float(amount), target))
    fp = funded_places
    if fp is not None and len(fp):
        fp = fp[fp["year"] == deductions_year] if "year" in fp else fp
        by_type = fp.groupby("place_type")["deduction_gbp"].sum()
        for place_type, target in _DEDUCTION_ASSIGN.items():
            rows.append((place_type, f"ESFA deduction {deductions_year}-{(deductions_year + 1) % 100:02d}",
                         float(by_type.get(place_type, 0.0)), target))
    derivation = pd.DataFrame(rows, columns=["item", "source", "amount_gbp", "assigned_to"])
    pools = derivation.groupby("assigned_to")["amount_gbp"].sum()
    n = {g.group: float(values.get(g.placement_line, np.nan)) for g in GROUPS.itertuples()}
    for group in ("mainstream", "resource_base", "special", "independent", "ap", "post16"):
        if not np.isfinite(n[group]):
            raise ValidationError(f"high needs lines for {label}: no value for "
                                  f"'placements_{group}'; the benchmarking extract has no "
                                  "placements for this LA (e.g. LAs created after January "
                                  "2021: use the footprint's predecessor or give high_needs)")
    shared = n["mainstream"] + n["resource_base"]
    per_pupil = pools.get("mainstream_pool", 0.0) / shared if shared > 0 else 0.0
    amounts = {
        "mainstream": per_pupil * n["mainstream"],
        "resource_base": per_pupil * n["resource_base"] + pools.get("resource_base_places", 0.0),
        "special": pools.get("special", 0.0),
        "independent": pools.get("independent", 0.0),
        "ap": pools.get("ap", 0.0),
        "post16": pools.get("post16", 0.0),
    }
    # the per-placement defaults, in outturn prices, for comparison
    base = cost_table().set_index("provision")
    deflate = 1.0 / uplift
    default_cost = {}
    for g in GROUPS.itertuples():
        prov = g.provisions[0]
        row = base.loc[prov]
        default_cost[g.group] = float(row["place_funding_gbp"] + (row["top_up_gbp"] + row["fee_gbp"])
                                      * deflate) if row["rule"] == "place_plus_top_up" else \
            float((row["top_up_gbp"] + row["fee_gbp"]) * deflate)
    implied_rows = []
    for g in GROUPS.itertuples():
        if g.group == "other":
            continue
        placements = n[g.group]
        amount = amounts[g.group]
        cost = amount / placements if placements > 0 else np.nan
        ratio = cost / default_cost[g.group] if default_cost[g.group] > 0 else np.nan
        reliable = bool(placements >= min_placements and np.isfinite(ratio)
                        and 1.0 / max_ratio <= ratio <= max_ratio)
        if placements < min_placements:
            note = f"fewer than {min_placements} placements"
        elif not np.isfinite(ratio) or not (1.0 / max_ratio <= ratio <= max_ratio):
            note = f"{ratio:.1f}x the national default"
        else:
            note = ""
        if g.group == "ap":
            note = (note + "; " if note else "") + "AP spend mostly serves pupils without EHC plans"
            reliable = False
        implied_rows.append((g.group, " ".join(g.provisions), placements, amount, cost,
                             default_cost[g.group], ratio, reliable,
                             cost if reliable else default_cost[g.group], note))
    implied = pd.DataFrame(implied_rows, columns=["group", "provisions", "placements", "amount_gbp",
                                                  "implied_cost_gbp", "default_cost_gbp", "ratio",
                                                  "reliable", "used_gbp", "note"])
    central = float(pools.get("central", 0.0))
    total = float(derivation["amount_gbp"].sum())
    checks = pd.DataFrame(
        [(line, values.get(line, np.nan),
          sum(values.get(p, 0.0) for p in plus) - sum(values.get(m, 0.0) for m in minus))
         for line, (plus, minus) in _TOTAL_CHECKS.items()],
        columns=["line", "published_gbp", "rebuilt_gbp"])
    costs = _costs_from_implied(implied, uplift, label)
    assumptions = pd.DataFrame(
        [("deductions_year", deductions_year, "financial year start",
          "ESFA high needs deductions added to the s251 lines"),
         ("outturn_price_year", outturn_price_year, "census year", "DfE benchmarking 2021-22"),
         ("inflation_to_price_year", rate, "per_year", "costs.DEFAULTS inflation"),
         ("min_placements", min_placements, "placements", "reliability rule"),
         ("max_ratio", max_ratio, "x default", "reliability rule")],
        columns=["name", "value", "unit", "source"])
    return Calibration(la=label, derivation=derivation, implied=implied, checks=checks,
                       costs=costs, central_gbp=central * uplift, total_gbp=total,
                       price_year=price_year, outturn_price_year=outturn_price_year,
                       assumptions=assumptions)


def _costs_from_implied(implied: pd.DataFrame, uplift: float, label: str) -> pd.DataFrame:
    """A cost table in the defaults' prices with the LA's reliable figures (rules kept)."""
    table = cost_table()
    rules = RULES.set_index("provision")["rule"]
    for r in implied.itertuples():
        if not r.reliable:
            continue
        for prov in r.provisions.split():
            rule = rules[prov]
            hit = table["provision"] == prov
            place = float(table.loc[hit, "place_funding_gbp"].iloc[0])
            if rule == "fee":
                table.loc[hit, "fee_gbp"] = r.implied_cost_gbp * uplift
            elif rule == "place_plus_top_up":
                table.loc[hit, "top_up_gbp"] = max(0.0, r.implied_cost_gbp - place) * uplift
            else:
                table.loc[hit, "top_up_gbp"] = r.implied_cost_gbp * uplift
            table.loc[hit, "source"] = f"calibrated: {label} outturn"
    # the outturn's early-years and other lines are in the central (not per placement) spend
    for prov in GROUPS.set_index("group").loc["other", "provisions"]:
        hit = table["provision"] == prov
        table.loc[hit, ["place_funding_gbp", "top_up_gbp", "fee_gbp"]] = 0.0
        table.loc[hit, "source"] = f"calibrated: {label}, in central spend (not per placement)"
    table["hnb_cost_gbp"] = np.where(table["rule"] == "place_plus_top_up",
                                     table["place_funding_gbp"] + table["top_up_gbp"],
                                     np.where(table["rule"] == "fee", table["fee_gbp"],
                                              np.where(table["rule"] == "none", 0.0,
                                                       table["top_up_gbp"])))
    return table


def _is_england(la) -> bool:
    return la is not None and str(la).strip().lower() in ("england", "e92000001")


def _la_table(kind: str, la):
    if la is None:
        raise ValidationError(f"calibrate_costs: give an LA or the {kind} table")
    from ..data import highneeds

    return highneeds.la_high_needs(la) if kind == "high_needs" else highneeds.la_funded_places(la)


def _england_high_needs() -> pd.DataFrame:
    """The sum of every LA's benchmarking lines (the extract has no England row)."""
    from ..data import highneeds

    table = highneeds._extract()["high_needs_outturn"]
    return table.groupby("line", as_index=False)["value"].sum()


def _line_values(high_needs: pd.DataFrame, label: str) -> dict:
    for col in ("line", "value"):
        if col not in high_needs:
            raise ValidationError(f"high needs lines for {label}: expected columns line, value; "
                                  f"missing {col!r}")
    return high_needs.groupby("line")["value"].sum(min_count=1).to_dict()
