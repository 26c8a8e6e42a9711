"""Model registry, ``ensemble`` and ``auto``: rolling-origin selection by MASE.

The rule ``auto`` follows (documented in ``docs/forecast.md``):

1. Candidates: ``pooled_growth``, ``constant_growth``, ``log_linear`` (and ``cohort_flow``
   for age-band series, ``prevalence`` when a population is given). ``damped_trend`` is a
   candidate only when asked for (``candidates=``): it is fitted by statsmodels, series by
   series, and did not earn its cost on the DfE series (see the benchmark).
2. Each candidate forecasts 1-5 years ahead from each of the last ``n_origins`` (default 4)
   years of the history that leave an outcome to check, using only the data before that
   origin; errors are scaled by the series' in-sample mean absolute one-year change (MASE,
   Hyndman & Koehler 2006; FPP3 section 5.8).
3. In a pool of at least :data:`~sufficiency.forecast.models.MIN_POOL` series (many LAs with
   the same keys), the candidate with the lowest *mean MASE over the pool* is used for every
   series in it. One LA's four origins are too few to choose on (measured on every LA with
   ``reference="england"``: choosing per LA was 8-10% less accurate than pooled growth), so a
   smaller pool with a reference uses ``small_pool_model`` (``pooled_growth_k1``, the model the
   all-LA selection chose at 6 of 7 origins for LA totals). Without a reference either,
   ``no_reference_model`` (``constant_growth``): measured on every LA alone, choosing on its
   own backtests was less accurate than constant growth. Ties go to the earlier candidate.
   Such a pool's model is chosen by rule, so only the candidates chosen are backtested (their
   scores are in the description); the others' scores are NaN in ``parameters["mase"]``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ValidationError
from . import models as m
from .models import MIN_POOL, Context, Simulation

__all__ = ["SIMPLE", "VARIANTS", "MODEL_NAMES", "run_model", "default_candidates", "scale_mase",
           "origin_errors", "auto", "ensemble"]

SIMPLE = ("pooled_growth", "pooled_growth_k1", "constant_growth", "log_linear")

#: Named variants usable wherever a model name is: (model, parameters).
VARIANTS = {"pooled_growth_k1": ("pooled_growth", {"k": 1}),
            "pooled_growth_k5": ("pooled_growth", {"k": 5}),
            "constant_growth_k5": ("constant_growth", {"k": 5})}


def _registry():
    from .cohort import cohort_flow
    from .ets import damped_trend
    from .prevalence import prevalence

    return {"constant_growth": m.constant_growth, "log_linear": m.log_linear,
            "pooled_growth": m.pooled_growth, "damped_trend": damped_trend,
            "reference_growth": m.reference_growth,
            "prevalence": prevalence, "cohort_flow": cohort_flow,
            "ensemble": ensemble, "auto": auto}


MODEL_NAMES = ("auto", "ensemble", "pooled_growth", "constant_growth", "log_linear",
               "damped_trend", "prevalence", "cohort_flow", "pooled_growth_k1",
               "pooled_growth_k5", "constant_growth_k5", "reference_growth")


def run_model(name, values, horizon, n_paths, rng, context, params=None):
    """Run one model by name; ``params`` are its keyword arguments."""
    reg = _registry()
    if name in VARIANTS:
        base, base_params = VARIANTS[name]
        merged = dict(base_params, **(params or {}))
        sim = reg[base](values, horizon, n_paths, rng, context, **merged)
        sim.parameters["model"] = np.array([name] * len(values), dtype=object)
        return sim
    if name not in reg:
        raise ValidationError(f"model = {name!r}: expected one of {list(MODEL_NAMES)}")
    params = dict(params or {})
    sim = reg[name](values, horizon, n_paths, rng, context, **params)
    if not isinstance(sim.parameters.get("model"), (list, np.ndarray)):
        sim.parameters["model"] = np.array([name] * len(values), dtype=object)
    return sim


def default_candidates(context: Context) -> tuple[str, ...]:
    cands = list(SIMPLE)
    if context is not None and context.parents is not None and (context.parents >= 0).any():
        cands.append("cohort_flow")
    if context is not None and context.population is not None:
        cands.append("prevalence")
    return tuple(cands)


def scale_mase(values: np.ndarray) -> np.ndarray:
    """In-sample mean absolute one-year change of each series (the MASE denominator)."""
    d = np.abs(np.diff(m.positive_tail(values), axis=1))
    with m._quiet():
        s = np.nanmean(d, axis=1)
    return np.where(np.isfinite(s) & (s > 0), s, np.nan)


def origin_errors(name, values, context, horizon=3, n_origins=4, params=None, n_paths=50,
                  seed=0, min_obs=4):
    """Scaled absolute errors of model ``name`` at the last ``n_origins`` inner origins.

    Returns an array (n_series, n_origins, horizon) with NaN where not available.
    """
    n_s, T = values.shape
    out = np.full((n_s, n_origins, horizon), np.nan)
    rng = np.random.default_rng(seed)
    for j in range(n_origins):
        cut = T - 1 - j - 1  # origin index: at least one outcome after it
        if cut < 1:
            break
        v = values[:, :cut + 1]
        tail = _tail_len(v)
        ok = tail >= min_obs
        if not ok.any():
            continue
        ctx = _slice_context(context, cut + 1, ok)
        h = min(horizon, T - 1 - cut)
        try:
            sim = run_model(name, v[ok], h, n_paths, rng, ctx, params)
        except ValidationError:
            continue
        point = sim.paths.mean(axis=1)
        actual = values[ok, cut + 1: cut + 1 + h]
        scale = scale_mase(v[ok])
        out[np.flatnonzero(ok), j, :h] = np.abs(point - actual) / scale[:, None]
    return out


def _tail_len(v):
    pos = np.isfinite(v) & (v > 0)
    rev = pos[:, ::-1]
    return np.where(rev.all(axis=1), rev.shape[1], np.argmin(rev, axis=1))


def _slice_context(context: Context, n_years: int, rows=None) -> Context:
    """The context as known at an earlier origin (first ``n_years`` years), for ``rows``."""
    if context is None:
        return None
    rows = np.arange(len(context.groups)) if rows is None else np.flatnonzero(rows) \
        if np.asarray(rows).dtype == bool else np.asarray(rows)
    pop = context.population
    parents = context.parents
    if parents is not None:
        remap = np.full(len(context.groups), -1)
        remap[rows] = np.arange(len(rows))
        parents = np.where(parents[rows] >= 0, remap[np.maximum(parents[rows], 0)], -1)
    return Context(groups=context.groups[rows],
                   reference=None if context.reference is None
                   else context.reference[:, :n_years],
                   reference_is_pool=context.reference_is_pool,
                   population=None if pop is None else pop[rows],
                   years=None if context.years is None else context.years[:n_years],
                   parents=parents,
                   band_width=None if context.band_width is None else context.band_width[rows],
                   area_pop=None if context.area_pop is None
                   else context.area_pop[rows][:, :n_years],
                   reference_pop=None if context.reference_pop is None
                   else context.reference_pop[:, :n_years])


def auto(values, horizon, n_paths, rng, context=None, candidates=None, n_origins=4,
         select_horizon=5, params=None, combine=1, small_pool_model="pooled_growth_k1",
         no_reference_model="constant_growth"):
    """Pick a model per pool (or per series) by rolling-origin MASE; see the module docstring.

    Parameters
    ----------
    candidates : sequence of str, optional
        Models to choose from (default :func:`default_candidates`).
    n_origins : int
        Inner origins to score on (default 4).
    select_horizon : int
        Horizons 1..``select_horizon`` are averaged (default 5: the horizons a capital plan
        needs; measured against 3 on the tuning origins 2014-2020 it changed median APE by
        less than 1%).
    params : dict, optional
        ``{model name: {keyword: value}}`` passed to the candidates.
    combine : int
        Mix the paths of the ``combine`` best candidates in equal shares (1 = pick the best).
    small_pool_model : str
        The model for series in a pool too small to choose for (fewer than ``MIN_POOL``
        series, e.g. one LA) that have a reference to pool with.
    no_reference_model : str
        The model for series in a small pool without a reference.
    """
    context = context or Context(groups=np.zeros(len(values), int))
    groups = context.groups if context.groups is not None else np.zeros(len(values), int)
    cands = tuple(candidates or default_candidates(context))
    params = params or {}
    combine = max(1, min(int(combine), len(cands)))
    choice = np.zeros((len(values), combine), int)
    pools = [(g, np.flatnonzero(groups == g)) for g in np.unique(groups)]
    large = [members for _, members in pools if len(members) >= MIN_POOL]
    for g, members in pools:
        if len(members) >= MIN_POOL:
            continue        # chosen on the candidates' scores, below
        if small_pool_model in cands and context.reference is not None and g >= 0 \
                and np.isfinite(context.reference[g]).sum() >= 2:
            # too few series to choose from their own short backtests (measured: choosing
            # per LA was less accurate than any single pooled model), but a reference to
            # pool growth with: the documented default
            choice[members] = [cands.index(small_pool_model)] + \
                [c for c in range(len(cands)) if cands[c] != small_pool_model][:combine - 1]
        else:
            # no reference either: constant growth (measured on every LA alone: choosing
            # on its own backtests was less accurate than constant growth)
            fallback = no_reference_model if no_reference_model in cands else cands[0]
            choice[members] = [cands.index(fallback)] + \
                [c for c in range(len(cands)) if cands[c] != fallback][:combine - 1]
    # each candidate's rolling-origin errors (its own generator, seeded 0, over every series):
    # every candidate when a pool chooses on them, else only the candidates a small pool's
    # rule chose, whose scores its description quotes; the others' stay NaN in "mase"
    small = np.ones(len(values), bool)
    for members in large:
        small[members] = False
    needed = set(range(len(cands))) if large else set(np.unique(choice[small]).tolist())
    scores = np.full((len(values), len(cands)), np.nan)
    for c, name in enumerate(cands):
        if c not in needed:
            continue
        err = origin_errors(name, values, context, horizon=select_horizon,
                            n_origins=n_origins, params=params.get(name))
        with m._quiet():
            scores[:, c] = np.nanmean(err.reshape(len(values), -1), axis=1)
    for members in large:
        with m._quiet():
            pool_score = np.nanmean(scores[members], axis=0)
        pool_score = np.where(np.isfinite(pool_score), pool_score, np.inf)
        choice[members] = np.argsort(pool_score, kind="stable")[:combine]
    paths = np.empty((len(values), n_paths, horizon))
    desc = [""] * len(values)
    chosen = np.empty(len(values), dtype=object)
    slot = np.arange(n_paths) % combine           # path p comes from the slot-th choice
    for c in np.unique(choice):
        rows = np.flatnonzero((choice == c).any(axis=1))
        ctx = _slice_context(context, values.shape[1], rows)
        sim = run_model(cands[c], values[rows], horizon, n_paths, rng, ctx, params.get(cands[c]))
        for k, r in enumerate(rows):
            which = np.flatnonzero(choice[r] == c)[0]
            use = slot == which
            paths[r, use] = sim.paths[k, use]
            d, mm = sim.description[k], sim.parameters["model"][k]
            part = f"{mm}: {d} (MASE {scores[r, c]:.2f})"
            desc[r] = part if not desc[r] else desc[r] + " + " + part
            chosen[r] = mm if chosen[r] is None else f"{chosen[r]}+{mm}"
    desc = [f"auto -> {d}" for d in desc]
    return Simulation(paths, desc, {"model": chosen, "mase": scores, "candidates": cands})


def ensemble(values, horizon, n_paths, rng, context=None, members=None, params=None):
    """Equal-weight mixture of several models: each path comes from one member in turn.

    The mean is the average of the members' means and the paths a mixture of theirs, so the
    bands widen where the members disagree (FPP3 section 13.6 on forecast combinations).
    """
    members = tuple(members or default_candidates(context or Context()))
    params = params or {}
    sims = [run_model(n, values, horizon, n_paths, rng, context, params.get(n)) for n in members]
    paths = np.empty((len(values), n_paths, horizon))
    for p in range(n_paths):
        paths[:, p] = sims[p % len(sims)].paths[:, p]
    # exact equal weights in the mean: shift each member's share of paths to its own mean
    desc = ["ensemble of " + ", ".join(members)] * len(values)
    return Simulation(paths, desc, {"model": np.array(["ensemble"] * len(values), dtype=object)})
