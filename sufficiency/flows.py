"""Placements as stocks and flows: who stays, who leaves, who joins, who moves at a transition.

A forecast says how many children hold an EHC plan in each age band each January. A place
planner also needs to know which of them are already placed (and stay where they are), which
leave (plans ceasing, young people ageing out), which are new, and which change phase and so
need a new place. :func:`placement_flows` keeps that account by placement type and single age
(0-25), one year to the next::

    stock[t, p, a] = stock[t-1, p, a-1] - leavers + joiners - movers_out + movers_in

* **leavers**: plans ceasing, at a rate by age (:func:`leaver_rates`, from the LA's SEN2
  ceased plans by reason and the national caseload by single age); everyone aged 25 leaves;
  when the forecast for an age band is below the children still there, the difference leaves
  too (``extra_leavers``, part of ``leavers``), so the flows always match the forecast;
* **joiners**: new plans, what the forecast needs beyond the children who stay (never
  negative), placed by the projected mix of new placements (:func:`project_mix`);
* **movers** at transition points (the first age of each phase after the first: 11 and 16 in a
  two-tier system, 9 and 13 in a three-tier one): children not in an independent or
  non-maintained special school take the placement mix of the age band they move into; children
  in independent or non-maintained schools stay (they leave only as leavers, or as step-downs,
  which the optimiser decides within a ceiling: :class:`sufficiency.allocate.Policy`).

Rows are keyed by ``age`` in January of ``year``; ``previous`` is the same children a year
earlier (aged ``age - 1``); the row ``age == 26`` holds the young people who aged out.

References
----------
DfE, *Education, health and care plans* (SEN2), 2025 release: ``caseload.csv`` (caseload by
age and placement), ``ceased_plans.csv`` (ceased plans by reason), ``newplans.csv`` (new plans
by placement). Wiltshire Council, *SEND & Inclusion Strategy 2020-24 final report* (step-downs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .data.mix import placement_mix
from .data.vocabulary import AGE_BANDS, INDEPENDENT, PHASES, SPECIALIST
from .errors import ValidationError

__all__ = ["MAX_AGE", "EXIT_PROFILE", "ANY_AGE_REASONS", "POST16_REASONS", "STEP_DOWN_SHARE",
           "STEP_DOWN_SAVING_GBP", "POOL_PLANS", "MIX_METHOD", "MIX_METHODS", "STICKY",
           "single_ages", "phase_of_age", "transition_ages", "leaver_rates", "mix_history",
           "project_mix", "new_placement_mix", "mix_backtest", "joiner_mix", "Flows",
           "placement_flows",
           "base_by_phase", "initial_placements", "board_flows"]

#: Oldest age with an EHC plan; everyone older has left (Children and Families Act 2014, s.46).
MAX_AGE = 25

#: Share of plans at each age (in January) that has ended a year later, nationally, net of new
#: plans at the next age: ``1 - N_2025(a + 1) / N_2024(a)`` from the single-age EHC plan
#: caseload for England (DfE SEN2 2025 release, ``caseload.csv``, "Child or young persons age"),
#: 0 where the cohort grew (ages 15 and under), 1 at 25. Used as the *age profile* of the
#: post-16 leavers (reasons ``max_age, employ, he, no_engage``), scaled to each LA's count.
EXIT_PROFILE = pd.Series({16: 0.008, 17: 0.127, 18: 0.207, 19: 0.245, 20: 0.280, 21: 0.328,
                          22: 0.363, 23: 0.423, 24: 0.823, 25: 1.0}, name="exit_rate")

#: SEN2 ceased-plan reasons that happen at any age (needs met, moved to another LA or out of
#: England, died, other or not recorded) and those of young people leaving education.
ANY_AGE_REASONS = ("needs_met", "transfer", "moved_outside_eng", "deceased", "not_rec", "other")
POST16_REASONS = ("max_age", "employ", "he", "no_engage")

#: Step-downs from independent special schools a year, as a share of the children in
#: independent and non-maintained special schools: Wiltshire stepped down 92 children at the end
#: of 2022-23 (Wiltshire Council, SEND & Inclusion Strategy 2020-24 final report, 2024), when
#: 262 of its children with plans were in independent (238) or non-maintained (24) special
#: schools (SEN2, January 2023): 92 / 262 = 35.1%.
STEP_DOWN_SHARE = 92 / 262

#: Net annual saving per step-down in that evidence: £3,479,479 / 92 = £37,820 (same source).
STEP_DOWN_SAVING_GBP = 3_479_479 / 92

#: Pooling weight of the LA's own new-plan mix against its statistical neighbours': the LA's
#: weight is ``n / (n + POOL_PLANS)`` with ``n`` its new plans in the latest year (an empirical
#: Bayes shrinkage; 200 plans is a sufficiency default, tested in :func:`mix_backtest`).
POOL_PLANS = 200.0

#: How the new-placement mix is projected by default: the method that backtested best across
#: LAs (``benchmarks/new_placement_mix.py``; docs/methodology.md).
MIX_METHOD = "pooled"

MIX_METHODS = ("latest", "trend", "pooled")
STICKY = tuple(INDEPENDENT)
_AGES = np.arange(MAX_AGE + 2)  # 0..26 (26 = aged out)


# --- single ages -----------------------------------------------------------------------------

def _band_ages(bands: pd.DataFrame = AGE_BANDS) -> dict:
    return {b.age_band: np.arange(b.age_from, b.age_to + 1) for b in bands.itertuples()}


def single_ages(by_band: pd.DataFrame, value: str = "count") -> pd.DataFrame:
    """Spread counts by DfE age band evenly over the band's single ages.

    Examples
    --------
    >>> t = pd.DataFrame({"age_band": ["5-10"], "count": [60.0]})
    >>> single_ages(t)[["age", "count"]].to_numpy().tolist()[:2]
    [[5.0, 10.0], [6.0, 10.0]]
    """
    ages = _band_ages()
    rows = []
    for r in by_band[by_band["age_band"].isin(ages)].to_dict("records"):
        span = ages[r["age_band"]]
        for a in span:
            rows.append({**r, "age": int(a), value: float(r[value]) / len(span)})
    out = pd.DataFrame(rows)
    return out if len(out) else by_band.assign(age=pd.Series(dtype=int)).iloc[:0]


def phase_of_age(phases: pd.DataFrame = PHASES) -> pd.Series:
    """``age -> phase`` for ages 0-25 (a phase table ``phase, age_from, age_to``)."""
    out = {}
    for p in phases.itertuples():
        for a in range(int(p.age_from), int(p.age_to) + 1):
            out.setdefault(a, p.phase)
    missing = [a for a in range(MAX_AGE + 1) if a not in out]
    if missing:
        raise ValidationError(f"phases: ages {missing} are in no phase; expected phases "
                              f"covering ages 0-{MAX_AGE}")
    return pd.Series(out).sort_index()


def transition_ages(phases: pd.DataFrame = PHASES) -> list[int]:
    """First ages of every phase after the youngest: the ages at which children change phase.

    Examples
    --------
    >>> transition_ages()
    [4, 11, 16, 19]
    >>> from sufficiency.data import THREE_TIER_PHASES
    >>> transition_ages(THREE_TIER_PHASES)
    [4, 9, 13, 16, 19]
    """
    firsts = sorted(int(a) for a in phases["age_from"])
    return [a for a in firsts if a > firsts[0]]


# --- leavers ---------------------------------------------------------------------------------

def leaver_rates(ceased: pd.DataFrame, caseload: pd.DataFrame,
                 profile: pd.Series = EXIT_PROFILE) -> pd.DataFrame:
    """Share of plans at each age (January) that has ceased a year later, for one LA.

    ``rate(a) = any_age + k * profile(a)``: ``any_age`` is the LA's ceased plans for reasons
    that happen at any age (:data:`ANY_AGE_REASONS`) over its January caseload, and the
    post-16 leavers (:data:`POST16_REASONS`) are spread over ages 16-25 with the national
    age profile :data:`EXIT_PROFILE`, scaled by ``k`` so they add up to the LA's own count.
    Averaged over the years of ``ceased``: the plans ceased in the year to January ``y``
    (``year`` ``y``, published as calendar year ``y - 1``) against the caseload of January
    ``y - 1``, the plans they ceased from. Everyone aged 25 leaves (rate 1).

    Parameters
    ----------
    ceased : DataFrame
        ``year, reason, count`` (:func:`sufficiency.data.la_ceased_plans`; ``year`` the census
        year the plans ceased before).
    caseload : DataFrame
        ``year, age_band, count`` (:func:`sufficiency.data.la_history`), with ``all``.
    profile : Series
        Age -> national exit rate (ages 16-25).

    Returns
    -------
    DataFrame
        ``age, rate, any_age_rate, post16_scale, source`` for ages 0-25 (rates a year, 0-1).

    Examples
    --------
    >>> ceased = pd.DataFrame({"year": 2025, "reason": ["needs_met", "employ"],
    ...                        "count": [10.0, 20.0]})
    >>> case = pd.DataFrame({"year": 2024, "age_band": ["all", "5-10", "16-19", "20-25"],
    ...                      "count": [1000.0, 600.0, 300.0, 100.0]})
    >>> r = leaver_rates(ceased, case).set_index("age")["rate"]
    >>> float(round(r[8], 3)), float(r[25])
    (0.01, 1.0)
    """
    c = ceased.pivot_table(index="year", columns="reason", values="count", aggfunc="sum")
    years = [y for y in c.index if y - 1 in set(caseload["year"])]
    if not years:
        raise ValidationError("leaver rates: no year has ceased plans and a caseload the January "
                              f"before; ceased years {sorted(c.index)}, caseload years "
                              f"{sorted(caseload['year'].unique())}")
    anys, scales = [], []
    for y in years:
        row = c.loc[y]
        case = caseload[caseload["year"] == y - 1]
        total = float(case.loc[case["age_band"] == "all", "count"].sum())
        if total <= 0:
            continue
        anys.append(sum(float(row.get(r, 0) or 0) for r in ANY_AGE_REASONS) / total)
        post = sum(float(row.get(r, 0) or 0) for r in POST16_REASONS)
        ages = single_ages(case[case["age_band"] != "all"]).groupby("age")["count"].sum()
        expected = float((ages.reindex(profile.index).fillna(0) * profile).sum())
        if expected > 0:
            scales.append(post / expected)
    any_age = float(np.mean(anys)) if anys else 0.0
    k = float(np.mean(scales)) if scales else 1.0
    age = np.arange(MAX_AGE + 1)
    prof = profile.reindex(age).fillna(0.0).to_numpy()
    rate = np.clip(any_age + k * prof, 0.0, 1.0)
    rate[MAX_AGE] = 1.0
    # the published wording: the calendar years the plans ceased in
    src = (f"SEN2 ceased plans {min(years) - 1}-{max(years) - 1} (any-age reasons "
           f"{any_age:.2%} a year; "
           f"post-16 reasons at {k:.2f} x the national age profile, SEN2 2025 single ages)")
    return pd.DataFrame({"age": age, "rate": rate, "any_age_rate": any_age, "post16_scale": k,
                         "source": src})


# --- the mix of new placements ---------------------------------------------------------------

def mix_history(new_plans: pd.DataFrame) -> pd.DataFrame:
    """Shares of an LA's new plans by year: needing a specialist place, and of those independent.

    ``new_plans`` is ``year, provision, count`` with an ``all`` total
    (:func:`sufficiency.data.la_new_plans`; ``year`` the census year the plans lead up to). ``specialist_share`` = new plans placed in a
    specialist provision / all new plans; ``independent_share`` = those in independent or
    non-maintained special schools / specialist.

    Examples
    --------
    >>> n = pd.DataFrame({"year": 2025, "provision": ["all", "mainstream",
    ...                   "special_maintained", "special_independent"], "count": [10, 6, 3, 1]})
    >>> mix_history(n)[["specialist_share", "independent_share"]].to_numpy().tolist()
    [[0.4, 0.25]]
    """
    return _shares_of(new_plans.groupby(["year", "provision"])["count"].sum().unstack())


def _shares_of(w: pd.DataFrame) -> pd.DataFrame:
    """:func:`mix_history` of a wide table of new plans (``year`` rows, a column per
    provision); the arithmetic of every row is its own, so many LAs' tables stacked give each
    LA's rows as alone."""
    spec = w.reindex(columns=list(SPECIALIST)).fillna(0).sum(axis=1)
    ind = w.reindex(columns=list(STICKY)).fillna(0).sum(axis=1)
    total = w["all"] if "all" in w else w.sum(axis=1)
    out = pd.DataFrame({"year": w.index.get_level_values("year").astype(int),
                        "new_plans": total.to_numpy(float),
                        "specialist_share": (spec / total.where(total > 0)).to_numpy(),
                        "independent_share": (ind / spec.where(spec > 0)).to_numpy()})
    if w.index.nlevels > 1:
        out.insert(0, "la_code", w.index.get_level_values("la_code"))
    return out.dropna().reset_index(drop=True)


