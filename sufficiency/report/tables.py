"""The run's tables as the workbook and ``tables/*.csv`` hold them, one sheet per table.

:func:`output_tables` names every sheet; :func:`assumptions` gathers every parameter the run
used, stage by stage, with its value, unit and source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import re

from .. import demand as dm
from ..data.labels import label, words
from ..data.vocabulary import AGE_BAND_ORDER
from ..workflow import ScenarioRun
from .dfe import deficit_sheets, scap_nc_sheets
from .formats import share_text, value_text
from .labels import codes_as_words, lever_words

__all__ = ["assumptions", "assumptions_used", "output_tables", "comparison_tables"]

#: The allocation plan's tables, in sheet order (:class:`sufficiency.allocate.Plan`).
ALLOCATION_SHEETS = ("placements", "capital_programme", "cost_by_year", "unplaced",
                     "step_downs", "utilisation", "marginal_place_value", "objective")


def assumptions(run: ScenarioRun) -> pd.DataFrame:
    """``parameter, value, unit, source``: the scenario's keys, then each stage's assumptions
    (prefixed ``demand:``, ``forecast:``, ``allocate:``, ``finance:``)."""
    parts = [run.scenario.assumptions()[["parameter", "value", "unit", "source"]]]
    demand = dm.assumptions()
    if run.flows is not None:  # the placement mix comes from the flow account
        demand = demand[demand["name"] != "provision_mix"]
    stages = (("demand", demand),
              ("flows", run.flows.assumptions if run.flows is not None else None),
              ("forecast", run.forecast.assumptions),
              ("allocate", run.allocation.assumptions if run.allocation is not None else None),
              ("finance", run.deficit.assumptions if run.deficit is not None else None))
    for stage, frame in stages:
        if frame is not None and len(frame):
            f = frame.rename(columns={"name": "parameter"}).copy()
            f["parameter"] = stage + ": " + f["parameter"].astype(str)
            for c in ("value", "unit", "source"):
                if c not in f:
                    f[c] = ""
            parts.append(f[["parameter", "value", "unit", "source"]])
    out = pd.concat(parts, ignore_index=True)
    out["value"] = out["value"].map(lambda v: v if isinstance(v, (int, float, str)) else
                                    str(v))
    return out


def output_tables(run: ScenarioRun) -> dict[str, pd.DataFrame]:
    """Every output table by sheet name (the workbook and ``tables/*.csv``), in sheet order."""
    out = {"assumptions": assumptions(run), "history": run.history,
           "forecast": _youngest_first(run.forecast.table.copy()), "demand": run.demand,
           "measures": run.measures}
    if run.forecast.components is not None:
        out["growth_split"] = _youngest_first(run.forecast.components)
    per_1000 = plans_per_1000_table(run)
    if per_1000 is not None:
        out["plans_per_1000"] = per_1000
    if run.flows is not None:
        out["flows"] = run.flows.summary(by=("year", "provision"))
        out["new_placement_mix"] = run.flows.mix
        out["leaver_rates"] = run.flows.leaver_rates
    if run.allocation is not None:
        for name in ALLOCATION_SHEETS:
            out[name] = getattr(run.allocation, name)
    if run.deficit is not None:
        plan = run.deficit
        # every money figure says what it is: the mean of the paths or one run
        trajectory = plan.trajectory.assign(
            statistic=plan.trajectory["scenario"].map(plan.statistic))
        out.update({"dsg_trajectory": trajectory, "hnb_income": plan.income,
                    "lever_savings": plan.attribution, "needs_vs_finance_led": plan.comparison})
        out.update(deficit_sheets(plan))
        goal = plan.goal_seek_table()
        if len(goal):
            out["goal_seek"] = goal
        if len(plan.like_for_like):
            out["scenarios_like_for_like"] = plan.like_for_like
        if plan.opening is not None:
            out["opening_balance"] = plan.opening.derivation
        if len(plan.backcast):
            out["backcast_vs_outturn"] = plan.backcast
    if len(run.scap):
        for name, frame in scap_nc_sheets(run.scap).items():
            out[f"dfe_{name}"] = frame
    return out


def plans_per_1000_table(run: ScenarioRun) -> pd.DataFrame | None:
    """EHC plans per 1,000 children and young people by age band: history (January 2019 on,
    the ONS mid-2023 population reverse-aged) and forecast (the mean over the population aged
    forward): ``year, age_band, basis, count, population, per_1000``. None without a
    population (an own history)."""
    from ..forecast.demography import plans_per_1000

    if run.population is None:
        return None
    hist = plans_per_1000(run.history.dropna(subset=["count"]), run.population)
    hist.insert(2, "basis", "history (DfE SEN2)")
    table = run.forecast.table
    fc = table.rename(columns={"mean": "count"})
    if "age_band" not in fc:
        fc = fc.assign(age_band="all")
    fc = plans_per_1000(fc, run.population)
    fc.insert(2, "basis", "forecast (mean)")
    return _youngest_first(pd.concat([hist, fc], ignore_index=True))


def _youngest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by age band youngest first and the LA total last, not alphabetically ("11-15"
    before "5-10"); within a band, the order as it was (years ascending)."""
    if "age_band" not in frame:
        return frame
    rank = {b: i for i, b in enumerate(AGE_BAND_ORDER)}
    key = frame["age_band"].map(lambda b: rank.get(b, len(rank))).to_numpy()
    return frame.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def comparison_tables(run: ScenarioRun) -> dict[str, pd.DataFrame]:
    """The tables a scenario comparison puts side by side: board measures and total demand."""
    return {"measures": run.measures,
            "demand": run.demand.groupby("year", as_index=False)["demand"].sum()}


#: Scenario keys a stage reports again under its own name (the stage's row, with the value
#: it used, is kept).
_SAME_AS = {"allocate.discount_rate": "allocate: discount_rate",
            "allocate.penalty_unplaced": "allocate: unplaced_penalty",
            "allocate.capital_budget_total": "allocate: capital_budget_total",
            "allocate.capital_budget_per_year": "allocate: capital_budget",
            "finance.income_growth": "finance: income_growth",
            "finance.inflation": "finance: inflation",
            "finance.opening_balance_gbp": "finance: opening_balance_gbp",
            "finance.target_year": "finance: target_year",
            # the forecast reports what it used, in its own words
            "seed": "forecast: seed", "forecast.n_paths": "forecast: simulated paths",
            "forecast.prevalence_convergence": "forecast: prevalence convergence",
            "forecast.growth_shock_sd": "forecast: national growth-rate random walk (band width)",
            "forecast.long_run": "forecast: long-run growth",
            "forecast.long_run_rate": "forecast: long-run growth",
            "forecast.long_run_half_life": "forecast: long-run growth"}
_NOT_ASSUMPTIONS = {"name", "description", "extends", "levers", "report.charts", "report.html",
                    "report.workbook", "allocate.enabled", "finance.enabled"}
_STAGES = {"demand": "Demand", "forecast": "Forecast", "allocate": "Place plan",
           "finance": "Finance", "data": "Data", "report": "Report", "flows": "Placement flows"}
#: Words for a scenario key's last part that the label table does not name.
_KEY_WORDS = {"la": "Local authority", "n_paths": "Simulated paths", "by": "By",
              "growth_shock_sd": "Growth shock (standard deviation)", "mip_gap": "MIP gap",
              "place_funding": "place funding", "top_up": "top-ups",
              "independent_fee": "independent fees", "central": "central spend",
              "transport": "transport"}
_UNITS = {"per year": "a year", "per_year": "a year", "fraction": "", "share": "",
          "gbp": "£", "£": "£", "census year": "", "year": "", "years": "years",
          "seconds": "seconds", "paths": "paths", "places": "places", "minutes": "minutes"}


def assumptions_used(run: ScenarioRun) -> pd.DataFrame:
    """The assumptions as a person reads them: only what the run used, values as given.

    ``Assumption, Value, Unit, Source``: values as a person writes them (3.5%, 0.5%, 2030,
    yes/no, £19,481); a scenario key left empty (not used) is left out, and one a stage
    reports with the value it used is shown once, with that value; the place plan's cost per
    place is the one it priced with (the LA's calibrated cost when the illustrative settings
    were calibrated), not the example's default. Parameter names and units are in words.
    """
    raw = _price_paths_in_one_row(assumptions(run))
    stage_rows = set(raw["parameter"])
    used = _costs_used(run)
    model = run.scenario.get("forecast.model")
    rows = []
    for r in raw.itertuples(index=False):
        parameter, value, unit, source = r.parameter, r.value, str(r.unit or ""), r.source
        if parameter in _NOT_ASSUMPTIONS or _SAME_AS.get(parameter) in stage_rows:
            continue
        if parameter == "forecast.growth_rate" and model != "constant_growth":
            continue
        if "." in parameter and ":" not in parameter and _empty(value):
            continue
        m = re.fullmatch(r"allocate: cost_per_place: (\w+)", parameter)
        if m and m.group(1) in used:
            value, source = used[m.group(1)], ("the LA's calibrated high needs cost per "
                                               "placement, as priced by the place plan")
        if parameter == "finance: note" or parameter.endswith(": note"):
            continue
        text = codes_as_words(value_text(_plain(value), unit))
        if isinstance(value, str) and value.lstrip().startswith("{"):   # a year-by-year table
            text, unit = "year by year: tables/assumptions.csv", ""
        rows.append((_parameter_words(parameter), text, _unit_words(unit),
                     _source_words(str(source or ""), run)))
    out = pd.DataFrame(rows, columns=["Assumption", "Value", "Unit", "Source"])
    return out.drop_duplicates(["Assumption", "Value"]).reset_index(drop=True)


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or \
        (isinstance(value, str) and value.strip().lower() in ("", "none", "[]"))


def _plain(value):
    if isinstance(value, str):
        try:
            return float(value) if re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", value.strip()) \
                else value
        except ValueError:
            return value
    return value


def _costs_used(run: ScenarioRun) -> dict:
    """Cost per place the place plan priced with, by provision (first plan year, £ a year)."""
    plan = run.allocation
    if plan is None or not len(plan.placements) or "cost_per_place" not in plan.placements:
        return {}
    p = plan.placements
    first = p[p["year"] == p["year"].min()]
    return first.groupby("provision")["cost_per_place"].mean().round(0).to_dict()


def _price_paths_in_one_row(raw: pd.DataFrame) -> pd.DataFrame:
    """The finance stage's price growth, one row a year per cost component, as one row per
    component: "4.6% (2025-26), then 3% a year (2026-27 to 2032-33)", its sources by years."""
    pattern = r"(\w+): price_growth_(\w+?)_(\d{4}-\d{2})"
    hits = raw["parameter"].astype(str).str.fullmatch(pattern)
    if not hits.any():
        return raw
    rows, done = [], set()
    for i, r in enumerate(raw.itertuples(index=False)):
        m = re.fullmatch(pattern, str(r.parameter))
        if not m:
            rows.append(tuple(r))
            continue
        key = (m.group(1), m.group(2))
        if key in done:
            continue
        done.add(key)
        part = [(re.fullmatch(pattern, str(q.parameter)).group(3), q.value, q.source)
                for q in raw[hits].itertuples(index=False)
                if re.fullmatch(pattern, str(q.parameter)).group(1, 2) == key]
        runs = []      # (first year, last year, value, source) of equal values
        for year, value, source in part:
            if runs and runs[-1][2] == value and runs[-1][3] == source:
                runs[-1][1] = year
            else:
                runs.append([year, year, value, source])
        span = lambda a, b: a if a == b else f"{a} to {b}"   # noqa: E731
        value = ", then ".join(f"{share_text(float(v))} ({span(a, b)})" for a, b, v, _ in runs)
        source = "; ".join(f"{span(a, b)}: {src}" for a, b, _, src in runs) \
            if len({src for *_, src in runs}) > 1 else runs[0][3]
        rows.append((f"{key[0]}: price growth: {key[1]}", value, "a year", source))
    return pd.DataFrame(rows, columns=raw.columns)


def _key_words(part: str) -> str:
    if part in _KEY_WORDS:
        return _KEY_WORDS[part]
    text = label(part)
    return words(part) if text == part and "_" in part or text in ("la",) else text


def _parameter_words(parameter: str) -> str:
    lever = re.fullmatch(r"(\w+): lever:\s*(.+)", parameter)        # finance: lever:<its name>
    if lever:
        return f"{_STAGES.get(lever.group(1), lever.group(1))}: lever: " \
            f"{lever_words(lever.group(2))}"
    lever = re.fullmatch(r"(\w+): lever ([a-z0-9_]+): ([a-z0-9_]+)", parameter)
    if lever:
        stage, name, key = lever.groups()
        return f"{_STAGES.get(stage, stage)}: lever: {words(name)}: {words(key).lower()}"
    whole = re.fullmatch(r"(\w+): cost_([a-z0-9_]+)", parameter)
    m = re.fullmatch(r"(\w+): cost_([a-z0-9_]+?)(?:_(primary|secondary|post16|early_years))?",
                     parameter)
    if whole and label(whole.group(2), "provision") != whole.group(2):
        m = re.fullmatch(r"(\w+): cost_([a-z0-9_]+)()", parameter)
    if m and label(m.group(2), "provision") != m.group(2):
        phase = f" ({label(m.group(3), 'phase')})" if m.group(3) else ""
        return (f"{_STAGES.get(m.group(1), m.group(1))}: cost per placement: "
                f"{label(m.group(2), 'provision')}{phase}")
    parts = [p.strip() for p in re.split(r"[:.]", parameter) if p.strip()]
    head = _STAGES.get(parts[0], label(parts[0])) if len(parts) > 1 else None
    parts = [re.sub(r"\b[a-z]+(?:_[a-z0-9]+)+\b", lambda m: words(m.group(0)).lower(), p)
             if " " in p else p for p in parts]
    rest = [_key_words(p) if re.fullmatch(r"[a-z0-9_]+", p) else p for p in parts[1:]] \
        if head else [_key_words(parts[0]) if re.fullmatch(r"[a-z0-9_]+", parts[0])
                      else parts[0]]
    text = ": ".join(([head] if head else []) + [r[0].upper() + r[1:] if r else r for r in rest])
    return text


def _unit_words(unit: str) -> str:
    u = unit.strip()
    if u.lower() in _UNITS:
        return _UNITS[u.lower()]
    m = re.fullmatch(r"gbp_per_year_(\d{4})_(\d{2})_prices", u.lower())
    if m:
        return f"£ a year ({m.group(1)}-{m.group(2)} prices)"
    m = re.fullmatch(r"gbp_per_(\w+?)_(\d{4})_(\d{2})_prices", u.lower())
    if m:
        return f"£ per {m.group(1)} a year ({m.group(2)}-{m.group(3)} prices)"
    u = re.sub(r"\bGBP\b|\bgbp\b", "£", u)
    return u.replace("_", " ")


def _source_words(source: str, run: ScenarioRun) -> str:
    if run.la_code:
        source = re.sub(rf"\b{re.escape(str(run.la_code))}\b", run.la_name, source)
    source = source.replace("as DEFAULTS", "as the library's default costs")  # a constant's name
    return codes_as_words(source)
