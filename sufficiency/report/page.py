"""What ``report.html`` says: the title, headline figures, a summary in sentences, sections of
charts and tables with captions and alt text.

Every function takes a :class:`~sufficiency.workflow.ScenarioRun` and returns text or frames;
:func:`sufficiency.report.write_outputs` lays them out. Words come from the label table
(:mod:`sufficiency.data.labels`), numbers from :mod:`sufficiency.report.formats`: £m with one
decimal, shares as %, whole children and places. Long tables are summarised here and given
whole in the workbook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import __version__
from ..data.vocabulary import AGE_BAND_ORDER, INDEPENDENT
from ..finance.outturn import LA_WEIGHT
from ..workflow import ScenarioRun
from . import charts as ch
from .dfe import financial_year_label, layout_of
from .formats import cell_text, count_text, money_text, share_text
from .labels import label, legend, lever_words, unit_of
from .workbook import sheet_names

__all__ = ["SECTIONS", "deficit_chart_data", "growth_split_text", "note_words", "title", "subtitle", "headline_values", "headlines", "summary_paragraphs",
           "page_tables", "chart_specs", "summary"]

#: The page's sections, in order.
SECTIONS = ["How many children", "Places and building", "Money", "For the DfE templates"]

#: A table longer than this is summarised on the page (whole in the workbook).
MAX_PAGE_ROWS = 12


def title(run: ScenarioRun) -> str:
    """The page and workbook title: LA (its everyday name) and scenario."""
    return f"{run.la_name}: SEND place sufficiency - {run.name}"


def subtitle(run: ScenarioRun) -> str:
    """The years covered, the library version and the seed."""
    first = int(run.demand["year"].min()) if len(run.demand) else "-"
    last = int(run.demand["year"].max()) if len(run.demand) else "-"
    return (f"EHC plan history {int(run.history['year'].min())}-"
            f"{int(run.history['year'].max())} (January censuses), plan {first}-{last}. "
            f"sufficiency {__version__}, seed {run.scenario.get('seed')}.")


def headline_values(run: ScenarioRun) -> dict:
    """The headline figures as numbers, keyed as the label table's ``headline`` rows."""
    demand, history = run.demand, run.history
    last = int(demand["year"].max())
    first = int(demand["year"].min())
    table = run.forecast.table
    total = table[table["age_band"] == "all"] if "age_band" in table else table
    at_last = total[total["year"] == last]
    values = {
        "ehcp_latest": float(history.query("age_band == 'all'")
                             .sort_values("year")["count"].iloc[-1]),
        "ehcp_forecast_last": float(at_last["mean"].sum()) if len(at_last) else np.nan,
        "specialist_first": float(demand.query("year == @first")["demand"].sum()),
        "specialist_last": float(demand.query("year == @last")["demand"].sum()),
        "first_year": first, "last_year": last,
    }
    for q in ("p10", "p90"):
        if q in at_last and len(at_last):
            values[f"ehcp_forecast_last_{q}"] = float(at_last[q].sum())
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
        values["answer_scenario"] = label(scenario, "scenario")
        values["answer_deficit_gbp"] = value
        if run.deficit.opening is not None:
            values["opening_balance_gbp"] = float(run.deficit.opening.balance_gbp)
    return values


def headlines(run: ScenarioRun) -> list[tuple[str, str]]:
    """``(label, value text)`` for the cards at the top of the page."""
    v = headline_values(run)
    out = [(f"Children with an EHC plan, January {int(run.history['year'].max())}",
            count_text(v["ehcp_latest"]))]
    if np.isfinite(v["ehcp_forecast_last"]):
        out.append((f"Forecast, January {v['last_year']}", count_text(v["ehcp_forecast_last"])))
    out.append((f"Specialist places needed, {v['first_year']} to {v['last_year']}",
                f"{count_text(v['specialist_first'])} to {count_text(v['specialist_last'])}"))
    plan = run.allocation
    if plan is not None and not plan.outcome.has_solution:
        out.append(("Placement plan", f"none: {plan.outcome.describe()}"))
    elif "projects" in v:
        out.append(("Capital programme", "no project chosen" if not v["projects"] else
                    f"{v['projects']} project{'s' if v['projects'] != 1 else ''}, "
                    f"{count_text(v['places_added'])} places, {money_text(v['capital_gbp'])}"))
        out.append((f"Children without a suitable place, {v['last_year']}",
                    count_text(v["unplaced_last"])))
    deficit = run.deficit
    if deficit is not None:
        answer, _ = deficit.answer()
        fy = financial_year_label(v["last_year"])
        for scenario in [answer] + [s for s in deficit.scenarios if s != answer]:
            lead = "The answer: cumulative" if scenario == answer else "Cumulative"
            out.append((f"{lead} DSG deficit at the end of {fy}, {_with(scenario)} "
                        f"({deficit.statistic(scenario)})",
                        money_text(v[f"deficit_last_{scenario}_gbp"])))
        if deficit.opening is not None:
            o = deficit.opening
            word = "deficit" if o.balance_gbp < 0 else "surplus"
            out.append((f"Opening DSG {word} brought into "
                        f"{financial_year_label(o.first_year)} ({o.status})",
                        money_text(abs(o.balance_gbp))))
    return out


