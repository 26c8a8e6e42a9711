"""From a forecast of EHC plans to demand for places: by provision, need group and phase.

A forecast says how many children and young people will hold an EHC plan, by age band. Place
planning needs how many will need a specialist place, of which kind, for which need, in which
phase. This module makes that step explicit and inspectable, with the LA's own latest mix:

1. ``provision | age band``: the share of each age band's plans in each placement type, from the
   LA's January placement-by-age figures (latest year, :func:`sufficiency.data.la_placements_by_age`);
2. ``need | provision``: the primary-need mix within each placement type (January 2025,
   :func:`sufficiency.data.la_needs`), grouped with a need mapping (Code of Practice areas by
   default: a plain dict the user may replace);
3. ``phase | age band``: each band's single ages spread evenly across the phases they fall in
   (e.g. with first 4-8 / middle 9-12 / high 13-15, band 5-10 is 4/6 first and 2/6 middle).

Demand(year, provision, need group, phase) = forecast(year, age band) x the three shares. The
shares are held at their latest values: that is an assumption, stated in the output, and a
scenario lever (e.g. a shift to mainstream) is how to change it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data.vocabulary import AGE_BANDS, NEED_AREAS, PHASES, PROVISIONS, SPECIALIST
from .errors import ValidationError

__all__ = ["provision_shares", "need_shares", "phase_shares", "place_demand", "assumptions"]


def provision_shares(placements_by_age: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """``age_band, provision, share``: each age band's plans split by placement (shares sum to 1).

    Uses the latest year unless ``year`` is given. Missing cells count as 0.

    Examples
    --------
    >>> mix = pd.DataFrame({"year": 2025, "age_band": "5-10", "provision": ["mainstream",
    ...                     "special_maintained"], "count": [3.0, 1.0]})
    >>> provision_shares(mix)["share"].tolist()
    [0.75, 0.25]
    """
    df = placements_by_age
    year = int(df["year"].max()) if year is None else year
    df = df[df["year"] == year].copy()
    df["count"] = df["count"].fillna(0)
    total = df.groupby("age_band")["count"].transform("sum")
    if (total <= 0).any():
        bands = sorted(df.loc[total <= 0, "age_band"].unique())
        raise ValidationError(f"placements by age: age bands {bands} have no placements in "
                              f"{year}; expected counts to split the forecast by")
    df["share"] = df["count"] / total
    return df[["age_band", "provision", "share"]].reset_index(drop=True)


def need_shares(needs: pd.DataFrame, mapping: dict | None = None) -> pd.DataFrame:
    """``provision, need_group, share``: the need mix within each placement type.

    ``needs`` is ``need, provision, count`` (e.g. :func:`sufficiency.data.la_needs`); rows with
    ``provision == "all"`` give the LA-wide mix, used for any provision without its own.
    """
    mapping = NEED_AREAS if mapping is None else mapping
    df = needs.copy()
    df["count"] = df["count"].fillna(0)
    unknown = sorted(set(df["need"]) - set(mapping))
    if unknown:
        raise ValidationError(f"need mapping: codes {unknown} are not mapped; expected every "
                              f"need code to have a group")
    df["need_group"] = df["need"].map(mapping)
    grouped = df.groupby(["provision", "need_group"], as_index=False)["count"].sum()
    total = grouped.groupby("provision")["count"].transform("sum")
    grouped["share"] = np.where(total > 0, grouped["count"] / total.where(total > 0, 1), np.nan)
    overall = grouped[grouped["provision"] == "all"].set_index("need_group")["share"]
    rows = []
    for provision in PROVISIONS["provision"]:
        own = grouped[(grouped["provision"] == provision) & grouped["share"].notna()]
        shares = own.set_index("need_group")["share"] if len(own) else overall
        rows += [(provision, g, s) for g, s in shares.items()]
    return pd.DataFrame(rows, columns=["provision", "need_group", "share"])


def phase_shares(phases: pd.DataFrame | None = None) -> pd.DataFrame:
    """``age_band, phase, share``: single ages spread evenly over the phases they fall in."""
    phases = PHASES if phases is None else phases
    rows = []
    for band in AGE_BANDS.itertuples(index=False):
        ages = range(band.age_from, band.age_to + 1)
        for phase in phases.itertuples(index=False):
            n = sum(phase.age_from <= a <= phase.age_to for a in ages)
            if n:
                rows.append((band.age_band, phase.phase, n / len(ages)))
    return pd.DataFrame(rows, columns=["age_band", "phase", "share"])


def place_demand(forecast: pd.DataFrame, provision_mix: pd.DataFrame, need_mix: pd.DataFrame,
                 phase_mix: pd.DataFrame | None = None, value: str = "mean",
                 provisions=SPECIALIST) -> pd.DataFrame:
    """Demand for places by year, provision, need group and phase.

    Parameters
    ----------
    forecast : DataFrame
        ``year, age_band`` and the ``value`` column (children), e.g. a forecast's ``.table``
        (``mean`` or a quantile such as ``p90``) or simulated paths (add ``path`` as a key).
    provision_mix, need_mix, phase_mix : DataFrame
        From :func:`provision_shares`, :func:`need_shares`, :func:`phase_shares`.
    value : str
        Which forecast column to split.
    provisions : sequence of str
        Placement types to keep (default: the specialist ones). ``None`` keeps all.

    Returns
    -------
    DataFrame
        ``[path], year, provision, need_group, phase, demand`` (children; fractional, since
        shares split whole children). Summed over provision, need group and phase it equals
        the forecast for the provisions kept.

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2026], "age_band": ["5-10"], "mean": [60.0]})
    >>> pm = pd.DataFrame({"age_band": ["5-10"], "provision": ["special_maintained"],
    ...                    "share": [0.5]})
    >>> nm = pd.DataFrame({"provision": ["special_maintained"], "need_group": ["semh"],
    ...                    "share": [1.0]})
    >>> place_demand(f, pm, nm)["demand"].sum()
    np.float64(30.0)
    """
    phase_mix = phase_shares() if phase_mix is None else phase_mix
    keys = [c for c in ("path",) if c in forecast.columns]
    f = forecast[forecast["age_band"] != "all"][keys + ["year", "age_band", value]]
    out = f.merge(provision_mix, on="age_band")
    if provisions is not None:
        out = out[out["provision"].isin(provisions)]
    out = out.assign(w=out[value] * out["share"]).drop(columns=["share"])
    out = out.merge(need_mix, on="provision").assign(w=lambda d: d["w"] * d["share"])
    out = out.drop(columns=["share"]).merge(phase_mix, on="age_band")
    out["demand"] = out["w"] * out["share"]
    group = keys + ["year", "provision", "need_group", "phase"]
    out = out.groupby(group, as_index=False, sort=True)["demand"].sum()
    return out


def assumptions() -> pd.DataFrame:
    """The assumptions this step makes, for the run's assumptions table."""
    return pd.DataFrame([
        ("provision_mix", "latest January placement-by-age shares, held constant", "share",
         "DfE SEN2 2025 release, caseload by age and placement"),
        ("need_mix", "January 2025 need mix within each placement type, held constant", "share",
         "DfE SEN2 2025 release, primary need by placement"),
        ("phase_split", "single ages spread evenly within each DfE age band", "share",
         "assumption: DfE publishes age bands, not single ages, before 2024"),
    ], columns=["name", "value", "unit", "source"])
