"""The scenario file schema, as data: every key, its type, default, unit, range, meaning, source.

The same table validates scenario files (:mod:`sufficiency.scenario`) and generates the
scenario-file reference (``docs/scenario-reference.md``), so the two cannot drift.

Every number has a range (columns ``min`` and ``max``). A row may give it explicitly (an
8-tuple ending ``min, max``); otherwise it comes from the unit (:data:`UNIT_RANGES`: a rate
``per year`` is -0.5 to 1, money is 0 or more, ...), so a key added with a unit is range-checked
without more work. A rate given as a percentage (10.8 or "25%") is rejected with "did you mean
0.108 / 0.25?".
"""

from __future__ import annotations

import json

import pandas as pd

__all__ = ["SCENARIO_SCHEMA", "LEVER_PARAMETERS", "UNIT_RANGES", "schema_markdown",
           "starting_scenario"]

# (key path, type, default, unit, description, source[, min, max])
_ROWS = [
    ("name", "str", None, "", "Scenario name shown in every output.", ""),
    ("description", "str", "", "", "A sentence or two on what this scenario tests.", ""),
    ("extends", "path", None, "",
     "A base scenario file (relative to this one) whose values this file overrides.", ""),
    ("seed", "int", 0, "", "Random seed for simulated paths: same seed, same outputs.", "",
     0, 2**32 - 1),
    ("data.la", "str", None, "",
     "LA in the embedded DfE data: old code, new code or name (e.g. Wiltshire).", ""),
    ("data.history", "path", None, "",
     "Your own history file (CSV/Excel, tidy format: year, count, optional keys); overrides "
     "the embedded history.", ""),
    ("data.history_sheet", "str", None, "",
     "Excel sheet of data.history (its name); empty = the first sheet.", ""),
    ("data.planning_areas", "path", None, "",
     "Planning areas for the SCAP table (CSV): area, share (of the LA's pupils; optionally per "
     "phase with a phase column, primary/secondary). Empty = the whole LA.", ""),
    ("data.phases", "choice:standard|three_tier", "standard", "",
     "Phase system: standard (primary/secondary) or three_tier (first/middle/high).", ""),
    ("forecast.model",
     "choice:auto|constant_growth|log_linear|damped_trend|cohort_flow|ensemble|prevalence",
     "auto", "", "Forecast model; auto picks per series by rolling-origin MASE; prevalence "
     "projects plans per 1,000 of the LA's ONS population aged forward (embedded LAs).", ""),
    ("forecast.growth_rate", "float|null", None, "per year",
     "Fixed rate for constant_growth (e.g. 0.108); empty = mean of the last 3 years.",
     "DfE SEN2: the LA's own EHC plan growth over the last 3 years when empty", -0.5, 0.5),
    ("forecast.horizon", "int", 8, "years", "Years ahead to forecast (1-10).", "", 1, 10),
    ("forecast.by", "choice:total|age_band", "age_band", "",
     "Forecast the LA total or each age band (reconciled to the total).", ""),
    ("forecast.planning_quantile", "choice:mean|p50|p80|p90", "mean", "",
     "Which forecast figure the place plan is made for (p80 plans for a high case).", ""),
    ("forecast.n_paths", "int", 500, "paths", "Simulated demand paths for uncertainty.", "",
     10, 10_000),
    ("forecast.long_run", "choice:converge|trend|national_path", "converge", "",
     "How growth behaves beyond the data: converge (annual growth moves to "
     "forecast.long_run_rate, half the gap closing every forecast.long_run_half_life years), "
     "trend (the forecast growth continues) or national_path (England reaches "
     "forecast.national_path_count in forecast.national_path_year; the LA keeps its own growth "
     "relative to England). Stated in every output.",
     "backtest: converge had 7% lower median error than trend at 1-5 years on origins "
     "2014-2020 (docs/forecast.md)"),
    ("forecast.long_run_rate", "float", 0.05, "per year",
     "Long-run annual growth for long_run: converge.",
     "assumption, close to DfE's central path (1.0m plans in 2032-33 is about 5.8% a year)",
     -0.2, 0.5),
    ("forecast.long_run_half_life", "float", 5.0, "years",
     "Years for half the gap to the long-run rate to close (long_run: converge).",
     "backtest: 5 years beat 10 on origins 2014-2020", 0.5, 50),
    ("forecast.national_path_year", "int", 2033, "year",
     "long_run: national_path: the January in which England reaches the count below.",
     "DfE central estimate, cited by the NAO (October 2024)", 2026, 2100),
    ("forecast.national_path_count", "float", 1000000.0, "EHC plans",
     "long_run: national_path: England's EHC plans in that January.",
     "DfE central estimate, cited by the NAO (October 2024): just over 1.0m in 2032-33",
     1, 1e8),
    ("forecast.prevalence_convergence", "float", 0.08, "per year",
     "How fast an LA's plans per head move towards England's: log growth changes by "
     "-this x log(LA rate / England rate) a year; 0 = off. Embedded LAs only.",
     "tuned on origins 2014-2020 (docs/forecast.md)", 0.0, 0.5),
    ("forecast.growth_shock_sd", "float", 0.045, "log growth per year",
     "Yearly step of the national growth-rate random walk that widens the bands for a "
     "change of regime; 0 = the model's own uncertainty only.",
     "calibrated on origins 2014-2020 so 80% bands held about 80% at 1-5 years "
     "(docs/forecast.md)", 0.0, 0.5),
    ("forecast.births", "float|null", None, "children per year",
     "Births assumed in each future year when the population is aged forward; empty = the "
     "LA's mid-2023 0-year-olds held constant.", "ONS mid-2023 estimates"),
    ("forecast.migration", "float", 0.0, "fraction per year",
     "Net migration of each cohort when the population is aged forward (0 = none).",
     "assumption; see docs/forecast.md", -0.2, 0.2),
    ("levers", "list", [], "",
     "Scenario levers applied to the forecast, each {name: ..., parameters}; see the "
     "forecast documentation for the names.", ""),
    ("allocate.enabled", "bool", True, "", "Run the placement optimiser.", ""),
    ("allocate.settings", "path", None, "",
     "Settings table (CSV): setting, provision, area, capacity, cost_per_place. Empty = the "
     "illustrative settings derived from the LA's real placement mix.", ""),
    ("allocate.designations", "path", None, "",
     "Designation table (CSV): setting, need, phase, optional cap.", ""),
    ("allocate.projects", "path", None, "",
     "Candidate capital projects (CSV); empty = the illustrative candidates.", ""),
    ("allocate.travel", "path", None, "",
     "Travel table (CSV/Excel): area, setting, cost (GBP per child per year, home to school "
     "transport), minutes. Needs allocate.settings. The run's demand is for the whole LA, so "
     "area is 'all'. Empty = no transport cost and no travel limit.", ""),
    ("allocate.max_travel_minutes", "float|null", None, "minutes",
     "Settings further than this from a child's area (the travel table's minutes) are not "
     "used for new placements; children already placed stay. Empty = no limit.", "",
     0.0, 1440.0),
    ("allocate.existing", "path", None, "",
     "Children placed now (CSV/Excel): setting, need, phase, [area], count, in the January "
     "before the plan (an optional year column must say that year). Needs allocate.settings. "
     "They stay where they are, carried forward with the flow account's rates, replacing the "
     "placements shared out from the LA's published counts.", ""),
    ("allocate.solver", "choice:cbc|highs", "cbc", "", "MILP solver (HiGHS needs highspy).", ""),
    ("allocate.time_limit", "float", 120.0, "seconds",
     "Wall-clock safety limit on the solve. A solve stopped by it keeps the best plan found by "
     "then, which depends on the machine's speed and load, and the outputs say it is not "
     "reproducible; allocate.node_limit is the deterministic stopping rule.", "", 1.0, 86_400.0),
    ("allocate.marginal_values", "bool", True, "",
     "Compute the value of one more place (marginal_place_value: one more LP solve with the "
     "build decisions fixed). A tables-only sweep turns it off: its national tables do not "
     "include it, and the plan is the same either way.", ""),
    ("allocate.node_limit", "int|null", 500, "nodes",
     "Branch-and-bound nodes after which the solver stops with the best plan found (CBC "
     "maxNodes, HiGHS mip_max_nodes), whatever the gap: a deterministic stopping rule, so the "
     "same scenario gives the same plan on any machine, however loaded. 0 = the root node "
     "only (with CBC: its fast root pass, whatever the gap; see docs/allocate.md). Empty = no "
     "node limit (the gap, then the wall-clock time limit).", "", 0, 100_000_000),
    ("allocate.mip_gap", "float", 0.005, "fraction", "Relative MIP gap at which to stop.", "",
     0.0, 0.5),
    ("allocate.step_down_share", "float", 0.0, "fraction",
     "Step-down lever: most children a year moved from independent or non-maintained special "
     "schools to other places at a transition point, as a share of last year's children there "
     "(0 = no lever). The evidence: 0.351, Wiltshire's 92 step-downs of 262 in 2022-23.",
     "Wiltshire Council, SEND & Inclusion Strategy 2020-24 final report (2024); SEN2 2023",
     0.0, 1.0),
    ("allocate.tail_years", "float", 5.0, "years",
     "Years the last plan year's placements are costed for after the plan when choosing it, "
     "so that the plan does not fill independent places in its last years because a new "
     "place would pay back only after the plan ends. Not in the plan's reported cost.",
     "sufficiency convention", 0.0, 50.0),
    ("allocate.new_placement_mix", "choice:pooled|latest|trend", "pooled", "",
     "How the share of new plans needing a specialist place, and of those going independent, "
     "is projected from the LA's 2019-2024 new plans: pooled with its statistical neighbours, "
     "its latest year held, or its trend. Pooled backtested best across LAs.",
     "DfE SEN2 new plans by placement; backtest in docs/methodology.md"),
    ("allocate.discount_rate", "float", 0.035, "per year", "Discount rate for costs.",
     "HM Treasury Green Book (2022), 3.5% social time preference rate"),
    ("allocate.penalty_unplaced", "float", 250000.0, "GBP per child-year",
     "Cost charged for a child left without a suitable place: high, stated, never infinite.",
     "assumption: about 4x a maintained special place; see docs/methodology.md"),
    ("allocate.capital_budget_total", "float|null", None, "GBP",
     "Capital budget over the plan; empty = unlimited.", ""),
    ("allocate.capital_budget_per_year", "float|null", None, "GBP per year",
     "Capital budget in any one year; empty = unlimited.", ""),
    ("finance.enabled", "bool", True, "", "Cost the plan and project the DSG position.", ""),
    ("finance.costs", "path", None, "",
     "Your cost per place (CSV/Excel): provision, [phase], cost_per_place (GBP per place per "
     "year, what the High Needs Block pays, in 2023-24 prices), [source]. Replaces the "
     "calibrated or default cost of those provisions in the place plan (illustrative settings; "
     "your own settings keep their cost_per_place) and in the DSG projection. Empty = the "
     "LA's calibrated costs.", "your high needs cost per place"),
    ("finance.opening_balance_gbp", "float|null", None, "GBP",
     "Cumulative DSG balance at the start of the plan (negative = deficit); empty = estimated: "
     "the published balance at the end of 2021-22 rolled forward with the backcast's in-year "
     "gaps (labelled 'estimated', derivation in the outputs). Enter your LA's latest to "
     "override it.", "DfE DSG deficit as a % of income; ESFA DSG allocations", -1e10, 1e10),
    ("finance.income_lines", "list", [], "",
     "Dated income to the High Needs Block, each {year, line, amount_gbp} (year = census year, "
     "2026 = 2025-26; or financial_year: 2025-26 instead of year): Safety Valve payments, "
     "transfers from the schools block. amount_gbp in GBP, not 0, at most 1e10 either way; "
     "negative = money taken out (a Safety Valve payment must be positive); each line once a "
     "year. Added to that year's income (a year before the plan: to the opening balance's "
     "roll-forward, so only when the opening balance is estimated, and after the last "
     "published balance) and shown in the DSG tables; a year after the plan is an error.",
     "your Safety Valve agreement / schools forum decisions"),
    ("finance.independent_fee_growth", "float", 0.04, "per year",
     "Growth of independent and non-maintained fees a year after the last published CPI.",
     "assumption: CPI target 2% plus 2 points (fee uplifts have run above CPI)"),
    ("finance.income_growth", "float", 0.03, "per year",
     "High Needs Block income growth a year after 2025-26 (2024-25 and 2025-26 follow the "
     "DfE's announced NFF floors, +3% and +7%, on the LA's published 2023-24 allocation).",
     "assumption: between the Spending Review 2025 (core schools budget +2.4% a year in cash "
     "2025-26 to 2028-29) and the recent growth of the block (England +12.1% a year 2020-21 "
     "to 2023-24; NFF floors +3% in 2024-25, +7% in 2025-26)"),
    ("finance.inflation", "float|null", None, "per year",
     "A flat cost inflation a year instead of the price paths; empty = the price paths "
     "(top-ups on teachers' pay awards, fees on CPI, place funding cash-flat, stated "
     "assumptions beyond the published years).", "docs/finance.md, price paths"),
    ("finance.target_year", "int|null", None, "year",
     "Year by which the deficit should be eliminated (goal-seek); empty = last year.", ""),
    ("report.charts", "bool", True, "", "Write PNG charts.", ""),
    ("report.html", "bool", True, "", "Write report.html.", ""),
    ("report.workbook", "bool", True, "", "Write results.xlsx.", ""),
]