def _neighbour_histories(neighbour_new_plans: dict) -> pd.DataFrame:
    """``la_code`` + :func:`mix_history` of each neighbour, stacked in the dict's order: one
    grouping for all of them (the same figures as one :func:`mix_history` each)."""
    frames = [new.assign(la_code=code) for code, new in neighbour_new_plans.items()]
    alone = [f for f in frames if "all" not in set(f["provision"])]
    if alone:   # a table without its total: the total is its own row sum (mix_history)
        return pd.concat([mix_history(new).assign(la_code=code)
                          for code, new in neighbour_new_plans.items()], ignore_index=True)
    w = pd.concat(frames, ignore_index=True).groupby(["la_code", "year", "provision"])["count"]\
        .sum().unstack()
    out = _shares_of(w)
    order = {code: i for i, code in enumerate(neighbour_new_plans)}
    out = out.sort_values("la_code", key=lambda c: c.map(order), kind="stable")
    return out[[c for c in out.columns if c != "la_code"] + ["la_code"]].reset_index(drop=True)


def _logit(p):
    p = np.clip(np.asarray(p, float), 1e-3, 1 - 1e-3)
    return np.log(p / (1 - p))


def _expit(z):
    return 1.0 / (1.0 + np.exp(-z))


def project_mix(history: pd.DataFrame, years, method: str = MIX_METHOD,
                neighbours: pd.DataFrame | None = None) -> pd.DataFrame:
    """Project the shares of new plans needing a specialist place (and going independent).

    Parameters
    ----------
    history : DataFrame
        :func:`mix_history` of the LA.
    years : sequence of int
        Census years to project (the new plans made in the year to January ``year``).
    method : {"latest", "trend", "pooled"}
        ``latest``: the last year's shares held; ``trend``: a straight line in log-odds through
        the LA's years, continued; ``pooled``: the last year's shares shrunk towards its
        statistical neighbours' (weight ``n / (n + POOL_PLANS)`` on the LA's own, ``n`` its new
        plans that year).
    neighbours : DataFrame, optional
        :func:`mix_history` rows of the neighbours stacked (only for ``pooled``; without it
        ``pooled`` is ``latest``).

    Returns
    -------
    DataFrame
        ``year, specialist_share, independent_share, method``.

    Examples
    --------
    >>> h = pd.DataFrame({"year": [2024, 2025], "new_plans": 100.0,
    ...                   "specialist_share": [0.2, 0.3], "independent_share": 0.1})
    >>> project_mix(h, [2026], "latest")["specialist_share"].item()
    0.3
    """
    if method not in MIX_METHODS:
        raise ValidationError(f"new placement mix: method {method!r} unknown; expected one of "
                              f"{list(MIX_METHODS)}")
    h = history.sort_values("year")
    if not len(h):
        raise ValidationError("new placement mix: no year of new plans by placement to "
                              "project from")
    years = [int(y) for y in years]
    last = h.iloc[-1]
    out = {}
    for col in ("specialist_share", "independent_share"):
        if method == "trend" and len(h) >= 2:
            slope, icpt = np.polyfit(h["year"].to_numpy(float), _logit(h[col]), 1)
            out[col] = _expit(icpt + slope * np.asarray(years, float))
        elif method == "pooled" and neighbours is not None and len(neighbours):
            nb = neighbours[neighbours["year"] == last["year"]]
            if not len(nb):
                nb = neighbours[neighbours["year"] == neighbours["year"].max()]
            weight = nb["new_plans"] * (nb["specialist_share"] if col == "independent_share"
                                        else 1.0)
            ref = float(np.average(nb[col], weights=weight)) if weight.sum() > 0 else last[col]
            n = float(last["new_plans"]) * (float(last["specialist_share"])
                                            if col == "independent_share" else 1.0)
            lam = n / (n + POOL_PLANS)
            out[col] = np.full(len(years), lam * float(last[col]) + (1 - lam) * ref)
        else:
            out[col] = np.full(len(years), float(last[col]))
    return pd.DataFrame({"year": years, **out, "method": method})


