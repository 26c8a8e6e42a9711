"""The words a person reads for every code and column name, with its unit: one table.

:data:`LABELS` has one row per (``kind``, ``code``): ``label`` (what the page, the charts and
the workbook show) and ``unit`` (``£``, ``%`` (a share of 1), ``pct`` (already in percent),
``children``, ``places``, ``year``, ``per 1,000`` or empty),
which also decides how a value is formatted (:mod:`sufficiency.report.formats`). Codes of
needs, need groups, provisions, DSG categories, age bands and phases take their words from the
vocabulary's own tables (their ``name`` columns; ``label`` for the short provision words), so a
name is written once; this table adds only the words for the run's own keys and columns.

``kind`` is ``column`` for column names (optionally scoped to one table with ``table``), or the
column whose *values* the codes are (``provision``, ``need``, ``need_group``, ``phase``,
``age_band``, ``measure``, ``scenario``, ``component``, ``sheet``). :func:`label` falls back to
:func:`words` (``capital_cost_gbp`` -> "Capital cost (£)") for a name the table does not
have yet, so a column a stage adds later still reads as words.

Examples
--------
>>> label("cognition_learning", "need_group")
'Cognition and learning'
>>> label("income_gbp", "column"), unit_of("income_gbp")
('High Needs Block income (£)', '£')
>>> label("cumulative_deficit_p90")
'Cumulative deficit, 90th percentile (£)'
"""

from __future__ import annotations

import re

import pandas as pd

from .vocabulary import (AGE_BANDS, DSG_CATEGORIES, NEED_GROUPS, NEEDS, PHASES, PROVISIONS,
                         THREE_TIER_PHASES)

__all__ = ["LABELS", "label", "label_values", "legend", "unit_of", "words"]