#: Range of a number by its unit, for rows that give none: (min, max). Rates are fractions.
UNIT_RANGES = {
    "per year": (-0.5, 1.0),
    "fraction": (0.0, 1.0),
    "share": (0.0, 1.0),
    "GBP": (0.0, 1e10),
    "GBP per year": (0.0, 1e10),
    "GBP per child-year": (0.0, 1e8),
    "GBP per place": (0.0, 1e8),
    "year": (2000, 2100),
    "years": (0, 50),
    "seconds": (1.0, 86_400.0),
    "paths": (10, 10_000),
    "places": (0.0, 1e6),
    "children": (0.0, 1e7),
    "children per year": (0.0, 1e6),
}

#: Units whose values are rates or shares: 10.8 or "25%" there gets "did you mean 0.108?".
RATE_UNITS = ("per year", "fraction", "share")

#: The widest range any number gets when neither its row nor its unit gives one.
FALLBACK_RANGE = (-1e12, 1e12)


def _range(row: tuple) -> tuple:
    key, kind, default, unit = row[:4]
    if len(row) >= 8:
        return row[6], row[7]
    if not any(k in kind.split("|") for k in ("int", "float")):
        return None, None
    return UNIT_RANGES.get(unit, FALLBACK_RANGE)


SCENARIO_SCHEMA = pd.DataFrame(
    [tuple(r[:6]) + _range(r) for r in _ROWS],
    columns=["key", "type", "default", "unit", "description", "source", "min", "max"])