def new_placement_mix(new_plans: pd.DataFrame, years, method: str = MIX_METHOD,
                      neighbour_new_plans: dict | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The LA's mix of new placements, its history and its projection to ``years``.

    Parameters
    ----------
    new_plans : DataFrame
        The LA's new plans by placement (:func:`sufficiency.data.la_new_plans`).
    years : sequence of int
        Census years of the forecast (``year`` ``y``: the new plans made in the year to
        January ``y``, as in :func:`sufficiency.data.la_new_plans`).
    method : {"latest", "trend", "pooled"}
        As :func:`project_mix`.
    neighbour_new_plans : dict, optional
        ``la_code -> new plans by placement`` of the statistical neighbours (``pooled``).

    Returns
    -------
    (history, mix) : DataFrame, DataFrame
        :func:`mix_history` of the LA and :func:`project_mix` for ``years``.
    """
    own = mix_history(new_plans)
    neighbours = None
    if method == "pooled" and neighbour_new_plans:
        neighbours = _neighbour_histories(neighbour_new_plans)
    return own, project_mix(own, sorted(int(y) for y in years), method, neighbours)


def mix_backtest(histories: pd.DataFrame, neighbours: dict | None = None,
                 origins=((2020, 2022), (2021, 2022), (2023, 2025), (2024, 2025))
                 ) -> pd.DataFrame:
    """Backtest :func:`project_mix` across LAs: mean absolute error of the projected shares.

    Parameters
    ----------
    histories : DataFrame
        ``la_code`` + :func:`mix_history` columns, stacked for many LAs.
    neighbours : dict, optional
        ``la_code -> [neighbour la_codes]`` (for ``pooled``).
    origins : sequence of (origin, last)
        Census years: fit on the years up to ``origin`` (from the first year on the same side
        of the 2023 collection break), score the years after it up to ``last``. The default
        compares 2020 -> 2021-2022 and 2020-2021 -> 2022 within the old collection (plans
        made in calendar 2019-2021) and 2023 -> 2024-2025 and 2023-2024 -> 2025 within the new
        one (calendar 2022-2024, the person-level returns), never across.

    Returns
    -------
    DataFrame
        ``method, share, mae, n`` (mae in percentage points).
    """
    from .data.dfe import COLLECTION_BREAK_YEAR

    rows = []
    by_la = {code: g for code, g in histories.groupby("la_code")}
    for origin, last in origins:
        lo = COLLECTION_BREAK_YEAR if origin >= COLLECTION_BREAK_YEAR else -np.inf
        hi = np.inf if origin >= COLLECTION_BREAK_YEAR else COLLECTION_BREAK_YEAR - 1
        for code, g in by_la.items():
            g = g[(g["year"] >= lo) & (g["year"] <= hi)]
            fit, test = g[g["year"] <= origin], g[(g["year"] > origin) & (g["year"] <= last)]
            if not len(fit) or not len(test):
                continue
            nb = None
            if neighbours and neighbours.get(code):
                nb = pd.concat([by_la[n] for n in neighbours[code] if n in by_la] or
                               [g.iloc[:0]])
                nb = nb[(nb["year"] >= lo) & (nb["year"] <= origin)]
            for method in MIX_METHODS:
                p = project_mix(fit, test["year"], method, nb).set_index("year")
                for col in ("specialist_share", "independent_share"):
                    err = (p[col] - test.set_index("year")[col]).abs()
                    rows += [(method, col, origin, float(e)) for e in err]
    e = pd.DataFrame(rows, columns=["method", "share", "origin", "abs_error"])
    out = e.groupby(["method", "share"], as_index=False).agg(
        mae=("abs_error", lambda v: 100 * v.mean()), n=("abs_error", "size"))
    return out


def joiner_mix(band_mix: pd.DataFrame, specialist_share: float,
               independent_share: float) -> pd.DataFrame:
    """Placement mix of new plans in each age band.

    Three classes: not specialist (``1 - s``), local specialist (``s (1 - i)``) and independent
    or non-maintained (``s i``), with ``s, i`` the projected shares; within a class, placements
    follow the band's own mix (``band_mix``: ``age_band, provision, share``). A class the band
    has no placements in passes its share to the next one (independent -> local specialist ->
    not specialist).

    Examples
    --------
    >>> bm = pd.DataFrame({"age_band": "5-10", "provision": ["mainstream",
    ...                    "special_maintained", "special_independent"], "share": [.7, .2, .1]})
    >>> joiner_mix(bm, 0.5, 0.2)["share"].round(3).tolist()
    [0.5, 0.4, 0.1]
    """
    rows = [pd.DataFrame({"age_band": band, "provision": provs,
                          "share": _joiner_split(shares, cls, have, specialist_share,
                                                 independent_share)})
            for band, (provs, shares, cls, have) in _joiner_classes(band_mix).items()]
    return pd.concat(rows, ignore_index=True)


def _joiner_classes(band_mix: pd.DataFrame) -> dict:
    """``band -> (provisions, shares, class, have)`` of :func:`joiner_mix`: the band's
    placement types with a share, their class (0 not specialist, 1 local specialist,
    2 independent) and the share each class has; the part that does not depend on the
    projected shares, worked out once for every year of a flow account."""
    out = {}
    for band, g in band_mix.groupby("age_band", sort=False):
        g = g[g["share"] > 0]
        cls = np.where(g["provision"].isin(STICKY), 2,
                       np.where(g["provision"].isin(SPECIALIST), 1, 0))
        shares = g["share"].to_numpy()
        out[band] = (g["provision"].to_numpy(), shares, cls,
                     [shares[cls == k].sum() for k in range(3)])
    return out


def _joiner_split(shares, cls, have, specialist_share: float,
                  independent_share: float) -> np.ndarray:
    """The joiners' share of each placement type of a band (:func:`joiner_mix`)."""
    want = [1 - specialist_share, specialist_share * (1 - independent_share),
            specialist_share * independent_share]
    for k in (2, 1):
        if have[k] <= 0:
            want[k - 1] += want[k]
            want[k] = 0.0
    if have[0] <= 0 and want[0] > 0:
        k = 1 if have[1] > 0 else 2
        want[k] += want[0]
        want[0] = 0.0
    return np.array([shares[i] / have[c] * want[c] if have[c] > 0 else 0.0
                     for i, c in enumerate(cls)])


# --- the flow account ------------------------------------------------------------------------

@dataclass
class Flows:
    """The flow account of :func:`placement_flows`.

    Attributes
    ----------
    table : DataFrame
        ``year, provision, age, age_band, phase, previous, leavers, extra_leavers,
        movers_out, movers_in, joiners, stock`` (children; ``stock = previous - leavers -
        movers_out + movers_in + joiners``; ``extra_leavers`` is the part of ``leavers``
        beyond the leaver rates, when the forecast falls below the children who stay).
    carry : DataFrame
        ``year, provision, phase_from, phase, rate``: the share of the children in a provision
        and phase in January ``year - 1`` still in that provision in ``phase`` in ``year``
        (same phase: continuing; another phase: moved up at a transition point and stayed).
    base_year : int
    mix : DataFrame
        ``year, specialist_share, independent_share, method``: the projected mix of new
        placements used, with the LA's own history (``method == "history"``) when given;
        ``year`` is the census year throughout (the January the new plans are counted in).
    leaver_rates : DataFrame
        ``age, rate, ...`` used (:func:`leaver_rates`).
    assumptions : DataFrame
        ``name, value, unit, source``.
    """

    table: pd.DataFrame
    carry: pd.DataFrame
    base_year: int
    mix: pd.DataFrame = field(default_factory=pd.DataFrame)
    leaver_rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self, by=("year",)) -> pd.DataFrame:
        """Flows summed by ``by`` (e.g. ``("year", "provision")``)."""
        cols = ["previous", "leavers", "extra_leavers", "movers_out", "movers_in", "joiners",
                "stock"]
        return self.table.groupby(list(by), as_index=False)[cols].sum()

    def demand(self, need_mix: pd.DataFrame, provisions=SPECIALIST) -> pd.DataFrame:
        """``year, provision, need_group, phase, demand``: the stock in ``provisions`` split by
        need (``need_mix`` from :func:`sufficiency.data.need_mix`)."""
        t = self.table[self.table["provision"].isin(provisions) & (self.table["age"] <= MAX_AGE)]
        t = t.groupby(["year", "provision", "phase"], as_index=False)["stock"].sum()
        out = t.merge(need_mix, on="provision")
        out["demand"] = out["stock"] * out["share"]
        out = out.groupby(["year", "provision", "need_group", "phase"], as_index=False,
                          sort=True)["demand"].sum()
        return out

    def transfers(self, need_mix: pd.DataFrame, provisions=SPECIALIST) -> pd.DataFrame:
        """``year, need_group, phase, transfers``: children in ``provisions`` who changed phase
        into ``phase`` this year (at a transition point), split by need."""
        t = self.table
        ages = set(t.loc[t["moved_phase"], "age"]) if "moved_phase" in t else set()
        t = t[t["provision"].isin(provisions) & t["age"].isin(ages)]
        t = t.assign(transfers=t["previous"] - t["leavers"] + t["movers_in"] - t["movers_out"])
        t = t.groupby(["year", "provision", "phase"], as_index=False)["transfers"].sum()
        out = t.merge(need_mix, on="provision")
        out["transfers"] *= out["share"]
        return out.groupby(["year", "need_group", "phase"], as_index=False)["transfers"].sum()

    def stock_mix(self) -> pd.DataFrame:
        """``year, age_band, provision, share``: the placement mix of the children placed
        each January (the stocks, aged-out row left out), by age band
        (:func:`sufficiency.data.placement_mix`, empty bands dropped)."""
        stocks = self.table[self.table["age_band"].astype(str) != "aged out"]
        return placement_mix(stocks, year="each", by="age_band", value="stock", empty="drop")

    def deferred(self, unplaced: pd.DataFrame, need_mix: pd.DataFrame) -> pd.Series:
        """Children without a place who were moving up a phase, by year: in each need and
        phase, the smaller of the ``unplaced`` (``year, need, phase, unplaced``, a place plan's)
        and the children who moved into that phase this year (:meth:`transfers`)."""
        if not len(unplaced):
            return pd.Series(dtype=float)
        moved = self.transfers(need_mix).rename(columns={"need_group": "need"})
        u = unplaced.groupby(["year", "need", "phase"], as_index=False)["unplaced"].sum()
        u = u.merge(moved, on=["year", "need", "phase"], how="left").fillna({"transfers": 0.0})
        return u.assign(d=np.minimum(u["unplaced"], u["transfers"])).groupby("year")["d"].sum()