_ROWS = [
    # the totals a run adds to the vocabulary's codes
    ("provision", "all", "All placements", ""),
    ("need_group", "all", "All needs", ""),
    ("need", "all", "All needs", ""),
    ("age_band", "all", "All ages", ""),
    ("phase", "all", "All phases", ""),
    # board measures
    ("measure", "new_plans_mainstream_share", "New EHC plans placed in mainstream", "%"),
    ("measure", "new_plans_independent_share",
     "New EHC plans placed in independent or non-maintained special schools", "%"),
    ("measure", "new_placements_independent_share",
     "New specialist placements in independent or non-maintained schools (plan)", "%"),
    ("measure", "awaiting_placement_or_unknown",
     "EHC plans awaiting a placement or with none recorded", "children"),
    ("measure", "children_without_suitable_place", "Children without a suitable place",
     "children"),
    ("measure", "cost_per_ehcp_gbp", "High needs spend per EHC plan", "£"),
    ("measure", "children_awaiting_specialist_place",
     "Children awaiting a specialist place (plan)", "children"),
    ("measure", "independent_placements",
     "Children in independent or non-maintained special schools", "children"),
    ("measure", "new_plans_specialist_share", "New EHC plans needing a specialist place", "%"),
    ("measure", "step_downs",
     "Step-downs from independent or non-maintained schools at transitions", "children"),
    ("measure", "transitions_deferred",
     "Moves at a transition point deferred for lack of a place", "children"),
    # the deficit plan's scenarios (sufficiency.finance.DeficitPlan.scenarios)
    ("scenario", "unmitigated", "Today's placement mix", "", "Forecast, today's placement mix"),
    ("scenario", "mitigated", "With the scenario's levers", "", "Forecast with the levers"),
    ("scenario", "allocation_plan", "With the optimised place plan", "",
     "Optimised place plan"),
    # headline figures (sufficiency.report.page.headline_values), as compare_runs names them
    ("headline", "ehcp_latest", "EHC plans, latest January", "children"),
    ("headline", "ehcp_forecast_last", "EHC plans, last plan year", "children"),
    ("headline", "specialist_first", "Specialist places needed, first year", "children"),
    ("headline", "specialist_last", "Specialist places needed, last year", "children"),
    ("headline", "projects", "Capital projects chosen", ""),
    ("headline", "places_added", "Places added by projects", "places"),
    ("headline", "capital_gbp", "Capital cost (£)", "£"),
    ("headline", "unplaced_last", "Children without a place, last year", "children"),
    ("headline", "deficit_last_unmitigated_gbp",
     "Cumulative DSG deficit, today's placement mix (£)", "£"),
    ("headline", "deficit_last_mitigated_gbp", "Cumulative DSG deficit, with the levers (£)", "£"),
    ("headline", "deficit_last_allocation_plan_gbp",
     "Cumulative DSG deficit, with the place plan (£)", "£"),
    ("headline", "answer_scenario", "The answer: scenario", ""),
    ("headline", "answer_deficit_gbp",
     "The answer: cumulative DSG deficit, last year (£; with the place plan where the scenario "
     "has one (its one run), else with the levers, else today's mix (the mean of the paths))",
     "£"),
    ("headline", "opening_balance_gbp", "Opening DSG balance (£; negative = deficit)", "£"),
    # allocation objective components
    ("component", "revenue", "Revenue cost", "£"), ("component", "transport", "Transport cost", "£"),
    ("component", "capital", "Capital cost", "£"),
    ("component", "unplaced_penalty", "Penalty for children without a place", "£"),
    ("component", "total", "Total", "£"),
    # column names (units in brackets; the unit column drives the number format)
    ("column", "year", "Year (January census)", "year"),
    ("column", "financial_year", "Financial year", ""),
    ("column", "calendar_year", "Calendar year (as published)", "year"),
    ("column", "academic_year", "Academic year", ""),
    ("column", "age", "Age (at 31 August)", ""), ("column", "nc_year", "National curriculum year", ""),
    ("column", "age_band", "Age band", ""), ("column", "provision", "Placement type", ""),
    ("column", "need", "Primary need", ""), ("column", "need_group", "Need group", ""),
    ("column", "phase", "Phase", ""), ("column", "area", "Planning area", ""),
    ("column", "setting", "Setting", ""), ("column", "project", "Project", ""),
    ("column", "scenario", "Scenario", ""), ("column", "flag", "Note", ""),
    ("column", "measure", "Measure", ""), ("column", "basis", "Basis", ""),
    ("column", "parameter", "Assumption", ""), ("column", "value", "Value", ""),
    ("column", "unit", "Unit", ""), ("column", "source", "Source", ""),
    ("column", "lever", "Lever", ""), ("column", "component", "Cost component", ""),
    ("column", "count", "EHC plans", "children"),
    ("column", "demand", "Children needing a specialist place", "children"),
    ("column", "mean", "Forecast (mean)", "children"),
    ("column", "placed", "Children placed", "children"),
    ("column", "existing", "Children already placed", "children"),
    ("column", "new", "Children newly placed", "children"),
    ("column", "unplaced", "Children without a suitable place", "children"),
    ("column", "capacity", "Places", "places"), ("column", "spare", "Spare places", "places"),
    ("column", "places", "Places added", "places"),
    ("column", "utilisation", "Places filled", "%"),
    ("column", "opening_year", "Opening year (September)", "year"),
    ("column", "first_year", "First year", "year"), ("column", "last_year", "Last year", "year"),
    ("column", "target_year", "Target year", "year"),
    ("column", "committed", "Committed already", ""),
    ("column", "achievable", "Achievable", ""), ("column", "summary", "Summary", ""),
    ("column", "baseline", "Baseline", ""),
    ("column", "capital_cost", "Capital cost (£)", "£"),
    ("column", "revenue", "Revenue cost (£)", "£"), ("column", "transport", "Transport cost (£)", "£"),
    ("column", "capital", "Capital cost (£)", "£"), ("column", "total", "Total cost (£)", "£"),
    ("column", "cost_per_place", "Cost per place (£ a year)", "£"),
    ("column", "revenue_cost", "Revenue cost (£)", "£"),
    ("column", "transport_cost", "Transport cost (£)", "£"),
    ("column", "discounted", "Discounted (£)", "£"), ("column", "undiscounted", "Undiscounted (£)", "£"),
    ("column", "value_pv", "Present value (£)", "£"),
    ("column", "income_gbp", "High Needs Block income (£)", "£"),
    ("column", "spend_gbp", "High needs spend (£)", "£"),
    ("column", "hnb_gbp", "High needs spend (£)", "£"),
    ("column", "in_year_balance_gbp", "In-year balance (£)", "£"),
    ("column", "cumulative_balance_gbp", "Cumulative balance (£)", "£"),
    ("column", "cumulative_deficit_gbp", "Cumulative deficit (£)", "£"),
    ("column", "placements_gbp", "Spend on placements (£)", "£"),
    ("column", "other_gbp", "Other high needs spend (£)", "£"),
    ("column", "transport_gbp", "Transport (£)", "£"),
    ("column", "prob_no_deficit", "Chance of no deficit", "%"),
    ("column", "allocation_gbp", "High Needs Block allocation (£)", "£"),
    ("column", "import_export_gbp", "Import/export adjustment (£)", "£"),
    ("column", "other_income_gbp", "Other income (£)", "£"),
    ("column", "needs_led_spend_gbp", "Needs-led spend (£)", "£"),
    ("column", "finance_led_spend_gbp", "Finance-led spend (£)", "£"),
    ("column", "unfunded_gbp", "Spend not funded (£)", "£"),
    ("column", "unfunded_specialist_places", "Specialist places not funded", "places"),
    ("column", "needs_led_cumulative_balance_gbp", "Needs-led cumulative balance (£)", "£"),
    ("column", "finance_led_cumulative_balance_gbp", "Finance-led cumulative balance (£)", "£"),
    ("column", "alone_gbp", "Saving on its own (£)", "£"),
    ("column", "sequential_gbp", "Saving in sequence (£)", "£"),
    ("column", "shapley_gbp", "Saving, fair share (£)", "£"),
    ("column", "attributed_gbp", "Saving attributed (£)", "£"),
    ("column", "share", "Share of the total saving", "%"),
    ("column", "balance_at_min_gbp", "Balance with the lever at its least (£)", "£"),
    ("column", "balance_at_max_gbp", "Balance with the lever at its most (£)", "£"),
    ("column", "ehcp", "EHC plans", "children"), ("column", "top_up_gbp", "Top-ups (£)", "£"),
    ("column", "ehcp_weighted", "EHC plans paid for in the financial year (0.75 x January inside "
     "it + 0.25 x January before)", "children"),
    ("column", "fee_gbp", "Independent fees (£)", "£"),
    ("column", "central_gbp", "Central high needs spend (£)", "£"),
    ("column", "outturn_gbp", "Published outturn, s251 (£)", "£"),
    ("column", "difference_pct", "Model minus outturn (%)", "pct"),
    ("column", "calibration", "Calibration year", ""),
    ("column", "new_local_places", "New local specialist places", "places"),
    ("column", "new_places_basis", "Basis of the new places", ""),
    ("column", "dsg_spend_gbp", "High needs spend over the plan (£)", "£"),
    ("column", "total_cost_gbp", "Total cost over the plan (£)", "£"),
    ("column", "step", "Step", ""), ("column", "amount_gbp", "Amount (£)", "£"),
    ("column", "balance_gbp", "Balance (£)", "£"), ("column", "answer", "The answer", ""),
    ("column", "paths", "From simulated paths", ""),
    ("column", "line", "Income line", ""),
    ("column", "specialist_placements_last_year", "Specialist placements, last year",
     "children"),
    ("column", "plans_origin", "EHC plans at the start", "children"),
    ("column", "plans_mean", "EHC plans, last year (mean)", "children"),
    ("column", "growth", "Growth", "children"),
    ("column", "growth_rate", "Growth on the year before", "%"),
    ("column", "demographic_effect", "From population change", "children"),
    ("column", "prevalence_effect", "From more plans per 1,000", "children"),
    ("column", "per_1000_origin", "EHC plans per 1,000 of the age group, at the start",
     "per 1,000"),
    ("column", "per_1000_mean", "EHC plans per 1,000 of the age group, last year", "per 1,000"),
    ("column", "per_1000", "EHC plans per 1,000 of the age group", "per 1,000"),
    ("column", "population", "Population of the age group", "children"),
    # the flow account (sufficiency.flows)
    ("column", "previous", "Children at the start of the year", "children"),
    ("column", "leavers", "Leavers", "children"),
    ("column", "extra_leavers", "Extra leavers (where the forecast falls)", "children"),
    ("column", "movers_out", "Moved out at a transition", "children"),
    ("column", "movers_in", "Moved in at a transition", "children"),
    ("column", "joiners", "Joiners (new plans)", "children"),
    ("column", "stock", "Children at the end of the year", "children"),
    ("column", "rate", "Leaver rate (a year)", "%"),
    ("column", "any_age_rate", "Leaver rate for any-age reasons (a year)", "%"),
    ("column", "post16_scale", "Post-16 leaving, times the national age profile", ""),
    ("column", "method", "Method", ""),
    ("column", "stepped_down", "Children stepped down", "children"),
    # column names that mean something else in one table
    ("column", "marginal_place_value.value", "Value of one more place (£ a year)", "£"),
    ("column", "marginal_place_value.value_pv", "Value of one more place, present value (£)", "£"),
    ("column", "measures.value", "Value", ""),
    # workbook sheets
    ("sheet", "assumptions", "Assumptions", ""), ("sheet", "history", "EHC plan history", ""),
    ("sheet", "forecast", "Forecast", ""), ("sheet", "demand", "Specialist demand", ""),
    ("sheet", "measures", "Board measures", ""), ("sheet", "placements", "Placements", ""),
    ("sheet", "capital_programme", "Capital programme", ""),
    ("sheet", "cost_by_year", "Cost by year", ""), ("sheet", "unplaced", "Without a place", ""),
    ("sheet", "utilisation", "Utilisation", ""),
    ("sheet", "marginal_place_value", "Value of one more place", ""),
    ("sheet", "objective", "Plan cost", ""), ("sheet", "dsg_trajectory", "DSG position", ""),
    ("sheet", "hnb_income", "High Needs Block income", ""),
    ("sheet", "lever_savings", "Savings by lever", ""),
    ("sheet", "needs_vs_finance_led", "Needs-led v finance-led", ""),
    ("sheet", "goal_seek", "Goal seek", ""), ("sheet", "plans_per_1000", "Plans per 1,000", ""),
    ("sheet", "step_downs", "Step-downs", ""), ("sheet", "flows", "Placement flows", ""), ("sheet", "comparison", "Comparison", ""),
    ("sheet", "dfe_dsg_placements", "DSG placements", ""), ("sheet", "dfe_dsg_ages", "DSG ages", ""),
    ("sheet", "dfe_dsg_needs", "DSG needs", ""),
    ("sheet", "dfe_dsg_financial_summary", "DSG finance", ""),
    ("sheet", "dfe_scap_specialist", "SCAP by type", ""),
    ("sheet", "dfe_scap_nc_primary", "SCAP primary", ""),
    ("sheet", "dfe_scap_nc_secondary", "SCAP secondary", ""),
    # the DfE templates' own wording, for the sheets laid out as the templates lay them out
    # (sufficiency.report.dfe; the sources each was checked against are in docs/outputs.md).
    # DSG management plan template, children and young people summary: the placement
    # categories (keyed by DSG_CATEGORIES code), the primary needs as the template prints
    # them (its order: ASD first) and the totals of its two breakdowns.
    ("dfe_dsg_category", "mainstream", "Mainstream schools or academies", ""),
    ("dfe_dsg_category", "resourced_provision", "Resourced provision or SEN units", ""),
    ("dfe_dsg_category", "special_maintained", "Maintained special schools or special academies",
     ""),
    ("dfe_dsg_category", "independent_non_maintained",
     "Non-maintained special schools or independent (NMSS or independent)", ""),
    ("dfe_dsg_category", "hospital_ap", "Hospital schools or alternative provision (AP)", ""),
    ("dfe_dsg_category", "post16_fe", "Post 16 and further education (FE)", ""),
    ("dfe_dsg_category", "other", "Other placements or direct payments", ""),
    ("dfe_dsg_need", "ASD", "Autistic Spectrum Disorder", ""),
    ("dfe_dsg_need", "HI", "Hearing Impairment", ""),
    ("dfe_dsg_need", "MLD", "Moderate Learning Difficulty", ""),
    ("dfe_dsg_need", "MSI", "Multi- Sensory Impairment", ""),
    ("dfe_dsg_need", "PD", "Physical Disability", ""),
    ("dfe_dsg_need", "PMLD", "Profound & Multiple Learning Difficulty", ""),
    ("dfe_dsg_need", "SEMH", "Social, Emotional and Mental Health", ""),
    ("dfe_dsg_need", "SLCN", "Speech, Language and Communications needs", ""),
    ("dfe_dsg_need", "SLD", "Severe Learning Difficulty", ""),
    ("dfe_dsg_need", "SPLD", "Specific Learning Difficulty", ""),
    ("dfe_dsg_need", "VI", "Visual Impairment", ""),
    ("dfe_dsg_need", "OTH", "Other Difficulty/Disability", ""),
    ("dfe_dsg_need", "NSA", "SEN support but no specialist assessment of type of need", ""),
    ("dfe_dsg_total", "age_band", "Total number by Age Group", "children"),
    ("dfe_dsg_total", "need", "Total number of EHCPs by primary need", "children"),
    # SCAP specialist provision forecast: its four provision types (keyed by the vocabulary's
    # scap_type), in the order of the SEND planning areas they are entered against
    ("dfe_scap_type", "SEN units and resourced provision",
     "SEN units and resourced provision in mainstream schools", ""),
    ("dfe_scap_type", "Independent and non-maintained special schools",
     "Independent schools (independent schools and independent special schools)", ""),
    ("dfe_scap_type", "State-funded special schools",
     "State-funded special schools (LA-maintained, special academies, non-maintained special "
     "schools)", ""),
    ("dfe_scap_type", "Alternative provision",
     "Alternative provision (PRUs, AP academies and independent AP)", ""),
    # short scenario names for sheet names (31 characters at most)
    ("scenario_short", "unmitigated", "today's mix", ""),
    ("scenario_short", "mitigated", "levers", ""),
    ("scenario_short", "allocation_plan", "place plan", ""),
]


