"""Partial pooling: which series learn from which, and the reference series they lean on.

A single LA's 10-15 annual counts are a noisy guide to its growth; what all LAs' series say
together is not. :func:`~sufficiency.forecast.models.pooled_growth` shrinks each series'
growth towards a *reference*: the sum of the other series in its pool (the same keys but
``la_code``: "all LAs' 16-19 band"), or a reference the user passes (the national series,
or the LA's statistical neighbours' sum).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .models import MIN_POOL, Context
from .validate import Panel

__all__ = ["UNIT_COLUMNS", "pool_keys", "build_context", "attach_area_population",
           "national_series"]

#: Key columns that identify *who* (the pooled dimension) rather than *what*.
UNIT_COLUMNS = ("la_code", "area")


def pool_keys(panel: Panel) -> list[str]:
    """The key columns that define a pool: every key but ``la_code`` / ``area``."""
    return [k for k in panel.key_names if k not in UNIT_COLUMNS]


def build_context(panel: Panel, reference=None, min_pool: int = MIN_POOL) -> Context:
    """Pools and reference series for ``panel``.

    Parameters
    ----------
    panel : Panel
    reference : DataFrame, "england" or None
        ``year, count`` and optionally some of the panel's pool keys (e.g. ``age_band``): the
        series each pool is compared with. ``"england"`` uses the embedded national series
        (:func:`sufficiency.data.england_history`). If None, a pool of at least ``min_pool``
        series uses the sum of its own series; a smaller pool has no reference.

    Returns
    -------
    Context
    """
    pk = pool_keys(panel)
    if pk:
        codes = panel.keys[pk].astype(str).agg("\x1f".join, axis=1)
        uniq, groups = np.unique(codes.to_numpy(), return_inverse=True)
        pool_frame = panel.keys[pk].drop_duplicates().assign(
            _code=lambda f: f[pk].astype(str).agg("\x1f".join, axis=1)
        ).set_index("_code").loc[uniq].reset_index(drop=True)
    else:
        groups = np.zeros(len(panel), int)
        pool_frame = pd.DataFrame(index=[0])
    n_g = len(pool_frame)
    ref = np.full((n_g, len(panel.years)), np.nan)
    is_pool = np.zeros(n_g, bool)
    if isinstance(reference, str):
        reference = _named_reference(reference, pk)
    if reference is not None:
        ref = _align_reference(reference, pool_frame, pk, panel.years)
    else:
        for g in range(n_g):
            members = np.flatnonzero(groups == g)
            if len(members) >= min_pool:
                vals = panel.values[members]
                known = np.isfinite(vals).all(axis=0)
                ref[g] = np.where(known, np.nansum(vals, axis=0), np.nan)
                is_pool[g] = True
    return Context(groups=np.asarray(groups), reference=ref, reference_is_pool=is_pool,
                   years=panel.years)


def _named_reference(name: str, pk: list[str]) -> pd.DataFrame:
    if name.lower() != "england":
        raise ValidationError(f"reference = {name!r}: expected a DataFrame (year, count and "
                              "optional keys) or 'england'")
    from .. import data as sd

    ref = sd.england_history()
    if "age_band" in pk:
        return ref[["year", "age_band", "count"]]
    return ref[ref["age_band"] == "all"][["year", "count"]]


def _align_reference(reference: pd.DataFrame, pool_frame: pd.DataFrame, pk: list[str],
                     years: np.ndarray) -> np.ndarray:
    if not isinstance(reference, pd.DataFrame) or not {"year", "count"} <= set(reference):
        raise ValidationError("reference: expected a DataFrame with columns year, count and "
                              "optionally the history's keys (e.g. age_band)")
    on = [k for k in pk if k in reference.columns]
    extra = [c for c in reference.columns if c not in on + ["year", "count", "flag", "la_name",
                                                             "la_code"]]
    if extra:
        raise ValidationError(f"reference: columns {extra} are not keys of the history "
                              f"({pk}); expected year, count and some of {pk}")
    if "la_code" in reference.columns:
        reference = reference.groupby(on + ["year"], as_index=False)["count"].sum()
    out = np.full((len(pool_frame), len(years)), np.nan)
    for g in range(len(pool_frame)):
        sel = np.ones(len(reference), bool)
        for k in on:
            sel &= reference[k].astype(str).to_numpy() == str(pool_frame.iloc[g][k])
        sub = reference[sel].groupby("year")["count"].sum()
        if on and sel.sum() == 0:
            # e.g. a reference by age band for a pool "all": sum of the reference's bands
            continue
        out[g] = sub.reindex(years).to_numpy(dtype=float)
    return out


def attach_area_population(ctx: Context, panel: Panel, area_population, reference,
                           reference_population=None) -> None:
    """Set ``ctx.area_pop`` and ``ctx.reference_pop`` (prevalence convergence) from
    ``area_population`` (a frame, ``"embedded"`` for the ONS estimates of the embedded LAs,
    or None for no convergence) and, for a reference given as a frame, its population
    ``reference_population`` (``year, population``)."""
    from .adjust import align_area_population
    from .adjust import reference_population as pool_population

    if area_population is None:
        return
    if isinstance(area_population, str):
        if area_population != "embedded":
            raise ValidationError(f"area_population = {area_population!r}: expected a "
                                  "DataFrame (year, population, la_code) or 'embedded'")
        from ..data.population import area_populations

        area_population = area_populations()
    ctx.area_pop = align_area_population(area_population, panel.keys, panel.years)
    england = None
    if reference_population is not None:
        england = align_area_population(reference_population, pd.DataFrame(index=[0]),
                                        panel.years)[0]
    elif isinstance(reference, str) and reference.lower() == "england":
        from ..data.population import area_populations

        eng = area_populations()
        eng = eng[eng["la_code"] == "E92000001"].drop(columns="la_code")
        england = align_area_population(eng, pd.DataFrame(index=[0]), panel.years)[0]
    n_groups = ctx.reference.shape[0] if ctx.reference is not None else 0
    ctx.reference_pop = pool_population(ctx.area_pop, ctx.groups, n_groups,
                                             ctx.reference_is_pool, england)


def national_series(years) -> np.ndarray:
    """England's total plans on ``years`` (the embedded DfE series; NaN where unknown)."""
    from .. import data as sd

    eng = sd.england_history()
    eng = eng[eng["age_band"] == "all"].set_index("year")["count"]
    return eng.reindex(years).to_numpy(dtype=float)