def placement_flows(base: pd.DataFrame, totals: pd.DataFrame, leavers: pd.DataFrame,
                    mix: pd.DataFrame, phases: pd.DataFrame = PHASES, value: str = "count",
                    sticky=STICKY, history: pd.DataFrame | None = None) -> Flows:
    """The year-by-year flow account of placements by provision and single age.

    Parameters
    ----------
    base : DataFrame
        ``year, age_band, provision, count``: placements by age band in the base year (the
        LA's latest January, :func:`sufficiency.data.la_placements_by_age`; the latest year is
        used). Also gives each band's placement mix for joiners and movers.
    totals : DataFrame
        ``year, age_band`` and ``value``: the forecast of all plans by age band for the years
        after the base year (e.g. a forecast's ``.table`` with ``value="mean"``). The flows add
        up to it in every year and band.
    leavers : DataFrame
        ``age, rate`` (:func:`leaver_rates`).
    mix : DataFrame
        ``year, specialist_share, independent_share`` (:func:`project_mix`) for the new plans
        counted in each January ``year`` (a missing year takes the nearest earlier one).
    phases : DataFrame
        ``phase, age_from, age_to`` (two-tier :data:`~sufficiency.data.PHASES` or three-tier).
    sticky : sequence of str
        Provisions children stay in across a transition point (independent, non-maintained).
    history : DataFrame, optional
        The LA's :func:`mix_history`, kept beside the projection in :attr:`Flows.mix`.

    Returns
    -------
    Flows

    Examples
    --------
    >>> base = pd.DataFrame({"year": 2025, "age_band": "5-10",
    ...                      "provision": ["mainstream", "special_independent"],
    ...                      "count": [60.0, 12.0]})
    >>> totals = pd.DataFrame({"year": 2026, "age_band": ["under 5", "5-10", "11-15", "16-19",
    ...                        "20-25"], "count": [0.0, 80.0, 0.0, 0.0, 0.0]})
    >>> rates = pd.DataFrame({"age": range(26), "rate": 0.0})
    >>> mix = pd.DataFrame({"year": [2026], "specialist_share": [0.5],
    ...                     "independent_share": [1.0]})
    >>> f = placement_flows(base, totals, rates, mix)
    >>> f.summary()[["leavers", "joiners", "stock"]].round(1).to_numpy().tolist()
    [[12.0, 20.0, 80.0]]
    """
    base = base[base["year"] == base["year"].max()]
    base_year = int(base["year"].max())
    band_ages = _band_ages()
    provs = sorted(set(base["provision"]) - {"all"})
    P = len(provs)
    pidx = {p: i for i, p in enumerate(provs)}
    # base stock by single age
    sa = single_ages(base[base["provision"] != "all"][["age_band", "provision", "count"]])
    S = np.zeros((P, MAX_AGE + 1))
    np.add.at(S, (sa["provision"].map(pidx).to_numpy(), sa["age"].to_numpy()),
              sa["count"].fillna(0).to_numpy(float))
    # band mix of the base year (joiners and movers); a band without placements takes the
    # LA-wide mix (the one placement mix, sufficiency.data.placement_mix)
    overall = placement_mix(base, empty="zero")
    bm = placement_mix(base, by="age_band", groups=list(band_ages), empty=overall)
    band_of = {int(a): b for b, ages in band_ages.items() for a in ages}
    dest = np.zeros((P, MAX_AGE + 2))
    rows_of = {band: (g["provision"].map(pidx).to_numpy(), g["share"].to_numpy())
               for band, g in bm.groupby("age_band", sort=False)}
    for a in range(MAX_AGE + 1):
        if band_of[a] in rows_of:
            at, share = rows_of[band_of[a]]
            dest[at, a] = share
    rate = leavers.set_index("age")["rate"].reindex(range(MAX_AGE + 1)).fillna(0.0).to_numpy()
    rate = np.append(rate, 1.0)  # nobody is older than MAX_AGE
    rate[MAX_AGE] = 1.0
    phase = phase_of_age(phases)
    phase_arr = np.array([phase[a] for a in range(MAX_AGE + 1)] + ["aged out"], dtype=object)
    trans = transition_ages(phases)
    moved_phase = np.array([a in trans for a in range(MAX_AGE + 2)])
    is_sticky = np.array([p in set(sticky) for p in provs])
    band_arr = np.array([band_of[a] for a in range(MAX_AGE + 1)] + ["aged out"], dtype=object)

    tot = totals[totals["age_band"] != "all"]
    years = sorted(int(y) for y in tot["year"].unique() if y > base_year)
    if years and years != list(range(base_year + 1, years[-1] + 1)):
        raise ValidationError(f"flows: forecast years {years} do not follow on from the base "
                              f"year {base_year} year by year")
    mix = mix.sort_values("year")
    classes = _joiner_classes(bm[["age_band", "provision", "share"]])
    joiner_at = {band: np.array([pidx[p] for p in c[0]], dtype=np.int64)
                 for band, c in classes.items()}
    by_year = {int(y): g.set_index("age_band")[value] for y, g in tot.groupby("year")}
    columns = {c: [] for c in ("previous", "leavers", "extra_leavers", "movers_out",
                               "movers_in", "joiners", "stock", "_continuing")}
    for y in years:
        m = mix[mix["year"] <= y]
        m = (m if len(m) else mix).iloc[-1]
        s_share, i_share = float(m["specialist_share"]), float(m["independent_share"])
        J = np.zeros((P, MAX_AGE + 2))
        prev = np.zeros((P, MAX_AGE + 2))
        prev[:, 1:] = S
        leave = prev * rate[np.maximum(_AGES - 1, 0)][None, :]
        leave[:, 0] = 0.0
        surv = prev - leave
        out_ = np.zeros_like(prev)
        in_ = np.zeros_like(prev)
        for a in trans:
            ns = ~is_sticky
            pool = surv[ns, a].sum()
            target = pool * dest[:, a]
            out_[ns, a] = np.maximum(surv[ns, a] - target[ns], 0.0)
            in_[ns, a] = np.maximum(target[ns] - surv[ns, a], 0.0)
            in_[~ns, a] = target[~ns]
        after = surv - out_ + in_
        extra = np.zeros_like(prev)
        scale_at = np.ones(MAX_AGE + 2)
        f_year = by_year[y]
        for band, ages in band_ages.items():
            if band not in f_year.index or pd.isna(f_year[band]):
                raise ValidationError(f"flows: the forecast has no {value!r} for age band "
                                      f"{band!r} in {y}; expected every band every year")
            target = float(f_year[band])
            have = after[:, ages].sum()
            if have > target:
                scale = target / have
                extra[:, ages] = after[:, ages] * (1 - scale)
                after[:, ages] *= scale
                scale_at[ages] = scale
            elif band in classes:
                _, shares, cls, held = classes[band]
                share = _joiner_split(shares, cls, held, s_share, i_share)
                J[np.ix_(joiner_at[band], ages)] += \
                    (target - have) / len(ages) * share[:, None]
        stock = after + J
        stock[:, MAX_AGE + 1] = 0.0
        cont = (surv - out_) * scale_at[None, :]
        for name, part in (("previous", prev), ("leavers", leave + extra),
                           ("extra_leavers", extra), ("movers_out", out_), ("movers_in", in_),
                           ("joiners", J), ("stock", stock), ("_continuing", cont)):
            columns[name].append(part.ravel())
        S = stock[:, : MAX_AGE + 1]
    n = len(years)
    table = pd.DataFrame({
        "year": np.repeat(np.array(years, dtype=np.int64), P * (MAX_AGE + 2)),
        "provision": np.tile(np.repeat(provs, MAX_AGE + 2), n),
        "age": np.tile(_AGES, P * n), "age_band": np.tile(band_arr, P * n),
        "phase": np.tile(phase_arr, P * n), "moved_phase": np.tile(moved_phase, P * n),
        **{name: np.concatenate(parts) for name, parts in columns.items()}}) if years \
        else pd.DataFrame()
    carry = _carry_rates(table, phase, P) if years else pd.DataFrame(
        columns=["year", "provision", "phase_from", "phase", "rate"])
    table = table.drop(columns="_continuing", errors="ignore")
    carry["rate"] = carry["rate"].clip(0.0, 1.0)
    table = table[(table[["previous", "stock", "leavers", "joiners", "movers_in",
                          "movers_out"]].abs().sum(axis=1) > 0)].reset_index(drop=True)
    method = ", ".join(sorted(set(mix["method"]))) if "method" in mix else "given"
    first = mix.sort_values("year").iloc[0]
    assumptions = pd.DataFrame([
        ("new_placement_mix", f"{method}: {first['specialist_share']:.1%} of new plans need a "
         f"specialist place, {first['independent_share']:.1%} of those independent "
         f"({int(first['year'])})", "share",
         "DfE SEN2 new plans by placement 2019-2024; method chosen by backtest across LAs "
         "(docs/methodology.md)"),
        ("base", f"January {base_year} placements by age band, spread evenly over single ages",
         "children", "DfE SEN2 2025 release, caseload by age and placement"),
        ("leaver_rates", leavers["source"].iloc[0] if "source" in leavers else "given",
         "share a year", "DfE SEN2 2025 release"),
        ("movers", "at transition ages " + ", ".join(map(str, transition_ages(phases)))
         + ": children outside independent / non-maintained schools take the next band's mix;"
         " those inside stay", "", "sufficiency convention"),
        ("joiners", "forecast minus children who stay, never negative; extra leavers when "
         "the forecast falls", "children", "sufficiency convention"),
    ], columns=["name", "value", "unit", "source"])
    shown = mix.assign(method=mix["method"] if "method" in mix else "given")
    if history is not None and len(history):
        shown = pd.concat([history.drop(columns=["new_plans"], errors="ignore")
                           .assign(method="history"), shown], ignore_index=True)
    shown = shown[["year", "specialist_share", "independent_share", "method"]]
    return Flows(table=table, carry=carry.reset_index(drop=True), base_year=base_year,
                 mix=shown.reset_index(drop=True), leaver_rates=leavers.reset_index(drop=True),
                 assumptions=assumptions)


