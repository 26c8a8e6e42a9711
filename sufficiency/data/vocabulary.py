"""The project's vocabulary as data: needs, ages, phases and provision types.

Every grouping here is a plain :class:`pandas.DataFrame` or ``dict`` that a user may copy,
edit and pass back in (``group_needs(df, mapping=...)``); no code branches on a code value.

References
----------
DfE, *Special educational needs and disability code of practice: 0 to 25 years* (2015), 6.28-6.35
(the four broad areas of need). DfE, *SEN2 guide 2025* (primary type of need codes, placement
types). ESFA, *DSG management plan template* (2023) (the seven placement categories and the five
age groups).
"""

from __future__ import annotations

import difflib

import pandas as pd

from ..errors import ValidationError

__all__ = ["NEEDS", "NEED_ALIASES", "NEED_AREAS", "NEED_GROUPS", "AGE_BANDS", "AGE_BAND_ALIASES",
           "AGES", "PHASES", "THREE_TIER_PHASES", "PROVISIONS", "provisions_where", "SPECIALIST",
           "INDEPENDENT", "AGE_BAND_ORDER", "QUANTILES", "DEFICIT_QUANTILES", "DSG_CATEGORIES",
           "SEN2_PLACEMENT_COLUMNS", "SEN2_SUBTOTAL_COLUMNS", "SEN2_PLACEMENT_LABELS",
           "SEN2_2022_ESTABLISHMENT", "age_band_of", "phase_of", "define_phases", "group_needs",
           "suggest", "financial_year_label"]

#: The 13 DfE primary type of need codes, their names and Code of Practice area.
NEEDS = pd.DataFrame(
    [
        ("SPLD", "Specific learning difficulty", "cognition_learning"),
        ("MLD", "Moderate learning difficulty", "cognition_learning"),
        ("SLD", "Severe learning difficulty", "cognition_learning"),
        ("PMLD", "Profound and multiple learning difficulty", "cognition_learning"),
        ("SEMH", "Social, emotional and mental health", "semh"),
        ("SLCN", "Speech, language and communication needs", "communication_interaction"),
        ("HI", "Hearing impairment", "sensory_physical"),
        ("VI", "Visual impairment", "sensory_physical"),
        ("MSI", "Multi-sensory impairment", "sensory_physical"),
        ("PD", "Physical disability", "sensory_physical"),
        ("ASD", "Autistic spectrum disorder", "communication_interaction"),
        ("OTH", "Other difficulty or disability", "other"),
        ("NSA", "SEN support but no specialist assessment of type of need", "other"),
    ],
    columns=["need", "name", "area"],
)

#: Labels LAs often use for a DfE need code (used for "did you mean" hints, never silently).
NEED_ALIASES = {"ASC": "ASD", "AUT": "ASD", "AUTISM": "ASD", "SLD/PMLD": "SLD",
                "SEMH/BESD": "SEMH", "BESD": "SEMH", "SLC": "SLCN", "SCLN": "SLCN", "HEARING": "HI",
                "VISUAL": "VI", "PHYSICAL": "PD", "OTHER": "OTH", "SPECIFIC": "SPLD"}

#: The four Code of Practice broad areas of need (plus ``other`` for OTH and NSA).
NEED_AREAS = dict(zip(NEEDS["need"], NEEDS["area"]))

#: The need groups of :data:`NEED_AREAS` (the default grouping) and their names.
NEED_GROUPS = pd.DataFrame(
    [("cognition_learning", "Cognition and learning"),
     ("communication_interaction", "Communication and interaction"),
     ("semh", "Social, emotional and mental health"),
     ("sensory_physical", "Sensory and physical"),
     ("other", "Other or not assessed")],
    columns=["need_group", "name"],
)

#: Age bands of the DfE SEN2 publications, youngest first, with their first and last single
#: age and the DfE label (DSG management plan template, 2022 SEN2 release).
AGE_BANDS = pd.DataFrame(
    [("under 5", 0, 4, "Under 5"), ("5-10", 5, 10, "Age 5 to 10"),
     ("11-15", 11, 15, "Age 11 to 15"), ("16-19", 16, 19, "Age 16 to 19"),
     ("20-25", 20, 25, "Age 20 to 25")],
    columns=["age_band", "age_from", "age_to", "name"],
)

#: The DfE's own age-band labels (SEN2 tables, DSG template), upper case, to our codes: what a
#: "did you mean" offers for a history exported from a DfE table.
AGE_BAND_ALIASES = {name.upper(): band for band, name in zip(AGE_BANDS["age_band"],
                                                             AGE_BANDS["name"])}
