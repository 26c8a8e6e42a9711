"""Checks on the inputs of :func:`sufficiency.allocate.optimise`.

Every problem found is collected and raised together as one
:class:`sufficiency.errors.ValidationError` naming the table, the rows (1-based, counting the
header as row 1, as in a spreadsheet), the column and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .policy import Policy
from .schema import SCHEMAS

__all__ = ["Inputs", "validate"]


def _rows(mask) -> str:
    idx = np.flatnonzero(np.asarray(mask)) + 2
    shown = ", ".join(str(i) for i in idx[:10])
    more = f" and {len(idx) - 10} more" if len(idx) > 10 else ""
    return ("row " if len(idx) == 1 else "rows ") + shown + more


class _Problems:
    def __init__(self):
        self.items: list[str] = []

    def add(self, msg: str):
        self.items.append(msg)

    def check(self, table: str, mask, column: str, expected: str):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.add(f"{table}: {_rows(mask)}, column '{column}': expected {expected}")

    def raise_if_any(self):
        if self.items:
            head = self.items[0] if len(self.items) == 1 else (
                f"{len(self.items)} problems in the allocation inputs:\n  - "
                + "\n  - ".join(self.items))
            raise ValidationError(head, self.items)


def _table(name: str, df, problems: _Problems) -> pd.DataFrame | None:
    """Check columns and types of one table against its schema; return a clean copy."""
    if df is None:
        return None
    if not isinstance(df, pd.DataFrame):
        problems.add(f"{name}: expected a pandas DataFrame, got {type(df).__name__}")
        return None
    schema = SCHEMAS[name]
    out = df.reset_index(drop=True).copy()
    missing = [c for c, req in zip(schema["column"], schema["required"]) if req and c not in out]
    if missing:
        problems.add(f"{name}: missing required column(s) {missing}; has {list(df.columns)}")
        return None
    for r in schema.itertuples(index=False):
        if r.column not in out:
            if r.default is not None or r.kind == "str":
                out[r.column] = r.default
            else:
                out[r.column] = np.nan
            continue
        col = out[r.column]
        if r.kind in ("int", "float"):
            num = pd.to_numeric(col, errors="coerce")
            bad = num.isna() & col.notna()
            problems.check(name, bad, r.column, f"a number ({r.unit})" if r.unit else "a number")
            if r.required and r.default is None:
                problems.check(name, col.isna(), r.column, "a value, found a blank")
            if r.kind == "int":
                nonint = num.notna() & (num != np.floor(num.fillna(0)))
                problems.check(name, nonint, r.column, "a whole number")
            if r.default is not None and not (isinstance(r.default, float) and np.isnan(r.default)):
                num = num.fillna(r.default)
            out[r.column] = num.astype(float)
        else:
            if r.required:
                problems.check(name, col.isna() | (col.astype(str).str.strip() == ""), r.column,
                               "a value, found a blank")
            out[r.column] = col.where(col.isna(), col.astype(str))
            if r.default is not None:
                out[r.column] = out[r.column].fillna(r.default)
    return out


@dataclass
class Inputs:
    """Validated, normalised inputs (copies; the caller's tables are never changed)."""

    demand: pd.DataFrame
    settings: pd.DataFrame
    designation: pd.DataFrame
    projects: pd.DataFrame
    travel: pd.DataFrame
    existing: pd.DataFrame
    project_places: pd.DataFrame
    policy: Policy
    years: list[int]
    paths: list[int]
    initial: pd.DataFrame = None
    carry: pd.DataFrame = None


def validate(demand, settings, designation, projects=None, travel=None, existing=None,
             policy: Policy | None = None, *, allow_paths: bool = False,
             project_places=None, initial=None, carry=None) -> Inputs:
    """Validate and normalise the allocation inputs; raise ``ValidationError`` listing problems.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"year": [2026], "need": ["ASD"], "phase": ["primary"], "demand": [3]})
    >>> s = pd.DataFrame({"setting": ["A"], "provision": ["special_maintained"],
    ...                   "capacity": [-1], "cost_per_place": [25000]})
    >>> g = pd.DataFrame({"setting": ["A"], "need": ["ASD"], "phase": ["primary"]})
    >>> validate(d, s, g)
    Traceback (most recent call last):
    ...
    sufficiency.errors.ValidationError: settings: row 2, column 'capacity': expected a number of places >= 0 (blank or inf for unlimited)
    """
    policy = policy or Policy()
    p = _Problems()
    d = _table("demand", demand, p)
    s = _table("settings", settings, p)
    g = _table("designation", designation, p)
    j = _table("projects", projects if projects is not None else
               pd.DataFrame(columns=["project", "setting", "places", "capital_cost"]), p)
    t = _table("travel", travel if travel is not None else
               pd.DataFrame(columns=["area", "setting"]), p)
    e = _table("existing", existing if existing is not None else
               pd.DataFrame(columns=["setting", "need", "phase", "count"]), p)
    pp = _table("project_places", project_places if project_places is not None else
                pd.DataFrame(columns=["project", "need", "phase", "places"]), p)
    ini = _table("initial", initial if initial is not None else
                 pd.DataFrame(columns=["setting", "need", "phase", "count"]), p)
    car = _table("carry", carry if carry is not None else
                 pd.DataFrame(columns=["year", "provision", "phase_from", "phase", "rate"]), p)
    p.raise_if_any()

    # --- demand
    p.check("demand", d["demand"] < 0, "demand", "a number of children >= 0")
    keys = ["path", "year", "need", "phase", "area"]
    p.check("demand", d.duplicated(keys, keep=False), "year/need/phase/area",
            "one row per year, need, phase and area" + (" and path" if allow_paths else ""))
    if not allow_paths and d["path"].nunique() > 1:
        p.add("demand: column 'path': several simulated paths given; use optimise_robust for "
              "paths or pass one path (e.g. the mean)")
    years = sorted(int(y) for y in d["year"].dropna().unique())
    if years and years != list(range(years[0], years[-1] + 1)):
        p.add(f"demand: column 'year': expected consecutive years, found {years}")

    # --- settings
    s["capacity"] = s["capacity"].fillna(np.inf)
    p.check("settings", s["capacity"] < 0, "capacity",
            "a number of places >= 0 (blank or inf for unlimited)")
    p.check("settings", s["cost_per_place"] < 0, "cost_per_place", "a cost in £ >= 0")
    p.check("settings", ~np.isfinite(s["cost_per_place"]) & s["cost_per_place"].notna(),
            "cost_per_place", "a finite cost in £")
    p.check("settings", s.duplicated("setting", keep=False), "setting", "unique setting names")
    known = set(s["setting"])

    # --- designation
    p.check("designation", ~g["setting"].isin(known), "setting",
            "a setting named in the settings table")
    p.check("designation", g["cap"] < 0, "cap", "a number of places >= 0")
    p.check("designation", g["cost_per_place"] < 0, "cost_per_place", "a cost in £ >= 0")
    p.check("designation", g.duplicated(["setting", "need", "phase"], keep=False),
            "setting/need/phase", "one row per setting, need and phase")
    g["cap"] = g["cap"].fillna(np.inf)

    # --- projects
    first = years[0] if years else 0
    last = years[-1] if years else 0
    p.check("projects", ~j["setting"].isin(known), "setting",
            "a setting named in the settings table (list a new school there with capacity 0)")
    p.check("projects", j.duplicated("project", keep=False), "project", "unique project names")
    p.check("projects", j["places"] <= 0, "places", "a number of places > 0")
    p.check("projects", j["capital_cost"] < 0, "capital_cost", "a cost in £ >= 0")
    p.check("projects", j["capital_cost_per_place"] < 0, "capital_cost_per_place",
            "a cost in £ >= 0")
    p.check("projects", j["lead_time"] < 0, "lead_time", "a number of years >= 0")
    p.check("projects", j["min_size"].notna() & ((j["min_size"] < 0) | (j["min_size"] > j["places"])),
            "min_size", "a number of places between 0 and 'places'")
    # a project that is not committed is decided in the first plan year and opens after its
    # lead time, and (by default) spends nothing in the financial year already under way
    soonest = first + j["lead_time"].to_numpy(float)
    if not policy.in_year_capital:
        soonest = np.maximum(soonest, first + 1)
    possible = np.maximum(soonest, j["earliest_year"].fillna(-np.inf).to_numpy(float))
    committed = j["opening_year"].notna()
    p.check("projects", committed & (j["opening_year"] < first + j["lead_time"]), "opening_year",
            f"a year no earlier than the first plan year ({first}) plus 'lead_time'")
    p.check("projects", committed & (j["opening_year"] < j["earliest_year"].fillna(-np.inf)),
            "opening_year", "a year no earlier than 'earliest_year'")
    p.check("projects", committed & (j["opening_year"] > last), "opening_year",
            f"a year within the plan ({first}-{last})")
    j["possible_from"] = possible
    unlimited = set(s.loc[~np.isfinite(s["capacity"]), "setting"])
    p.check("projects", j["setting"].isin(unlimited), "setting",
            "a setting with limited capacity (this one is unlimited, so places add nothing)")

    # --- places by need and phase added by projects
    p.check("project_places", ~pp["project"].isin(set(j["project"])), "project",
            "a project named in the projects table")
    p.check("project_places", pp["places"] <= 0, "places", "a number of places > 0")
    p.check("project_places", pp.duplicated(["project", "need", "phase"], keep=False),
            "project/need/phase", "one row per project, need and phase")
    if len(pp):
        tot = pp.groupby("project")["places"].sum()
        over = pp["project"].map(tot) > pp["project"].map(j.set_index("project")["places"]) + 1e-9
        p.check("project_places", over & pp["project"].isin(set(j["project"])), "places",
                "places for a project adding up to no more than its 'places' in projects")

    # --- travel
    p.check("travel", ~t["setting"].isin(known), "setting", "a setting named in the settings table")
    p.check("travel", t["cost"] < 0, "cost", "a cost in £ >= 0")
    p.check("travel", t["minutes"] < 0, "minutes", "a travel time >= 0")
    p.check("travel", t.duplicated(["area", "setting"], keep=False), "area/setting",
            "one row per area and setting")

    # --- existing placements
    p.check("existing", ~e["setting"].isin(known), "setting", "a setting named in the settings table")
    p.check("existing", e["count"] < 0, "count", "a number of children >= 0")
    if len(e):
        des = g.set_index(["setting", "need", "phase"]).index
        ok = pd.MultiIndex.from_frame(e[["setting", "need", "phase"]]).isin(des)
        p.check("existing", ~ok & e["setting"].isin(known), "setting/need/phase",
                "a need and phase the setting is designated for (designation table)")
        yrs = e["year"]
        p.check("existing", yrs.notna() & ~yrs.isin(years), "year",
                f"a plan year ({first}-{last}) or blank")

    # --- children placed before the plan, and who stays where they are
    p.check("initial", ~ini["setting"].isin(known), "setting",
            "a setting named in the settings table")
    p.check("initial", ini["count"] < 0, "count", "a number of children >= 0")
    p.check("carry", (car["rate"] < 0) | (car["rate"] > 1), "rate", "a share between 0 and 1")
    p.check("carry", car.duplicated(["year", "provision", "phase_from", "phase"], keep=False),
            "year/provision/phase_from/phase", "one row per year, provision and phases")
    if len(car):
        tot = car.groupby(["year", "provision", "phase_from"])["rate"].transform("sum")
        p.check("carry", tot > 1 + 1e-9, "rate",
                "rates from one year, provision and phase adding up to at most 1")
    if len(ini) and not len(car):
        p.add("initial: children placed before the plan need 'carry' rates (who stays where "
              "they are), e.g. sufficiency.flows.Flows.carry")
    p.raise_if_any()

    # --- cross-table: existing children cannot exceed the demand of their cell
    if len(e):
        if e["year"].isna().any():
            fixed = e[e["year"].notna()]
            spread = e[e["year"].isna()].drop(columns="year")
            spread = spread.merge(pd.DataFrame({"year": [float(y) for y in years]}), how="cross")
            e = pd.concat([fixed, spread], ignore_index=True)
        e = e.groupby(["year", "setting", "need", "phase", "area"], as_index=False)["count"].sum()
        cell = e.groupby(["year", "need", "phase", "area"], as_index=False)["count"].sum()
        paths = sorted(d["path"].unique())
        dm = d.groupby(["year", "need", "phase", "area"])["demand"].min()
        cell["demand"] = cell.set_index(["year", "need", "phase", "area"]).index.map(dm)
        bad = cell["demand"].isna() | (cell["count"] > cell["demand"] + 1e-9)
        for r in cell[bad].itertuples(index=False):
            p.add(f"existing: {r.count:g} children already placed in year {int(r.year)}, need "
                  f"{r.need}, phase {r.phase}, area {r.area} exceed the demand "
                  f"({0 if pd.isna(r.demand) else r.demand:g}"
                  f"{' in some path' if len(paths) > 1 else ''}) for that cell; "
                  "expected existing placements to be part of demand")
    p.raise_if_any()

    if len(pp):
        # a need or phase a setting takes only once a project opens: designated with cap 0
        pp = pp.merge(j[["project", "setting"]], on="project")
        new = pp[["setting", "need", "phase"]].drop_duplicates()
        have = pd.MultiIndex.from_frame(g[["setting", "need", "phase"]])
        new = new[~pd.MultiIndex.from_frame(new).isin(have)]
        if len(new):
            g = pd.concat([g, new.assign(cap=0.0, cost_per_place=np.nan)], ignore_index=True)
    else:
        pp = pp.assign(setting=pd.Series([], dtype=object))
    if len(ini):
        ini = ini.groupby(["setting", "need", "phase", "area"], as_index=False)["count"].sum()
    return Inputs(demand=d, settings=s, designation=g, projects=j, travel=t, existing=e,
                  project_places=pp, policy=policy, years=years,
                  paths=sorted(int(x) for x in d["path"].unique()), initial=ini,
                  carry=car.astype({"year": int}) if len(car) else car)
