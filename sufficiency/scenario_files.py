"""Every file a scenario names, read and checked before anything runs (``validate`` and ``run``).

:func:`read_scenario_files` reads the history and the allocation tables through the data layer
(:func:`sufficiency.data.tables.read_table`: CSV or Excel, encodings, header row), checks each
against its schema (:func:`user_schema`: the allocation schemas of
:mod:`sufficiency.allocate.schema` with ranges and vocabularies added), then across tables
(settings named by designations, projects, travel and existing placements exist; one row per
key), and returns the typed tables with every problem found. ``sufficiency validate`` prints
the problems; ``sufficiency run`` refuses to start with any, so whatever ``validate`` accepts,
``run`` accepts.

Need codes are mapped onto the need groups the demand is stated in (``ASD`` ->
``communication_interaction``), key stages onto phases (``KS2`` -> ``primary``) and common
provision labels onto provision codes (``independent`` -> ``special_independent``); each mapping
is listed in the run's notes, never applied silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .allocate.schema import SCHEMAS
from .data.tables import Vocabulary, check_table, make_schema, read_table
from .data.vocabulary import suggest
from .errors import ValidationError

#: ``docs/inputs.md``: its hand-written head, then :func:`user_tables_markdown`.
DOC_MARKER = "## The tables\n"

__all__ = ["UNIT_LIMITS", "CODE_COLUMNS", "TABLE_KEYS", "COSTS_SCHEMA", "RUN_COLUMNS",
           "user_schema", "ScenarioFiles", "read_scenario_files", "plan_years"]

#: Range of a number in a user table by its unit, when the schema gives none: (min, max).
UNIT_LIMITS = {
    "places": (0.0, 100_000.0),
    "children": (0.0, 1_000_000.0),
    "£ per place per year": (0.0, 1_000_000.0),
    "£ per child per year": (0.0, 1_000_000.0),
    "£ per place": (0.0, 10_000_000.0),
    "£": (0.0, 10_000_000_000.0),
    "minutes": (0.0, 1_440.0),
    "year": (2000, 2100),
    "years": (0, 30),
}

#: Columns checked against the vocabulary.
CODE_COLUMNS = {"need": "code:need", "phase": "code:phase", "provision": "code:provision"}

#: The user tables a scenario can name: table -> scenario key.
TABLE_KEYS = {"settings": "allocate.settings", "designation": "allocate.designations",
              "projects": "allocate.projects", "travel": "allocate.travel",
              "existing": "allocate.existing", "costs": "finance.costs",
              "planning_areas": "data.planning_areas"}

#: Your cost per place (``finance.costs``): what the High Needs Block pays for one placement a
#: year, by provision (and phase), in the finance defaults' prices (2023-24).
COSTS_SCHEMA = make_schema([
    ("provision", "code:provision", "", True, None, None, None,
     "provision type (sufficiency.data.PROVISIONS, or a common label such as 'independent')"),
    ("phase", "code:phase", "", False, "all", None, None,
     "the phase the cost is for (blank = every phase)"),
    ("cost_per_place", "float", "£ per place per year", True, None, 0.0, 1_000_000.0,
     "High Needs Block cost of one placement a year (place funding + top-up, or the fee), "
     "2023-24 prices"),
    ("source", "str", "", False, "your costs table", None, None,
     "where the figure comes from (shown in the assumptions)"),
])


#: Where a scenario run reads a column differently from the Python API: (table, column) ->
#: (required, default, description).
RUN_COLUMNS = {
    ("travel", "area"): (False, "all", "planning area of the child: 'all' (or blank) in a "
                         "scenario run, whose demand is for the whole LA"),
    ("travel", "minutes"): (False, None, "travel time, compared with "
                            "allocate.max_travel_minutes"),
    ("existing", "year"): (False, None, "the January of the count: the one before the first "
                           "plan year (blank: that January)"),
    ("existing", "count"): (True, None, "children placed there in that January; they stay, "
                            "carried forward with the flow account's rates"),
}


#: The planning areas of the SCAP table (``data.planning_areas``): how the LA's pupils split
#: between its areas, shares adding up to 1 (per phase when a phase column is given).
PLANNING_AREAS_SCHEMA = make_schema([
    ("area", "str", "", True, None, None, None, "planning area"),
    ("share", "float", "", True, None, 0.0, 1.0,
     "share of the LA's pupils in the area (0.25, not 25%); the shares add up to 1"),
    ("phase", "code:phase", "", False, None, None, None,
     "primary or secondary: shares per phase (then both phases, each adding up to 1)"),
])

#: Largest difference from 1 of the planning areas' shares (the SCAP split needs them exact).
SHARE_TOLERANCE = 1e-6


def user_schema(name: str) -> pd.DataFrame:
    """The schema of user table ``name`` (``settings``, ``designation``, ``projects``, ``travel``,
    ``existing``, ``project_places``) with types, units, ranges and vocabularies.

    Built from :data:`sufficiency.allocate.schema.SCHEMAS`, so a column added there is checked
    here with the range of its unit.

    Examples
    --------
    >>> s = user_schema("settings").set_index("column")
    >>> s.loc["provision", "type"], float(s.loc["cost_per_place", "max"])
    ('code:provision', 1000000.0)
    """
    if name == "costs":
        return COSTS_SCHEMA.copy()
    if name == "planning_areas":
        return PLANNING_AREAS_SCHEMA.copy()
    rows = []
    for r in SCHEMAS[name].itertuples(index=False):
        kind = CODE_COLUMNS.get(r.column, r.kind) if r.kind == "str" else r.kind
        low, high = UNIT_LIMITS.get(r.unit, (None, None)) if kind in ("int", "float") else \
            (None, None)
        default = r.default
        if isinstance(default, float) and np.isinf(default):
            high = np.inf   # blank or inf means unlimited
        if isinstance(default, float) and np.isnan(default):
            default = None
        required, description = bool(r.required), r.description
        if (name, r.column) in RUN_COLUMNS:
            required, default, description = RUN_COLUMNS[(name, r.column)]
        rows.append((r.column, kind, r.unit, required, default, low, high, description))
    return make_schema(rows)


def user_tables_markdown() -> str:
    """The user tables' columns as Markdown (type, unit, range, required, meaning), generated
    from :func:`user_schema` for ``docs/inputs.md``.

    Examples
    --------
    >>> user_tables_markdown().splitlines()[0]
    '### settings (`allocate.settings`)'
    """
    lines = []
    for name in ("settings", "designation", "projects", "travel", "existing", "costs",
                 "planning_areas"):
        key = TABLE_KEYS.get(name)
        lines += [f"### {name}" + (f" (`{key}`)" if key else " (Python API)"), "",
                  "| column | type | unit | range | required | blank means | meaning |",
                  "|---|---|---|---|---|---|---|"]
        for r in user_schema(name).itertuples(index=False):
            fmt = "{:.0f}" if r.unit == "year" else "{:,.0f}"
            low = "" if r.min is None or pd.isna(r.min) else fmt.format(r.min)
            high = "" if r.max is None or pd.isna(r.max) else (
                "no limit" if np.isinf(r.max) else fmt.format(r.max))
            span = f"{low} to {high}" if low != "" else ""
            blank = "" if r.default is None or (isinstance(r.default, float) and
                                                np.isnan(r.default)) else (
                "unlimited" if isinstance(r.default, float) and np.isinf(r.default)
                else repr(r.default))
            lines.append(f"| `{r.column}` | {r.type.replace('code:', 'code: ')} | {r.unit} | "
                         f"{span} | {'yes' if r.required else 'no'} | {blank} | "
                         f"{r.description} |")
        lines.append("")
    return "\n".join(lines)


@dataclass
class ScenarioFiles:
    """The tables a scenario names, typed and checked.

    Attributes
    ----------
    history : DataFrame or None
        The LA's own history (``data.history``), as :func:`sufficiency.data.read_history`.
    settings, designation, projects, travel, existing : DataFrame or None
        The allocation tables, with codes mapped onto the vocabulary (``existing``: one row per
        setting, need group, phase and area, the children placed in the January before the
        plan).
    costs : DataFrame or None
        Your cost per place (``finance.costs``): ``provision, phase, cost_per_place, source``.
    planning_areas : DataFrame or None
        ``area, share[, phase]`` for the SCAP table (``data.planning_areas``).
    years : list of int
        The plan (forecast) years, known before forecasting: the year after the history's last
        January to ``forecast.horizon`` years on (empty when the history could not be read).
    problems : list of str
        Every problem found (empty when all is well).
    notes : list of str
        Mappings applied and columns ignored.
    """

    history: pd.DataFrame | None = None
    settings: pd.DataFrame | None = None
    designation: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    travel: pd.DataFrame | None = None
    existing: pd.DataFrame | None = None
    costs: pd.DataFrame | None = None
    planning_areas: pd.DataFrame | None = None
    years: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def raise_if_any(self, what: str = "scenario files") -> None:
        if self.problems:
            raise ValidationError(f"{what}: {len(self.problems)} problem(s):\n  " +
                                  "\n  ".join(self.problems), self.problems)


def read_scenario_files(scenario, purpose: str = "run", tables=None) -> ScenarioFiles:
    """Read and check every file ``scenario`` names; see the module docstring.

    ``purpose`` is ``"run"`` (``sufficiency validate`` and ``run``) or ``"backtest"`` (only
    what a backtest of the history needs). Never raises for a bad file: every problem is in
    ``.problems``. ``tables`` is the LA's published tables (:class:`sufficiency.data.LAData`)
    when the caller has read them (a run reads them once, :func:`sufficiency.data.la_data`);
    else the history and DSG balances the checks need are read here.
    """
    from .data import read_history

    out = ScenarioFiles()
    out.notes += _la_read_as(scenario)
    history = scenario.resolve(scenario.get("data.history"))
    if history is not None:
        try:
            frame = read_history(history, sheet=scenario.get("data.history_sheet"))
            report = frame.attrs.pop("validation")
            out.notes += list(report.notes)
            out.history = frame
        except ValidationError as err:
            out.problems += err.problems
        if out.history is not None:
            out.problems += _history_fits_the_run(scenario, out.history, str(history),
                                                  purpose)
    if history is None or out.history is not None:
        published = tables.history if tables is not None else None
        out.years = plan_years(scenario, out.history if out.history is not None else published)
        out.problems += _fits_the_years(scenario, out.years, tables)
    vocabulary = Vocabulary.for_phases(scenario.get("data.phases") or "standard")
    for name, key in TABLE_KEYS.items():
        path = scenario.resolve(scenario.get(key))
        if path is None:
            continue
        schema = user_schema(name)
        try:
            table = read_table(path, expect=list(schema.loc[schema["required"], "column"]),
                               prefer_sheet=name)
        except ValidationError as err:
            out.problems += err.problems
            continue
        if name == "costs":   # 'all' (or 'any') phases: the cost for every phase
            table.cells = table.cells.apply(
                lambda c: c.where(~c.str.lower().isin(["all", "any"]), "")
                if str(c.name).strip().lower() == "phase" else c)
        frame, problems, notes = check_table(
            table, schema, Vocabulary() if name == "planning_areas" else vocabulary, name)
        out.problems += problems
        out.notes += notes
        if not problems:
            setattr(out, name, frame)
    if not out.problems:
        out.problems += _across(out) + _costs(out) + _areas_split(out)
    if not out.problems and out.designation is not None:
        out.designation = _merge_groups(out.designation, out.notes)
    if not out.problems and out.existing is not None:
        out.existing = _existing_by_group(out.existing, out.notes)
    return out


def _la_read_as(scenario) -> list[str]:
    """A note when ``data.la`` was matched loosely (a misspelling or a fragment of a name)."""
    from .data import everyday_name, la_names, las, resolve_la

    la = scenario.get("data.la")
    if not isinstance(la, str) or not la.strip():
        return []
    try:
        table = las()
        code = resolve_la(la, table)
    except (KeyError, ValueError):
        return []
    row = table[table["la_code"] == code]
    name = la_names().get(code, code)
    exact = {code, name.lower(), everyday_name(name).lower()} | \
        set(row["new_la_code"].str.lower()) | set(row["la_name"].str.lower())
    text = la.strip().lower()
    if text in exact or text.zfill(3) == code:
        return []
    return [f"{scenario.where('data.la')}: data.la {la!r} read as {everyday_name(name)} "
            f"(LA {code}); write that name or code if another LA was meant"]


def _fits_the_years(scenario, years: list, tables=None) -> list[str]:
    """Years in the scenario file that only make sense inside the forecast: the levers'
    ``from_year`` / ``year``, ``finance.target_year`` and the income lines' years (a lever or a
    line outside them would change nothing, silently)."""
    if not years:
        return []
    from .scenario import check_income_lines

    first, last = years[0], years[-1]
    span = f"a forecast year ({first}-{last})"
    problems = []
    for i, lever in enumerate(scenario.get("levers") or []):
        if not isinstance(lever, dict):
            continue
        for key in ("from_year", "year"):
            value = lever.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or first <= value <= last:
                continue   # absent, or not a year (the scenario check reports it)
            why = (f"the forecast starts in {first}" if value < first else
                   f"the forecast ends in {last}: the lever would change nothing")
            problems.append(f"{scenario.where(f'levers[{i}].{key}')}: levers[{i}].{key} = "
                            f"{value!r}: expected {span}; {why} (did you mean "
                            f"{first if value < first else last}?)")
    target = scenario.get("finance.target_year")
    if scenario.get("finance.enabled") and isinstance(target, int) and \
            not first <= target <= last:
        problems.append(f"{scenario.where('finance.target_year')}: finance.target_year = "
                        f"{target}: expected {span} (or empty for the last one), the years the "
                        "DSG position is projected for")
    if scenario.get("finance.enabled"):
        lines, _ = check_income_lines(scenario.get("finance.income_lines") or [], scenario.where)
        window = _roll_forward(scenario, first, tables)
        for i, year, label, _ in lines:
            at = f"finance.income_lines[{i}]"
            where = scenario.where(f"{at}.year")
            if year > last:
                problems.append(f"{where}: {at}: {label!r} in {year} is after the plan "
                                f"({first}-{last}); expected a year the DSG position is "
                                "projected for (or a longer forecast.horizon)")
            elif year < first and scenario.get("finance.opening_balance_gbp") is not None:
                problems.append(f"{where}: {at}: {label!r} in {year} is before the plan "
                                f"({first}) and finance.opening_balance_gbp is given, so it "
                                "would not be counted; expected it inside the opening balance "
                                f"you give, or a year from {first}")
            elif year < first and window is not None and year < window:
                problems.append(f"{where}: {at}: {label!r} in {year} is before {window}, the "
                                "first year the opening balance is rolled forward from the last "
                                "published one (which already includes it); expected a year "
                                f"from {window}")
    return problems


def _roll_forward(scenario, first: int, tables=None):
    """The first year the estimated opening balance rolls forward (the year after the LA's
    last published DSG balance), or None when it is not known."""
    from .data import highneeds, las, resolve_la

    la = scenario.get("data.la")
    if not la:
        return None
    if tables is not None:
        balance = tables.dsg_deficit
        if balance is None:
            return None
    else:
        try:
            balance = highneeds.la_dsg_deficit(resolve_la(la, las()))
        except (KeyError, ValueError):
            return None
    known = [int(y) for y in balance.dropna(subset=["balance_pct_income"])["year"] if y < first]
    return max(known) + 1 if known else None


def plan_years(scenario, history: pd.DataFrame | None = None) -> list[int]:
    """The plan (forecast) years of ``scenario``, known before anything is forecast.

    The forecast starts the January after the history's last one (``history``: the scenario's
    own, else the embedded LA's) and runs ``forecast.horizon`` years; the place plan and the
    DSG projection cover the same years. Empty when the LA is not known.

    Examples
    --------
    >>> from sufficiency.scenario import load_scenario
    >>> years = plan_years(load_scenario("scenarios/example.yaml"))
    >>> years[0], len(years)
    (2026, 8)
    """
    horizon = scenario.get("forecast.horizon")
    if history is not None and len(history):
        last = int(history["year"].max())
    else:
        from . import data as sd

        la = scenario.get("data.la")
        if not la:
            return []
        try:
            last = int(sd.la_history(sd.resolve_la(la, sd.las()))["year"].max())
        except (KeyError, ValueError):
            return []
    return list(range(last + 1, last + 1 + int(horizon)))


def _history_fits_the_run(scenario, history: pd.DataFrame, source: str,
                          purpose: str = "run") -> list[str]:
    """What the forecast and the demand stage need of an own history, checked before the run:
    age bands and the LA's published figures (a run always turns the forecast into demand for
    places), every series up to the same year with 3 positive years at its end, and a last
    year that is the January of the LA's latest published placements (the base the demand is
    carried forward from). ``purpose="backtest"`` checks only what a backtest needs."""
    from .data.validate import own_history_by_age_band
    from .forecast.validate import MIN_OBS, check_history

    problems = []
    run = purpose == "run"
    by_band = scenario.get("forecast.by") == "age_band"
    has_bands = "age_band" in history and (history["age_band"] != "all").any() or \
        "age" in history
    if run and not (by_band and has_bands):
        problems.append(f"{source}: has no age_band column with age bands; expected under 5, "
                        "5-10, 11-15, 16-19, 20-25 rows per year and forecast.by: age_band "
                        "(demand for places needs a forecast by age band); a history "
                        "of totals can be backtested (sufficiency backtest)")
    years = sorted(int(y) for y in history["year"].unique())
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years)) if years else []
    if gaps:
        problems.append(f"{source}: has no rows for years {gaps}; expected one value a year "
                        f"from {years[0]} to {years[-1]} (the forecast needs a continuous "
                        "series: fill the gap or start after it)")
    if not run and years and years[-1] - years[0] < 5:
        problems.append(f"{source}: has {len(years)} year(s) ({years[0]}-{years[-1]}); a "
                        "backtest needs at least 6 (forecasts are made from the 5th year on, "
                        "each scored against a later year)")
    la = scenario.get("data.la")
    if run and not la:
        problems.append(f"{scenario.where('data')}: data.la is needed beside data.history: the "
                        "placement and need mix that turn the forecast into demand for places "
                        "come from the LA's published figures; expected e.g. data: {la: "
                        "Wiltshire, history: my-history.csv}")
    if problems:
        return problems
    frame = own_history_by_age_band(history)
    if by_band and (frame["age_band"] != "all").any():
        frame = frame[frame["age_band"] != "all"][["year", "age_band", "count"]]
    else:
        frame = frame[frame["age_band"] == "all"][["year", "count"]]
    try:
        check_history(frame, name=source, min_obs=MIN_OBS)
    except ValidationError as err:
        problems += [p if p.startswith(source) else f"{source}: {p}" for p in err.problems]
        problems = [p + " (after adding up the rows of each year and age band)"
                    if "series" in p else p for p in problems]
    if run and la and years:
        from . import data as sd

        try:
            base = int(sd.la_placements_by_age(sd.resolve_la(la, sd.las()))["year"].max())
        except (KeyError, ValueError):
            base = None
        if base is not None and years[-1] != base:
            problems.append(f"{source}: ends in {years[-1]}; expected it to end in {base}: the "
                            f"demand for places is carried forward from the LA's January "
                            f"{base} placements (DfE SEN2), so the forecast must start in "
                            f"{base + 1}" + (" (drop the later years)" if years[-1] > base
                                              else " (add the missing years)"))
    return problems


def _at(frame: pd.DataFrame, mask) -> str:
    rows = np.asarray(frame.attrs["rows"])[np.asarray(mask, dtype=bool)]
    shown = ", ".join(str(r) for r in rows[:8]) + (f" and {len(rows) - 8} more"
                                                  if len(rows) > 8 else "")
    unit = "row" if "[sheet" in frame.attrs["source"] else "line"
    return f"{frame.attrs['source']}, {unit}{'s' if len(rows) > 1 else ''} {shown}"


def _across(f: ScenarioFiles) -> list[str]:
    """References between tables and one row per key, with the user's row numbers."""
    problems = []

    def check(frame, mask, column, expected):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            values = [f"{v:g}" if isinstance(v, float) else str(v)
                      for v in frame.loc[mask, column].unique()[:3]] if column in frame else []
            problems.append(f"{_at(frame, mask)}, column {column!r}: {values}: expected "
                            f"{expected}")

    s = f.settings
    if s is None:
        return problems
    check(s, s.duplicated("setting", keep=False), "setting", "each setting named once")
    known = set(s["setting"])

    def unknown_settings(frame, after=""):
        for name in frame.loc[~frame["setting"].isin(known), "setting"].unique()[:10]:
            mask = frame["setting"] == name
            problems.append(f"{_at(frame, mask)}, column 'setting': {name!r} is not in the "
                            f"settings table ({s.attrs['source']})"
                            f"{suggest(name, sorted(known))}{after}")

    g = f.designation
    if g is not None:
        unknown_settings(g)
        check(g, g.duplicated(["setting", "need", "phase"], keep=False), "setting",
              "one row per setting, need and phase")
        undesignated = sorted(known - set(g["setting"]))
        if undesignated:
            mask = s["setting"].isin(undesignated)
            problems.append(f"{_at(s, mask)}, column 'setting': {undesignated[:5]} have no row "
                            f"in the designation table ({g.attrs['source']}); expected the needs "
                            "and phases each setting takes")
    j = f.projects
    if j is not None:
        unknown_settings(j, "; expected a setting there (a new school with capacity 0)")
        check(j, j.duplicated("project", keep=False), "project", "each project named once")
        check(j, j["places"] <= 0, "places", "a number of places above 0")
        check(j, j["min_size"].notna() & (j["min_size"] > j["places"]), "min_size",
              "no more than 'places'")
        unlimited = set(s.loc[~np.isfinite(s["capacity"]), "setting"])
        check(j, j["setting"].isin(unlimited), "setting",
              "a setting with limited capacity (this one is unlimited: places add nothing)")
        both = j["opening_year"].notna() & j["earliest_year"].notna()
        check(j, both & (j["opening_year"] < j["earliest_year"]), "opening_year",
              "a year no earlier than 'earliest_year'")
        if f.years:
            first, last = f.years[0], f.years[-1]
            check(j, j["opening_year"].notna() & (j["opening_year"] > last), "opening_year",
                  f"a year within the plan ({first}-{last})")
            check(j, j["opening_year"].notna() & (j["opening_year"] < first + j["lead_time"]),
                  "opening_year", f"a year no earlier than the first plan year ({first}) plus "
                  "'lead_time'")
            never = j["opening_year"].isna() & (
                np.maximum(first + j["lead_time"], j["earliest_year"].fillna(0)) > last)
            if never.any():
                f.notes.append(f"{_at(j, never)}: projects {j.loc[never, 'project'].tolist()[:5]}"
                               f" cannot open by {last} (the last plan year) after their "
                               "lead_time / earliest_year, so the plan never builds them")
    areas = sorted(set(s["area"].astype(str)) | {"all"})
    t = f.travel
    if t is not None:
        unknown_settings(t)
        problems += _areas(t, areas, s.attrs["source"], "travel from it")
        check(t, t.duplicated(["area", "setting"], keep=False), "setting",
              "one row per area and setting")
    e = f.existing
    if e is not None:
        unknown_settings(e)
        problems += _areas(e, areas, s.attrs["source"], "children placed from it")
        if g is not None:
            des = pd.MultiIndex.from_frame(g[["setting", "need", "phase"]])
            ok = pd.MultiIndex.from_frame(e[["setting", "need", "phase"]]).isin(des)
            bad = ~ok & e["setting"].isin(known)
            for (name, need, phase), part in e[bad].groupby(["setting", "need", "phase"],
                                                             sort=False):
                if len(problems) > 40:
                    break
                problems.append(f"{_at(e, e.index.isin(part.index))}: setting {name!r} is not "
                                f"designated for need {need!r}, phase {phase!r} in the "
                                f"designation table ({g.attrs['source']}); expected a need and "
                                "phase the setting takes (add a designation row)")
        placed = e[e["setting"].isin(known)].groupby("setting")["count"].sum()
        room = s.set_index("setting")["capacity"].astype(float)
        room = room[~room.index.duplicated()]
        over = placed[placed > room.reindex(placed.index) + 1e-9]
        for name, count in over.head(10).items():
            problems.append(f"{_at(e, e['setting'] == name)}, column 'count': {count:,.0f} "
                            f"children placed at {name!r}, more than its capacity "
                            f"({room[name]:,.0f} places in {s.attrs['source']}); expected the "
                            "children there now to fit its capacity (raise the capacity to "
                            "the places it really has)")
        if f.years and e["year"].notna().any():
            base = f.years[0] - 1
            check(e, e["year"].notna() & (e["year"] != base), "year",
                  f"{base}, the January before the plan ({f.years[0]}-{f.years[-1]}), or blank")
    return problems


