"""What ``report.html`` says: the title, headline figures, tables with captions, chart choices.

Every function takes a :class:`~sufficiency.workflow.ScenarioRun` and returns text or frames;
:func:`sufficiency.report.write_outputs` lays them out. Labels come from the one label map
(:mod:`sufficiency.report.labels`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import __version__
from ..data.vocabulary import INDEPENDENT
from ..workflow import ScenarioRun
from . import charts as ch
from .labels import gbp_m, label, legend

__all__ = ["title", "subtitle", "headline_values", "headlines", "page_tables", "chart_specs",
           "deficit_chart_data", "summary"]


def title(run: ScenarioRun) -> str:
    """The page and workbook title: LA and scenario."""
    return f"{run.la_name}: SEND place sufficiency - {run.name}"


def subtitle(run: ScenarioRun) -> str:
    """The years covered, the library version and the seed."""
    first = int(run.demand["year"].min()) if len(run.demand) else "-"
    last = int(run.demand["year"].max()) if len(run.demand) else "-"
    return (f"EHC plan history {int(run.history['year'].min())}-"
            f"{int(run.history['year'].max())}, plan {first}-{last}. "
            f"sufficiency {__version__}, seed {run.scenario.get('seed')}.")


def headline_values(run: ScenarioRun) -> dict:
    """The headline figures as numbers, keyed as :data:`~sufficiency.report.labels.LABELS`."""
    demand, history = run.demand, run.history
    last = int(demand["year"].max())
    first = int(demand["year"].min())
    table = run.forecast.table
    values = {
        "ehcp_latest": float(history.query("age_band == 'all'")
                             .sort_values("year")["count"].iloc[-1]),
        "ehcp_forecast_last": float(table.query("age_band == 'all'")
                                    .query("year == @last")["mean"].sum())
        if "age_band" in table else np.nan,
        "specialist_first": float(demand.query("year == @first")["demand"].sum()),
        "specialist_last": float(demand.query("year == @last")["demand"].sum()),
        "first_year": first, "last_year": last,
    }
    plan = run.allocation
    if plan is not None:
        programme = plan.capital_programme
        values["projects"] = int(len(programme))
        values["places_added"] = float(programme["places"].sum()) if len(programme) else 0.0
        values["capital_gbp"] = float(programme["capital_cost"].sum()) if len(programme) \
            else 0.0
        values["unplaced_last"] = float(plan.unplaced.query("year == @last")["unplaced"].sum()) \
            if len(plan.unplaced) else 0.0
        values["status"] = plan.outcome.describe()
    if run.deficit is not None:
        for scenario, value in run.deficit.final_deficit().items():
            values[f"deficit_last_{scenario}_gbp"] = value
        scenario, value = run.deficit.answer()
        values["answer_scenario"] = label(scenario, "deficit_scenario")
        values["answer_deficit_gbp"] = value
        if run.deficit.opening is not None:
            values["opening_balance_gbp"] = float(run.deficit.opening.balance_gbp)
    return values


def headlines(run: ScenarioRun) -> list[tuple[str, str]]:
    """``(label, value text)`` for the cards at the top of the page."""
    v = headline_values(run)
    out = [(f"EHC plans, January {int(run.history['year'].max())}", f"{v['ehcp_latest']:,.0f}"),
           (f"Specialist places needed {v['first_year']} -> {v['last_year']}",
            f"{v['specialist_first']:,.0f} -> {v['specialist_last']:,.0f}")]
    plan = run.allocation
    if plan is not None and not plan.outcome.has_solution:
        out.append(("Placement plan", f"none: {plan.outcome.describe()}"))
    elif "projects" in v:
        out.append(("Capital projects chosen", f"{v['projects']} (+{v['places_added']:,.0f} "
                                               f"places, {gbp_m(v['capital_gbp'])})"))
        out.append((f"Children without a suitable place, {v['last_year']}",
                    f"{v['unplaced_last']:,.0f}"))
    deficit = run.deficit
    if deficit is not None:
        answer, _ = deficit.answer()
        fy = f"{v['last_year'] - 1}-{v['last_year'] % 100:02d}"
        for scenario in [answer] + [s for s in deficit.scenarios if s != answer]:
            lead = "The answer: cumulative" if scenario == answer else "Cumulative"
            out.append((f"{lead} DSG deficit at the end of {fy}, "
                        f"{label(scenario, 'deficit_scenario')} ({deficit.statistic(scenario)})",
                        gbp_m(v[f"deficit_last_{scenario}_gbp"])))
        if deficit.opening is not None:
            o = deficit.opening
            word = "deficit" if o.balance_gbp < 0 else "surplus"
            out.append((f"Opening DSG {word} brought into {o.first_year - 1}-"
                        f"{o.first_year % 100:02d} ({o.status})", gbp_m(abs(o.balance_gbp))))
    return out


def page_tables(run: ScenarioRun) -> list[tuple[str, pd.DataFrame, str]]:
    """The tables shown in ``report.html``: ``(heading, frame, caption)``."""
    out = [("Measures reported to the board", _measures_wide(run.measures),
            "Per year, history (DfE SEN2) and plan alike.")]
    need = run.demand.pivot_table(index="year", columns="phase", values="demand",
                                  aggfunc="sum").round(0).reset_index()
    out.append(("Specialist places needed by phase", need,
                "Children needing a specialist place (planning figure: "
                f"{run.scenario.get('forecast.planning_quantile')}); all need groups."))
    split = growth_split_text(run)
    if split:
        last = run.forecast.components["year"].max()
        comp = run.forecast.components.query("year == @last")
        cols = [c for c in ("age_band", "plans_origin", "plans_mean", "growth",
                            "demographic_effect", "prevalence_effect", "per_1000_origin",
                            "per_1000_mean") if c in comp]
        out.append((f"Growth to {last}: population and prevalence", comp[cols].round(1),
                    split + " " + _long_run_text(run) + "."))
    plan = run.allocation
    if plan is not None:
        out.append(("Capital programme", plan.capital_programme,
                    "Projects chosen, opening year (September), places and capital cost."))
        if len(plan.unplaced):
            un = plan.unplaced.groupby(["year"], as_index=False)["unplaced"].sum()
            out.append(("Children without a suitable place", un,
                        "Demand the plan cannot place locally or independently within "
                        "the constraints."))
    deficit = run.deficit
    if deficit is not None:
        t = deficit.trajectory
        cols = [c for c in ("scenario", "year", "financial_year", "income_gbp", "spend_gbp",
                            "in_year_balance_gbp", "cumulative_deficit_gbp",
                            "cumulative_deficit_p10", "cumulative_deficit_p90") if c in t]
        stats = "; ".join(f"{label(s, 'deficit_scenario')}: {deficit.statistic(s)}"
                          for s in deficit.scenarios)
        out.append(("DSG position by year", t[cols],
                    "High Needs Block income and spend, in-year balance and cumulative deficit "
                    "(£; positive = deficit). Every figure is the mean of the simulated paths "
                    "(p10 / p90: the 80% band) where a scenario has paths; the place plan is "
                    f"one deterministic run, with no band. {stats}."))
        like = deficit.like_for_like
        if len(like):
            out.append(("The scenarios on the same footing", _like_for_like_table(like),
                        _like_for_like_caption(like)))
        if deficit.opening is not None:
            o = deficit.opening
            out.append((f"Opening DSG balance ({o.status})", o.derivation,
                        o.summary() + ". Published balance, then each year's modelled "
                        "high-needs gap (£; negative = deficit); the reconciliation line "
                        "compares the model with the published movement and is not carried "
                        "forward."))
        if len(deficit.backcast):
            b = deficit.backcast
            cols = [c for c in ("financial_year", "ehcp", "top_up_gbp", "fee_gbp",
                                "central_gbp", "spend_gbp", "outturn_gbp", "difference_pct")
                    if c in b]
            out.append(("The cost model against what the LA spent", b[cols],
                        "Net high-needs spend on the s251 definition (lines 1.2.x: top-ups, "
                        "independent fees, services; not place funding), modelled from the "
                        "LA's January placements and its 2021-22 costs on the price paths, "
                        "beside its published outturn. 2021-22 is the calibration year (equal "
                        "by construction); the other years are not fitted."))
        if len(deficit.attribution):
            out.append(("Savings by lever", deficit.attribution,
                        "What each mitigation saves over the plan; the parts add up to the "
                        "total."))
    return out


def chart_specs(run: ScenarioRun) -> list:
    """The charts of a run: ``(file name, heading, caption, function returning a Figure)``."""
    out = []
    hist = run.history[run.history["age_band"] != "all"]
    table = run.forecast.table
    if len(table) and "age_band" in table:
        f = table[table["age_band"] != "all"]
        out.append(("fan_chart_by_age.png", "Demand forecast by age band",
                    "EHC plans by age band: history (black) and forecast with 80% and 90% "
                    "intervals. Read the width of the band as the planning risk.",
                    lambda: ch.fan_chart(hist, f, by="age_band")))
    groups = run.demand.groupby(["year", "need_group"], as_index=False)["demand"].sum()
    cap = _local_capacity(run)
    dvc = groups.rename(columns={"need_group": "group"})
    if cap is not None:
        dvc = dvc.merge(cap, on=["year", "group"], how="left").fillna({"capacity": 0})
    else:
        dvc["capacity"] = 0.0
    out.append(("demand_vs_capacity.png", "Specialist demand against local places",
                "Children needing a specialist place (line) against the local places the plan "
                "fills for them (bars: maintained special, resourced provision, AP and "
                "post-16, existing and new). The gap is placed in independent or "
                "non-maintained schools, or waits.",
                lambda: ch.demand_vs_capacity(dvc, by="group")))
    plan = run.allocation
    if plan is not None:
        prog = plan.capital_programme.rename(columns={"capital_cost": "capital_cost_gbp"})
        out.append(("capital_programme.png", "Capital programme",
                    "Projects the optimiser chose and when they open.",
                    lambda: ch.capital_timeline(prog)))
        cost = plan.cost_by_year.rename(columns={"total": "cost_gbp"})
        out.append(("cost_by_provision.png", "Cost by provision type",
                    "Annual revenue, transport and capital cost of the plan by provision "
                    "type (£ of each year).",
                    lambda: ch.cost_by_provision(cost)))
    if run.deficit is not None:
        traj = deficit_chart_data(run)
        out.append(("cumulative_deficit.png", "Cumulative DSG position",
                    "The cumulative DSG balance (below zero is a deficit): the line is the mean "
                    "of the simulated paths, the shaded band their 10th-90th percentile (80%), "
                    "for every scenario with paths; a scenario marked 'one run, no band' has "
                    "no paths (the optimised place plan is optimised once, for the planning "
                    "figure). 'Today's placement mix' places every child as today, local "
                    "places growing with demand; the mitigated line adds the scenario's "
                    "levers; the place plan builds the projects it chooses and places the rest "
                    "independently. The table 'The scenarios on the same footing' charges "
                    "each the capital of the local places it assumes.",
                    lambda: ch.deficit_chart(traj)))
    return out


def deficit_chart_data(run: ScenarioRun) -> pd.DataFrame:
    """What the deficit chart draws: ``year, variant, mean, p10, p90, band`` (£ balance,
    negative = deficit); ``band`` is True where the scenario has simulated paths (the chart
    shades p10-p90 there) and the variant's legend says "one run, no band" where it has not."""
    rng = run.deficit.deficit_range()
    names = {s: legend(s, "deficit_scenario") for s in run.deficit.scenarios}
    variant = [names[s] if band else f"{names[s]} (one run, no band)"
               for s, band in zip(rng["scenario"], rng["paths"])]
    return pd.DataFrame({"year": rng["year"].to_numpy(), "variant": variant,
                         "mean": -rng["mean"].to_numpy(), "p10": -rng["p10"].to_numpy(),
                         "p90": -rng["p90"].to_numpy(), "band": rng["paths"].to_numpy()})