AGE_BAND_ALIASES.update({"UNDER AGE 5": "under 5", "AGED UNDER 5": "under 5"})

#: Single ages 0-25 (EHC plans run from birth to the 26th birthday).
AGES = list(range(0, 26))

#: Default phases by age (national curriculum: reception at 4, year 7 at 11).
PHASES = pd.DataFrame(
    [("early years", 0, 3, "Early years"), ("primary", 4, 10, "Primary"),
     ("secondary", 11, 15, "Secondary"), ("post-16", 16, 18, "Post-16"),
     ("post-19", 19, 25, "Post-19")],
    columns=["phase", "age_from", "age_to", "name"],
)

#: A three-tier system (first 4-8, middle 9-12, high 13-15) as in parts of Worcestershire.
THREE_TIER_PHASES = pd.DataFrame(
    [("early years", 0, 3, "Early years"), ("first", 4, 8, "First school"),
     ("middle", 9, 12, "Middle school"), ("high", 13, 15, "High school"),
     ("post-16", 16, 18, "Post-16"), ("post-19", 19, 25, "Post-19")],
    columns=["phase", "age_from", "age_to", "name"],
)

#: Provision (placement) types, their DSG management plan category, and the sets the stages use,
#: as boolean columns (the one home of every set of provision codes):
#:
#: - ``name``: the full DfE description; ``label``: the short words the outputs show;
#: - ``specialist``: needs a specialist place (demand for places, the optimiser, finance's
#:   cost per specialist placement);
#: - ``independent``: independent, non-maintained or another LA's provision: the dear
#:   placements plans try to avoid (board measures, the optimiser's independent-share cap);
#: - ``special_school``: a special school of any kind: what finance's ``mainstream_shift``
#:   lever moves from by default (a shift of the existing caseload);
#: - ``new_plan_shift``: specialist placements whose *new* placements a shift-to-mainstream
#:   lever redirects, in the forecast and finance levers alike (AP is left out on purpose: it
#:   is a short-term placement, not one a new plan names);
#: - ``scap_type``: the school capacity survey (SCAP) specialist provision type, where one
#:   applies (SCAP has four; the finance SCAP table lists them in this table's order). SCAP
#:   counts non-maintained special schools as state-funded special schools, and its
#:   independent type is independent schools only (the template's wording of each type is
#:   in :data:`sufficiency.data.labels.LABELS`, kind ``dfe_scap_type``);
#: - ``benchmark_group``: the placement line of the DfE high needs benchmarking tool whose
#:   spend prices the provision (finance's cost calibration).
PROVISIONS = pd.DataFrame(
    [
        ("mainstream", "Mainstream school or academy",
         "Mainstream school", "mainstream",
         False, False, False, False, None, "mainstream"),
        ("resource_base", "Resourced provision or SEN unit in a mainstream school",
         "Resourced provision or SEN unit", "resourced_provision",
         True, False, False, True, "SEN units and resourced provision", "resource_base"),
        ("special_maintained", "Maintained special school, special academy or free school",
         "Maintained special school", "special_maintained",
         True, False, True, True, "State-funded special schools", "special"),
        ("special_non_maintained", "Non-maintained special school",
         "Non-maintained special school", "independent_non_maintained",
         True, True, True, True, "State-funded special schools", "independent"),
        ("special_independent", "Independent special school",
         "Independent special school", "independent_non_maintained",
         True, True, True, True, "Independent and non-maintained special schools", "independent"),
        ("ap", "Alternative provision or pupil referral unit",
         "Alternative provision", "hospital_ap",
         True, False, False, False, "Alternative provision", "ap"),
        ("fe_college", "General FE or tertiary college",
         "FE college", "post16_fe",
         False, False, False, False, None, "post16"),
        ("specialist_post16", "Specialist post-16 institution",
         "Specialist post-16 institution", "post16_fe",
         True, False, False, True, None, "post16"),
        ("early_years", "Non-maintained early years setting",
         "Early years setting", "other",
         False, False, False, False, None, "other"),
        ("elsewhere", "Educated elsewhere (home, EOTAS, NEET, other arrangements)",
         "Educated elsewhere", "other",
         False, False, False, False, None, "other"),
        ("unknown", "Placement not recorded or awaiting provision",
         "Not recorded or awaiting a placement", "other",
         False, False, False, False, None, "other"),
        ("out_of_area", "Another LA's provision (out of area; not in SEN2)",
         "Another LA's provision (out of area; not in SEN2)", "other",
         False, True, False, False, None, None),
    ],
    columns=["provision", "name", "label", "dsg_category", "specialist", "independent",
             "special_school", "new_plan_shift", "scap_type", "benchmark_group"],
)