def _vocabulary_rows() -> list:
    """Every vocabulary code's words, from the vocabulary's own tables (written once there)."""
    rows = [("need", r.need, r.name, "") for r in NEEDS.itertuples(index=False)]
    rows += [("provision", r.provision, r.label, "") for r in PROVISIONS.itertuples(index=False)]
    rows += [("provision_full", r.provision, r.name, "") for r in PROVISIONS.itertuples(index=False)]
    rows += [("dsg_category", r.dsg_category, r.name, "")
             for r in DSG_CATEGORIES.itertuples(index=False)]
    rows += [("age_band", r.age_band, r.name, "") for r in AGE_BANDS.itertuples(index=False)]
    # after the DSG categories: a bare "other" is the DSG category's ("Other")
    rows += [("need_group", r.need_group, r.name, "") for r in NEED_GROUPS.itertuples(index=False)]
    phases = pd.concat([PHASES, THREE_TIER_PHASES]).drop_duplicates("phase")
    rows += [("phase", r.phase, r.name, "") for r in phases.itertuples(index=False)]
    return rows


def _build() -> pd.DataFrame:
    rows = [tuple(r) + (None,) * (5 - len(r)) for r in _vocabulary_rows() + _ROWS]
    out = pd.DataFrame(rows, columns=["kind", "key", "label", "unit", "legend"])
    out["legend"] = out["legend"].fillna(out["label"])
    return out


