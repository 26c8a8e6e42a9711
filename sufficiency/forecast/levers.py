"""Scenario levers: named, parameterised, composable changes to the simulated paths.

A lever is an *assumption* (a policy that may or may not deliver), not a forecast: every lever
applied is listed in :attr:`Forecast.levers` with its parameters and what it acted on. Levers
are applied in the order given, each to the result of the previous one, to the paths of the
parts (the total is re-summed, so the forecast stays coherent).

=========================  =========================================================
``reduce_new_plan_growth``  fewer new plans (``reduction``, a fraction) from ``from_year``
``shift_to_mainstream``     a ``share`` of new specialist plans placed in mainstream
``independent_step_down``   ``per_year`` children moved from independent special schools
``one_off``                 a one-off ``amount`` (plans) from ``year`` on
=========================  =========================================================

New plans are not in the stock series, so ``reduce_new_plan_growth`` infers them from the
stock with a ceased-plan rate: ``new[t] = stock[t] - (1 - cease_rate) stock[t-1]``. Levers
about *placement* (``shift_to_mainstream``, ``independent_step_down``) act on the paths only
when the forecast has a ``provision`` key; otherwise they change no count and are recorded for
the placement stage in :attr:`Forecast.provision_shifts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.vocabulary import INDEPENDENT, provisions_where
from ..errors import ValidationError

__all__ = ["CEASE_RATE", "SPECIALIST", "Lever", "parse_levers", "apply_levers",
           "reduce_new_plan_growth", "one_off", "shift_to_mainstream", "independent_step_down",
           "LEVERS", "levers_frame"]

#: Share of the January stock of EHC plans that ceases within the year: an assumption from the
#: DfE SEN2 2025 release for England (97,747 new plans made in calendar 2024, census year 2025;
#: stock 576,474 in January 2024 and 638,745 in January 2025, so about 35,500 ceased = 6.2%).
CEASE_RATE = 0.062
#: Specialist provisions whose new placements ``shift_to_mainstream`` redirects (vocabulary).
SPECIALIST = provisions_where("new_plan_shift")


@dataclass
class Lever:
    """One lever: its name, parameters and the function applying it."""

    name: str
    parameters: dict = field(default_factory=dict)

    def label(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        return f"{self.name}({args})"


def parse_levers(levers) -> list[Lever]:
    """Levers from dicts (``{"name": ..., parameter: value}``), :class:`Lever` objects or
    ``(name, {parameters})`` tuples."""
    if levers is None:
        return []
    if isinstance(levers, (dict, Lever, tuple)):
        levers = [levers]
    out = []
    for i, lv in enumerate(levers):
        if isinstance(lv, Lever):
            item = lv
        elif isinstance(lv, dict):
            if "name" not in lv:
                raise ValidationError(f"levers[{i}]: expected a 'name' (one of {list(LEVERS)})")
            item = Lever(lv["name"], {k: v for k, v in lv.items() if k != "name"})
        elif isinstance(lv, tuple) and len(lv) == 2:
            item = Lever(lv[0], dict(lv[1]))
        else:
            raise ValidationError(f"levers[{i}] = {lv!r}: expected a mapping with a name")
        if item.name not in LEVERS:
            raise ValidationError(f"levers[{i}]: name = {item.name!r}: expected one of "
                                  f"{list(LEVERS)}")
        required, optional = LEVERS[item.name][1:]
        missing = [p for p in required if p not in item.parameters]
        unknown = [p for p in item.parameters if p not in required + optional]
        if missing or unknown:
            raise ValidationError(f"levers[{i}] ({item.name}): parameters {missing or unknown} "
                                  f"{'missing' if missing else 'not known'}; expected "
                                  f"{required} and optionally {optional}")
        out.append(item)
    return out


def apply_levers(levers, paths, last, years, keys):
    """Apply ``levers`` in order to ``paths`` (n, n_paths, h) of the parts.

    ``last`` (n,) is the last observed count of each part and ``years`` the forecast years.
    Returns (paths, log rows, provision shift rows).
    """
    log, shifts = [], []
    for lv in levers:
        fn = LEVERS[lv.name][0]
        paths, applied, shift = fn(paths, last, years, keys, **lv.parameters)
        log.append({"lever": lv.name, "parameters": lv.label(), "applied_to": applied,
                    "status": "assumption"})
        shifts.extend(shift)
    return paths, log, shifts


def _years_from(years, from_year):
    return np.asarray(years) >= int(from_year)


def reduce_new_plan_growth(paths, last, years, keys, reduction, from_year,
                           cease_rate=CEASE_RATE, ramp_years=0):
    """New plans fall by ``reduction`` (0.25 = a quarter fewer) from ``from_year``, phased in
    linearly over ``ramp_years``; ceased plans follow the (unchanged) stock."""
    if not 0 <= float(reduction) <= 1:
        raise ValidationError(f"reduce_new_plan_growth: reduction = {reduction}: expected a "
                              "fraction from 0 to 1")
    prev = np.concatenate([np.repeat(last[:, None, None], paths.shape[1], 1), paths[:, :, :-1]],
                          axis=2)
    new = paths - (1 - cease_rate) * prev
    yrs = np.asarray(years)
    ramp = np.clip((yrs - int(from_year) + 1) / (ramp_years + 1), 0, 1) * (yrs >= int(from_year))
    new_m = new * (1 - float(reduction) * ramp)[None, None, :]
    out = np.empty_like(paths)
    s = np.repeat(last[:, None], paths.shape[1], 1)
    for j in range(paths.shape[2]):
        s = np.maximum((1 - cease_rate) * s + new_m[:, :, j], 0)
        out[:, :, j] = s
    return out, f"every series' paths (new plans inferred with cease rate {cease_rate})", []


def one_off(paths, last, years, keys, amount, year, where=None):
    """Add ``amount`` plans from ``year`` on (negative to remove), to the series matching
    ``where`` (a ``{column: value}`` mapping), shared in proportion to their size."""
    sel = np.ones(len(keys), bool)
    for k, v in (where or {}).items():
        if k not in keys.columns:
            raise ValidationError(f"one_off: where = {where}: column {k!r} is not a key "
                                  f"({list(keys.columns)})")
        sel &= keys[k].astype(str).to_numpy() == str(v)
    if not sel.any():
        raise ValidationError(f"one_off: where = {where}: no series match")
    weight = np.where(sel, np.maximum(last, 0), 0.0)
    weight = weight / weight.sum() if weight.sum() > 0 else sel / sel.sum()
    add = float(amount) * weight[:, None] * _years_from(years, year)[None, :]
    return np.maximum(paths + add[:, None, :], 0), f"{int(sel.sum())} series from {year}", []


def shift_to_mainstream(paths, last, years, keys, share, from_year):
    """A ``share`` of new specialist placements go to mainstream from ``from_year``."""
    if "provision" not in keys.columns:
        rows = [{"year": int(y), "lever": "shift_to_mainstream", "from_provision": "specialist",
                 "to_provision": "mainstream", "share_of_new": float(share), "count": np.nan}
                for y in years if y >= int(from_year)]
        return paths, "recorded for the placement stage (no provision key)", rows
    prov = keys["provision"].astype(str).to_numpy()
    spec = np.isin(prov, SPECIALIST)
    main = prov == "mainstream"
    out = paths.copy()
    prev = np.concatenate([np.repeat(last[:, None, None], paths.shape[1], 1), paths[:, :, :-1]],
                          axis=2)
    growth = np.maximum(paths - prev, 0) * spec[:, None, None]
    moved = np.cumsum(growth * float(share) * _years_from(years, from_year)[None, None, :], 2)
    out -= moved
    others = [c for c in keys.columns if c != "provision"]
    ident = keys[others].astype(str).agg("|".join, axis=1).to_numpy() if others else \
        np.array([""] * len(keys))
    for g in np.unique(ident):
        m_rows = np.flatnonzero((ident == g) & main)
        s_rows = np.flatnonzero((ident == g) & spec)
        if len(m_rows):
            out[m_rows[0]] += moved[s_rows].sum(axis=0)
    return np.maximum(out, 0), "provision paths", []


def independent_step_down(paths, last, years, keys, per_year, from_year,
                          to_provision="special_maintained"):
    """``per_year`` children a year move from independent / non-maintained special schools to
    ``to_provision`` from ``from_year`` (cumulative)."""
    steps = np.cumsum(float(per_year) * _years_from(years, from_year))
    if "provision" not in keys.columns:
        rows = [{"year": int(y), "lever": "independent_step_down",
                 "from_provision": "special_independent", "to_provision": to_provision,
                 "share_of_new": np.nan, "count": float(c)}
                for y, c in zip(years, steps) if c > 0]
        return paths, "recorded for the placement stage (no provision key)", rows
    prov = keys["provision"].astype(str).to_numpy()
    out = paths.copy()
    others = [c for c in keys.columns if c != "provision"]
    ident = keys[others].astype(str).agg("|".join, axis=1).to_numpy() if others else \
        np.array([""] * len(keys))
    for g in np.unique(ident):
        src = np.flatnonzero((ident == g) & np.isin(prov, INDEPENDENT))
        dst = np.flatnonzero((ident == g) & (prov == to_provision))
        if not len(src) or not len(dst):
            continue
        avail = out[src].sum(axis=0)
        move = np.minimum(steps[None, :], avail)
        frac = np.where(avail > 0, move / np.where(avail > 0, avail, 1), 0)
        out[dst[0]] += move
        out[src] *= (1 - frac)[None]
    return out, "provision paths", []


#: name -> (function, required parameters, optional parameters)
LEVERS = {
    "reduce_new_plan_growth": (reduce_new_plan_growth, ["reduction", "from_year"],
                               ["cease_rate", "ramp_years"]),
    "one_off": (one_off, ["amount", "year"], ["where"]),
    "shift_to_mainstream": (shift_to_mainstream, ["share", "from_year"], []),
    "independent_step_down": (independent_step_down, ["per_year", "from_year"],
                              ["to_provision"]),
}


def levers_frame(log) -> pd.DataFrame:
    return pd.DataFrame(log, columns=["lever", "parameters", "applied_to", "status"])