def summary_paragraphs(run: ScenarioRun) -> list[str]:
    """The opening summary in sentences: children, places, what to build and when, the cost,
    the deficit and the chance of clearing it, what is assumed."""
    v = headline_values(run)
    first, last = v["first_year"], v["last_year"]
    out = []
    text = (f"{run.la_name} had {count_text(v['ehcp_latest'])} children and young people with "
            f"an EHC plan in January {int(run.history['year'].max())}.")
    if np.isfinite(v["ehcp_forecast_last"]):
        text += f" The forecast is {count_text(v['ehcp_forecast_last'])} by January {last}"
        if "ehcp_forecast_last_p10" in v:
            text += (f" (80% range {count_text(v['ehcp_forecast_last_p10'])} to "
                     f"{count_text(v['ehcp_forecast_last_p90'])})")
        text += "."
    text += (f" Children needing a specialist place rise from {count_text(v['specialist_first'])}"
             f" in {first} to {count_text(v['specialist_last'])} in {last}.")
    out.append(text)
    plan = run.allocation
    if plan is not None:
        prog = plan.capital_programme
        if len(prog):
            by = prog.groupby("provision")["places"].sum().sort_values(ascending=False)
            kinds = ", ".join(f"{count_text(n)} in {_plural(label(p, 'provision'))}"
                              for p, n in by.items())
            text = (f"The place plan builds {len(prog)} projects adding "
                    f"{count_text(v['places_added'])} places ({kinds}) for "
                    f"{money_text(v['capital_gbp'])} of capital; the first opens in September "
                    f"{int(prog['opening_year'].min())} and the last in September "
                    f"{int(prog['opening_year'].max())}.")
        else:
            text = "The place plan builds nothing: today's places and independent places meet " \
                   "the demand at least cost."
        unplaced = v.get("unplaced_last", 0.0)
        text += (f" {count_text(unplaced)} children are left without a suitable place in {last}."
                 if unplaced >= 0.5 else
                 f" Every child needing a specialist place has one in every year to {last}.")
        out.append(text)
        cost = plan.cost_by_year
        if len(cost):
            running = (cost["revenue"] + cost.get("transport", 0.0)).groupby(cost["year"]).sum()
            out.append(f"Placements in the plan cost {money_text(running.iloc[0])} a year in "
                       f"{int(running.index[0])}, rising to {money_text(running.iloc[-1])} in "
                       f"{int(running.index[-1])} (revenue and transport, in each year's "
                       f"prices); capital is counted apart.")
    deficit = run.deficit
    if deficit is not None:
        fy = financial_year_label(last)
        answer, value = deficit.answer()
        text = ""
        if deficit.opening is not None:
            o = deficit.opening
            word = "deficit" if o.balance_gbp < 0 else "surplus"
            text = (f"The DSG starts {financial_year_label(o.first_year)} with a {word} of "
                    f"{money_text(abs(o.balance_gbp))} ({o.status}). ")
        text += (f"The cumulative DSG deficit reaches {money_text(value)} by the end of {fy} "
                 f"{_with(answer)} (the answer: the most complete scenario costed; "
                 f"{deficit.statistic(answer)})")
        others = [f"{money_text(v[f'deficit_last_{s}_gbp'])} {_with(s)}"
                  for s in deficit.scenarios if s != answer]
        text += f", against {_and(others)}." if others else "."
        text += " " + _peak_sentence(deficit, answer)
        t = deficit.trajectory
        if "prob_no_deficit" in t:
            end = t[(t["year"] == last) & t["prob_no_deficit"].notna()]
            chances = [f"{share_text(p)} {_with(s)}"
                       for s, p in zip(end["scenario"], end["prob_no_deficit"])]
            if chances:
                text += (f" The chance of having cleared the deficit by {fy} is "
                         f"{_and(chances)}.")
        out.append(text)
    out.append(_assumed(run))
    return out