def _like_for_like_table(like: pd.DataFrame) -> pd.DataFrame:
    out = like.copy()
    out["scenario"] = [label(s, "deficit_scenario") + (" (the answer)" if a else "")
                       for s, a in zip(out["scenario"], out["answer"])]
    return out[["scenario", "specialist_placements_last_year", "new_local_places", "capital_gbp",
                "dsg_spend_gbp", "transport_gbp", "total_cost_gbp", "cumulative_deficit_gbp"]]


def _like_for_like_caption(like: pd.DataFrame) -> str:
    rows = like.set_index("scenario")
    text = ("Each scenario with the new local specialist places it assumes (maintained special, "
            "resourced provision, AP) and their capital at the place plan's cost per place, its "
            "High Needs Block spend and home-to-school transport over the plan (one rule for "
            "all: children transported x cost per child), and the cumulative DSG deficit in "
            "the last year (mean). ")
    if "allocation_plan" in rows.index and "unmitigated" in rows.index:
        mix, plan = rows.loc["unmitigated"], rows.loc["allocation_plan"]
        text += (f"Today's placement mix places {mix['specialist_placements_last_year']:,.0f} "
                 f"children in specialist settings in the last year, needs "
                 f"{mix['new_local_places']:,.0f} more local places (capital "
                 f"{gbp_m(mix['capital_gbp'])}) that nobody has planned, and leaves a deficit of "
                 f"{gbp_m(mix['cumulative_deficit_gbp'])}; the place plan places "
                 f"{plan['specialist_placements_last_year']:,.0f} (the specialist demand the "
                 f"run gave it), builds {plan['new_local_places']:,.0f} places for "
                 f"{gbp_m(plan['capital_gbp'])} and places the rest independently, leaving "
                 f"{gbp_m(plan['cumulative_deficit_gbp'])}. Both carry the same spend on "
                 "mainstream, FE and early years and the same spend not per placement; where "
                 "their specialist placements differ, the demand they were given differs. ")
    answer = rows.index[rows["answer"]][0]
    text += (f"The answer is {label(answer, 'deficit_scenario')}: the most complete scenario "
             "the run costed.")
    return text