def provisions_where(column: str) -> tuple:
    """The provision codes flagged in a boolean column of :data:`PROVISIONS`, in table order.

    Examples
    --------
    >>> provisions_where("independent")
    ('special_non_maintained', 'special_independent', 'out_of_area')
    """
    if column not in PROVISIONS or PROVISIONS[column].dtype != bool:
        flags = [c for c in PROVISIONS.columns if PROVISIONS[c].dtype == bool]
        raise ValidationError(f"provisions_where: {column!r} is not a set of provisions; "
                              f"expected one of {flags}{suggest(column, flags)}")
    return tuple(PROVISIONS.loc[PROVISIONS[column], "provision"])


#: Provisions that need a specialist place (:data:`PROVISIONS` column ``specialist``).
SPECIALIST = provisions_where("specialist")

#: Independent, non-maintained and out-of-area provisions (column ``independent``).
INDEPENDENT = provisions_where("independent")

#: The DfE SEN2 age bands in their natural order (youngest first).
AGE_BAND_ORDER = tuple(AGE_BANDS["age_band"])

#: Default quantiles of every forecast (5-95%: the 80% and 90% bands and the median).
QUANTILES = (0.05, 0.1, 0.5, 0.8, 0.9, 0.95)

#: Quantiles of the cumulative DSG deficit (the 80% band and the median): the finance tables
#: report p10 / p50 / p90 on purpose, as DSG management plans do.
DEFICIT_QUANTILES = (0.1, 0.5, 0.9)

#: The seven placement categories of the DfE DSG management plan template.
DSG_CATEGORIES = pd.DataFrame(
    [
        ("mainstream", "Mainstream schools or academies"),
        ("resourced_provision", "Resourced provision or SEN units"),
        ("special_maintained", "Maintained special schools or special academies"),
        ("independent_non_maintained", "NMSS or independent schools"),
        ("hospital_ap", "Hospital schools or alternative provision"),
        ("post16_fe", "Post-16 and further education"),
        ("other", "Other"),
    ],
    columns=["dsg_category", "name"],
)

#: Every SEN2 2025-release placement column (caseload / new plans) -> provision code.
#: Totals and percentages (``*_total``, ``*_pc``) are not placements and are not mapped.
SEN2_PLACEMENT_COLUMNS = {
    "mainstream_la_maintained": "mainstream",
    "mainstream_academy": "mainstream",
    "mainstream_free_school": "mainstream",
    "mainstream_independent": "mainstream",
    "mainstream_la_maintained_resourced_provision": "resource_base",
    "mainstream_la_maintained_senunit": "resource_base",
    "mainstream_academy_resourced_provision": "resource_base",
    "mainstream_academy_senunit": "resource_base",
    "mainstream_free_school_resourced_provision": "resource_base",
    "mainstream_free_school_senunit": "resource_base",
    "special_la_maintained": "special_maintained",
    "special_academy_free": "special_maintained",
    "special_non_maintained": "special_non_maintained",
    "special_independent": "special_independent",
    "ap_pru_academy": "ap",
    "ap_pru_free_school": "ap",
    "ap_pru_la_maintained": "ap",
    "general_fe_tertiary_colleges": "fe_college",
    "specialist_post_16_institutions": "specialist_post16",
    "ukrlp_provider": "fe_college",
    "elective_home_education": "elsewhere",
    "other_arrangements_la": "elsewhere",
    "other_arrangements_parents": "elsewhere",
    "online_provider": "elsewhere",
    "w_settings": "elsewhere",
    "other_schools": "elsewhere",
    "other_placement_settings": "elsewhere",
    "neet": "elsewhere",
    "neet_ntci": "elsewhere",
    "neet_other": "elsewhere",
    "neet_other_csa": "elsewhere",
    "nm_early_years": "early_years",
    "placement_unknown": "unknown",
    "await_prov_2022": "unknown",
    "perm_ex_2022": "elsewhere",
}

#: Columns of the 2025 release that are subtotals of the ones above (never add both).
SEN2_SUBTOTAL_COLUMNS = ("mainstream_total", "special_total", "ap_pru_total", "fe_total",
                         "ed_elsewhere")