def _peak_sentence(deficit, scenario: str) -> str:
    """Whether the answer's deficit peaks inside the plan, and what the figure is and is not.

    A council's Safety Valve or Delivering Better Value forecast counts its planned mitigations,
    block transfers and DfE payments; the plan counts only the levers and income lines the
    scenario lists, so the sentence says so beside the figure.
    """
    p = deficit.peak(scenario)
    t = deficit.trajectory
    last = int(t["year"].max())
    if p["rising"]:
        text = (f"It has not peaked by the end of {financial_year_label(last)}: that year still "
                f"spends {money_text(-p['in_year_last_gbp'])} more than its income.")
    else:
        text = (f"It peaks at {money_text(p['deficit_gbp'])} at the end of "
                f"{financial_year_label(p['year'])}.")
    return (text + " It counts only the levers and dated income (Safety Valve payments, block "
            "transfers) this scenario lists: a council's Safety Valve or Delivering Better Value "
            "forecast also counts its planned mitigations, so compare like with like by listing "
            "them.")


def _assumed(run: ScenarioRun) -> str:
    s = run.scenario
    bits = []
    if run.deficit is not None:
        growth, inflation = s.get("finance.income_growth"), s.get("finance.inflation")
        income = (f"High Needs Block income follows the published allocations and the DfE's "
                  f"announced increases to 2025-26, then grows {share_text(growth)} a year"
                  if growth is not None else "High Needs Block income follows its projection")
        costs = (f"costs grow {share_text(inflation)} a year" if inflation is not None else
                 "costs follow the sourced price paths (pay awards, inflation, independent "
                 "fees)")
        bits.append(f"{income} and {costs}")
        o = run.deficit.opening
        if o is not None:
            word = "deficit" if o.balance_gbp < 0 else "surplus"
            bits.append(f"the DSG starts with a {word} of {money_text(abs(o.balance_gbp))} "
                        f"({o.status})")
        else:
            opening = s.get("finance.opening_balance_gbp")
            bits.append(f"the DSG balance at the start is {money_text(float(opening or 0.0))}")
    if run.allocation is not None:
        bits.append(f"costs are discounted at {share_text(s.get('allocate.discount_rate'))} a "
                    "year (HM Treasury Green Book)")
        if s.get("allocate.settings") is None:
            bits.append("the settings and candidate projects are illustrative, derived from "
                        "published figures")
    bits.append(f"the plan is made for the forecast's {_quantile(s)}")
    return "Assumed: " + "; ".join(bits) + ". Every assumption is listed at the end."


def _plural(text: str) -> str:
    """"Maintained special school" -> "maintained special schools"; "Resourced provision or
    SEN unit" -> "resourced provision or SEN units"."""
    text = " ".join(_lower_first(w) if w[1:2].islower() or len(w) == 1 else w
                    for w in text.split())
    return text if text.endswith("s") else text + "s"


def _quantile(scenario) -> str:
    q = scenario.get("forecast.planning_quantile")
    return "mean" if q == "mean" else f"{q[1:]}th percentile (a high case)"


