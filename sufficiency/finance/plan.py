"""One call from a forecast to a costed DSG deficit plan: mitigated vs unmitigated, with uncertainty.

:func:`deficit_plan` takes a forecast (and optionally its simulated paths, a placement mix,
levers, an allocation plan) and returns a :class:`DeficitPlan` whose fields are DataFrames:
placements and spend per scenario, the High Needs Block income, the DSG trajectory with
p10/p50/p90 of the cumulative deficit, the probability the deficit is eliminated by the target
year, the saving attributed to each lever, the needs-led vs finance-led comparison, the DfE
tables, the goal-seeks and every assumption.

Attribution of the saving (the unmitigated minus the mitigated High Needs Block spend, summed
over the forecast years and per year; from the mean forecast):

* ``alone_gbp``: the saving of each lever applied on its own;
* ``sequential_gbp``: the saving each lever adds when the levers are added one at a time, in
  the order given (the parts add up to the total by construction);
* ``shapley_gbp``: the average of the sequential savings over every order of the levers (the
  Shapley value; exact, from all 2^n subsets, for up to 8 levers). The parts add up to the
  total, and no lever gains or loses by its place in the list. This is ``attributed_gbp``
  unless ``attribution="sequential"`` (or more than 8 levers).

The ``alone`` column does not add up when levers interact (two levers cannot both move the same
independent placement); the row ``interaction`` holds the difference so that every column sums
to the ``Total`` row.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.vocabulary import DEFICIT_QUANTILES, PROVISIONS, SPECIALIST
from ..errors import ValidationError
from . import tables as T
from .calibrate import Calibration, calibrate_costs
from .costs import DEFAULTS, cost_table, default
from .goalseek import growth_reduction_needed, new_places_needed
from .income import (ANNOUNCED_GROWTH, DEFAULT_GROWTH, DEFAULT_GROWTH_SOURCE,
                     financial_year_label, income_growth_path, income_growth_table,
                     project_income)
from .opening import OpeningBalance, money_m
from .levers import Lever, apply_levers, as_levers, from_forecast_engine, levers_table
from .spend import cost_placements, placements_from_forecast, spend_by_year
from .trajectory import dsg_trajectory, elimination_probability

__all__ = ["DeficitPlan", "deficit_plan", "attribute_savings", "needs_vs_finance_led",
           "FLOW_MIX_BASIS", "LIKE_FOR_LIKE_PARTS"]

UNMITIGATED, MITIGATED, ALLOCATION = "unmitigated", "mitigated", "allocation_plan"

#: How a run splits the forecast into placement types (``mix_basis`` with the flow account's
#: mix, :func:`sufficiency.data.placement_mix` with ``year="each"``).
FLOW_MIX_BASIS = ("the flow account's placements by age band, year by year (children already "
                  "placed stay where they are, new plans are placed as new plans are placed "
                  "now, by the projected new-placement mix): the specialist demand the place "
                  "plan is given")


@dataclass
class DeficitPlan:
    """A costed DSG deficit plan. All money in £ (of the year spent), years in census convention
    (``year`` 2026 = financial year 2025-26, column ``financial_year``).

    Attributes
    ----------
    placements : DataFrame
        ``scenario, <keys>, year, provision, count``: placements from the mean forecast.
    spend : DataFrame
        ``scenario, <keys>, year, provision, count, place_funding_gbp, top_up_gbp, fee_gbp,
        hnb_gbp, transport_gbp``: High Needs Block spend per placement cell (transport is the
        council's general fund, shown but not in the DSG).
    income : DataFrame
        ``year, allocation_gbp, import_export_gbp, other_income_gbp, income_gbp``.
    trajectory : DataFrame
        ``scenario, year, financial_year, income_gbp, spend_gbp, placements_gbp, other_gbp,
        transport_gbp, in_year_balance_gbp, cumulative_balance_gbp, cumulative_deficit_gbp,
        cumulative_deficit_p10, _p50, _p90, prob_no_deficit`` (quantiles from the paths when
        given).
    elimination : DataFrame
        ``scenario, target_year, probability, method``.
    attribution : DataFrame
        ``lever, alone_gbp, sequential_gbp, shapley_gbp, attributed_gbp, share`` (saving over the
        forecast years) with ``interaction`` and ``Total`` rows.
    attribution_by_year : DataFrame
        ``lever, year, saving_gbp`` (the attributed saving per year).
    comparison : DataFrame
        Needs-led vs finance-led per year (see :func:`needs_vs_finance_led`).
    tables : dict of DataFrame
        DfE layouts (:mod:`sufficiency.finance.tables`), per scenario.
    goal_seek : dict of GoalSeekResult
    assumptions : DataFrame
        ``name, value, unit, source``.
    opening : OpeningBalance or None
        How the opening balance was arrived at (:mod:`sufficiency.finance.opening`), when given
        as one.
    income_lines : DataFrame
        ``year, line, amount_gbp``: dated income the scenario listed (Safety Valve payments,
        block transfers), included in ``income`` and shown in the DSG tables.
    backcast : DataFrame
        The LA's modelled s251 spend beside its outturn (:func:`~sufficiency.finance.outturn.
        backcast`), when the run made one.
    like_for_like : DataFrame
        The scenarios on the same footing: specialist placements in the last year, the new
        local specialist places each assumes and their capital, DSG spend, transport, the
        total and the cumulative deficit; ``answer`` flags the plan's answer.
    like_for_like_parts : DataFrame
        ``scenario, part, gbp, description``: each scenario's total cost over the plan (DSG
        spend + transport + capital) minus today's placement mix, in named parts that add up
        to it; the DSG parts add up to the difference in the
        cumulative deficit.
    mix_basis : str
        How the forecast was split into placement types (the placement mix's source).

    The answer's statistic: every money figure of a plan with simulated paths is the **mean
    of the paths** (it is what the DSG tables add up); the 80% band is their 10th-90th
    percentile. A scenario without paths (the optimised place plan) is one deterministic run:
    it has no band, and says so (:meth:`deficit_range`, ``paths`` column).
    """

    placements: pd.DataFrame
    spend: pd.DataFrame
    income: pd.DataFrame
    trajectory: pd.DataFrame
    elimination: pd.DataFrame
    attribution: pd.DataFrame
    attribution_by_year: pd.DataFrame
    comparison: pd.DataFrame
    tables: dict = field(default_factory=dict)
    goal_seek: dict = field(default_factory=dict)
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    opening: object = None
    income_lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    backcast: pd.DataFrame = field(default_factory=pd.DataFrame)
    like_for_like: pd.DataFrame = field(default_factory=pd.DataFrame)
    like_for_like_parts: pd.DataFrame = field(default_factory=pd.DataFrame)
    mix_basis: str = ""

    @property
    def scenarios(self) -> list:
        """The scenarios costed, in order (``unmitigated``, then ``mitigated`` and
        ``allocation_plan`` when present)."""
        return list(self.trajectory["scenario"].unique())

    def spend_by_year(self, scenario: str = UNMITIGATED) -> pd.Series:
        """High Needs Block spend (£ of each year) by ``year`` for one scenario.

        Examples
        --------
        >>> f = pd.DataFrame({"year": [2026, 2027], "mean": [100.0, 110.0]})
        >>> mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
        >>> plan = deficit_plan(f, mix=mix, income=3e6, goal_seek=False)
        >>> plan.spend_by_year().round(-3).tolist()
        [2773000.0, 3109000.0]
        """
        t = self.trajectory
        if scenario not in set(t["scenario"]):
            raise ValidationError(f"deficit plan: no scenario {scenario!r}; expected one of "
                                  f"{self.scenarios}")
        rows = t[t["scenario"] == scenario]
        return pd.Series(rows["spend_gbp"].to_numpy(), index=rows["year"].to_numpy(),
                         name="spend_gbp").rename_axis("year")

    def final_deficit(self) -> dict:
        """The cumulative deficit (£; positive = deficit) in the last year, per scenario: the
        mean of the simulated paths where the scenario has them (the figure the DSG tables and
        the chart's line show), else its one deterministic run.

        Examples
        --------
        >>> f = pd.DataFrame({"year": [2026, 2027], "mean": [100.0, 110.0]})
        >>> mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
        >>> plan = deficit_plan(f, mix=mix, income=2e6, goal_seek=False)
        >>> {k: round(v, -3) for k, v in plan.final_deficit().items()}
        {'unmitigated': 1822000.0}
        """
        t = self.trajectory
        last = int(t["year"].max())
        return {scenario: float(t[(t["scenario"] == scenario) & (t["year"] == last)][
            "cumulative_deficit_gbp"].iloc[0]) for scenario in self.scenarios}

    def peak(self, scenario: str) -> dict:
        """Where a scenario's cumulative deficit peaks, or that it has not peaked by the end.

        A deficit peaks in the last year with an in-year deficit before the in-year balance
        turns to surplus; while spend outgrows income every year it is still rising at the end
        of the plan and has no peak inside it.

        Returns
        -------
        dict
            ``year`` (census convention) and ``deficit_gbp`` (£, positive = deficit) of the
            highest cumulative deficit inside the plan; ``rising`` True when it is the last
            year and that year still has an in-year deficit (no peak yet);
            ``in_year_last_gbp`` the last year's in-year balance (£, negative = deficit).

        Examples
        --------
        £26,000 a special place, income £2.5m flat: 2025-26 spends £2.6m, 2026-27 £2.73m,
        2027-28 £2.08m, so the deficit of £1m brought in peaks at the end of 2026-27:

        >>> f = pd.DataFrame({"year": [2026, 2027, 2028], "mean": [100.0, 105.0, 80.0]})
        >>> mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
        >>> plan = deficit_plan(f, mix=mix, income=2.5e6, income_growth=0.0, goal_seek=False,
        ...                     inflation=0.0, opening_balance_gbp=-1e6)
        >>> p = plan.peak("unmitigated")
        >>> p["year"], round(p["deficit_gbp"] / 1e6, 2), p["rising"]
        (2027, 1.33, False)
        """
        t = self.trajectory[self.trajectory["scenario"] == scenario].sort_values("year")
        if t.empty:
            raise ValidationError(f"peak: no scenario {scenario!r}; expected one of "
                                  f"{self.scenarios}")
        top = t.loc[t["cumulative_deficit_gbp"].idxmax()]
        last = t.iloc[-1]
        rising = bool(top["year"] == last["year"] and last["in_year_balance_gbp"] < 0)
        return {"year": int(top["year"]), "deficit_gbp": float(top["cumulative_deficit_gbp"]),
                "rising": rising, "in_year_last_gbp": float(last["in_year_balance_gbp"])}

    def statistic(self, scenario: str) -> str:
        """What a scenario's money figures are: ``"mean of N simulated paths"`` or
        ``"one deterministic run, no paths"``."""
        row = self.elimination[self.elimination["scenario"] == scenario]
        method = str(row["method"].iloc[0]) if len(row) else ""
        if method.startswith("share of "):
            n = method.split()[2]
            return f"mean of {n} simulated paths"
        if self._has_band(scenario):
            return "mean forecast, band from its quantiles"
        return "one deterministic run, no paths"

    def _has_band(self, scenario: str) -> bool:
        t = self.trajectory[self.trajectory["scenario"] == scenario]
        return all(c in t and t[c].notna().all() for c in
                   ("cumulative_deficit_p10", "cumulative_deficit_p90"))

    def deficit_range(self) -> pd.DataFrame:
        """``scenario, year, mean, p10, p50, p90, paths``: the cumulative deficit (£; positive =
        deficit), the mean (the answer's figure) and the 80% band, per scenario. A scenario
        without paths has ``paths`` False and NaN quantiles: no band is drawn for it.

        Examples
        --------
        >>> f = pd.DataFrame({"year": [2026], "mean": [100.0]})
        >>> mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
        >>> deficit_plan(f, mix=mix, income=2e6, goal_seek=False).deficit_range()[
        ...     ["paths", "p10"]].values.tolist()
        [[False, nan]]
        """
        t = self.trajectory
        out = pd.DataFrame({"scenario": t["scenario"].to_numpy(), "year": t["year"].to_numpy(),
                            "mean": t["cumulative_deficit_gbp"].to_numpy()})
        band = {s: self._has_band(s) for s in self.scenarios}
        out["paths"] = out["scenario"].map(band).astype(bool)
        for q in ("p10", "p50", "p90"):
            column = f"cumulative_deficit_{q}"
            values = t[column].to_numpy() if column in t else np.full(len(t), np.nan)
            out[q] = np.where(out["paths"], values, np.nan)
        return out

    def answer(self) -> tuple[str, float]:
        """The scenario whose cumulative deficit is this plan's answer, and that deficit (£).

        The most complete scenario costed: the optimised place plan when there is one, else
        the mitigated forecast when there are levers, else today's placement mix. The figure is
        the last year's cumulative deficit (:meth:`final_deficit`).
        """
        order = [s for s in (ALLOCATION, MITIGATED, UNMITIGATED) if s in self.scenarios]
        scenario = order[0]
        return scenario, self.final_deficit()[scenario]

    def like_for_like_text(self) -> str:
        """A paragraph explaining how the scenarios differ and by how much, from
        :attr:`like_for_like` and :attr:`like_for_like_parts` (the page shows it under the
        like-for-like table). Money is the plan period's total (£ of each year).

        Examples
        --------
        >>> f = pd.DataFrame({"year": [2026], "mean": [100.0]})
        >>> mix = pd.DataFrame({"provision": ["special_maintained"], "share": [1.0]})
        >>> deficit_plan(f, mix=mix, income=2e6, goal_seek=False).like_for_like_text()[:40]
        'Every scenario costs the same forecast o'
        """
        return _like_for_like_text(self.like_for_like, self.like_for_like_parts, self.mix_basis)

    def goal_seek_table(self) -> pd.DataFrame:
        """One row per goal seek (:meth:`GoalSeekResult.as_dict`); empty when none ran."""
        return pd.DataFrame([res.as_dict() for res in self.goal_seek.values()])

    def summary(self) -> str:
        """A plain-text summary for a finance officer."""
        t = self.trajectory
        years = sorted(t["year"].unique())
        last = years[-1]
        out = [f"DSG deficit plan, {financial_year_label(years[0])} to {financial_year_label(last)}"
               " (£m; cumulative deficit positive)"]
        for scen in t["scenario"].unique():
            row = t[(t["scenario"] == scen) & (t["year"] == last)].iloc[0]
            band = ""
            if "cumulative_deficit_p10" in t and pd.notna(row.get("cumulative_deficit_p10")):
                band = (f" (p10 {row['cumulative_deficit_p10'] / 1e6:,.1f} - p90 "
                        f"{row['cumulative_deficit_p90'] / 1e6:,.1f})")
            in_year = row["in_year_balance_gbp"]
            word = "deficit" if in_year < 0 else "surplus"
            out.append(f"  {scen:16s} cumulative deficit {financial_year_label(last)}: "
                       f"{row['cumulative_deficit_gbp'] / 1e6:,.1f}{band}; in-year {word} "
                       f"{abs(in_year) / 1e6:,.1f}")
        for r in self.elimination.itertuples():
            if pd.notna(r.probability):
                out.append(f"  P(deficit eliminated by end of {financial_year_label(r.target_year)}"
                           f"), {r.scenario}: {r.probability:.0%}")
        if len(self.attribution):
            total = self.attribution.set_index("lever").loc["Total", "attributed_gbp"]
            out.append(f"  saving from the levers over the period: £{total / 1e6:,.1f}m")
            for r in self.attribution.itertuples():
                if r.lever not in ("Total", "interaction"):
                    out.append(f"    {r.lever:28s} £{r.attributed_gbp / 1e6:,.1f}m ({r.share:.0%})")
        for res in self.goal_seek.values():
            out.append("  " + res.summary())
        return "\n".join(out)


def deficit_plan(forecast, *, paths: pd.DataFrame | None = None, mix: pd.DataFrame | None = None,
                 mix_basis: str | None = None, levers=None, costs: pd.DataFrame | None = None, la=None,
                 calibration: Calibration | str | None = None,
                 income: pd.DataFrame | float | None = None, income_growth=DEFAULT_GROWTH,
                 opening_balance_gbp=0.0, other_spend_gbp: float | None = None,
                 income_lines: pd.DataFrame | None = None,
                 inflation: float | None = None, independent_fee_growth: float | None = None,
                 target_year: int | None = None,
                 allocation=None, value: str = "mean", fee_uncertainty: bool = True,
                 seed: int | np.random.Generator = 0, quantiles=DEFICIT_QUANTILES,
                 attribution: str = "shapley", goal_seek: bool = True,
                 goal_seek_from_year: int | None = None, baseline=None,
                 high_needs_block: pd.DataFrame | None = None,
                 placements: pd.DataFrame | None = None,
                 placements_by_age: pd.DataFrame | None = None,
                 label: str | None = None, report_tables: bool = True) -> DeficitPlan:
    """Cost a forecast into a mitigated and an unmitigated DSG trajectory, with uncertainty.

    Parameters
    ----------
    forecast : DataFrame or forecast result
        ``<keys>, year, mean [, p05 .. p95]`` (keys: any of ``need, age_band, phase,
        provision``). An object with ``.forecast`` / ``.paths`` / ``.levers`` attributes is read
        for those.
    paths : DataFrame, optional
        ``path, <keys>, year, value``: simulated paths; give them for p10/p50/p90 and the
        probability of elimination. Without paths, quantile columns of the forecast are costed
        as if every key and year sat at the same quantile (an approximation, stated).
    mix : DataFrame, optional
        Placement mix when the forecast has no ``provision`` (``[year,] [age_band,] provision,
        share``). Default with ``la``: the LA's latest January placements. A mix by year (e.g.
        :func:`sufficiency.data.placement_mix` ``(year="each")`` of the flow account's stocks, as a run
        gives it) places the children as that projection does in each year.
    mix_basis : str, optional
        Where the mix comes from, in words (kept in ``.mix_basis``, the assumptions and the
        like-for-like explanation).
    levers : list, DataFrame, optional
        Mitigation levers (:mod:`sufficiency.finance.levers`), in order.
    costs : DataFrame, optional
        Cost table. Default: with ``la``, calibrated from its outturn
        (:func:`~sufficiency.finance.calibrate.calibrate_costs`); else national defaults.
    la : str, optional
        An LA (code or name): supplies the costs, the spend not per placement, the income base
        (latest High Needs Block before deductions) and the mix, where not given, read from the
        embedded data (a notebook convenience; a scenario run passes the frames instead).
    calibration : Calibration, optional
        The LA's cost calibration, already made (:func:`~sufficiency.finance.calibrate_costs`):
        its costs and central spend are used where ``costs`` / ``other_spend_gbp`` are not
        given, instead of calibrating again from ``la`` (a scenario run calibrates once and
        hands the result to the place plan and to this plan). Text instead: the reason the LA
        has none, said in the notes (national defaults are used).
    income : DataFrame or float, optional
        ``year, income_gbp`` for every forecast year, or the income in the first forecast year
        (then grown by ``income_growth``).
    income_growth : float or dict
        Growth of the block a year. With ``la`` (income from the LA's published allocation,
        2023-24): the DfE's announced rates for 2024-25 and 2025-26
        (:data:`~sufficiency.finance.income.ANNOUNCED_GROWTH`: the NFF floors, +3% and +7%),
        then this rate (default 3%, an assumption, :data:`~sufficiency.finance.income.
        DEFAULT_GROWTH_SOURCE`); a ``{year: rate}`` dict is used as given. With ``income`` a
        first-year figure, this rate from that year.
    opening_balance_gbp : float or OpeningBalance
        Cumulative DSG balance brought forward into the first forecast year (negative =
        deficit), or an :class:`~sufficiency.finance.opening.OpeningBalance` (its balance is used
        and its derivation kept in ``.opening``).
    income_lines : DataFrame, optional
        ``year, line, amount_gbp``: dated income to the block a scenario lists (a Safety Valve
        payment, a transfer from the schools block); added to the year's income and shown as
        its own row in the financial summary.
    other_spend_gbp : float, optional
        High-needs spend not per placement a year, 2023-24 prices (default: the LA's
        calibrated central spend, or 0).
    inflation : float, optional
        A flat cost inflation a year instead of the price paths (default: the paths of
        :mod:`sufficiency.finance.prices`: top-ups on teachers' pay, fees on CPI, place funding
        cash-flat, a stated assumption beyond the published years).
    independent_fee_growth : float, optional
        Growth of independent fees a year beyond the published CPI (default 4%).
    target_year : int, optional
        Year by which the deficit should be eliminated (default the last forecast year).
    allocation : Plan or DataFrame, optional
        An allocation plan (``.cost_by_year``: ``year, provision, revenue[_gbp], transport[_gbp],
        capital[_gbp]``): costed as a third scenario from its revenue. A Plan's revenue (the
        optimiser prices a place in the first plan year's prices) is uplifted on the price
        paths; a ``cost_by_year`` frame given alone is taken as in each year's prices.
    fee_uncertainty : bool
        With paths, also draw each path's average independent fee (lognormal fee distribution).
    seed : int or Generator
    attribution : {"shapley", "sequential"}
    baseline : DataFrame or forecast result, optional
        The forecast *without* the forecast engine's demand levers, when ``forecast`` has them:
        the baseline is then the unmitigated scenario, and the forecast's demand change (its
        mean / the baseline's, by key and year) is the first lever, ``forecast levers``, costed
        and attributed like the others (the mitigated paths are the forecast's own).
    high_needs_block : DataFrame, optional
        ``year, line, value``: the LA's DSG allocation lines
        (:func:`sufficiency.data.highneeds.la_high_needs_block`): the income base (latest High
        Needs Block before deductions) when ``income`` is not given, instead of reading it for
        ``la``.
    placements, placements_by_age : DataFrame, optional
        The LA's January placements (:func:`sufficiency.data.la_placements`,
        :func:`sufficiency.data.la_placements_by_age`): the mix where ``mix`` is not given
        (:func:`sufficiency.data.placement_mix`), instead of reading them for ``la``.
    label : str, optional
        How the LA is named in the notes and the assumptions' sources (default ``la``).
    goal_seek : bool
        Run the goal-seeks at ``target_year``: the growth reduction alone, and the new local
        places a year alone, that clear the deficit from the unmitigated forecast
        (``growth_reduction``, ``new_places``), and the same on top of the levers
        (``growth_reduction_with_levers``, ``new_places_with_levers``).
    report_tables : bool
        Make the tables only a report shows: ``tables`` (the DfE-layout summaries),
        ``like_for_like``, ``like_for_like_parts`` and ``comparison``; False leaves them empty
        and changes nothing else (a national sweep's tables-only run).

    Returns
    -------
    DeficitPlan

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2026, 2027, 2028], "mean": [1000.0, 1100.0, 1210.0]})
    >>> mix = pd.DataFrame({"provision": ["mainstream", "special_maintained",
    ...                     "special_independent"], "share": [0.5, 0.4, 0.1]})
    >>> plan = deficit_plan(f, mix=mix, income=15e6, opening_balance_gbp=-5e6,
    ...                     levers=[{"name": "step-downs", "kind": "step_down",
    ...                              "params": {"per_year": 20, "from_year": 2026}}])
    >>> sorted(plan.trajectory["scenario"].unique())
    ['mitigated', 'unmitigated']
    """
    # common random numbers: every scenario draws the same fees on the same path
    seed = int(seed.integers(2**31)) if isinstance(seed, np.random.Generator) else \
        int(0 if seed is None else seed)
    original = forecast
    forecast, paths, engine_levers, notes = _unpack(forecast, paths)
    levers = as_levers(levers if levers is not None else engine_levers)
    mitigated_paths = None
    if baseline is not None:
        # the forecast is the mitigated one: its demand change, as a ratio to the baseline,
        # becomes the first lever; the baseline is the unmitigated forecast
        base_table, base_paths, _, _ = _unpack(baseline, None)
        value_col = _value_column(forecast, value)
        ratio = _ratio_lever(base_table, forecast, _value_column(base_table, value), value_col)
        log = getattr(original, "levers", None)
        if isinstance(log, pd.DataFrame) and len(log) and "parameters" in log:
            demand = log[~log.get("applied_to", pd.Series("", index=log.index)).astype(str)
                         .str.startswith("recorded")]
            if len(demand):
                ratio.name = "forecast: " + "; ".join(demand["parameters"].astype(str))
        levers = [ratio] + levers
        mitigated_paths, paths = paths, base_paths
        forecast = base_table
        notes = [n for n in notes if not n.startswith("forecast levers already")]
    who = label if label is not None else la
    if isinstance(calibration, str):   # the caller's calibration failed: say why
        notes.append(f"calibration for {who} not available ({calibration}); national defaults "
                     "used")
        calibration = None
    elif calibration is None and la is not None and (costs is None or other_spend_gbp is None):
        try:
            calibration = calibrate_costs(la)
        except (ValidationError, KeyError) as exc:
            notes.append(f"calibration for {la} not available ({exc}); national defaults used")
    if costs is None:
        costs = calibration.costs if calibration is not None else cost_table()
    if other_spend_gbp is None:
        other_spend_gbp = calibration.central_gbp if calibration is not None else 0.0
    if mix is None and (la is not None or placements is not None) and \
            "provision" not in forecast:
        try:
            mix = _la_mix(la, forecast, placements, placements_by_age)
        except KeyError as exc:
            raise ValidationError(f"mix: no embedded placements for LA {la!r} ({exc}); give "
                                  "mix= (provision, share)") from None
        mix_basis = mix_basis or (f"{who}'s latest January placements"
                                  + (" by age band" if "age_band" in forecast else "")
                                  + ", held for every year")
    if mix_basis is None:
        mix_basis = "the placement mix given" + (" by year" if mix is not None and "year" in mix
                                                 else ", held for every year") \
            if mix is not None else "the forecast's own placement types"
    notes.append(f"placement mix: {mix_basis}")

    base = placements_from_forecast(forecast, mix, value=_value_column(forecast, value))
    years = sorted(base["year"].unique())
    cohort = float(base.loc[base["provision"] == "special_independent"].groupby("year")["count"]
                   .sum().mean()) if (base["provision"] == "special_independent").any() else 1.0
    target_year = years[-1] if target_year is None else int(target_year)
    if target_year not in years:
        raise ValidationError(f"target_year {target_year}: expected one of the forecast years "
                              f"{years}")
    income_frame, income_rows = _income(income, la, years, income_growth, high_needs_block,
                                        who)
    opening = None
    if isinstance(opening_balance_gbp, OpeningBalance):
        opening = opening_balance_gbp
        opening_balance_gbp = float(opening.balance_gbp)
        notes.append(opening.summary())
    opening_balance_gbp = float(opening_balance_gbp)
    lines = _income_lines(income_lines, years)
    if len(lines):
        extra = lines.groupby("year")["amount_gbp"].sum()
        add = income_frame["year"].map(extra).fillna(0.0).to_numpy()
        income_frame = income_frame.copy()
        income_frame["other_income_gbp"] = income_frame.get("other_income_gbp", 0.0) + add
        income_frame["income_gbp"] = income_frame["income_gbp"] + add
        income_rows = income_rows + [(f"income_line:{r.line}:{financial_year_label(r.year)}",
                                      r.amount_gbp, "gbp", "scenario income line")
                                     for r in lines.itertuples()]
    price_year = int(DEFAULTS.loc[DEFAULTS["name"] == "inflation", "year"].iloc[0])

    def run(placements, with_paths=False):
        costed = cost_placements(placements, costs, inflation, price_year,
                                 fee_uncertainty=fee_uncertainty and with_paths,
                                 rng=np.random.default_rng(seed), fee_cohort=cohort,
                                 independent_fee_growth=independent_fee_growth)
        return costed, spend_by_year(costed, other_spend_gbp, inflation, price_year)

    scenarios = {UNMITIGATED: base, MITIGATED: apply_levers(base, levers)} if levers else \
        {UNMITIGATED: base}
    placements, spend_rows, traj_rows, elim_rows = [], [], [], []
    for name, placed in scenarios.items():
        costed, spend = run(placed)
        placements.append(placed.assign(scenario=name))
        spend_rows.append(costed.assign(scenario=name))
        traj = dsg_trajectory(spend, income_frame, opening_balance_gbp)
        traj = traj.merge(spend[["year", "placements_gbp", "other_gbp", "transport_gbp"]],
                          on="year")
        method = "deterministic (mean forecast)"
        prob = float(traj.loc[traj["year"] == target_year, "cumulative_balance_gbp"].iloc[0] >= 0)
        if paths is not None:
            path_placed = placements_from_forecast(paths, mix, value="value")
            if name == MITIGATED and mitigated_paths is not None:
                # the mitigated forecast's own paths, then the placement levers
                path_placed = placements_from_forecast(mitigated_paths, mix, value="value")
                path_placed = apply_levers(path_placed, [lv for lv in levers if lv.kind != "scale"])
            elif name == MITIGATED:
                path_placed = apply_levers(path_placed, levers)
            _, path_spend = run(path_placed, with_paths=True)
            qs = dsg_trajectory(path_spend[["path", "year", "spend_gbp"]], income_frame,
                                opening_balance_gbp, quantiles)
            keep = [c for c in qs.columns if c.startswith("cumulative_deficit_p")]
            traj = traj.merge(qs[["year", "prob_no_deficit"] + keep], on="year")
            prob = elimination_probability(path_spend[["path", "year", "spend_gbp"]],
                                           income_frame, target_year, opening_balance_gbp)
            method = f"share of {path_spend['path'].nunique()} simulated paths"
        else:
            qcols = _quantile_columns(forecast, quantiles)
            for q, col in qcols.items():
                qp = placements_from_forecast(forecast, mix, value=col)
                if name == MITIGATED:
                    qp = apply_levers(qp, levers)
                _, qs = run(qp)
                qt = dsg_trajectory(qs, income_frame, opening_balance_gbp)
                traj[f"cumulative_deficit_p{round(q * 100):02d}"] = qt["cumulative_deficit_gbp"].to_numpy()
            if qcols:
                notes.append("quantiles without paths: every key and year costed at the same "
                             "forecast quantile (comonotone approximation)")
                prob = np.nan
                method = "not available without simulated paths"
        traj_rows.append(traj.assign(scenario=name))
        elim_rows.append((name, target_year, prob, method))
    if allocation is not None:
        needs_led = spend_rows[-1].drop(columns=["scenario"])
        costed, spend = _allocation_spend(allocation, other_spend_gbp, inflation, price_year,
                                          needs_led, costs, independent_fee_growth, notes)
        spend_rows.append(costed.assign(scenario=ALLOCATION))
        traj = dsg_trajectory(spend, income_frame, opening_balance_gbp)
        traj = traj.merge(spend[["year", "placements_gbp", "other_gbp", "transport_gbp"]], on="year")
        traj_rows.append(traj.assign(scenario=ALLOCATION))
        end = traj.loc[traj["year"] == target_year, "cumulative_balance_gbp"]
        elim_rows.append((ALLOCATION, target_year, float(end.iloc[0] >= 0) if len(end) else np.nan,
                          "deterministic (allocation plan)"))

    trajectory = _front(pd.concat(traj_rows, ignore_index=True), "scenario")
    spend_all = _front(pd.concat(spend_rows, ignore_index=True), "scenario")
    placements_all = _front(pd.concat(placements, ignore_index=True), "scenario")
    elimination = pd.DataFrame(elim_rows, columns=["scenario", "target_year", "probability",
                                                   "method"])
    attr, attr_year = attribute_savings(base, levers, lambda p: run(p)[1], method=attribution)
    comparison, tables, like, parts = pd.DataFrame(), {}, pd.DataFrame(), pd.DataFrame()
    if report_tables:
        needs_row = trajectory[trajectory["scenario"] == (MITIGATED if levers else UNMITIGATED)]
        comparison = needs_vs_finance_led(needs_row, spend_all[spend_all["scenario"] ==
                                                               needs_row["scenario"].iloc[0]],
                                          opening_balance_gbp)
        tables = _tables(placements_all, spend_all, trajectory, lines)
        like = _like_for_like(placements_all, spend_all, trajectory, allocation)
        parts = _like_for_like_parts(spend_all, trajectory, like, allocation, costs, inflation,
                                     price_year, independent_fee_growth)
    seeks = {}
    if goal_seek:
        start = years[0] if goal_seek_from_year is None else int(goal_seek_from_year)
        kwargs = dict(income=income_frame, target_year=target_year, from_year=start,
                      opening_balance_gbp=opening_balance_gbp, costs=costs, levers=levers,
                      other_spend_gbp=other_spend_gbp, inflation=inflation, price_year=price_year,
                      independent_fee_growth=independent_fee_growth)
        mean_base = base
        for suffix, lv in (("", []), ("_with_levers", levers)) if levers else (("", []),):
            kwargs["levers"] = lv
            label = MITIGATED if lv else UNMITIGATED
            for key, fn in (("growth_reduction", growth_reduction_needed),
                            ("new_places", new_places_needed)):
                res = fn(mean_base, **kwargs)
                res.baseline = label
                seeks[key + suffix] = res
    if calibration is not None:
        notes.extend(calibration.notes)
    assumptions = _assumptions(costs, levers, income_rows, opening_balance_gbp, other_spend_gbp,
                               inflation, target_year, who, calibration, notes, fee_uncertainty,
                               paths is not None, years, independent_fee_growth, opening)
    return DeficitPlan(placements=placements_all, spend=spend_all, income=income_frame,
                       trajectory=trajectory, elimination=elimination, attribution=attr,
                       attribution_by_year=attr_year, comparison=comparison, tables=tables,
                       goal_seek=seeks, assumptions=assumptions, opening=opening,
                       income_lines=lines, like_for_like=like, like_for_like_parts=parts,
                       mix_basis=mix_basis)


def attribute_savings(placements: pd.DataFrame, levers, spend_of, method: str = "shapley"
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attribute the saving of a set of levers to each lever (see the module notes).

    Parameters
    ----------
    placements : DataFrame
        Unmitigated placements (``[keys,] year, provision, count``).
    levers : list
        Levers, in order.
    spend_of : callable
        ``placements -> DataFrame year, spend_gbp``.
    method : {"shapley", "sequential"}

    Returns
    -------
    (DataFrame, DataFrame)
        The attribution table (``lever, alone_gbp, sequential_gbp, shapley_gbp,
        attributed_gbp, share`` with ``interaction`` and ``Total`` rows) and the attributed
        saving per lever per year (``lever, year, saving_gbp``).

    Examples
    --------
    >>> from sufficiency.finance.levers import Lever
    >>> from sufficiency.finance.spend import cost_placements, spend_by_year
    >>> p = pd.DataFrame({"year": 2026, "provision": ["special_independent"], "count": [50.0]})
    >>> lv = [Lever("a", "step_down", {"per_year": 30, "from_year": 2026}),
    ...       Lever("b", "step_down", {"per_year": 30, "from_year": 2026})]
    >>> t, _ = attribute_savings(p, lv, lambda q: spend_by_year(cost_placements(q)))
    >>> s = t.set_index("lever")["shapley_gbp"]
    >>> bool(s["a"] == s["b"])
    True
    """
    levers = as_levers(levers)
    cols = ["lever", "alone_gbp", "sequential_gbp", "shapley_gbp", "attributed_gbp", "share"]
    if not levers:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["lever", "year", "saving_gbp"])
    n = len(levers)
    cache: dict = {}

    def spend(subset: tuple) -> pd.Series:
        if subset not in cache:
            chosen = [levers[i] for i in sorted(subset)]
            s = spend_of(apply_levers(placements, chosen))
            cache[subset] = s.groupby("year")["spend_gbp"].sum()
        return cache[subset]

    none = spend(())
    everything = tuple(range(n))
    total = none - spend(everything)
    alone = {i: none - spend((i,)) for i in range(n)}
    sequential = {i: spend(tuple(range(i))) - spend(tuple(range(i + 1))) for i in range(n)}
    shapley = None
    if method == "shapley" and n <= 8:
        shapley = {}
        for i in range(n):
            others = [j for j in range(n) if j != i]
            acc = none * 0.0
            for k in range(n):
                weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                for s in itertools.combinations(others, k):
                    acc = acc + weight * (spend(tuple(sorted(s))) - spend(tuple(sorted(s + (i,)))))
            shapley[i] = acc
    elif method not in ("shapley", "sequential"):
        raise ValidationError(f"attribution {method!r}: expected 'shapley' or 'sequential'")
    chosen = shapley if shapley is not None else sequential
    rows, by_year = [], []
    grand = float(total.sum())
    for i, lever in enumerate(levers):
        att = float(chosen[i].sum())
        rows.append((lever.name, float(alone[i].sum()), float(sequential[i].sum()),
                     float(shapley[i].sum()) if shapley is not None else np.nan, att,
                     att / grand if grand else np.nan))
        by_year.extend((lever.name, int(y), float(v)) for y, v in chosen[i].items())
    interaction = grand - sum(r[1] for r in rows)
    rows.append(("interaction", interaction, 0.0, 0.0 if shapley is not None else np.nan, 0.0,
                 0.0))
    rows.append(("Total", grand, grand, grand if shapley is not None else np.nan, grand,
                 1.0 if grand else np.nan))
    return (pd.DataFrame(rows, columns=cols),
            pd.DataFrame(by_year, columns=["lever", "year", "saving_gbp"]))


def needs_vs_finance_led(trajectory: pd.DataFrame, spend: pd.DataFrame,
                         opening_balance_gbp: float = 0.0) -> pd.DataFrame:
    """Needs-led (every need met, as forecast) vs finance-led (spend held to the year's income).

    The finance-led run is a budget constraint, not a plan: it shows what could not be funded
    each year if spend were held to income, in pounds and in average specialist placements
    (the gap / the year's average High Needs Block cost of a specialist placement).

    Returns
    -------
    DataFrame
        ``year, financial_year, income_gbp, needs_led_spend_gbp, finance_led_spend_gbp,
        unfunded_gbp, unfunded_specialist_places, needs_led_cumulative_balance_gbp,
        finance_led_cumulative_balance_gbp``.
    """
    t = trajectory.sort_values("year")
    out = pd.DataFrame({"year": t["year"].to_numpy(), "financial_year": t["financial_year"].to_numpy(),
                        "income_gbp": t["income_gbp"].to_numpy(),
                        "needs_led_spend_gbp": t["spend_gbp"].to_numpy()})
    out["finance_led_spend_gbp"] = np.minimum(out["needs_led_spend_gbp"], out["income_gbp"])
    out["unfunded_gbp"] = out["needs_led_spend_gbp"] - out["finance_led_spend_gbp"]
    spec = spend[spend["provision"].isin(SPECIALIST)].groupby("year")[["hnb_gbp", "count"]].sum()
    avg = (spec["hnb_gbp"] / spec["count"]).reindex(out["year"]).to_numpy()
    out["unfunded_specialist_places"] = np.where(avg > 0, out["unfunded_gbp"] / avg, np.nan)
    out["needs_led_cumulative_balance_gbp"] = t["cumulative_balance_gbp"].to_numpy()
    out["finance_led_cumulative_balance_gbp"] = opening_balance_gbp + (
        out["income_gbp"] - out["finance_led_spend_gbp"]).cumsum()
    return out


def _unpack(forecast, paths):
    """(table, paths, levers, notes) from a DataFrame or a forecast result.

    A :class:`sufficiency.forecast.Forecast` gives ``.table`` and ``.paths``; its placement
    levers that could not act without a provision key (``.provision_shifts``) become finance
    levers; its demand levers are already in its counts (noted).
    """
    levers, notes = None, []
    if isinstance(forecast, pd.DataFrame):
        return forecast, paths, levers, notes
    obj = forecast
    frame = getattr(obj, "table", None)
    if not isinstance(frame, pd.DataFrame):
        frame = getattr(obj, "forecast", None)
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError("forecast: expected a DataFrame (keys, year, mean, p05..p95) or "
                              "a forecast result with a .table DataFrame")
    if paths is None:
        try:
            candidate = obj.paths
        except Exception:  # noqa: BLE001 - a result without paths
            candidate = None
        if isinstance(candidate, pd.DataFrame):
            paths = candidate
    shifts = getattr(obj, "provision_shifts", None)
    if isinstance(shifts, pd.DataFrame) and len(shifts):
        levers = from_forecast_engine(shifts)
    log = getattr(obj, "levers", None)
    if isinstance(log, pd.DataFrame) and len(log) and "lever" in log:
        applied = log[~log["lever"].isin(["shift_to_mainstream", "independent_step_down"])
                      | ~log.get("applied_to", pd.Series("", index=log.index)).astype(str)
                      .str.startswith("recorded")]
        if len(applied):
            notes.append("forecast levers already in the forecast's counts: "
                         + "; ".join(applied["parameters"].astype(str))
                         + " (give baseline= the forecast without them to cost and attribute them)")
    return frame, paths, levers, notes


def _ratio_lever(base: pd.DataFrame, mitigated: pd.DataFrame, base_col: str, mit_col: str
                 ) -> Lever:
    from .spend import KEYS, _drop_totals

    b, m = _drop_totals(base), _drop_totals(mitigated)
    keys = [k for k in KEYS if k in b and k in m] + ["year"]
    merged = b[keys + [base_col]].rename(columns={base_col: "_b"}).merge(
        m[keys + [mit_col]].rename(columns={mit_col: "_m"}), on=keys, how="inner")
    if merged.empty:
        raise ValidationError("baseline: no keys and years in common with the forecast")
    merged["ratio"] = np.where(merged["_b"] > 0, merged["_m"] / merged["_b"].where(merged["_b"] > 0, 1), 1.0)
    return Lever("forecast levers", "scale", {"ratio": merged[keys + ["ratio"]]})


def _value_column(forecast: pd.DataFrame, value: str) -> str:
    if value in forecast:
        return value
    for alt in ("mean", "p50", "value", "count"):
        if alt in forecast:
            return alt
    raise ValidationError(f"forecast: no {value!r} column; expected mean (or p50)")


def _quantile_columns(forecast: pd.DataFrame, quantiles) -> dict:
    out = {}
    for q in quantiles:
        col = f"p{round(q * 100):02d}"
        if col in forecast:
            out[q] = col
    return out


def _la_mix(la, forecast, placed=None, by_age=None):
    """The LA's latest January placement mix (:func:`sufficiency.data.placement_mix`): by age
    band when the forecast has age bands, a band without placements taking the LA-wide mix.
    The tables not given are read for ``la``."""
    import sufficiency.data as sd

    overall = sd.placement_mix(sd.la_placements(la) if placed is None else placed,
                               empty="zero")
    if "age_band" not in forecast:
        return overall
    bands = [b for b in forecast["age_band"].unique() if b != "all"]
    by_age = sd.la_placements_by_age(la) if by_age is None else by_age
    return sd.placement_mix(by_age, by="age_band", groups=bands, empty=overall)


def _income(income, la, years, growth, block=None, name=None):
    if isinstance(income, pd.DataFrame):
        missing = [y for y in years if y not in set(income["year"])]
        if missing or "income_gbp" not in income:
            raise ValidationError(f"income: expected year, income_gbp for every forecast year; "
                                  f"missing years {missing}")
        frame = income.copy()
        return frame, [("income", "given", "gbp", "user")]
    if income is not None:
        frame = project_income(float(income), years, years[0], growth)
        return frame, [("income_first_year_gbp", float(income), "gbp", "user"),
                       ("income_growth", growth, "per_year", DEFAULT_GROWTH_SOURCE)]
    if la is None and block is None:
        raise ValidationError("income: give income (year, income_gbp or the first year's £) or "
                              "an LA to take its latest High Needs Block allocation")
    from .income import income_base, la_income_base

    name = la if name is None else name
    try:
        base, base_year, imp = la_income_base(la) if block is None else \
            income_base(block, label=repr(name))
    except KeyError as exc:
        raise ValidationError(f"income: no embedded High Needs Block allocation for LA {name!r} "
                              f"({exc}); give income= (year, income_gbp, or the first year's £)"
                              ) from None
    # the published allocation, the DfE's announced rates after it, then the assumption
    path = income_growth_path(growth)
    frame = project_income(base, [y for y in years], min(base_year, years[0]), path,
                           import_export_gbp=imp)
    source = DEFAULT_GROWTH_SOURCE if not isinstance(growth, dict) and \
        float(growth) == DEFAULT_GROWTH else "given in the scenario (its income growth)"
    table = income_growth_table(years, growth, base_year, source)
    frame = frame.merge(table[["year", "rate", "basis"]].rename(
        columns={"rate": "growth_rate"}), on="year", how="left")
    rows = [("income_base_gbp", base, "gbp",
             f"{name}: High Needs Block before deductions {financial_year_label(base_year)}, "
             "ESFA DSG allocations (published), excl. import/export"),
            ("import_export_gbp", imp, "gbp", f"{name}: {financial_year_label(base_year)}, "
             "held flat")]
    announced = table[table["basis"] == "announced"]
    if len(announced):
        rows.append(("income_growth_announced",
                     ", ".join(f"{r.rate:.0%} ({r.financial_year})"
                               for r in announced.itertuples()), "",
                     "announced: " + "; ".join(announced["source"])))
    rows.append(("income_growth", growth if not isinstance(growth, dict) else str(growth),
                 "per_year", ("after " + financial_year_label(max(ANNOUNCED_GROWTH)) + ": "
                              if not isinstance(growth, dict) else "") + source))
    return frame, rows


def _allocation_spend(allocation, other_spend_gbp, inflation, price_year, needs_led=None,
                      costs=None, fee_growth=None, notes=None):
    """The allocation plan's High Needs Block spend: its revenue for the specialist provisions
    it places, plus the needs-led forecast's spend on every other provision (mainstream top-ups,
    FE, ...), which the plan does not cover; without the latter the plan would look cheaper
    than the forecast simply by leaving those children out.

    Transport is priced as in the other scenarios (children transported x cost per child, by
    provision) from the plan's placements, so the scenarios compare like for like; the
    optimiser's own travel-based transport stays in the place plan's cost table."""
    frame = getattr(allocation, "cost_by_year", allocation)
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError("allocation: expected a Plan with .cost_by_year or a DataFrame")
    frame = frame.rename(columns={"revenue": "revenue_gbp", "transport": "transport_gbp",
                                  "capital": "capital_gbp"})
    for col in ("year", "provision", "revenue_gbp"):
        if col not in frame:
            raise ValidationError(f"allocation cost_by_year: missing column {col!r}; expected "
                                  "year, provision, revenue_gbp, transport_gbp, capital_gbp")
    costed = frame.assign(hnb_gbp=frame["revenue_gbp"],
                          transport_gbp=frame.get("transport_gbp", 0.0),
                          count=np.nan)
    # the optimiser prices a place in the first plan year's prices in every year; the DSG
    # spend is in each year's prices, so its revenue follows the same price paths as the
    # other scenarios (cost growth of each provision from the first plan year)
    # (a cost_by_year frame given on its own is taken as in each year's prices already)
    known = costed["provision"].isin(set(cost_table()["provision"]))
    if known.any() and not isinstance(allocation, pd.DataFrame):
        first = int(costed["year"].min())
        grid = costed.loc[known, ["year", "provision"]].drop_duplicates()
        unit = cost_placements(pd.concat([grid, grid.assign(year=first)]).drop_duplicates()
                               .assign(count=1.0), costs, inflation, price_year,
                               independent_fee_growth=fee_growth)
        unit = unit.set_index(["year", "provision"])["hnb_gbp"]
        at = pd.MultiIndex.from_frame(costed.loc[known, ["year", "provision"]])
        base = unit.reindex(pd.MultiIndex.from_arrays(
            [np.full(len(at), first), at.get_level_values(1)])).to_numpy()
        factor = np.where(base > 0, unit.reindex(at).to_numpy() / np.where(base > 0, base, 1),
                          1.0)
        costed.loc[known, "hnb_gbp"] = costed.loc[known, "hnb_gbp"].to_numpy() * factor
        if notes is not None and np.any(np.abs(factor - 1) > 1e-9):
            notes.append(f"place plan revenue: the optimiser's cost a place ({first} prices) "
                         "uplifted on the same price paths as the other scenarios (each "
                         "provision's cost growth from that year), so every scenario's DSG "
                         "spend is in each year's prices")
    placed = getattr(allocation, "placements", None)
    if isinstance(placed, pd.DataFrame) and {"year", "provision", "placed"} <= set(placed):
        counts = placed.groupby(["year", "provision"], as_index=False)["placed"].sum()
        counts = counts.rename(columns={"placed": "count"})
        counts = counts[counts["provision"].isin(set(cost_table()["provision"]))]
        if len(counts):
            rule = cost_placements(counts, costs, inflation, price_year,
                                   independent_fee_growth=fee_growth)
            by = rule.groupby(["year", "provision"])["transport_gbp"].sum()
            key = pd.MultiIndex.from_frame(costed[["year", "provision"]])
            costed["plan_transport_gbp"] = costed["transport_gbp"]
            costed["transport_gbp"] = by.reindex(key).fillna(0.0).to_numpy()
            costed["count"] = counts.set_index(["year", "provision"])["count"].reindex(
                key).fillna(0.0).to_numpy()
            if notes is not None:
                notes.append("place plan transport in the DSG comparison: children transported "
                             "x cost per child by provision, as the other scenarios (the "
                             "optimiser's travel-based figure is in the place plan's costs)")
    if needs_led is not None and len(needs_led):
        covered = set(PROVISIONS.loc[PROVISIONS["specialist"], "provision"]) | \
            set(costed["provision"])
        rest = needs_led[~needs_led["provision"].isin(covered)]
        rest = rest[rest["year"].isin(costed["year"].unique())]
        costed = pd.concat([costed, rest.groupby(["year", "provision"], as_index=False)[
            ["count", "hnb_gbp", "transport_gbp"]].sum()], ignore_index=True)
    spend = spend_by_year(costed, other_spend_gbp, inflation, price_year)
    return costed, spend


def _like_for_like(placements, spend, trajectory, allocation) -> pd.DataFrame:
    """Every scenario on the same footing: the new local specialist places it assumes, their
    capital (at the place plan's capital cost per place), its DSG spend, transport (one rule
    for all) and the cumulative deficit; the answer flagged."""
    local = set(PROVISIONS.loc[PROVISIONS["scap_type"].notna() & ~PROVISIONS["independent"],
                               "provision"])
    programme = getattr(allocation, "capital_programme", None)
    per_place = np.nan
    built, capital = np.nan, np.nan
    if isinstance(programme, pd.DataFrame):
        built = float(programme["places"].sum()) if len(programme) else 0.0
        capital = float(programme["capital_cost"].sum()) if len(programme) else 0.0
        per_place = capital / built if built > 0 else np.nan
    years = sorted(trajectory["year"].unique())
    last = years[-1]
    existing = _existing_local_places(allocation, local, years[0])
    rows = []
    scenarios = list(trajectory["scenario"].unique())
    answer = next(s for s in (ALLOCATION, MITIGATED, UNMITIGATED) if s in scenarios)
    for scen in scenarios:
        t = trajectory[trajectory["scenario"] == scen]
        sp = spend[spend["scenario"] == scen]
        paths = sp["path"].nunique() if "path" in sp else 1
        transport = float(sp["transport_gbp"].sum()) / max(paths, 1)
        if scen == ALLOCATION:
            places, cap, basis = built, capital, "projects the optimiser builds"
            placed = getattr(allocation, "placements", None)
            specialist = float(placed.loc[placed["year"] == last, "placed"].sum()) \
                if isinstance(placed, pd.DataFrame) and "placed" in placed else np.nan
        else:
            p = placements[(placements["scenario"] == scen) & placements["provision"].isin(local)]
            by_year = p.groupby("year")["count"].sum().reindex(years).fillna(0.0)
            if existing is not None:
                places = float(max(0.0, by_year.max() - existing)) if len(by_year) else 0.0
                basis = (f"local specialist placements beyond the {existing:,.0f} local places "
                         f"the place plan starts {years[0]} with (its settings' capacity): the "
                         "places that needs, at the plan's capital cost a place")
            else:
                places = float(max(0.0, by_year.max() - by_year.iloc[0])) if len(by_year) else 0.0
                basis = (f"local specialist placements grow with demand from {years[0]}: the "
                         "places that needs" + ("" if np.isfinite(per_place) else
                                                " (capital not costed: no place plan to price "
                                                "a place)"))
            cap = places * per_place
            mine = placements[(placements["scenario"] == scen)
                              & placements["provision"].isin(SPECIALIST)]
            specialist = float(mine.loc[mine["year"] == last, "count"].sum())
        rows.append((scen, specialist, places, cap, float(t["spend_gbp"].sum()), transport,
                     float(t.loc[t["year"] == last, "cumulative_deficit_gbp"].iloc[0]),
                     scen == answer, basis))
    out = pd.DataFrame(rows, columns=["scenario", "specialist_placements_last_year",
                                      "new_local_places", "capital_gbp",
                                      "dsg_spend_gbp", "transport_gbp",
                                      "cumulative_deficit_gbp", "answer", "new_places_basis"])
    out["total_cost_gbp"] = out["dsg_spend_gbp"] + out["transport_gbp"] + \
        out["capital_gbp"].fillna(0.0)
    return out


def _existing_local_places(allocation, local, first_year) -> float | None:
    """Local specialist places the place plan starts with: its settings' capacity in the first
    plan year less the places its projects open that year (None without a plan)."""
    use = getattr(allocation, "utilisation", None)
    if not isinstance(use, pd.DataFrame) or not {"year", "provision", "capacity"} <= set(use):
        return None
    first = use[(use["year"] == first_year) & use["provision"].isin(local)]
    capacity = first["capacity"].replace([np.inf, -np.inf], np.nan).dropna().sum()
    programme = getattr(allocation, "capital_programme", None)
    opened = 0.0
    if isinstance(programme, pd.DataFrame) and len(programme) and "opening_year" in programme:
        opened = float(programme.loc[(programme["opening_year"] <= first_year)
                                     & programme["provision"].isin(local), "places"].sum())
    return float(max(capacity - opened, 0.0))


#: The named parts of a scenario's difference from today's placement mix
#: (:func:`_like_for_like_parts`), with what each means.
LIKE_FOR_LIKE_PARTS = (
    ("demand", True, "children needing a specialist place: the difference from today's mix "
     "x today's mix's average High Needs cost of a specialist placement"),
    ("unplaced", True, "children the place plan leaves without a place (they cost nothing "
     "in its DSG spend), at the same average cost"),
    ("placement", True, "where the children are placed (independent or local, special or "
     "resourced): the scenario's placements at today's mix's cost of each type, less the same "
     "number at today's mix's average"),
    ("cost_per_place", True, "the scenario's own cost of a placement against today's mix's "
     "(the place plan prices a place from its settings)"),
    ("other_spend", True, "High Needs spend outside specialist placements (mainstream, FE, "
     "early years) and spend not per placement"),
    ("transport", False, "home-to-school transport (general fund, one rule for all)"),
    ("capital", False, "capital for the new local places each scenario assumes"),
)


def _like_for_like_parts(spend, trajectory, like, allocation, costs, inflation, price_year,
                         fee_growth) -> pd.DataFrame:
    """Each scenario's total cost over the plan minus today's placement mix's, in named parts.

    With ``N`` specialist placements a year, ``n_p`` of type ``p`` and High Needs spend
    ``h_p``, and today's mix (``ref``) cost per placement ``c_p = h_p / n_p`` (the cost table
    where today's mix has none) and average ``c = sum h_p / N``, per year:
    ``demand = (D - N_ref) c`` (``D`` = the children needing a place: placed + unplaced),
    ``unplaced = -U c``, ``placement = sum n_p c_p - N c``, ``cost_per_place = sum h_p -
    sum n_p c_p``, ``other_spend`` = the rest of the High Needs spend; the five add up to the
    DSG spend difference (the cumulative deficit's difference: income and opening balance are
    the same), and with ``transport`` and ``capital`` to the total cost difference.
    """
    cols = ["scenario", "part", "gbp", "dsg", "description"]
    if UNMITIGATED not in set(like["scenario"]):
        return pd.DataFrame(columns=cols)
    spec = set(SPECIALIST)
    mean = spend[~spend["path"].notna()] if "path" in spend else spend

    def by_type(scen):
        rows = mean[(mean["scenario"] == scen) & mean["provision"].isin(spec)]
        return rows.groupby(["year", "provision"])[["count", "hnb_gbp"]].sum()

    ref = by_type(UNMITIGATED)
    years = sorted(set(mean["year"]))
    provs = sorted(set(mean.loc[mean["provision"].isin(spec), "provision"]))
    unit = cost_placements(pd.DataFrame([(y, p, 1.0) for y in years for p in provs],
                                        columns=["year", "provision", "count"]),
                           costs, inflation, price_year, independent_fee_growth=fee_growth)
    unit = unit.set_index(["year", "provision"])["hnb_gbp"]
    c_ref = (ref["hnb_gbp"] / ref["count"].where(ref["count"] > 0)).reindex(unit.index)
    c_ref = c_ref.fillna(unit)
    n_ref = ref["count"].groupby("year").sum().reindex(years).fillna(0.0)
    h_ref = ref["hnb_gbp"].groupby("year").sum().reindex(years).fillna(0.0)
    avg = (h_ref / n_ref.where(n_ref > 0)).fillna(0.0)
    traj_total = mean.groupby(["scenario", "year"])["hnb_gbp"].sum()
    not_per_placement = trajectory.groupby("scenario")["other_gbp"].sum().to_dict()
    like = like.set_index("scenario")
    rows = []
    for scen in like.index:
        if scen == UNMITIGATED:
            continue
        mine = by_type(scen)
        n = mine["count"].groupby("year").sum().reindex(years).fillna(0.0)
        h = mine["hnb_gbp"].groupby("year").sum().reindex(years).fillna(0.0)
        at_ref = (mine["count"] * c_ref.reindex(mine.index).fillna(0.0)).groupby("year").sum()
        at_ref = at_ref.reindex(years).fillna(0.0)
        unplaced = pd.Series(0.0, index=years)
        if scen == ALLOCATION:
            u = getattr(allocation, "unplaced", None)
            if isinstance(u, pd.DataFrame) and len(u):
                unplaced = u.groupby("year")["unplaced"].sum().reindex(years).fillna(0.0)
        rest = (traj_total[scen].reindex(years).fillna(0.0) - h) - (
            traj_total[UNMITIGATED].reindex(years).fillna(0.0) - h_ref)
        central = not_per_placement.get(scen, 0.0) - not_per_placement.get(UNMITIGATED, 0.0)
        values = {
            "demand": float(((n + unplaced - n_ref) * avg).sum()),
            "unplaced": float((-unplaced * avg).sum()),
            "placement": float((at_ref - n * avg).sum()),
            "cost_per_place": float((h - at_ref).sum()),
        }
        values["other_spend"] = float(rest.sum() + central)
        values["transport"] = float(like.loc[scen, "transport_gbp"]
                                    - like.loc[UNMITIGATED, "transport_gbp"])
        values["capital"] = float(np.nan_to_num(like.loc[scen, "capital_gbp"])
                                  - np.nan_to_num(like.loc[UNMITIGATED, "capital_gbp"]))
        for part, dsg, text in LIKE_FOR_LIKE_PARTS:
            rows.append((scen, part, values[part], dsg, text))
        rows.append((scen, "total", float(like.loc[scen, "total_cost_gbp"]
                                          - like.loc[UNMITIGATED, "total_cost_gbp"]), False,
                     "total cost over the plan (DSG spend + transport + capital) minus today's "
                     "placement mix"))
    return pd.DataFrame(rows, columns=cols)


_SCENARIO_WORDS = {UNMITIGATED: "today's placement mix", MITIGATED: "the scenario's levers",
                   ALLOCATION: "the optimised place plan"}


def _like_for_like_text(like: pd.DataFrame, parts: pd.DataFrame, mix_basis: str = "") -> str:
    """The paragraph of :meth:`DeficitPlan.like_for_like_text`."""
    if not len(like):
        return ""
    rows = like.set_index("scenario")
    n = len(rows)
    lead = ("Every scenario costs the same forecast of EHC plans, split into placement types "
            f"with {mix_basis or 'one placement mix'}; ") if n > 1 else \
        ("Every scenario costs the same forecast of EHC plans, split into placement types "
         f"with {mix_basis or 'one placement mix'}. ")
    if n > 1:
        lead += ("they differ only in where children are placed from the first plan year, in "
                 "the new local places that needs (their capital at the place plan's cost a "
                 "place), and in the levers. Income and the opening balance are the same, so "
                 "the difference in the cumulative deficit is the difference in High Needs "
                 "spend. ")
    text = lead
    if UNMITIGATED in rows.index:
        mix = rows.loc[UNMITIGATED]
        text += (f"Today's placement mix places {mix['specialist_placements_last_year']:,.0f} "
                 "children in specialist settings in the last year and needs "
                 f"{mix['new_local_places']:,.0f} more local places")
        text += (f" (capital {money_m(mix['capital_gbp'])}) that nobody has planned"
                 if np.isfinite(mix["capital_gbp"]) else " (capital not costed)")
        text += f"; its cumulative deficit is {money_m(mix['cumulative_deficit_gbp'])}. "
    for scen in [s for s in rows.index if s != UNMITIGATED]:
        r = rows.loc[scen]
        mine = parts[parts["scenario"] == scen].set_index("part")["gbp"] if len(parts) else \
            pd.Series(dtype=float)
        if scen == ALLOCATION:
            text += (f"The place plan places {r['specialist_placements_last_year']:,.0f}, builds "
                     f"{r['new_local_places']:,.0f} places for {money_m(r['capital_gbp'])} and places "
                     "the rest independently")
        else:
            text += (f"With {_SCENARIO_WORDS.get(scen, scen)}, "
                     f"{r['specialist_placements_last_year']:,.0f} children are in specialist "
                     "settings in the last year")
        text += f"; its cumulative deficit is {money_m(r['cumulative_deficit_gbp'])}"
        if len(mine) and UNMITIGATED in rows.index:
            dsg = [p for p, is_dsg, _ in LIKE_FOR_LIKE_PARTS if is_dsg and abs(mine[p]) >= 5e4]
            deficit = r["cumulative_deficit_gbp"] - rows.loc[UNMITIGATED, "cumulative_deficit_gbp"]
            words = {"demand": "demand", "unplaced": "children left without a place",
                     "placement": "where children are placed",
                     "cost_per_place": "the cost of a place",
                     "other_spend": "other High Needs spend"}
            text += (f", {money_m(deficit)} against today's mix"
                     + (": " + ", ".join(f"{words[p]} {money_m(mine[p])}" for p in dsg) if dsg
                        else "")
                     + f"; with transport {money_m(mine['transport'])} and capital "
                       f"{money_m(mine['capital'])} its total cost differs by {money_m(mine['total'])}")
        text += ". "
    answer = rows.index[rows["answer"]][0]
    text += (f"The answer is with {_SCENARIO_WORDS.get(answer, answer)}: the most complete "
             "scenario costed.")
    return text


def _income_lines(lines, years) -> pd.DataFrame:
    """Validated dated income lines within the plan's years (``year, line, amount_gbp``)."""
    cols = ["year", "line", "amount_gbp"]
    if lines is None:
        return pd.DataFrame(columns=cols)
    if isinstance(lines, (list, tuple)):
        lines = pd.DataFrame(list(lines))
    missing = [c for c in cols if c not in lines]
    if missing:
        raise ValidationError(f"income_lines: missing columns {missing}; expected year, line, "
                              "amount_gbp (e.g. a Safety Valve payment)")
    out = lines[cols].copy()
    for i, r in enumerate(out.itertuples(), start=2):
        try:
            year, amount = int(r.year), float(r.amount_gbp)
        except (TypeError, ValueError):
            raise ValidationError(f"income_lines: row {i}: expected a year and an amount in £, "
                                  f"found {r.year!r}, {r.amount_gbp!r}") from None
        if not np.isfinite(amount):
            raise ValidationError(f"income_lines: row {i}, column amount_gbp: {r.amount_gbp!r}")
    out["year"] = out["year"].astype(int)
    out["amount_gbp"] = out["amount_gbp"].astype(float)
    out["line"] = out["line"].astype(str)
    return out[out["year"].isin(years)].reset_index(drop=True)


def _tables(placements, spend, trajectory, income_lines=None) -> dict:
    out = {}
    for scen in trajectory["scenario"].unique():
        p = placements[placements["scenario"] == scen]
        s = spend[spend["scenario"] == scen]
        if len(p):
            out[f"dsg_placements_{scen}"] = T.by_placement_category(p)
            if "age_band" in p:
                out[f"dsg_ages_{scen}"] = T.by_age_group(p)
            if "need" in p:
                out[f"dsg_needs_{scen}"] = T.by_need(p)
            if "phase" in p or "age_band" in p:
                out[f"scap_specialist_{scen}"] = T.scap_specialist(p)
        traj = trajectory[trajectory["scenario"] == scen]
        out[f"dsg_financial_summary_{scen}"] = T.financial_summary(traj, s, income_lines)
    return out


def _opening_source(derived) -> str:
    """What the opening balance in the assumptions is: estimated (and how) or given."""
    if derived is None:
        return "given (negative = deficit brought forward)"
    if derived.status == "estimated":
        return ("estimated: the DfE's published DSG balance at the end of 2021-22 rolled forward "
                "with the backcast's in-year high-needs gaps and any listed income (negative = "
                "deficit; every line in the opening balance table)")
    text = "given by the scenario (negative = deficit brought forward)"
    if np.isfinite(derived.estimate_gbp):
        text += f"; the library's estimate is {money_m(derived.estimate_gbp)}"
    return text


def _assumptions(costs, levers, income_rows, opening, other, inflation, target_year, la,
                 calibration, notes, fee_uncertainty, has_paths, years=(),
                 fee_growth=None, derived=None) -> pd.DataFrame:
    rows = [("opening_balance_gbp", opening, "gbp", _opening_source(derived)),
            ("target_year", target_year, "census year", financial_year_label(target_year))]
    if inflation is not None:
        rows.append(("inflation", inflation, "per_year",
                     "given: a flat uplift of top-ups, fees and transport instead of the price "
                     "paths"))
    else:
        from .prices import price_rates

        for r in price_rates(years, independent_fee_growth=fee_growth).itertuples():
            rows.append((f"price_growth_{r.series}_{financial_year_label(r.year)}", r.rate,
                         "per_year", ("published: " if r.published else "") + r.source))
    rows += [("other_spend_gbp", other, "gbp_per_year_2023_24_prices",
              f"calibrated central spend of {la}" if calibration is not None else "user / 0"),
             ("transport", "excluded from DSG", "", "home-to-school transport is general fund")]
    rows += income_rows
    for r in costs.itertuples():
        rows.append((f"cost_{r.provision}" + ("" if r.phase == "all" else f"_{r.phase}"),
                     r.hnb_cost_gbp, "gbp_per_placement_2023_24_prices", r.source))
    if fee_uncertainty and has_paths:
        rows.append(("independent_fee_distribution", "lognormal", "",
                     "mean = cost table fee; median/mean as DEFAULTS (£50,000 / £63,000)"))
    for lv in levers_table(levers).itertuples():
        rows.append((f"lever:{lv.name}", lv.parameters, lv.kind, "levers"))
    for note in dict.fromkeys(notes):  # each once, in order
        rows.append(("note", note, "", ""))
    return pd.DataFrame(rows, columns=["name", "value", "unit", "source"])


def _front(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame[[column] + [c for c in frame.columns if c != column]]
