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

Years: the extract's outturn is **2021-22** (its sheet notes "values to 2020-21", but its s251
lines equal the published 2021-22 outturn: see :mod:`sufficiency.data.s251`), so the ESFA
deductions of 2021-22 (``deductions_year=2022``, census year) are added, and its
placements, January 2021, are rolled to January 2022 (the census inside 2021-22) with each
placement type's SEN2 growth over that year when the LA's SEN2 placements are known. The
implied costs are in 2021-22 prices; :attr:`Calibration.costs` is uplifted to the price year of
the defaults (2023-24) on the published price paths (:mod:`sufficiency.finance.prices`: top-ups
on teachers' pay, fees on CPI), place funding staying at its cash rate.

Plausibility: an implied cost outside the range of LAs' figures or far from the LA's statistical
neighbours is shrunk towards them (:mod:`sufficiency.finance.plausible`); the reason is in
``implied.note``, :attr:`Calibration.shrinkage` and :attr:`Calibration.notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.vocabulary import PROVISIONS, financial_year_label
from ..errors import ValidationError
from .costs import DEFAULTS, RULES, cost_table, default

__all__ = ["PLACEMENT_LINES", "PRICED_AS", "GROUPS", "Calibration", "calibrate_costs",
           "group_amounts", "rolled_counts"]

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
    shrinkage : DataFrame
        The plausibility check per placement type (:func:`~sufficiency.finance.plausible.
        shrink_costs`): implied, reference, range, weight, used, reason.
    notes : list of str
        What a run should say about this calibration (shrunk costs, rolled placements).
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
    shrinkage: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list = field(default_factory=list)

    def summary(self) -> str:
        """A short text: implied cost per placement type vs the national default."""
        lines = [f"Calibration for {self.la}: implied High Needs Block cost per placement "
                 f"(£ a year, {self.outturn_price_year - 1}-{self.outturn_price_year % 100:02d} "
                 "prices)"]
        for r in self.implied.itertuples():
            flag = "" if r.reliable else "  (not used: " + r.note + ")"
            if r.reliable and "shrunk:" in str(r.note):
                flag = f"  (implausible: £{r.used_gbp:,.0f} used, shrunk towards its peers)"
            lines.append(f"  {r.group:14s} {r.placements:8,.0f} placements  £{r.implied_cost_gbp:>9,.0f}"
                         f"  vs default £{r.default_cost_gbp:>9,.0f}{flag}")
        lines.append(f"  central (not per placement): £{self.central_gbp:,.0f} a year "
                     f"({self.price_year - 1}-{self.price_year % 100:02d} prices)")
        return "\n".join(lines)


def calibrate_costs(la=None, high_needs: pd.DataFrame | None = None,
                    funded_places: pd.DataFrame | None = None,
                    placements: pd.DataFrame | None = None, deductions_year: int = 2022,
                    outturn_price_year: int = 2022, inflation: float | None = None,
                    min_placements: int = 20, max_ratio: float = 4.0, *,
                    shrink: bool = True, peers: pd.DataFrame | None = None,
                    neighbours=None, region_codes=None, prior_placements: float | None = None,
                    max_neighbour_ratio: float | None = None, la_code: str | None = None,
                    label: str | None = None) -> Calibration:
    """Derive an LA's cost per placement type from its high-needs outturn and placements.

    Parameters
    ----------
    la : str or int, optional
        LA code or name (``"Derby"``, ``831``), or ``"England"`` for the sum of all LAs. Used to
        read the embedded tables (outturn lines, funded places, SEN2 placements, statistical
        neighbours, region) that are not given.
    high_needs : DataFrame, optional
        ``line, value`` (and optionally ``year, unit``) as :func:`sufficiency.data.highneeds.
        la_high_needs` returns.
    funded_places : DataFrame, optional
        ``year, place_type, deduction_gbp`` as :func:`~sufficiency.data.highneeds.
        la_funded_places` returns; rows of ``deductions_year`` are used. Empty = none.
    placements : DataFrame, optional
        The LA's SEN2 placements ``year, provision, count`` (:func:`sufficiency.data.
        la_placements`): the extract's January 2021 placements are rolled to January
        ``outturn_price_year`` with each type's growth. Without them (and without ``la``) the
        January 2021 counts are used (noted).
    deductions_year : int
        Census-convention year of the ESFA deductions to add (2022 = 2021-22).
    outturn_price_year : int
        Census-convention year of the outturn (2022 = 2021-22).
    inflation : float, optional
        A flat uplift a year from ``outturn_price_year`` to the defaults' price year, instead of
        the published price paths.
    min_placements, max_ratio : int, float
        A type's implied cost is used only with at least ``min_placements`` placements and
        within ``1/max_ratio`` .. ``max_ratio`` times the national default.
    shrink : bool
        Check each used cost against its peers and shrink the implausible ones
        (:mod:`sufficiency.finance.plausible`).
    peers : DataFrame, optional
        Every LA's ``la_code, group, placements, implied_cost_gbp``
        (:func:`~sufficiency.finance.plausible.implied_costs_all`); default the embedded data.
    neighbours, region_codes : sequence of str, optional
        The LA's statistical neighbours and its region's LAs (default from the embedded data).
    prior_placements, max_neighbour_ratio : float, optional
        The shrinkage's parameters (:data:`sufficiency.finance.plausible.RULES`).
    la_code : str, optional
        The LA's code when its tables are given (no ``la``): its own row is left out of its
        peers. Nothing is read with it.
    label : str, optional
        How the LA is named in the calibration and its sources (default ``la``, else "LA").

    Returns
    -------
    Calibration

    Examples
    --------
    >>> cal = calibrate_costs("Derby")
    >>> float(cal.implied.set_index("group").loc["special", "placements"]) > 806
    True
    >>> print(cal.summary().splitlines()[0])
    Calibration for Derby: implied High Needs Block cost per placement (£ a year, 2021-22 prices)
    """
    from .plausible import shrink_costs
    from .prices import price_index

    label = label if label is not None else str(la) if la is not None else "LA"
    england = _is_england(la)
    if high_needs is None:
        high_needs = _england_high_needs() if england else _la_table("high_needs", la)
    if funded_places is None:
        funded_places = _la_table("funded_places", "England" if england else la)
    notes = []
    if placements is None and la is not None:
        try:
            import sufficiency.data as sd

            placements = sd.la_placements(la)
        except (KeyError, ValueError) as exc:
            notes.append(f"calibration for {label}: no SEN2 placements ({exc}); the benchmarking "
                         "extract's January 2021 placements are used")
    values = _line_values(high_needs, label)
    price_year = int(DEFAULTS.loc[DEFAULTS["name"] == "inflation", "year"].iloc[0])
    if inflation is None:
        idx = price_index([outturn_price_year, price_year], outturn_price_year)
        idx = idx[idx["year"] == price_year].set_index("series")["index"]
        uplift = {"top_up": float(idx["top_up"]), "fee": float(idx["independent_fee"]),
                  "central": float(idx["central"])}
        rate_label = "published price paths (top-ups: teachers' pay; fees: CPI)"
    else:
        flat = (1.0 + float(inflation)) ** (price_year - outturn_price_year)
        uplift = {"top_up": flat, "fee": flat, "central": flat}
        rate_label = float(inflation)

    rows = []
    for line, target in _OUTTURN_ASSIGN.items():
        amount = _zero(values.get(line, 0.0))
        if line in _INCOME:
            amount = -amount
        rows.append((line, "s251 outturn", float(amount), target))
    fp = funded_places
    deductions = {}
    if fp is not None and len(fp):
        fp = fp[fp["year"] == deductions_year] if "year" in fp else fp
        deductions = fp.groupby("place_type")["deduction_gbp"].sum().to_dict()
        for place_type, target in _DEDUCTION_ASSIGN.items():
            rows.append((place_type, f"ESFA deduction {financial_year_label(deductions_year)}",
                         float(deductions.get(place_type, 0.0)), target))
    derivation = pd.DataFrame(rows, columns=["item", "source", "amount_gbp", "assigned_to"])
    n = {g.group: float(values.get(g.placement_line, np.nan)) for g in GROUPS.itertuples()}
    for group in ("mainstream", "resource_base", "special", "independent", "ap", "post16"):
        if not np.isfinite(n[group]):
            raise ValidationError(f"high needs lines for {label}: no value for "
                                  f"'placements_{group}'; the benchmarking extract has no "
                                  "placements for this LA (e.g. LAs created after January "
                                  "2021: use the footprint's predecessor or give high_needs)")
    if placements is not None and len(placements):
        n, rolled = rolled_counts(n, placements, outturn_price_year)
        notes += rolled
    amounts, pools = group_amounts(values, deductions, n)
    # the per-placement defaults, in outturn prices, for comparison
    base = cost_table().set_index("provision")
    default_cost = {}
    for g in GROUPS.itertuples():
        row = base.loc[g.provisions[0]]
        fee_like = 1.0 / (uplift["fee"] if row["rule"] == "fee" else uplift["top_up"])
        default_cost[g.group] = float(row["place_funding_gbp"] + (row["top_up_gbp"] + row["fee_gbp"])
                                      * fee_like) if row["rule"] == "place_plus_top_up" else \
            float((row["top_up_gbp"] + row["fee_gbp"]) * fee_like)
    implied_rows = []
    for g in GROUPS.itertuples():
        if g.group == "other":
            continue
        count = n[g.group]
        amount = amounts[g.group]
        cost = amount / count if count > 0 else np.nan
        ratio = cost / default_cost[g.group] if default_cost[g.group] > 0 else np.nan
        reliable = bool(count >= min_placements and np.isfinite(ratio)
                        and 1.0 / max_ratio <= ratio <= max_ratio)
        if count < min_placements:
            note = f"fewer than {min_placements} placements"
        elif not np.isfinite(ratio) or not (1.0 / max_ratio <= ratio <= max_ratio):
            note = f"{ratio:.1f}x the national default"
        else:
            note = ""
        if g.group == "ap":
            note = (note + "; " if note else "") + "AP spend mostly serves pupils without EHC plans"
            reliable = False
        implied_rows.append((g.group, " ".join(g.provisions), count, amount, cost,
                             default_cost[g.group], ratio, reliable,
                             cost if reliable else default_cost[g.group], note))
    implied = pd.DataFrame(implied_rows, columns=["group", "provisions", "placements", "amount_gbp",
                                                  "implied_cost_gbp", "default_cost_gbp", "ratio",
                                                  "reliable", "used_gbp", "note"])
    shrinkage = pd.DataFrame()
    if shrink and not england:
        shrinkage = _shrink(implied, la, peers, neighbours, region_codes, prior_placements,
                            max_neighbour_ratio, deductions_year, outturn_price_year, notes, label,
                            la_code)
    central = float(pools.get("central", 0.0))
    total = float(derivation["amount_gbp"].sum())
    checks = pd.DataFrame(
        [(line, values.get(line, np.nan),
          sum(values.get(p, 0.0) for p in plus) - sum(values.get(m, 0.0) for m in minus))
         for line, (plus, minus) in _TOTAL_CHECKS.items()],
        columns=["line", "published_gbp", "rebuilt_gbp"])
    costs = _costs_from_implied(implied, uplift, label)
    assumptions = pd.DataFrame(
        [("deductions_year", deductions_year, "census year",
          "ESFA high needs deductions added to the s251 lines"),
         ("outturn_price_year", outturn_price_year, "census year",
          "DfE high needs benchmarking extract (outturn 2021-22)"),
         ("uplift_to_price_year", rate_label, "", "2021-22 prices -> 2023-24 prices"),
         ("min_placements", min_placements, "placements", "reliability rule"),
         ("max_ratio", max_ratio, "x default", "reliability rule")],
        columns=["name", "value", "unit", "source"])
    return Calibration(la=label, derivation=derivation, implied=implied, checks=checks,
                       costs=costs, central_gbp=central * uplift["central"], total_gbp=total,
                       price_year=price_year, outturn_price_year=outturn_price_year,
                       assumptions=assumptions, shrinkage=shrinkage, notes=notes)


def group_amounts(values, deductions, n) -> tuple[dict, dict]:
    """Spend assigned to each placement type, from outturn lines, ESFA deductions and counts.

    Works on numbers (one LA) or on Series indexed by LA (every LA at once).

    Parameters
    ----------
    values : mapping
        Outturn line -> £ (:data:`_OUTTURN_ASSIGN` lines; income positive, as published).
    deductions : mapping
        ESFA place type -> £ for the year.
    n : mapping
        Group -> placements (``mainstream``, ``resource_base`` ... as :data:`GROUPS`).

    Returns
    -------
    (amounts, pools)
        ``amounts``: group -> £; ``pools``: assignment target -> £ (incl. ``central``).
    """
    pools: dict = {}
    for line, target in _OUTTURN_ASSIGN.items():
        amount = _zero(values.get(line, 0.0))
        pools[target] = pools.get(target, 0.0) + (-amount if line in _INCOME else amount)
    for place_type, target in _DEDUCTION_ASSIGN.items():
        pools[target] = pools.get(target, 0.0) + _zero(deductions.get(place_type, 0.0))
    shared = n["mainstream"] + n["resource_base"]
    pool = pools.get("mainstream_pool", 0.0)
    if isinstance(shared, pd.Series):
        per_pupil = (pool / shared.where(shared > 0)).fillna(0.0)
    else:
        per_pupil = pool / shared if shared > 0 else 0.0
    amounts = {
        "mainstream": per_pupil * n["mainstream"],
        "resource_base": per_pupil * n["resource_base"] + pools.get("resource_base_places", 0.0),
        "special": pools.get("special", 0.0),
        "independent": pools.get("independent", 0.0),
        "ap": pools.get("ap", 0.0),
        "post16": pools.get("post16", 0.0),
    }
    return amounts, pools


def rolled_counts(n: dict, placements: pd.DataFrame, year: int) -> tuple[dict, list]:
    """The extract's January 2021 placements rolled to January ``year`` with SEN2 growth.

    Each group's count is multiplied by the growth of its provisions in the LA's SEN2
    placements from January 2021 to January ``year`` (the extract keeps its own categories:
    its "NMSS or independent" includes independent mainstream schools, SEN2's does not).

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2021, 2022], "provision": "special_maintained",
    ...                   "count": [100.0, 110.0]})
    >>> rolled_counts({"special": 98.0}, p, 2022)[0]["special"]
    107.8
    """
    out, notes = dict(n), []
    if year == 2021:
        return out, notes
    for g in GROUPS.itertuples():
        if g.group not in out:
            continue
        rows = placements[placements["provision"].isin(g.provisions)]
        then = rows.loc[rows["year"] == 2021, "count"].sum(min_count=1)
        now = rows.loc[rows["year"] == year, "count"].sum(min_count=1)
        if np.isfinite(then) and np.isfinite(now) and then > 0:
            out[g.group] = float(n[g.group]) * float(now) / float(then)
        elif np.isfinite(n[g.group]) and n[g.group] > 0:
            notes.append(f"placements {g.group}: no SEN2 growth January 2021 -> {year}; the "
                         "January 2021 count is used")
    return out, notes


def _zero(value):
    if isinstance(value, pd.Series):
        return value.fillna(0.0)
    return 0.0 if value is None or pd.isna(value) else float(value)


def _shrink(implied, la, peers, neighbours, region_codes, prior, ratio, deductions_year,
            outturn_year, notes, label, code=None) -> pd.DataFrame:
    """Apply the plausibility check to the used costs (in place) and return its table."""
    from .plausible import embedded_implied_costs, shrink_costs

    if la is not None or code is not None:
        try:
            import sufficiency.data as sd

            code = sd.resolve_la(la, sd.las()) if code is None else code
            names = sd.las().set_index("la_code")["la_name"]
            label = str(names.get(code, label))
            if neighbours is None:
                neighbours = sd.statistical_neighbours(code)
            if region_codes is None:
                las = sd.las()
                region = las.loc[las["la_code"] == code, "region"]
                region_codes = list(las.loc[las["region"] == region.iloc[0], "la_code"]) \
                    if len(region) else []
        except (KeyError, ValueError):
            pass
    if peers is None:
        try:
            peers = embedded_implied_costs(deductions_year, outturn_year)
        except FileNotFoundError as exc:
            notes.append(f"calibration for {label}: no peer figures for the plausibility "
                         f"check ({exc})")
            return pd.DataFrame()
    reliable = implied[implied["reliable"]]
    table = shrink_costs(reliable, peers, la_code=code, neighbours=neighbours or (),
                         region_codes=region_codes or (), prior_placements=prior,
                         max_neighbour_ratio=ratio)
    for r in table[table["shrunk"]].itertuples():
        hit = implied["group"] == r.group
        implied.loc[hit, "used_gbp"] = r.used_gbp
        old = implied.loc[hit, "note"].iloc[0]
        implied.loc[hit, "note"] = (old + "; " if old else "") + "shrunk: " + r.reason
        notes.append(f"calibration for {label}: {r.group} cost per placement shrunk: {r.reason} "
                     "(2021-22 prices)")
    return table


def _costs_from_implied(implied: pd.DataFrame, uplift: dict, label: str) -> pd.DataFrame:
    """A cost table in the defaults' prices with the LA's reliable (and plausible) figures."""
    table = cost_table()
    rules = RULES.set_index("provision")["rule"]
    for r in implied.itertuples():
        if not r.reliable:
            continue
        shrunk = "shrunk:" in str(r.note)
        for prov in r.provisions.split():
            rule = rules[prov]
            hit = table["provision"] == prov
            place = float(table.loc[hit, "place_funding_gbp"].iloc[0])
            if rule == "fee":
                table.loc[hit, "fee_gbp"] = r.used_gbp * uplift["fee"]
            elif rule == "place_plus_top_up":
                table.loc[hit, "top_up_gbp"] = max(0.0, r.used_gbp - place) * uplift["top_up"]
            else:
                table.loc[hit, "top_up_gbp"] = r.used_gbp * uplift["top_up"]
            table.loc[hit, "source"] = f"calibrated: {label} outturn 2021-22" + \
                (" (shrunk towards peers)" if shrunk else "")
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

    table = highneeds.high_needs_table("high_needs_outturn")
    return table.groupby("line", as_index=False)["value"].sum()


def _line_values(high_needs: pd.DataFrame, label: str) -> dict:
    for col in ("line", "value"):
        if col not in high_needs:
            raise ValidationError(f"high needs lines for {label}: expected columns line, value; "
                                  f"missing {col!r}")
    return high_needs.groupby("line")["value"].sum(min_count=1).to_dict()