def _with(scenario: str) -> str:
    """A deficit scenario as a phrase in a sentence: "with today's placement mix"."""
    text = label(scenario, "scenario")
    text = _lower_first(text)
    return text if text.startswith("with ") else f"with {text}"


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the word is an acronym ("SEN units" stays)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _and(parts: list) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def page_tables(run: ScenarioRun) -> list[tuple]:
    """The tables shown in ``report.html``: ``(heading, frame of text, caption, section)``."""
    names = sheet_names(_sheet_list(run))
    out = []
    need = run.demand.pivot_table(index="year", columns="phase", values="demand",
                                  aggfunc="sum")
    need = need[[p for p in _phase_order(run) if p in need.columns]]
    need["all"] = need.sum(axis=1)
    frame = pd.DataFrame({"Year (January)": [str(int(y)) for y in need.index]})
    for p in need.columns:
        frame[label(p, "phase")] = [count_text(x) for x in need[p]]
    out.append(("Specialist places needed by phase", frame,
                f"Children needing a specialist place each January, by phase (planning "
                f"figure: the forecast's {_quantile(run.scenario)}); all needs. By need group "
                f"and placement type: sheet '{names['demand']}'.", SECTIONS[0]))
    split = growth_split_text(run)
    if split:
        last = run.forecast.components["year"].max()
        comp = run.forecast.components.query("year == @last")
        if "age_band" in comp:     # youngest first, the LA total last
            rank = {b: i for i, b in enumerate(AGE_BAND_ORDER)}
            comp = comp.iloc[sorted(range(len(comp)), key=lambda i: rank.get(
                comp["age_band"].iloc[i], len(rank)))]
        cols = [c for c in ("age_band", "plans_origin", "plans_mean", "growth",
                            "demographic_effect", "prevalence_effect", "per_1000_origin",
                            "per_1000_mean") if c in comp]
        out.append((f"Growth to {last}: population and prevalence",
                    _people_table(comp[cols]), split + ". " + _long_run_text(run)[:1].upper()
                    + _long_run_text(run)[1:] + ".", SECTIONS[0]))
    if len(run.measures):
        out.append(("Measures reported to the board", _measures_wide(run.measures),
                    "Per year, published history (DfE SEN2) and plan alike; blank where a "
                    f"measure has no figure. Sheet '{names['measures']}'.", SECTIONS[0]))
    plan = run.allocation
    if plan is not None:
        prog = plan.capital_programme
        if not len(prog):
            frame = pd.DataFrame({"Capital programme": [
                "No project chosen: today's places and independent places meet the demand at "
                "least cost over the plan."]})
            caption = "Projects chosen: none."
        elif len(prog) > MAX_PAGE_ROWS:
            g = prog.groupby("opening_year").agg(projects=("project", "size"),
                                                 places=("places", "sum"),
                                                 cost=("capital_cost", "sum")).reset_index()
            frame = pd.DataFrame({"Opening (September)": g["opening_year"].astype(int).astype(str),
                                  "Projects": g["projects"].astype(str),
                                  "Places added": [count_text(x) for x in g["places"]],
                                  "Capital cost": [money_text(x) for x in g["cost"]]})
            caption = (f"{len(prog)} projects by the year they open, summarised; every project "
                       f"with its setting and cost is in sheet '{names['capital_programme']}'.")
        else:
            frame = pd.DataFrame({
                "Project": prog["project"], "Placement type": [label(p, "provision")
                                                               for p in prog["provision"]],
                "Opening (September)": prog["opening_year"].astype(int).astype(str),
                "Places added": [count_text(x) for x in prog["places"]],
                "Capital cost": [money_text(x) for x in prog["capital_cost"]]})
            caption = "Projects chosen, opening year (September), places and capital cost."
        out.append(("Capital programme", frame, caption, SECTIONS[1]))
        if len(plan.unplaced):
            un = plan.unplaced.groupby("year")["unplaced"].sum()
            frame = pd.DataFrame({"Year (January)": [str(int(y)) for y in un.index],
                                  "Children without a suitable place":
                                      [count_text(x) for x in un]})
            out.append(("Children without a suitable place", frame,
                        "Demand the plan cannot place locally or independently within the "
                        f"constraints. By need, phase and area: sheet '{names['unplaced']}'.",
                        SECTIONS[1]))
    deficit = run.deficit
    if deficit is not None:
        stats = "; ".join(f"{label(s, 'scenario')}: {deficit.statistic(s)}"
                          for s in deficit.scenarios)
        out.append(("DSG position by year", _dsg_position(deficit),
                    "High Needs Block income, high needs spend and the cumulative DSG deficit "
                    "(a positive figure is a deficit) for each way of placing children, in £m "
                    "of each year. Every figure is the mean of the simulated paths (the 80% "
                    "range where a scenario has paths); the place plan is one deterministic "
                    f"run, with no range. {stats}. Every component: sheet "
                    f"'{names['dsg_trajectory']}'.", SECTIONS[2]))
        like = deficit.like_for_like
        if len(like):
            out.append(("The scenarios on the same footing", _like_for_like_table(like),
                        _like_for_like_caption(deficit), SECTIONS[2]))
        if deficit.opening is not None:
            o = deficit.opening
            out.append((f"Opening DSG balance ({o.status})", _people_table(o.derivation),
                        o.summary() + ". Published balance, then each year's modelled "
                        "high-needs gap (£; negative = deficit); the reconciliation line "
                        "compares the model with the published movement and is not carried "
                        "forward.", SECTIONS[2]))
        if len(deficit.backcast):
            b = deficit.backcast
            cols = [c for c in ("financial_year", "ehcp", "top_up_gbp", "fee_gbp",
                                "central_gbp", "spend_gbp", "outturn_gbp", "difference_pct")
                    if c in b]
            out.append(("The cost model against what the LA spent", _people_table(b[cols]),
                        "Net high-needs spend on the s251 definition (lines 1.2.x: top-ups, "
                        "independent fees, services; not place funding), modelled from the "
                        "LA's January placements and its 2021-22 costs on the price paths, "
                        "its growth from 2021-22 weighted "
                        f"{b.attrs.get('la_weight', LA_WEIGHT):.2f} on its own placements and the "
                        "rest on England's, beside its published outturn. "
                        "2021-22 is the calibration year (equal by construction); the other "
                        "years are not fitted.", SECTIONS[2]))
        if len(deficit.attribution):
            att = deficit.attribution
            frame = pd.DataFrame({"Lever": att["lever"].map(lever_words)})
            for c in att.columns:
                if c != "lever":
                    frame[label(c, "column")] = [cell_text(c, x) for x in att[c]]
            out.append(("Savings by lever", frame,
                        "What each mitigation saves over the plan; the parts add up to the "
                        "total.", SECTIONS[2]))
    dfe = [(n, names[n]) for n in _sheet_list(run) if n.startswith("dfe_")]
    if dfe:
        rows = []
        for name, sheet in dfe:
            spec = layout_of(name[4:])
            rows.append((sheet, spec.title if spec else label(name, "sheet"),
                         spec.template if spec else ""))
        out.append(("Tables in the DfE layouts", pd.DataFrame(
            rows, columns=["Sheet in results.xlsx", "What it holds", "Template"]),
            "Each sheet is laid out as the template lays it out, in the template's words: "
            "for the DSG management plan, financial years as columns; for SCAP, the forecast "
            "academic years as rows and the national curriculum years as columns. "
            "docs/outputs.md says which version of each template the labels were checked "
            "against.", SECTIONS[3]))
    return out