#: Parameters of the scenario levers (``levers: - name: ...``): parameter, type, unit, min,
#: max, description. Lever names and which parameters each takes come from
#: :data:`sufficiency.forecast.levers.LEVERS`; every parameter there has a row here.
LEVER_PARAMETERS = pd.DataFrame([
    ("reduction", "float", "fraction", 0.0, 1.0, "share fewer new plans (0.25 = a quarter)"),
    ("from_year", "int", "year", 2000, 2100, "first January census year the lever acts in"),
    ("year", "int", "year", 2000, 2100, "January census year from which it applies"),
    ("cease_rate", "float", "fraction", 0.0, 1.0, "share of plans ceasing each year"),
    ("ramp_years", "int", "years", 0, 20, "years over which the lever phases in"),
    ("amount", "float", "plans", -1e6, 1e6, "plans added (negative: removed)"),
    ("share", "float", "fraction", 0.0, 1.0, "share of new specialist plans moved"),
    ("per_year", "float", "children per year", 0.0, 1e5, "children moved each year"),
    ("to_provision", "provision", "", None, None, "provision the children move to"),
    ("where", "mapping", "", None, None, "series the change applies to, {column: value}"),
], columns=["parameter", "type", "unit", "min", "max", "description"])


def schema_markdown() -> str:
    """The scenario-file reference as Markdown, generated from :data:`SCENARIO_SCHEMA`."""
    lines = ["# Scenario file reference", "",
             "Generated from `sufficiency.scenario_schema.SCENARIO_SCHEMA`; do not edit by hand "
             "(`python -m sufficiency.scenario_schema > docs/scenario-reference.md`).", "",
             "A scenario is a YAML file. Keys are grouped in sections (`data`, `forecast`, "
             "`allocate`, `finance`, `report`); a key left out takes its default. "
             "`extends: base.yaml` starts from another scenario and overrides only what this "
             "file sets.", "",
             "| key | type | default | unit | range | meaning | source |",
             "|---|---|---|---|---|---|---|"]
    for row in SCENARIO_SCHEMA.itertuples(index=False):
        default = "" if row.default is None else repr(row.default)
        kind = row.type.replace("choice:", "one of ").replace("|", " / ")
        lines.append(f"| `{row.key}` | {kind} | {default} | {row.unit} | "
                     f"{_show_range(row.min, row.max)} | {row.description} | {row.source} |")
    lines += ["", "## Levers", "",
              "`levers:` is a list; each item has a `name` and its parameters. Rates and shares "
              "are fractions (0.25, not 25 or 25%).", "",
              "| parameter | type | unit | range | meaning |", "|---|---|---|---|---|"]
    for row in LEVER_PARAMETERS.itertuples(index=False):
        lines.append(f"| `{row.parameter}` | {row.type} | {row.unit} | "
                     f"{_show_range(row.min, row.max)} | {row.description} |")
    return "\n".join(lines) + "\n"