def _areas(frame: pd.DataFrame, areas: list, settings_source: str, what: str) -> list[str]:
    """Areas must be the whole LA ('all'): the run's demand is not split by planning area."""
    problems = []
    for name in frame.loc[frame["area"] != "all", "area"].unique()[:10]:
        mask = frame["area"] == name
        known = name in areas
        problems.append(
            f"{_at(frame, mask)}, column 'area': {name!r}"
            + ("" if known else f" is not an area of the settings table ({settings_source})"
               f"{suggest(name, areas)}")
            + f"; expected 'all' (or blank): the run's demand is for the whole LA, not by "
            f"planning area, so {what} in area {name!r} would never be used")
    return problems


def _costs(f: ScenarioFiles) -> list[str]:
    c = f.costs
    if c is None:
        return []
    dup = c.duplicated(["provision", "phase"], keep=False)
    if not dup.any():
        return []
    return [f"{_at(c, dup)}, column 'provision': {sorted(set(c.loc[dup, 'provision']))[:3]}: "
            "expected one row per provision and phase (a blank phase is every phase)"]


def _areas_split(f: ScenarioFiles) -> list[str]:
    """The planning areas' shares add up to 1 (per phase: primary and secondary, the SCAP
    phases), one row per area (and phase)."""
    a = f.planning_areas
    if a is None:
        return []
    problems = []
    phased = a["phase"].notna().any()
    if phased and a["phase"].isna().any():
        problems.append(f"{_at(a, a['phase'].isna())}, column 'phase': blank; expected primary "
                        "or secondary on every row (or no phase column)")
        return problems
    keys = ["area", "phase"] if phased else ["area"]
    dup = a.duplicated(keys, keep=False)
    if dup.any():
        problems.append(f"{_at(a, dup)}, column 'area': {sorted(set(a.loc[dup, 'area']))[:3]}: "
                        f"expected one row per {' and '.join(keys)}")
    if phased:
        other = ~a["phase"].isin(["primary", "secondary"])
        if other.any():
            problems.append(f"{_at(a, other)}, column 'phase': "
                            f"{sorted(set(a.loc[other, 'phase']))}: expected primary or "
                            "secondary (the SCAP return's phases)")
            return problems
        for phase in sorted({"primary", "secondary"} - set(a["phase"])):
            problems.append(f"{a.attrs['source']}: no rows for phase {phase!r}; expected shares "
                            "for primary and for secondary (or no phase column): the SCAP "
                            f"table would have no {phase} demand")
    groups = a.groupby("phase") if phased else [("all", a)]
    for phase, part in groups:
        total = float(part["share"].sum())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            hint = " (percentages? give 0.25 for 25%)" if total > 1.5 else ""
            problems.append(f"{_at(a, a.index.isin(part.index))}, column 'share': "
                            + (f"phase {phase!r}: " if phased else "")
                            + f"the shares add up to {total:g}; expected 1{hint}")
    return problems