def _sheet_list(run: ScenarioRun) -> list:
    from .tables import output_tables

    return list(output_tables(run))


def _phase_order(run: ScenarioRun) -> list:
    from ..data.vocabulary import PHASES, THREE_TIER_PHASES

    table = THREE_TIER_PHASES if run.scenario.get("data.phases") == "three_tier" else PHASES
    return list(table["phase"])


def _dsg_position(deficit) -> pd.DataFrame:
    t = deficit.trajectory
    first = deficit.scenarios[0]
    base = t[t["scenario"] == first].sort_values("year")
    frame = pd.DataFrame({"Financial year": [financial_year_label(y) for y in base["year"]],
                          "High Needs Block income": [money_text(x) for x in base["income_gbp"]]})
    band = deficit.deficit_range()
    for s in deficit.scenarios:
        g = t[t["scenario"] == s].sort_values("year")
        frame[f"Spend {_with(s)}"] = [money_text(x) for x in g["spend_gbp"]]
    for s in deficit.scenarios:
        g = band[band["scenario"] == s].sort_values("year")
        frame[f"Deficit {_with(s)}"] = [money_text(x) for x in g["mean"]]
        if g["paths"].all() and (g["p90"] - g["p10"]).abs().max() > 1:
            frame[f"80% range {_with(s)}"] = [f"{money_text(a)} to {money_text(b)}"
                                              for a, b in zip(g["p10"], g["p90"])]
    return frame


def deficit_chart_data(run: ScenarioRun) -> pd.DataFrame:
    """What the deficit chart draws: ``year, variant, mean, p10, p90, band`` (£ balance,
    negative = deficit); ``band`` is True where the scenario has simulated paths (the chart
    shades p10-p90 there) and the variant's legend says "one run, no band" where it has not."""
    rng = run.deficit.deficit_range()
    names = {s: legend(s, "scenario") for s in run.deficit.scenarios}
    variant = [names[s] if band else f"{names[s]} (one run, no band)"
               for s, band in zip(rng["scenario"], rng["paths"])]
    return pd.DataFrame({"year": rng["year"].to_numpy(), "variant": variant,
                         "mean": -rng["mean"].to_numpy(), "p10": -rng["p10"].to_numpy(),
                         "p90": -rng["p90"].to_numpy(), "band": rng["paths"].to_numpy()})


