"""An ILLUSTRATIVE settings table for any LA, from its published statistics.

Real LAs bring their own settings table (schools, units, providers, capacities, costs). For the
embedded example, :func:`example_settings` derives a plausible one from:

* the LA's January 2025 EHC plans by placement type (SEN2, :func:`sufficiency.data.la_placements`):
  every maintained special, resource base and AP place is taken to be full, so capacity is at
  least the 2025 caseload;
* its ESFA-funded places (high needs deductions sheets, :func:`sufficiency.data.la_funded_places`):
  academy and free special school, resource base and AP places, used where larger;
* its 2025 need x placement mix (:func:`sufficiency.data.la_needs`) for need designations;
* candidate capital projects (expansions, new resource bases, a new special school on one of two
  alternative sites) costed with illustrative per-place capital figures.

Every number that is not from a published LA statistic is a named parameter below with its
source; the result says ``illustrative=True`` and every plan made from it says ILLUSTRATIVE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.labels import label
from ..errors import ValidationError

__all__ = ["COST_PER_PLACE", "CAPITAL_PER_PLACE", "LEAD_TIME", "SETTING_SIZE",
           "UNLIMITED_SETTINGS", "LABELS", "FUNDED_PLACE_TYPES", "AGES", "ExampleSettings",
           "example_settings"]

#: Annual cost per place (£, place funding + typical top-up), illustrative. Place funding is
#: £10,000 for special and AP places and £6,000 (or £10,000) for resource bases (ESFA, High
#: needs funding operational guide); top-ups vary by LA and are illustrative here.
COST_PER_PLACE = {
    "special_maintained": 25_000.0,
    "resource_base": 16_000.0,
    "ap": 20_000.0,
    "special_non_maintained": 50_000.0,
    "special_independent": 60_000.0,
    "specialist_post16": 40_000.0,
}

#: Capital cost per place (£), illustrative figures of the order of those published in DfE's
#: LA school places scorecards and high needs provision capital guidance: expanding an
#: existing special school, opening a resource base in a mainstream school, a new special school.
CAPITAL_PER_PLACE = {"expansion": 45_000.0, "resource_base": 30_000.0,
                     "new_special_school": 80_000.0}

#: Years from the decision (the first plan year) to the places opening, by kind of project. An
#: expansion is not a new school. A resource base adapts rooms in a mainstream school (one
#: year: a sufficiency assumption). Expanding a special school on its own site needs design,
#: planning consent and a build (two years: a sufficiency assumption). A new special school
#: takes three: special free schools approved in 2020 were due to open from September 2022 and
#: most were not in their permanent buildings by then (Schools Week, "Promised special free
#: schools fail to open", 2022); Wiltshire's SEMH free school was at feasibility in 2024 for a
#: 2025-26 opening (Wiltshire Council, SEND & Inclusion Strategy 2020-24 final report). Site B
#: of the illustrative new school is a year quicker at 12.5% more capital (an alternative).
LEAD_TIME = {"resource_base": 1, "expansion": 2, "new_special_school": 3}

#: Typical size of one setting (places), to split an LA's places into schools and units: the
#: local provisions, made into settings of this size with capacity from the LA's figures.
SETTING_SIZE = {"special_maintained": 150, "resource_base": 16, "ap": 60}

#: Provisions with one setting of unlimited capacity each (placed at their cost), and its name.
UNLIMITED_SETTINGS = {"special_non_maintained": "Non-maintained special (any)",
                      "special_independent": "Independent special (any)",
                      "specialist_post16": "Specialist post-16 (any)"}

#: Names of the illustrative settings.
LABELS = {"special_maintained": "Special school", "resource_base": "Resource base",
          "ap": "AP"}

#: ESFA funded place types counted as capacity of each provision.
FUNDED_PLACE_TYPES = {
    "special_maintained": ["special_academy_pre16", "special_academy_post16",
                           "special_free_pre16", "special_free_post16"],
    "resource_base": ["academy_rp_sen_unit_6k", "academy_rp_sen_unit_10k"],
    "ap": ["academy_ap_pre16", "special_academy_ap_pre16", "special_free_ap_pre16",
           "ap_academy_ap_pre16"],
}

#: Age ranges (single ages) each provision takes, to designate phases.
AGES = {"special_maintained": (2, 18), "resource_base": (4, 15), "ap": (5, 15),
        "special_independent": (0, 25), "special_non_maintained": (0, 25),
        "specialist_post16": (16, 25)}


@dataclass
class ExampleSettings:
    """Illustrative settings, designation and candidate projects for one LA.

    Pass it to :func:`sufficiency.allocate.optimise` in place of the settings table:
    ``optimise(demand, example_settings("Derby"))``.
    """

    la: str
    settings: pd.DataFrame
    designation: pd.DataFrame
    projects: pd.DataFrame
    assumptions: pd.DataFrame
    travel: pd.DataFrame | None = None
    illustrative: bool = True
    notes: list = field(default_factory=list)

    def __repr__(self):
        return (f"ExampleSettings(la={self.la!r}, ILLUSTRATIVE, {len(self.settings)} settings, "
                f"{len(self.projects)} candidate projects)")

    def price(self, cost: pd.Series, phased: pd.Series | None = None) -> None:
        """Set the settings' ``cost_per_place`` (in place) from a cost by provision, and the
        designations' for the (provision, phase) pairs ``phased`` prices (e.g.
        :func:`sufficiency.finance.cost_per_place`: the place plan then prices a place as the
        DSG projection does)."""
        settings = self.settings
        known = settings["provision"].isin(cost.index)
        settings.loc[known, "cost_per_place"] = settings.loc[known, "provision"].map(cost)
        if phased is not None and len(phased):
            g = self.designation.merge(settings[["setting", "provision"]], on="setting",
                                       how="left")
            key = pd.MultiIndex.from_frame(g[["provision", "phase"]])
            self.designation["cost_per_place"] = phased.reindex(key).to_numpy()


def _phases_for(phases: pd.DataFrame, ages):
    lo, hi = ages
    ok = (phases["age_from"] <= hi) & (phases["age_to"] >= lo)
    return phases.loc[ok, "phase"].tolist()


def example_settings(la=None, phases: pd.DataFrame | None = None, mapping: dict | None = None,
                     year: int = 2025, min_share: float = 0.1,
                     growth_places: float | None = None, *,
                     placements: pd.DataFrame | None = None,
                     funded_places: pd.DataFrame | None = None,
                     needs: pd.DataFrame | None = None,
                     la_name: str | None = None) -> ExampleSettings:
    """Derive an ILLUSTRATIVE settings table for ``la`` from its published statistics.

    Parameters
    ----------
    la : str or int, optional
        LA name or code (as :func:`sufficiency.data.la_placements` accepts): its tables are read
        from the embedded data where not given (a notebook convenience).
    phases : DataFrame, optional
        ``phase, age_from, age_to`` (default :data:`sufficiency.data.vocabulary.PHASES`).
    mapping : dict, optional
        Need code -> need group used in the demand (default: Code of Practice areas).
    year : int
        Caseload year of the placement counts and need mix (January census).
    min_share : float
        A need group is designated at a special school when it is at least this share of the
        LA's special school caseload.
    growth_places : float, optional
        Extra specialist places the plan may need (e.g. the forecast growth in specialist
        demand over the plan). When the standard candidates add fewer places than this, further
        new special school candidates (150 places each, designated for the need groups most
        placed independently, in turn) are added until they could: the optimiser then decides
        how many are worth building. Default: the standard candidates only.
    placements, funded_places, needs : DataFrame, optional
        The LA's SEN2 placements (:func:`sufficiency.data.la_placements`), ESFA-funded places
        (:func:`sufficiency.data.la_funded_places`) and need x placement counts
        (:func:`sufficiency.data.la_needs`); a scenario run passes the tables it has read.
    la_name : str, optional
        The LA's name in the result (default ``la``).

    Returns
    -------
    ExampleSettings

    Examples
    --------
    >>> ex = example_settings("Derby")
    >>> ex.settings.groupby("provision")["capacity"].sum()["special_maintained"]
    np.float64(959.0)
    """
    from .. import data as sd
    from ..data.vocabulary import NEED_AREAS, PHASES

    phases = PHASES if phases is None else phases
    mapping = NEED_AREAS if mapping is None else mapping
    groups = sorted(set(mapping.values()))
    if la is None and any(t is None for t in (placements, funded_places, needs)):
        raise ValidationError("example_settings: give an LA or its placements, funded_places "
                              "and needs tables")
    pl = sd.la_placements(la) if placements is None else placements
    pl = pl[pl["year"] == year].set_index("provision")["count"].fillna(0.0)
    fp = sd.la_funded_places(la) if funded_places is None else funded_places
    fp = fp[fp["year"] == fp["year"].max()].set_index("place_type")["places"].fillna(0.0)
    needs = sd.la_needs(la) if needs is None else needs
    needs = needs[needs["year"] == year].assign(group=lambda d: d["need"].map(mapping))
    mix = needs.groupby(["provision", "group"])["count"].sum()

    def group_rank(provision):
        m = mix.get(provision) if provision in mix.index.get_level_values(0) else None
        if m is None or m.sum() <= 0:
            m = mix.get("all")
        m = m.reindex(groups).fillna(0.0)
        return (m / max(m.sum(), 1.0)).sort_values(ascending=False, kind="stable")

    settings, designation, notes = [], [], []
    for prov in SETTING_SIZE:
        funded = float(sum(fp.get(t, 0.0) for t in FUNDED_PLACE_TYPES[prov]))
        places = max(float(pl.get(prov, 0.0)), funded)
        if places <= 0:
            continue
        k = max(1, min(25, round(places / SETTING_SIZE[prov])))
        share = group_rank(prov)
        main = [g for g, s in share.items() if s >= min_share] or [share.index[0]]
        ph = _phases_for(phases, AGES[prov])
        sizes = np.full(k, math.floor(places / k))
        sizes[: int(round(places - sizes.sum()))] += 1
        for i in range(k):
            name = f"{LABELS[prov]} {i + 1}"
            settings.append((name, prov, float(sizes[i]), COST_PER_PLACE[prov]))
            if prov == "ap":
                gs = groups
            elif prov == "resource_base":  # one need group, primary or secondary
                gs = [main[i % len(main)]]
            else:  # special schools: two or three need groups each, in rotation
                n = min(len(main), 2 if len(main) > 2 else len(main))
                gs = [main[(i + j) % len(main)] for j in range(n)]
            pphase = ph if prov != "resource_base" else [ph[(i % max(len(ph), 1))]] if ph else []
            designation += [(name, g, p) for g in gs for p in pphase]
        notes.append(f"{prov}: {places:,.0f} places (max of {pl.get(prov, 0):,.0f} children "
                     f"placed in {year} and {funded:,.0f} ESFA-funded places) in {k} setting(s)")
    for prov, name in UNLIMITED_SETTINGS.items():
        settings.append((name, prov, np.inf, COST_PER_PLACE[prov]))
        designation += [(name, g, p) for g in groups for p in _phases_for(phases, AGES[prov])]
    s = pd.DataFrame(settings, columns=["setting", "provision", "capacity", "cost_per_place"])

    # candidate projects
    projects = []
    special = s[s["provision"] == "special_maintained"]
    for r in special.itertuples(index=False):
        add = float(max(10, round(0.2 * r.capacity)))
        projects.append((f"Expand {r.setting}", r.setting, add, 0.0,
                         CAPITAL_PER_PLACE["expansion"], LEAD_TIME["expansion"], None))
    share = group_rank("special_independent")
    top = list(share.index[:2])
    new_rows = []
    # two alternative sites: A cheaper but slower, B dearer but a year sooner
    lead_a = LEAD_TIME["new_special_school"]
    for site, per_place, lead in (("A", 1.0, lead_a), ("B", 1.125, lead_a - 1)):
        name = f"New special school (site {site})"
        new_rows.append((name, "special_maintained", 0.0, COST_PER_PLACE["special_maintained"]))
        designation += [(name, g, p) for g in top
                        for p in _phases_for(phases, AGES["special_maintained"])]
        projects.append((f"Build {name}", name, 150.0, 0.0,
                         CAPITAL_PER_PLACE["new_special_school"] * per_place, lead,
                         "new special school"))
    rb_phases = _phases_for(phases, AGES["resource_base"])
    for i, g in enumerate((top * 3)[:3]):
        name = f"New resource base {i + 1} ({label(g, 'need_group').lower()})"
        new_rows.append((name, "resource_base", 0.0, COST_PER_PLACE["resource_base"]))
        p = rb_phases[i % len(rb_phases)] if rb_phases else None
        if p is not None:
            designation.append((name, g, p))
        projects.append((f"Open {name}", name, 16.0, 0.0, CAPITAL_PER_PLACE["resource_base"],
                         LEAD_TIME["resource_base"], None))
    if growth_places is not None:
        standard = sum(p[2] for p in projects) - 150.0  # the two sites are alternatives
        ranked = list(share.index[:3]) or groups
        school_phases = _phases_for(phases, AGES["special_maintained"])
        k = 0
        while standard + 150.0 * k < float(growth_places):
            focus = ranked[k % len(ranked)]
            name = f"New special school {k + 1} ({label(focus, 'need_group').lower()})"
            new_rows.append((name, "special_maintained", 0.0,
                             COST_PER_PLACE["special_maintained"]))
            designation += [(name, focus, p) for p in school_phases]
            projects.append((f"Build {name}", name, 150.0, 0.0,
                             CAPITAL_PER_PLACE["new_special_school"],
                             LEAD_TIME["new_special_school"], None))
            k += 1
        if k:
            notes.append(f"{k} further new special school candidate(s) added so the candidates "
                         f"could meet {growth_places:,.0f} extra places")
    s = pd.concat([s, pd.DataFrame(new_rows, columns=s.columns)], ignore_index=True)
    g = pd.DataFrame(designation, columns=["setting", "need", "phase"]).drop_duplicates()
    j = pd.DataFrame(projects, columns=["project", "setting", "places", "capital_cost",
                                        "capital_cost_per_place", "lead_time", "group"])
    s.insert(2, "area", "all")
    assumptions = pd.DataFrame(
        [(f"cost_per_place: {k}", v, "£ per place per year",
          "illustrative: ESFA place funding (£10k special/AP, £6k resource base) + typical top-up")
         for k, v in COST_PER_PLACE.items()]
        + [(f"capital_per_place: {k}", v, "£ per place",
            "illustrative, of the order of DfE school places scorecard figures")
           for k, v in CAPITAL_PER_PLACE.items()]
        + [(f"lead_time: {k}", v, "years",
            "Schools Week 2022 (special free schools); Wiltshire SEND strategy report 2024; "
            "sufficiency assumption for expansions and resource bases")
           for k, v in LEAD_TIME.items()]
        + [("capacity", "max(2025 caseload, ESFA-funded places)", "places",
            "SEN2 2025 placements; ESFA high needs deductions"),
           ("designation", f"need groups >= {min_share:.0%} of the LA's caseload by placement",
            "", "SEN2 2025 need x placement")],
        columns=["name", "value", "unit", "source"]).astype({"value": object})
    return ExampleSettings(la=la_name if la_name is not None else str(la), settings=s, designation=g, projects=j,
                           assumptions=assumptions, notes=notes)