#: ``kind, key, label, unit, legend``: every label a person reads (see the module docstring);
#: ``legend`` is what a chart legend says when a line must say what it assumes.
LABELS = _build()

_LOOKUP = {(k, c): (lab, u) for k, c, lab, u in LABELS[["kind", "key", "label", "unit"]]
           .itertuples(index=False)}
_LEGEND = {(k, c): leg for k, c, leg in LABELS[["kind", "key", "legend"]].itertuples(index=False)}
_ANY = {}
for _k, _c, _lab in LABELS[["kind", "key", "label"]].itertuples(index=False):
    _ANY.setdefault(_c, _lab)
_VALUE_KINDS = sorted(set(LABELS["kind"]) - {"column", "sheet", "provision_full", "headline",
                                              "scenario_short"}
                      - {k for k in set(LABELS["kind"]) if k.startswith("dfe_")})

_WORDS = {"gbp": "(£)", "hnb": "High Needs Block", "dsg": "DSG", "ehcp": "EHC plan",
          "ehcps": "EHC plans", "fe": "FE", "ap": "AP", "sen": "SEN", "la": "LA", "pc": "(%)",
          "pct": "(%)", "nc": "NC", "scap": "SCAP", "send": "SEND", "iss": "ISS",
          "nmss": "NMSS", "mip": "MIP", "pv": "present value", "prob": "chance of",
          "num": "number of", "yr": "year"}