#: The ``Type of placement`` labels of ``sen_needs_all_plans.csv`` -> provision code.
SEN2_PLACEMENT_LABELS = {
    "Mainstream - LA maintained": "mainstream",
    "Mainstream - academy": "mainstream",
    "Mainstream - free school": "mainstream",
    "Mainstream - independent": "mainstream",
    "Mainstream - LA maintained (resourced provision)": "resource_base",
    "Mainstream - LA maintained (SEN unit)": "resource_base",
    "Mainstream - academy (resourced provision)": "resource_base",
    "Mainstream - academy (SEN unit)": "resource_base",
    "Mainstream - free school (resourced provision)": "resource_base",
    "Mainstream - free school (SEN unit)": "resource_base",
    "Special - LA maintained": "special_maintained",
    "Special - Academy/free schools": "special_maintained",
    "Special - non-maintained": "special_non_maintained",
    "Special - independent": "special_independent",
    "AP/PRU - academy": "ap",
    "AP/PRU - free school": "ap",
    "AP/PRU - LA maintained": "ap",
    "FE - general FE and tertiary colleges": "fe_college",
    "FE - specialist post-16 institutions": "specialist_post16",
    "FE - UKRLP provider": "fe_college",
    "Educated elsewhere - elective home education": "elsewhere",
    "Educated elsewhere - NEET": "elsewhere",
    "Educated elsewhere - not in education or training (compulsory school age)": "elsewhere",
    "Educated elsewhere - not in education or training (notice to cease issued)": "elsewhere",
    "Educated elsewhere - not in education or training (other)": "elsewhere",
    "Educated elsewhere - online provider": "elsewhere",
    "Educated elsewhere - other arrangements by LA": "elsewhere",
    "Educated elsewhere - other arrangements by parents": "elsewhere",
    "Educated elsewhere - other placement settings": "elsewhere",
    "Educated elsewhere - other schools and establishments": "elsewhere",
    "Educated elsewhere - Welsh establishment": "elsewhere",
    "Non-maintained early years": "early_years",
    "Placement not recorded": "unknown",
}

#: 2022-release ``establishment_type`` labels -> provision code. ``Total`` rows and the
#: ``Awaiting provision - total`` subtotal are not mapped (they would double count).
SEN2_2022_ESTABLISHMENT = {
    "Mainstream - LA maintained": "mainstream",
    "Mainstream - Academy": "mainstream",
    "Mainstream - Free school": "mainstream",
    "Mainstream - Independent": "mainstream",
    "Mainstream - LA maintained - SEN unit": "resource_base",
    "Mainstream - LA maintained - Resourced provision": "resource_base",
    "Mainstream - Academy - SEN unit": "resource_base",
    "Mainstream - Academy - Resourced Provision": "resource_base",
    "Mainstream - Free school - SEN unit": "resource_base",
    "Mainstream - Free school - Resourced provision": "resource_base",
    "Special - LA maintained": "special_maintained",
    "Special - Academy/free": "special_maintained",
    "Special - Academy": "special_maintained",
    "Special - Free school": "special_maintained",
    "Hospital School": "special_maintained",
    "Special - Non-maintained": "special_non_maintained",
    "Special - Independent": "special_independent",
    "AP/PRU - LA maintained": "ap",
    "AP/PRU - Academy": "ap",
    "AP/PRU - Free school": "ap",
    "General FE and tertiary colleges/HE": "fe_college",
    "Other FE": "fe_college",
    "Sixth form college": "fe_college",
    "Specialist post-16 institutions": "specialist_post16",
    "Independent specialist providers": "specialist_post16",
    "Non-maintained early years": "early_years",
    "NEET": "elsewhere",
    "Other": "elsewhere",
    "Elective home education": "elsewhere",
    "Other arrangements by local authority": "elsewhere",
    "Other arrangements by parents": "elsewhere",
    "Permanently excluded": "elsewhere",
    "Supported Internship": "elsewhere",
    "Traineeship": "elsewhere",
    "Apprenticeship": "elsewhere",
    "Work-based learning": "elsewhere",
    "Awaiting provision - above compulsory school age and in education": "unknown",
    "Awaiting provision - above compulsory school age and not in education": "unknown",
    "Awaiting provision - below compulsory school age and in education": "unknown",
    "Awaiting provision - below compulsory school age and not in education": "unknown",
    "Awaiting provision - compulsory school age and in education": "unknown",
    "Awaiting provision - compulsory school age and not in education": "unknown",
    "Awaiting provision - total": "unknown",  # only published (without the detail) 2010-2018
}


def financial_year_label(year: int) -> str:
    """The financial year holding a January census: ``year`` 2026 -> ``"2025-26"``.

    ``year`` is the January census year in every public table; money tables carry this label
    beside it as ``financial_year`` (April 2025 to March 2026 holds the January 2026 census).

    Examples
    --------
    >>> financial_year_label(2026)
    '2025-26'
    """
    return f"{int(year) - 1}-{int(year) % 100:02d}"


