"""Mitigation levers as named, explicit transformations of placements by provision.

A lever is ``name, kind, parameters``; the forecast engine records the levers it applied as such
a table, and :func:`as_levers` reads it (``kind`` defaults to ``name``). Kinds:

``fewer_new_plans`` (``share``, ``from_year``)
    A ``share`` of the growth after ``from_year - 1`` does not happen, in every provision:
    ``count'_t = count_t - share x (count_t - count_base)`` for ``t >= from_year``. Linear in
    ``share``, so a goal-seek on it is well behaved.
``mainstream_shift`` (``share``, ``from_year``, ``ramp_years`` = 1, ``from_provisions`` = the
    three special school types, ``to`` = ``"mainstream"``)
    A ``share`` of those placements is met in mainstream instead, reached linearly over
    ``ramp_years``.
``step_down`` (``per_year``, ``from_year``, ``from_provision`` = ``"special_independent"``,
    ``to`` = ``"special_maintained"``)
    ``per_year`` children a year move out of independent placements (cumulative; capped at the
    independent count), e.g. Wiltshire's 92 step-downs in 2022/23.
``new_places`` (``places`` = ``{year: new places}`` or ``per_year`` + ``from_year``,
    ``from_provision`` = ``"special_independent"``, ``to`` = ``"special_maintained"``)
    Local places from the capital programme, each taking a child who would otherwise be placed
    independently (cumulative; capped at the independent count).
``custom`` (``fn``)
    Any function ``placements -> placements``.

``fewer_new_plans`` levers are applied before the moves, whatever their place in the list (see
:func:`apply_levers`). Moves keep the total: children change provision, they do not disappear (only
``fewer_new_plans`` changes the number of plans). Moves are shared across the other keys (need,
age band, path ...) in proportion to the ``from`` provision's count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.vocabulary import provisions_where
from ..errors import ValidationError

__all__ = ["SPECIAL", "KINDS", "DEMAND_KINDS", "SPECIALIST_NEW", "ALIASES", "PARAM_ALIASES",
           "Lever", "as_levers", "levers_table", "apply_levers", "fewer_new_plans", "shift",
           "move", "shift_new", "scale", "from_forecast_engine"]

#: Special schools of every kind: what ``mainstream_shift`` moves from by default (vocabulary).
SPECIAL = provisions_where("special_school")
KINDS = ("fewer_new_plans", "scale", "mainstream_shift", "shift_new_to_mainstream", "step_down",
         "new_places", "custom")
#: Kinds that change demand (the number of plans): applied before the moves.
DEMAND_KINDS = ("fewer_new_plans", "scale")
#: Specialist provisions whose *new* placements ``shift_new_to_mainstream`` redirects (as the
#: forecast engine's ``shift_to_mainstream``).
SPECIALIST_NEW = provisions_where("new_plan_shift")
#: Other names for the kinds (as a forecast engine may record them) and for their parameters.
ALIASES = {"growth_mitigation": "fewer_new_plans", "growth_reduction": "fewer_new_plans",
           "reduce_growth": "fewer_new_plans", "shift_to_mainstream": "mainstream_shift",
           "more_mainstream": "mainstream_shift", "step_downs": "step_down",
           "iss_step_down": "step_down", "iss_step_downs": "step_down",
           "new_local_places": "new_places", "capital_places": "new_places",
           "reduce_new_plan_growth": "fewer_new_plans",
           "independent_step_down": "step_down"}
PARAM_ALIASES = {"reduction": "share", "rate": "share", "start_year": "from_year",
                 "from": "from_year", "year": "from_year", "n_per_year": "per_year",
                 "count": "per_year"}


@dataclass
class Lever:
    """One mitigation lever.

    Examples
    --------
    >>> Lever("Step-downs", "step_down", {"per_year": 92, "from_year": 2026}).kind
    'step_down'
    """

    name: str
    kind: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValidationError(f"lever {self.name!r}: kind {self.kind!r} not recognised; "
                                  f"expected one of {list(KINDS)}")
        need = {"fewer_new_plans": ("share", "from_year"), "mainstream_shift": ("share", "from_year"),
                "shift_new_to_mainstream": ("share", "from_year"), "scale": ("ratio",),
                "custom": ("fn",)}.get(self.kind, ())
        missing = [p for p in need if p not in self.params]
        if self.kind in ("step_down", "new_places") and not (
                "places" in self.params or "cumulative" in self.params
                or ("per_year" in self.params and "from_year" in self.params)):
            missing = ["per_year and from_year (or places / cumulative)"]
        if missing:
            raise ValidationError(f"lever {self.name!r} ({self.kind}): missing parameters "
                                  f"{missing}")

    def apply(self, placements: pd.DataFrame) -> pd.DataFrame:
        """The placements with this lever applied."""
        p = self.params
        if self.kind == "fewer_new_plans":
            return fewer_new_plans(placements, p["share"], p["from_year"])
        if self.kind == "mainstream_shift":
            return shift(placements, p["share"], p["from_year"], p.get("ramp_years", 1),
                         tuple(p.get("from_provisions", SPECIAL)), p.get("to", "mainstream"))
        if self.kind == "shift_new_to_mainstream":
            return shift_new(placements, p["share"], p["from_year"],
                             tuple(p.get("from_provisions", SPECIALIST_NEW)), p.get("to", "mainstream"))
        if self.kind in ("step_down", "new_places"):
            schedule = _schedule(p, placements["year"].unique())
            return move(placements, schedule, p.get("from_provision", "special_independent"),
                        p.get("to", "special_maintained"))
        if self.kind == "scale":
            return scale(placements, p["ratio"])
        return p["fn"](placements)

    def describe(self) -> str:
        params = {k: (f"<{len(v)} rows>" if isinstance(v, pd.DataFrame) else v)
                  for k, v in self.params.items() if k != "fn"}
        return json.dumps(params, sort_keys=True, default=str)


def as_levers(levers) -> list[Lever]:
    """Levers from a list of :class:`Lever` / dicts, or a table ``name, [kind,] parameters``.

    ``parameters`` may be a dict or a JSON string; other columns are taken as parameters.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["fewer_new_plans"], "parameters": ['{"share": 0.2, "from_year": 2026}']})
    >>> as_levers(t)[0].params["share"]
    0.2
    """
    if levers is None:
        return []
    if isinstance(levers, Lever):
        return [levers]
    if isinstance(levers, pd.DataFrame):
        records = levers.to_dict("records")
    else:
        records = list(levers)
    out = []
    for i, r in enumerate(records, start=1):
        if isinstance(r, Lever):
            out.append(r)
            continue
        if not isinstance(r, dict) or "name" not in r:
            raise ValidationError(f"levers: item {i}: expected a Lever or a mapping with 'name'")
        params = r.get("parameters", r.get("params", {}))
        if isinstance(params, str):
            try:
                params = json.loads(params) if params.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValidationError(f"levers: row {i + 1}, column parameters: not JSON "
                                      f"({exc})") from None
        params = dict(params or {})
        params.update({k: v for k, v in r.items()
                       if k not in ("name", "kind", "parameters", "params")
                       and not (isinstance(v, float) and np.isnan(v))})
        params = {PARAM_ALIASES.get(k, k): v for k, v in params.items()}
        kind = str(r.get("kind") or r["name"])
        out.append(Lever(str(r["name"]), ALIASES.get(kind, kind), params))
    names = [lv.name for lv in out]
    if len(set(names)) != len(names):
        raise ValidationError(f"levers: names must be unique; found {names}")
    return out


def levers_table(levers) -> pd.DataFrame:
    """``name, kind, parameters`` (JSON) for the record (``.assumptions`` of a plan)."""
    return pd.DataFrame([(lv.name, lv.kind, lv.describe()) for lv in as_levers(levers)],
                        columns=["name", "kind", "parameters"])


def apply_levers(placements: pd.DataFrame, levers) -> pd.DataFrame:
    """Apply levers: ``fewer_new_plans`` first (they change demand), then the others in order.

    Demand levers go first whatever their place in the list, so that a growth reduction scales
    the forecast growth and never undoes a move (a step-down leaves an independent series below
    its base level; reducing "growth" after it would move children back).
    ``placements``: ``[path,] [keys,] year, provision, count``.
    """
    out = placements
    ordered = sorted(as_levers(levers), key=lambda lv: lv.kind not in DEMAND_KINDS)
    for lever in ordered:
        out = lever.apply(out)
    return out


def _series_keys(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in ("year", "count")]


def fewer_new_plans(placements: pd.DataFrame, share: float, from_year: int) -> pd.DataFrame:
    """Remove ``share`` of the growth above the ``from_year - 1`` level (see module notes).

    Examples
    --------
    >>> p = pd.DataFrame({"year": [2025, 2026, 2027], "provision": "mainstream",
    ...                   "count": [100.0, 110.0, 120.0]})
    >>> fewer_new_plans(p, 0.5, 2026)["count"].tolist()
    [100.0, 105.0, 110.0]
    """
    if not 0 <= share <= 1:
        raise ValidationError(f"lever fewer_new_plans: share {share}; expected 0..1")
    out = placements.copy()
    keys = _series_keys(out)
    first = int(out["year"].min())
    base_year = max(int(from_year) - 1, first)
    after = (out["year"] >= max(int(from_year), first + 1)).to_numpy()
    if keys:
        base = out.loc[out["year"] == base_year, keys + ["count"]].rename(columns={"count": "_b"})
        b = out[keys].merge(base, on=keys, how="left")["_b"].to_numpy(dtype=float)
    else:
        b = np.full(len(out), float(out.loc[out["year"] == base_year, "count"].sum()))
    b = np.where(np.isnan(b), 0.0, b)
    counts = out["count"].to_numpy(dtype=float)
    out["count"] = np.where(after, counts - share * (counts - b), counts)
    return out


def shift(placements: pd.DataFrame, share: float, from_year: int, ramp_years: int = 1,
          from_provisions=SPECIAL, to: str = "mainstream") -> pd.DataFrame:
    """Move ``share`` of ``from_provisions`` placements to ``to``, ramping over ``ramp_years``."""
    if not 0 <= share <= 1:
        raise ValidationError(f"lever mainstream_shift: share {share}; expected 0..1")
    out = placements.copy()
    ramp = max(int(ramp_years), 1)
    step = ((out["year"] - int(from_year) + 1) / ramp).clip(0, 1)
    frac = share * step
    src = out["provision"].isin(from_provisions)
    moved = out.loc[src].copy()
    moved["count"] = out.loc[src, "count"] * frac[src]
    out.loc[src, "count"] = out.loc[src, "count"] * (1 - frac[src])
    moved["provision"] = to
    return _combine(out, moved)


def move(placements: pd.DataFrame, schedule: pd.Series, from_provision: str, to: str
         ) -> pd.DataFrame:
    """Move a cumulative number of children a year (``schedule``: year -> count) between types.

    Capped at the ``from_provision`` count in each year (and path); shared across the other
    keys in proportion to it.
    """
    out = placements.copy()
    group = [c for c in ("path",) if c in out] + ["year"]
    src = out["provision"] == from_provision
    total = out["count"].where(src, 0.0).groupby([out[g] for g in group]).transform("sum")
    wanted = out["year"].map(schedule).fillna(0.0).astype(float)
    moved_total = np.minimum(wanted, total)
    frac = np.where(total > 0, moved_total / total.where(total > 0, 1.0), 0.0)
    frac = pd.Series(frac, index=out.index)
    moved = out.loc[src].copy()
    moved["count"] = out.loc[src, "count"] * frac[src]
    out.loc[src, "count"] = out.loc[src, "count"] * (1 - frac[src])
    moved["provision"] = to
    return _combine(out, moved)


def shift_new(placements: pd.DataFrame, share: float, from_year: int,
              from_provisions=SPECIALIST_NEW, to: str = "mainstream") -> pd.DataFrame:
    """A ``share`` of each year's *growth* in ``from_provisions`` is placed in ``to`` instead,
    cumulatively from ``from_year`` (the forecast engine's ``shift_to_mainstream``; the first
    forecast year has no previous year here, so its growth is not counted)."""
    if not 0 <= share <= 1:
        raise ValidationError(f"lever shift_new_to_mainstream: share {share}; expected 0..1")
    out = placements.copy()
    keys = [k for k in _series_keys(out)]
    src = out["provision"].isin(from_provisions)
    part = out.loc[src].sort_values(keys + ["year"], kind="stable")
    growth = part.groupby(keys, sort=False)["count"].diff().fillna(0.0).clip(lower=0.0)
    growth = growth.where(part["year"] >= int(from_year), 0.0) * float(share)
    moved = growth.groupby([part[k] for k in keys], sort=False).cumsum()
    moved = np.minimum(moved, part["count"]).reindex(out.index).fillna(0.0)
    shifted = out.loc[src].copy()
    shifted["count"] = moved[src]
    out.loc[src, "count"] = out.loc[src, "count"] - moved[src]
    shifted["provision"] = to
    return _combine(out, shifted)


def scale(placements: pd.DataFrame, ratio: pd.DataFrame) -> pd.DataFrame:
    """Multiply counts by ``ratio`` (``<keys>, year, ratio``; missing = 1): a demand change
    measured elsewhere, e.g. a mitigated forecast / its baseline."""
    on = [c for c in ratio.columns if c != "ratio" and c in placements]
    extra = [c for c in ratio.columns if c not in on + ["ratio"]]
    if extra or "year" not in on:
        raise ValidationError(f"lever scale: ratio keyed by {extra or ['year']} that the "
                              f"placements do not have; expected ratio columns among "
                              f"{list(placements.columns)} + ratio")
    out = placements.merge(ratio[on + ["ratio"]], on=on, how="left")
    out["count"] = out["count"] * out["ratio"].fillna(1.0)
    return out.drop(columns="ratio")[placements.columns]


def from_forecast_engine(provision_shifts: pd.DataFrame) -> list:
    """Finance levers for the placement levers a forecast recorded but could not apply
    (``Forecast.provision_shifts``: ``year, lever, from_provision, to_provision, share_of_new,
    count``)."""
    out = []
    if provision_shifts is None or not len(provision_shifts):
        return out
    for (name, to), rows in provision_shifts.groupby(["lever", "to_provision"], sort=False):
        rows = rows.sort_values("year")
        if name == "independent_step_down":
            cumulative = {int(y): float(c) for y, c in zip(rows["year"], rows["count"])}
            out.append(Lever(f"{name} (forecast)", "step_down",
                             {"cumulative": cumulative, "to": to,
                              "from_provision": "special_independent"}))
        elif name == "shift_to_mainstream":
            out.append(Lever(f"{name} (forecast)", "shift_new_to_mainstream",
                             {"share": float(rows["share_of_new"].iloc[0]),
                              "from_year": int(rows["year"].min()), "to": to}))
    return out


def _schedule(params: dict, years) -> pd.Series:
    """Cumulative children moved by year."""
    years = sorted(int(y) for y in years)
    if "cumulative" in params:
        given = pd.Series({int(k): float(v) for k, v in params["cumulative"].items()}).sort_index()
        return pd.Series({y: float(given[given.index <= y].iloc[-1]) if (given.index <= y).any()
                          else 0.0 for y in years})
    if "places" in params:
        places = params["places"]
        if isinstance(places, dict):
            added = pd.Series({int(k): float(v) for k, v in places.items()})
        else:
            added = pd.Series(places, dtype=float)
        return pd.Series({y: float(added[added.index <= y].sum()) for y in years})
    per_year, start = float(params["per_year"]), int(params["from_year"])
    return pd.Series({y: per_year * max(0, y - start + 1) for y in years})


def _combine(out: pd.DataFrame, moved: pd.DataFrame) -> pd.DataFrame:
    keys = _series_keys(out)
    both = pd.concat([out, moved], ignore_index=True)
    order = [c for c in out.columns]
    res = both.groupby(keys + ["year"], as_index=False, sort=False)["count"].sum()
    res = res[order]
    sort = [c for c in ("path",) if c in res] + ["year"] + [k for k in keys if k != "path"]
    return res.sort_values(sort, kind="stable").reset_index(drop=True)