def words(name: str) -> str:
    """Words for a machine name the table does not know: ``capital_cost_gbp`` -> "Capital
    cost (£)", ``p90`` -> "90th percentile", ``dsg_placements_mitigated`` -> "DSG placements
    mitigated".

    Examples
    --------
    >>> words("capital_cost_gbp"), words("p05"), words("new_la_code")
    ('Capital cost (£)', '5th percentile', 'New LA code')
    """
    text = str(name)
    m = re.fullmatch(r"(.*?)_?p(\d{2})$", text)
    if m and (m.group(1) == "" or "_" in text):
        q = int(m.group(2))
        pct = "median" if q == 50 else f"{q}th percentile"
        if not m.group(1):
            return pct[0].upper() + pct[1:]
        base = words(m.group(1))
        unit = " (£)" if base.endswith(" (£)") or "deficit" in base.lower() or \
            "balance" in base.lower() else ""
        return f"{base.removesuffix(' (£)')}, {pct}{unit}"
    parts = [p for p in re.split(r"[_\s]+", text) if p]
    if not parts:
        return text
    out = [_WORDS.get(p.lower(), p) for p in parts]
    unit = [w for w in out if w in ("(£)", "(%)")]
    out = [w for w in out if w not in ("(£)", "(%)")] + unit[:1]
    sentence = " ".join(out)
    return sentence[0].upper() + sentence[1:] if sentence else text