def _show_range(low, high) -> str:
    if low is None or (isinstance(low, float) and pd.isna(low)):
        return ""
    return f"{low:g} to {high:g}"


if __name__ == "__main__":
    print(schema_markdown(), end="")


def starting_scenario(la) -> str:
    """The text of a commented starting scenario for any LA in the embedded data.

    Every key of :data:`SCENARIO_SCHEMA` with its default, unit and source as a comment, after
    a line on the LA's EHC plan history (what ``sufficiency new-scenario`` writes).

    Examples
    --------
    >>> text = starting_scenario("Wiltshire")
    >>> text.splitlines()[0]
    '# Starting scenario for Wiltshire (LA 865).'
    """
    from . import data as sd

    code = sd.resolve_la(la, sd.las())
    name = sd.everyday_name(sd.la_names().get(code, code))
    hist = sd.la_history(code)
    total = hist[hist["age_band"] == "all"].set_index("year")["count"]
    growth = (total.iloc[-1] / total.iloc[-4]) ** (1 / 3) - 1
    # sources that depend on the LA are said for this LA, not for the example's
    own_source = {"forecast.growth_rate": (
        f"DfE SEN2: {name}'s EHC plans grew {growth:.1%} a year over "
        f"{int(total.index[-4])}-{int(total.index[-1])} (the rate used when empty)")}
    other_las = [sd.everyday_name(n) for n in sd.las()["la_name"]
                 if sd.everyday_name(n) != name and len(n) > 4]
    lines = [f"# Starting scenario for {name} (LA {code}).",
             f"# EHC plans: {total.index[0]} {total.iloc[0]:,.0f} -> {total.index[-1]} "
             f"{total.iloc[-1]:,.0f}; growth over the last 3 years {growth:.1%} a year.",
             "# Every key below shows its default; edit what you know better.",
             "# Reference: docs/scenario-reference.md", "",
             f"name: {name} baseline", "seed: 0", "data:", f"  la: '{code}'"]
    section = None
    for row in SCENARIO_SCHEMA.itertuples(index=False):
        if "." not in row.key or row.key in ("data.la", "data.history"):
            continue
        head, key = row.key.split(".", 1)
        if head != section:
            if head != "data":
                lines.append(f"{head}:")
            section = head
        default = "" if row.default is None else json.dumps(row.default)
        source = own_source.get(row.key, row.source)
        others = [n for n in other_las if source and n in source]
        if others:  # evidence from another LA is said to be so, not passed off as this LA's
            source = f"evidence from {others[0]}, not {name}: {source}"
        comment = f"  # {row.description}" + (f" [{row.unit}]" if row.unit else "") + \
            (f" Source: {source}." if source else "")
        lines.append(f"  {key}: {default}{comment}")
    lines.append("levers: []  # e.g. - {name: reduce_new_plan_growth, reduction: 0.2, "
                 "from_year: 2027}")
    return "\n".join(lines) + "\n"
