"""From a forecast of EHC plans to demand for places: by provision, need group and phase.

A forecast says how many children and young people will hold an EHC plan, by age band. Place
planning needs how many will need a specialist place, of which kind, for which need, in which
phase. This module makes that step explicit and inspectable, with the LA's own latest mix:

1. ``provision | age band``: the share of each age band's plans in each placement type, from the
   LA's January placement-by-age figures (latest year, :func:`sufficiency.data.la_placements_by_age`)
   by :func:`sufficiency.data.placement_mix` (``by="age_band"``);
2. ``need | provision``: the primary-need mix within each placement type (January 2025,
   :func:`sufficiency.data.la_needs`), grouped with a need mapping (Code of Practice areas by
   default: a plain dict the user may replace), by :func:`sufficiency.data.need_mix`;
3. ``phase | age band``: each band's single ages spread evenly across the phases they fall in
   (e.g. with first 4-8 / middle 9-12 / high 13-15, band 5-10 is 4/6 first and 2/6 middle).

Demand(year, provision, need group, phase) = forecast(year, age band) x the three shares. The
shares are held at their latest values: that is an assumption, stated in the output, and a
scenario lever (e.g. a shift to mainstream) is how to change it.
"""

from __future__ import annotations

import pandas as pd

from .data.vocabulary import AGE_BANDS, PHASES, SPECIALIST

__all__ = ["phase_shares", "place_demand", "assumptions"]


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
        From :func:`sufficiency.data.placement_mix` (``by="age_band"``),
        :func:`sufficiency.data.need_mix` and :func:`phase_shares`.
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