def label(code, kind: str | None = None, table: str | None = None) -> str:
    """The words for ``code``: a value of column ``kind`` (``provision``, ``need`` ...), a
    column name (``kind="column"``, optionally of one ``table``), or, without ``kind``, a
    column name first and then any kind.

    Examples
    --------
    >>> label("special_independent", "provision"), label("ASD", "need")
    ('Independent special school', 'Autistic spectrum disorder')
    >>> label("value", table="marginal_place_value")
    'Value of one more place (£ a year)'
    >>> label("allocation_plan")
    'With the optimised place plan'
    """
    if kind == "deficit_scenario":
        kind = "scenario"
    look = kind or "column"
    if table is not None and (look, f"{table}.{code}") in _LOOKUP:
        return _LOOKUP[(look, f"{table}.{code}")][0]
    if (look, code) in _LOOKUP:
        return _LOOKUP[(look, code)][0]
    if kind is None and code in _ANY:
        return _ANY[code]
    if kind in ("column", "sheet"):
        return words(code)
    return str(code) if not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", str(code)) else words(code)


def legend(code, kind: str | None = None) -> str:
    """What a chart legend calls ``code`` (its label unless the table gives a longer one).

    Examples
    --------
    >>> legend("unmitigated", "scenario")
    "Forecast, today's placement mix"
    """
    if kind == "deficit_scenario":
        kind = "scenario"
    for k in ([kind] if kind else []) + ["scenario", "column"]:
        if (k, code) in _LEGEND:
            return _LEGEND[(k, code)]
    return label(code, kind)


def unit_of(column: str, table: str | None = None) -> str:
    """The unit of a column (``£``, ``%``, ``children``, ``places``, ``year`` or ``""``),
    from the table, else from the name (``*_gbp`` is £, ``*_share`` / ``*_rate`` is %).

    Examples
    --------
    >>> unit_of("capital_cost_gbp"), unit_of("independent_share"), unit_of("setting")
    ('£', '%', '')
    """
    if table is not None and ("column", f"{table}.{column}") in _LOOKUP:
        return _LOOKUP[("column", f"{table}.{column}")][1]
    if ("column", column) in _LOOKUP:
        return _LOOKUP[("column", column)][1]
    name = str(column).lower()
    if name.endswith("_gbp") or "_gbp_" in name or name.startswith("cost_") or \
            re.fullmatch(r".*_gbp_p\d\d|cumulative_deficit_p\d\d", name):
        return "£"
    if name.endswith("_pct"):
        return "pct"  # already in percent (2.1 is 2.1%)
    if name.endswith(("_share", "_pc", "_rate")) or name.startswith(("share_", "prob_")):
        return "%"
    if re.fullmatch(r"p\d\d", name):
        return "children"
    if name.endswith("_year") or name == "year":
        return "year"
    if name.endswith(("_places", "_children", "_plans")):
        return "children" if not name.endswith("_places") else "places"
    return ""


def label_values(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with the codes in known columns (provision, need, phase, ...) as words.

    Examples
    --------
    >>> df = pd.DataFrame({"provision": ["ap", "mainstream"], "count": [1, 2]})
    >>> label_values(df)["provision"].tolist()
    ['Alternative provision', 'Mainstream school']
    """
    out = frame.copy()
    for column in out.columns:
        if column in _VALUE_KINDS and (out[column].dtype == object or
                                       pd.api.types.is_string_dtype(out[column])):
            out[column] = out[column].map(lambda v, k=column: label(v, k)
                                          if isinstance(v, str) else v)
    return out