def _carry_rates(table: pd.DataFrame, phase: dict, P: int) -> pd.DataFrame:
    """``year, provision, phase_from, phase, rate``: of the children in (provision,
    phase_from) in January ``year - 1``, the share still in that provision, in ``phase``, in
    ``year`` (every year in one grouping: the same sums, row for row, as year by year)."""
    years = table["year"].nunique()
    cf = table.assign(phase_from=np.tile(np.array([phase[max(a - 1, 0)] for a in _AGES],
                                                  dtype=object), P * years))
    cf = cf[(cf["age"] >= 1) & (cf["age"] <= MAX_AGE)]
    num = cf.groupby(["year", "provision", "phase_from", "phase"],
                     as_index=False)["_continuing"].sum()
    den = cf.groupby(["year", "provision", "phase_from"])["previous"].sum()
    num["rate"] = num["_continuing"] / num.set_index(["year", "provision",
                                                      "phase_from"]).index.map(den)
    num = num[np.isfinite(num["rate"]) & (num["rate"] > 0)]
    return num[["year", "provision", "phase_from", "phase", "rate"]].reset_index(drop=True)


# --- from flows to the optimiser -------------------------------------------------------------

def base_by_phase(base: pd.DataFrame, need_mix: pd.DataFrame, phases: pd.DataFrame = PHASES,
                  provisions=SPECIALIST) -> pd.DataFrame:
    """``provision, need_group, phase, count``: the base year's placements by need and phase.

    ``base`` is ``year, age_band, provision, count`` (the latest year is used), spread over
    single ages and mapped to ``phases``; ``need_mix`` is ``provision, need_group, share``.
    """
    base = base[(base["year"] == base["year"].max()) & base["provision"].isin(provisions)]
    sa = single_ages(base[["age_band", "provision", "count"]])
    sa["phase"] = sa["age"].map(phase_of_age(phases))
    t = sa.groupby(["provision", "phase"], as_index=False)["count"].sum()
    t = t.merge(need_mix, on="provision")
    t["count"] *= t["share"]
    t = t.groupby(["provision", "need_group", "phase"], as_index=False)["count"].sum()
    return t[t["count"] > 0].reset_index(drop=True)