def _long_run_text(run: ScenarioRun) -> str:
    a = run.forecast.assumptions.set_index("name")["value"]
    return str(a.get("long-run growth", "long-run growth: not stated"))


def growth_split_text(run: ScenarioRun) -> str:
    """One sentence: the forecast growth to the last year, split into population change at
    today's rate (demographic) and the change in plans per 1,000 (prevalence)."""
    comp = run.forecast.components
    if comp is None:
        return ""
    last = comp["year"].max()
    row = comp[(comp["year"] == last) & ((comp["age_band"] == "all") if "age_band" in comp
                                         else True)]
    if row.empty:
        return ""
    r = row.iloc[0]
    return (f"EHC plans {int(last) - len(run.forecast.years)} -> {int(last)}: "
            f"{r['growth']:+,.0f} (mean forecast), of which {r['demographic_effect']:+,.0f} "
            f"from the change in the 0-25 population by age band at today's plans per 1,000 "
            f"(demographic) and {r['prevalence_effect']:+,.0f} from rising plans per 1,000 "
            f"(prevalence)")


def summary(run: ScenarioRun) -> str:
    """The plain-text summary ``sufficiency run`` prints."""
    head = title(run)
    lines = [head, "=" * len(head)]
    lines += [f"{name}: {value}" for name, value in headlines(run)]
    lines.append(f"forecast: {_long_run_text(run)}")
    split = growth_split_text(run)
    if split:
        lines.append(f"forecast: {split}")
    if run.allocation is not None:
        lines.append(f"optimiser: {run.allocation.outcome.describe()}")
    lines += [f"note: {n}" for n in run.notes]
    return "\n".join(lines)


def _local_capacity(run: ScenarioRun):
    """Local (maintained, resourced, AP) places filled per year and need group in the plan.

    A setting's capacity is shared by the needs it is designated for, so capacity cannot be
    split by need; the places the optimiser filled for each need are what it effectively gets.
    """
    plan = run.allocation
    if plan is None or not len(plan.placements):
        return None
    p = plan.placements
    local = p[~p["provision"].isin(INDEPENDENT)]
    out = local.groupby(["year", "need"], as_index=False)["placed"].sum()
    return out.rename(columns={"need": "group", "placed": "capacity"})


def _measures_wide(measures: pd.DataFrame) -> pd.DataFrame:
    if measures.empty:
        return measures
    wide = measures.pivot_table(index="measure", columns="year", values="value", aggfunc="first")
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()
