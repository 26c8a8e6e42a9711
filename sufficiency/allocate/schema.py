"""Input tables of :mod:`sufficiency.allocate`, described as data.

Each schema is a :class:`pandas.DataFrame` with one row per column of the input table:
``column``, ``kind`` (``key``, ``int``, ``float``, ``str``), ``unit``, ``required``, ``default`` and
``description``. The same tables drive validation (:mod:`sufficiency.allocate.validate`) and the
documentation (``docs/allocate.md`` is written from them by :func:`schema_markdown`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DEMAND", "SETTINGS", "DESIGNATION", "PROJECTS", "PROJECT_PLACES", "TRAVEL",
           "EXISTING", "INITIAL", "CARRY", "SCHEMAS", "schema_markdown"]

_COLUMNS = ["column", "kind", "unit", "required", "default", "description"]


def _schema(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=_COLUMNS)


#: Demand to be placed: one row per year x need x phase (x area) (x path).
DEMAND = _schema([
    ("year", "int", "year", True, None, "January census year of the placement"),
    ("need", "str", "", True, None, "primary need code or the LA's own need group"),
    ("phase", "str", "", True, None, "age phase, e.g. primary"),
    ("area", "str", "", False, "all", "planning area the children live in"),
    ("demand", "float", "children", True, None,
     "children needing a specialist place (forecast mean, a quantile or one simulated path)"),
    ("path", "int", "", False, 0, "simulated demand path (robust mode only)"),
])

#: Settings (schools, units, providers) that can take children.
SETTINGS = _schema([
    ("setting", "str", "", True, None, "unique name of the setting"),
    ("provision", "str", "", True, None, "provision type code (sufficiency.data.PROVISIONS)"),
    ("area", "str", "", False, "all", "planning area the setting is in"),
    ("capacity", "float", "places", True, np.inf,
     "commissioned places shared by every need and phase it takes; blank or inf = unlimited "
     "(independent, out-of-area)"),
    ("cost_per_place", "float", "£ per place per year", True, None,
     "annual cost of one placement (place funding + top-up)"),
])

#: What each setting may take.
DESIGNATION = _schema([
    ("setting", "str", "", True, None, "a setting in the settings table"),
    ("need", "str", "", True, None, "a need the setting is designated for"),
    ("phase", "str", "", True, None, "a phase the setting is designated for"),
    ("cap", "float", "places", False, np.inf,
     "most places for this need and phase (blank = only the shared capacity limits it)"),
    ("cost_per_place", "float", "£ per place per year", False, np.nan,
     "cost of this need and phase at this setting if it differs from the setting's cost"),
])

#: Capital projects that add places to a setting (a new school is a setting with capacity 0).
PROJECTS = _schema([
    ("project", "str", "", True, None, "unique name of the project"),
    ("setting", "str", "", True, None,
     "the setting that gains the places (list a new school or base in settings with capacity 0)"),
    ("places", "float", "places", True, None, "places added (the largest size if min_size is set)"),
    ("capital_cost", "float", "£", True, None, "fixed capital cost of building the project"),
    ("capital_cost_per_place", "float", "£ per place", False, 0.0,
     "capital cost per place built, added to capital_cost"),
    ("earliest_year", "int", "year", False, None,
     "first year the places could be used (blank = first plan year + lead_time)"),
    ("lead_time", "int", "years", False, 0,
     "years from the decision (first plan year) to opening; capital is spent evenly over them"),
    ("opening_year", "int", "year", False, None,
     "committed projects: the year they open (the project is then not a choice)"),
    ("group", "str", "", False, None,
     "mutually exclusive group (alternative sites): at most one project per group is built"),
    ("min_size", "float", "places", False, None,
     "if set, the size is chosen between min_size and places"),
])

#: Places a project adds for a particular need and phase (e.g. a new resource base for autistic
#: primary pupils in a school that takes none today).
PROJECT_PLACES = _schema([
    ("project", "str", "", True, None, "a project in the projects table"),
    ("need", "str", "", True, None, "need the new places are designated for"),
    ("phase", "str", "", True, None, "phase the new places are designated for"),
    ("places", "float", "places", True, None,
     "places for this need and phase once the project opens (raises the designation cap)"),
])

#: Travel from the area a child lives in to a setting.
TRAVEL = _schema([
    ("area", "str", "", True, None, "planning area of the child"),
    ("setting", "str", "", True, None, "a setting"),
    ("cost", "float", "£ per child per year", False, 0.0, "home to school transport cost"),
    ("minutes", "float", "minutes", False, np.nan,
     "travel time, compared with Policy.max_travel_minutes"),
])

#: Children already placed who stay where they are (continuity).
EXISTING = _schema([
    ("year", "int", "year", False, None,
     "year of the placement (blank or absent: carried unchanged into every plan year)"),
    ("setting", "str", "", True, None, "setting the children attend"),
    ("need", "str", "", True, None, "need"),
    ("phase", "str", "", True, None, "phase"),
    ("area", "str", "", False, "all", "planning area the children live in"),
    ("count", "float", "children", True, None, "children placed who stay"),
])

#: Children placed in the January before the first plan year (e.g. the LA's latest published
#: placements): carried into the plan year by year with the ``carry`` rates.
INITIAL = _schema([
    ("setting", "str", "", True, None, "setting the children attend"),
    ("need", "str", "", True, None, "need"),
    ("phase", "str", "", True, None, "phase in the January before the first plan year"),
    ("area", "str", "", False, "all", "planning area the children live in"),
    ("count", "float", "children", True, None, "children placed"),
])

#: Who stays where they are from one January to the next (sufficiency.flows.Flows.carry).
CARRY = _schema([
    ("year", "int", "year", True, None, "plan year the children are counted in"),
    ("provision", "str", "", True, None, "provision type of the setting"),
    ("phase_from", "str", "", True, None, "phase a year earlier"),
    ("phase", "str", "", True, None, "phase this year"),
    ("rate", "float", "share", True, None,
     "share of the children placed in a setting of this provision in phase_from a year earlier "
     "who are still there, in phase, this year (another phase: moved up at a transition point; "
     "applied only to Policy.sticky_provisions)"),
])

SCHEMAS = {
    "demand": DEMAND,
    "settings": SETTINGS,
    "designation": DESIGNATION,
    "projects": PROJECTS,
    "project_places": PROJECT_PLACES,
    "travel": TRAVEL,
    "existing": EXISTING,
    "initial": INITIAL,
    "carry": CARRY,
}


def schema_markdown(name: str) -> str:
    """Return the schema of input table ``name`` as a Markdown table.

    Examples
    --------
    >>> print(schema_markdown("travel").splitlines()[0])
    | column | unit | required | default | description |
    """
    s = SCHEMAS[name]
    lines = ["| column | unit | required | default | description |", "|---|---|---|---|---|"]
    for r in s.itertuples(index=False):
        default = "" if r.default is None else str(r.default)
        lines.append(f"| `{r.column}` | {r.unit} | {'yes' if r.required else 'no'} | "
                     f"{default} | {r.description} |")
    return "\n".join(lines)