def _people_table(frame: pd.DataFrame, table: str | None = None) -> pd.DataFrame:
    """Any tidy frame as text for the page: headers in words, codes as words, numbers
    formatted by their column's unit."""
    from .labels import label_values

    out = pd.DataFrame(index=frame.index)
    shown = label_values(frame)
    for c in frame.columns:
        values = shown[c]
        if pd.api.types.is_bool_dtype(frame[c]):
            texts = ["yes" if x else "" for x in values]
        else:
            texts = [x if isinstance(x, str) else cell_text(str(c), x, table) for x in values]
        out[label(str(c), "column", table)] = texts
    return out.reset_index(drop=True)


def _like_for_like_table(like: pd.DataFrame) -> pd.DataFrame:
    out = like.copy()
    out["scenario"] = [label(s, "scenario") + (" (the answer)" if a else "")
                       for s, a in zip(out["scenario"], out["answer"])]
    cols = ["scenario", "specialist_placements_last_year", "new_local_places", "capital_gbp",
            "dsg_spend_gbp", "transport_gbp", "total_cost_gbp", "cumulative_deficit_gbp"]
    return _people_table(out[[c for c in cols if c in out]])


def _like_for_like_caption(deficit) -> str:
    text = ("Each scenario with the new local specialist places it assumes (maintained special, "
            "resourced provision, AP) and their capital at the place plan's cost per place, its "
            "High Needs Block spend and home-to-school transport over the plan (one rule for "
            "all: children transported x cost per child), and the cumulative DSG deficit in "
            "the last year (mean). ")
    # the explanation and its figures are the finance stage's (DeficitPlan.like_for_like_text)
    return text + deficit.like_for_like_text()


def chart_specs(run: ScenarioRun) -> list:
    """The charts of a run: ``(file name, heading, caption, alt text, section, make)``;
    ``make()`` returns the Figure."""
    out = []
    hist = run.history
    table = run.forecast.table
    if len(table) and "age_band" in table:
        v = headline_values(run)
        out.append(("fan_chart_by_age.png", "EHC plans: history and forecast",
                    "EHC plans each January: the LA total first, then each age band youngest "
                    "first; published figures (black) and the forecast (blue line) with its 80% "
                    "and 90% ranges. The wider the band, the greater the planning risk.",
                    f"Line charts of EHC plans by year for the whole LA and each age band: "
                    f"{count_text(v['ehcp_latest'])} in January {int(hist['year'].max())}, "
                    f"forecast {count_text(v['ehcp_forecast_last'])} by {v['last_year']}.",
                    SECTIONS[0],
                    lambda: ch.fan_chart(hist, table, by="age_band", order=AGE_BAND_ORDER)))
    dvc = _demand_and_capacity(run)
    if dvc is not None:
        last = dvc.iloc[-1]
        out.append(("demand_vs_capacity.png", "Specialist demand against local places",
                    "Children needing a specialist place (line) against the local specialist "
                    "places (bars): the places there today (grey) and the new places the "
                    "capital programme adds (blue), in whole places. Demand above the bars is "
                    "met by independent and non-maintained schools, or waits.",
                    f"Bar and line chart: in {int(last['year'])}, "
                    f"{count_text(last['demand'])} children need a specialist place; local "
                    f"places are {count_text(last['existing'])} today plus "
                    f"{count_text(last['new'])} new.", SECTIONS[1],
                    lambda: ch.demand_vs_capacity(dvc)))
    plan = run.allocation
    if plan is not None:
        prog = plan.capital_programme.rename(columns={"capital_cost": "capital_cost_gbp"})
        if len(prog):   # no project chosen: the table says so; an empty timeline says nothing
            first, last = int(prog["opening_year"].min()), int(prog["opening_year"].max())
            out.append(("capital_programme.png", "When the projects open",
                        "Each project the optimiser chose, from the September it opens, with "
                        "the places it adds and its capital cost.",
                        f"Timeline of {len(prog)} capital project{'s' if len(prog) != 1 else ''}"
                        f" opening " + (f"in {first}." if first == last else
                                        f"between {first} and {last}."), SECTIONS[1],
                        lambda: ch.capital_timeline(prog)))
        cost = plan.cost_by_year
        if len(cost):   # an empty cost table (nothing placed or built) has nothing to draw
            out.append(("cost_by_provision.png", "What the plan costs: revenue and capital apart",
                        "Left: the revenue cost of placements (and transport) each year by "
                        "placement type. Right: the capital spent each year on the projects. Both "
                        "in £ million of each year; capital is not added to revenue.",
                        f"Two bar charts: revenue rises to "
                        f"{money_text(float(cost.loc[cost['year'] == cost['year'].max(), 'revenue'].sum()))}"
                        f" a year by {int(cost['year'].max())}; capital totals "
                        f"{money_text(float(cost['capital'].sum()))}.", SECTIONS[2],
                        lambda: ch.revenue_and_capital(cost)))
    if run.deficit is not None:
        traj = deficit_chart_data(run)
        finals = run.deficit.final_deficit()
        out.append(("cumulative_deficit.png", "Cumulative DSG position",
                    "The cumulative DSG balance (below zero is a deficit): the line is the mean "
                    "of the simulated paths, the shaded band their 10th-90th percentile (80%), "
                    "for every scenario with paths; a scenario marked 'one run, no band' has "
                    "no paths (the optimised place plan is optimised once, for the planning "
                    "figure). 'Today's placement mix' places every child as today, local "
                    "places growing with demand; the levers line adds the scenario's levers; "
                    "the place plan builds the projects it chooses and places the rest "
                    "independently. The table 'The scenarios on the same footing' charges "
                    "each the capital of the local places it assumes.",
                    "Line chart of the cumulative DSG balance by year, falling below zero: "
                    + "; ".join(f"{_with(s)}, a deficit of {money_text(x)} by the last year"
                                for s, x in finals.items()) + ".", SECTIONS[2],
                    lambda: ch.deficit_chart(traj)))
    return out