def age_band_of(age) -> pd.Series:
    """Map single ages (years, 0-25) to the DfE age bands.

    Parameters
    ----------
    age : array-like of int
        Age in whole years at 31 August (DfE convention).

    Returns
    -------
    pandas.Series of str
        ``"under 5"``, ``"5-10"``, ``"11-15"``, ``"16-19"`` or ``"20-25"``.

    Examples
    --------
    >>> age_band_of([3, 10, 16]).tolist()
    ['under 5', '5-10', '16-19']
    """
    age = pd.Series(age)
    return _band(age, AGE_BANDS, "age_band")


def phase_of(age, phases: pd.DataFrame | None = None) -> pd.Series:
    """Map single ages (years) to phases; ``phases`` defaults to :data:`PHASES`.

    Pass :data:`THREE_TIER_PHASES` or your own table (``phase, age_from, age_to``, made with
    :func:`define_phases`) for a first/middle/high system.

    Examples
    --------
    >>> phase_of([4, 12], THREE_TIER_PHASES).tolist()
    ['first', 'middle']
    """
    return _band(pd.Series(age), PHASES if phases is None else phases, "phase")


def define_phases(boundaries: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Build a phase table from ``{phase: (first_age, last_age)}`` and check it.

    Ages must cover 0-25 exactly once, in order, without gaps or overlaps.

    Examples
    --------
    >>> define_phases({"early years": (0, 3), "first": (4, 8), "middle": (9, 12),
    ...                "high": (13, 15), "post-16": (16, 18), "post-19": (19, 25)}).shape
    (6, 3)
    """
    rows = sorted(((int(a), int(b), p) for p, (a, b) in boundaries.items()))
    expected = 0
    for a, b, p in rows:
        if a != expected or b < a:
            raise ValidationError(
                f"phases: phase {p!r} covers ages {a}-{b}; expected it to start at age "
                f"{expected} (phases must cover ages 0-25 without gaps or overlaps)")
        expected = b + 1
    if expected != 26:
        raise ValidationError(f"phases: ages end at {expected - 1}; expected them to reach 25")
    return pd.DataFrame([(p, a, b) for a, b, p in rows], columns=["phase", "age_from", "age_to"])


def group_needs(frame: pd.DataFrame, mapping: dict[str, str] | None = None,
                column: str = "need", value: str = "count") -> pd.DataFrame:
    """Aggregate a tidy frame's need codes into groups (Code of Practice areas by default).

    Parameters
    ----------
    frame : DataFrame
        Tidy frame with a ``need`` column and a numeric ``value`` column.
    mapping : dict, optional
        ``{need code: group}``; defaults to :data:`NEED_AREAS`. Every code present must map.
    column, value : str
        Names of the need column and the value column summed.

    Examples
    --------
    >>> df = pd.DataFrame({"need": ["ASD", "SLCN", "MLD"], "count": [5, 2, 1]})
    >>> group_needs(df)["count"].tolist()
    [1, 7]
    """
    mapping = NEED_AREAS if mapping is None else mapping
    unknown = sorted(set(frame[column]) - set(mapping))
    if unknown:
        raise ValidationError(
            f"group_needs: need codes {unknown} are not in the mapping; expected one of "
            f"{sorted(mapping)}")
    keys = [c for c in frame.columns if c not in (column, value)]
    out = frame.assign(**{column: frame[column].map(mapping)})
    return out.groupby(keys + [column], as_index=False, sort=True)[value].sum()


def suggest(word: str, choices, aliases: dict | None = None) -> str:
    """A ``did you mean`` hint for an unknown code or name (empty when nothing is close).

    ``aliases`` maps known alternative labels to a choice (e.g. :data:`NEED_ALIASES`).
    """
    choices = [str(c) for c in choices]
    alias = (aliases or {}).get(str(word).strip().upper())
    if alias in choices:
        return f" (did you mean {alias!r}?)"
    lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(word).lower(), list(lower), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(lower[c]) for c in close)}?)" if close else ""


def _band(values: pd.Series, table: pd.DataFrame, name: str) -> pd.Series:
    out = pd.Series(pd.NA, index=values.index, dtype="object")
    for row in table.itertuples(index=False):
        out[(values >= row.age_from) & (values <= row.age_to)] = getattr(row, name)
    if out.isna().any():
        bad = values[out.isna()].tolist()[:5]
        raise ValidationError(f"{name}: ages {bad} fall outside 0-25; expected whole years 0-25")
    return out.astype(str)