def _existing_by_group(e: pd.DataFrame, notes: list) -> pd.DataFrame:
    """Children placed, one row per setting, need group, phase and area (codes summed)."""
    keys = ["setting", "need", "phase", "area"]
    out = e.groupby(keys, as_index=False, sort=False)["count"].sum()
    if len(out) < len(e):
        notes.append(f"{e.attrs.get('source')}: rows for need codes in the same need group were "
                     "added together")
    out.attrs = {"rows": e.attrs.get("rows", [])[:len(out)], "source": e.attrs.get("source")}
    return out


def _merge_groups(g: pd.DataFrame, notes: list) -> pd.DataFrame:
    """Rows whose need codes mapped onto one need group become one row (caps added)."""
    keys = ["setting", "need", "phase"]
    if not g.duplicated(keys).any():
        return g
    rows = g.attrs.get("rows")
    agg = g.groupby(keys, as_index=False, sort=False).agg(
        cap=("cap", lambda c: np.inf if np.isinf(c).any() else c.sum()),
        cost_per_place=("cost_per_place", "max"))
    notes.append(f"{g.attrs.get('source')}: rows for need codes in the same need group were "
                 "combined (caps added, the dearest cost kept)")
    agg.attrs = {"rows": rows[:len(agg)] if rows else [], "source": g.attrs.get("source")}
    return agg