def note_words(note: str) -> str:
    """A note for the page: scenario keys (``finance.opening_balance_gbp``) said in words
    ("the scenario's finance setting 'Opening balance (£)'").

    Examples
    --------
    >>> note_words("set finance.opening_balance_gbp to your LA's")
    "set the scenario's finance setting 'Opening balance (£)' to your LA's"
    """
    import re

    from ..data.labels import words

    return re.sub(r"\b(data|forecast|allocate|finance|report)\.([a-z_]+)\b",
                  lambda m: f"the scenario's {m.group(1)} setting '{words(m.group(2))}'", note)


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
    return (f"EHC plans {int(last) - len(run.forecast.years)} to {int(last)}: "
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


def _demand_and_capacity(run: ScenarioRun):
    """Specialist demand and local capacity per year: places there today, and new places
    from the projects open by that year (``year, demand, existing, new``)."""
    plan = run.allocation
    demand = run.demand.groupby("year")["demand"].sum()
    if plan is None or not len(plan.utilisation):
        return None
    u = plan.utilisation
    local = u[np.isfinite(u["capacity"]) & ~u["provision"].isin(INDEPENDENT)]
    capacity = local.groupby("year")["capacity"].sum().reindex(demand.index).fillna(0.0)
    prog = plan.capital_programme
    new = pd.Series([float(prog.loc[prog["opening_year"] <= y, "places"].sum()) if len(prog)
                     else 0.0 for y in demand.index], index=demand.index)
    existing = (capacity - new).clip(lower=0.0)
    return pd.DataFrame({"year": demand.index, "demand": demand.to_numpy(),
                         "existing": existing.to_numpy(), "new": new.to_numpy()})


def _measures_wide(measures: pd.DataFrame) -> pd.DataFrame:
    wide = measures.pivot_table(index="measure", columns="year", values="value", aggfunc="first")
    years = [c for c in wide.columns]
    frame = pd.DataFrame({"Measure": [label(m, "measure") for m in wide.index]})
    for y in years:
        frame[str(int(y))] = [_measure_text(m, x) for m, x in zip(wide.index, wide[y])]
    return frame


def _measure_text(measure: str, value) -> str:
    from ..data.labels import LABELS

    row = LABELS[(LABELS["kind"] == "measure") & (LABELS["key"] == measure)]
    unit = row["unit"].iloc[0] if len(row) else unit_of(measure)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if unit == "%":
        return share_text(value)
    if unit == "£":
        return money_text(value)
    return count_text(value)