def initial_placements(by_phase: pd.DataFrame, settings: pd.DataFrame,
                       designation: pd.DataFrame, designate: bool = False
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Share children placed by provision, need and phase among an LA's settings.

    Each ``provision, need_group, phase`` count (largest first) goes to the settings of that
    provision designated for the need and phase, in proportion to their room left (an
    unlimited setting takes what is left). With ``designate=True`` children no designated
    setting can take go, in a second pass, to any setting of their provision with room, and
    that setting is designated for their need and phase (they are there today: e.g. an
    illustrative settings table that designates only the main needs). What is still left is
    returned separately: the optimiser places those children afresh.

    Returns
    -------
    (initial, unassigned, designated) : DataFrame, DataFrame, DataFrame
        ``setting, need, phase, count`` (the optimiser's ``initial``),
        ``provision, need, phase, count`` and the designation rows added
        (``setting, need, phase``).

    Examples
    --------
    >>> bp = pd.DataFrame({"provision": "special_maintained", "need_group": "asd",
    ...                    "phase": "primary", "count": [30.0]})
    >>> s = pd.DataFrame({"setting": ["A", "B"], "provision": "special_maintained",
    ...                   "capacity": [10.0, 30.0]})
    >>> g = pd.DataFrame({"setting": ["A", "B"], "need": "asd", "phase": "primary"})
    >>> initial_placements(bp, s, g)[0]["count"].tolist()
    [7.5, 22.5]
    """
    initial, left = _share_out(by_phase, settings, designation)
    added = pd.DataFrame(columns=["setting", "need", "phase"])
    if designate and len(left):
        used = initial.groupby("setting")["count"].sum()
        cap = settings.set_index("setting")["capacity"].astype(float).fillna(np.inf)
        rest = settings.assign(capacity=(cap - used.reindex(cap.index).fillna(0)).to_numpy())
        anyd = left.rename(columns={"need": "need_group"}).merge(
            settings[["setting", "provision"]], on="provision")
        anyd = anyd[["setting", "need_group", "phase"]].rename(columns={"need_group": "need"})
        more, left = _share_out(left.rename(columns={"need": "need_group"}), rest, anyd)
        added = more[["setting", "need", "phase"]].drop_duplicates()
        have = pd.MultiIndex.from_frame(designation[["setting", "need", "phase"]])
        added = added[~pd.MultiIndex.from_frame(added).isin(have)].reset_index(drop=True)
        initial = pd.concat([initial, more]).groupby(["setting", "need", "phase"],
                                                     as_index=False, sort=True)["count"].sum()
    return initial, left, added


def _share_out(by_phase, settings, designation):
    room = settings.set_index("setting")["capacity"].astype(float).fillna(np.inf).to_dict()
    prov = settings.set_index("setting")["provision"]
    des = designation.assign(provision=designation["setting"].map(prov))
    # the settings designated for each provision, need and phase, in the designation's order
    designated = {}
    for setting, key in zip(des["setting"], zip(des["provision"], des["need"], des["phase"])):
        designated.setdefault(key, []).append(setting)
    rows, left = [], []
    for r in by_phase.sort_values(["count", "provision", "need_group", "phase"],
                                  ascending=[False, True, True, True]).itertuples():
        cand = list(designated.get((r.provision, r.need_group, r.phase), []))
        n = float(r.count)
        unlimited = [s for s in cand if not np.isfinite(room[s])]
        if unlimited:
            rows.append((unlimited[0], r.need_group, r.phase, n))
            continue
        free = np.array([max(room[s], 0.0) for s in cand])
        take = min(n, free.sum()) if len(free) else 0.0
        if take > 0:
            for s, part in zip(cand, take * free / free.sum()):
                if part > 0:
                    rows.append((s, r.need_group, r.phase, float(part)))
                    room[s] -= part
        if n - take > 1e-9:
            left.append((r.provision, r.need_group, r.phase, n - take))
    initial = pd.DataFrame(rows, columns=["setting", "need", "phase", "count"])
    initial = initial.groupby(["setting", "need", "phase"], as_index=False, sort=True)[
        "count"].sum()
    return initial, pd.DataFrame(left, columns=["provision", "need", "phase", "count"])


def board_flows(flows: Flows) -> pd.DataFrame:
    """``year, measure, value, basis``: the board measures the flow account gives directly.

    ``new_plans_mainstream_share``: new plans (joiners) placed in mainstream / all joiners;
    ``new_plans_specialist_share``: joiners in a specialist placement / all joiners.
    """
    t = flows.table
    j = t.groupby(["year", "provision"])["joiners"].sum().unstack(fill_value=0.0)
    total = j.sum(axis=1)
    rows = []
    for y, n in total.items():
        if n > 0:
            rows.append((int(y), "new_plans_mainstream_share",
                         float(j.loc[y].get("mainstream", 0.0) / n),
                         "plan: flows, joiners' projected placement mix"))
            rows.append((int(y), "new_plans_specialist_share",
                         float(j.loc[y].reindex(list(SPECIALIST)).fillna(0).sum() / n),
                         "plan: flows, joiners' projected placement mix"))
    return pd.DataFrame(rows, columns=["year", "measure", "value", "basis"])
