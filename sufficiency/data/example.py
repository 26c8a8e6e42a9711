"""The embedded example data: real DfE statistics for every LA, one call away.

The tables in ``sufficiency/data/example/`` are built from the DfE files by
:mod:`sufficiency.data.build`. The functions here read them (cached), pick an LA by code or
name, aggregate reorganised LAs to a continuous footprint and fill the one published gap
(2023 age bands) with a flagged estimate.

Contains public sector information licensed under the Open Government Licence v3.0.
Source: Department for Education.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataWarning
from .dfe import COLLECTION_BREAK_YEAR, FLAG_BREAK
from .vocabulary import AGE_BAND_ORDER
from .geography import BOUNDARY_CHANGES, footprint_of, resolve_la

__all__ = ["EXAMPLE_DIR", "ENGLAND", "BANDS", "FLAG_ESTIMATED", "FLAG_NOT_APPLICABLE",
           "load_table", "las", "la_history", "la_names", "example_histories", "england_history",
           "la_placements", "la_placements_by_age", "la_needs", "la_need_by_age", "la_new_plans",
           "la_new_plans_by_age", "la_new_plan_needs", "la_ceased_plans", "la_requests",
           "statistical_neighbours"]

EXAMPLE_DIR = Path(__file__).resolve().parent / "example"
ENGLAND = "E92000001"
BANDS = list(AGE_BAND_ORDER)
FLAG_ESTIMATED = ("estimated: DfE did not publish 2023 age bands; geometric mean of the "
                  "2022 and 2024 band shares, scaled to the published total")

FLAG_NOT_APPLICABLE = ("z (not applicable) read as 0: before the 2014 reforms statements ended "
                       "at 19, so no plans were held at 20-25")


@functools.lru_cache(maxsize=None)
def load_table(name: str) -> pd.DataFrame:
    """One embedded table by file stem (``"history_age"``, ``"placements"`` ...), cached.

    Returns a copy-safe frame: callers must not modify it in place (use ``.copy()``).
    """
    path = EXAMPLE_DIR / f"{name}.csv.gz"
    if not path.exists() and path.with_suffix("").exists():
        path = path.with_suffix("")  # a plain CSV (while the data is being rebuilt)
    if not path.exists():
        available = sorted(p.name.split(".")[0] for p in EXAMPLE_DIR.glob("*.csv*"))
        raise FileNotFoundError(f"{path}: no embedded table {name!r}; available: {available}")
    dtypes = {"la_code": str, "neighbour_code": str, "new_la_code": str}
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])


def las() -> pd.DataFrame:
    """Every LA in the embedded data: ``la_code, new_la_code, la_name, region, la_type,
    first_year, last_year`` (plus England, ``la_code == "E92000001"``).

    Examples
    --------
    >>> las().query("la_name == 'Kent'")["la_code"].item()
    '886'
    """
    return load_table("las").copy()


def la_history(la, footprint: str = "continuous") -> pd.DataFrame:
    """An LA's EHC plans (statements + plans before 2018) each January 2010-2025 by age band.

    Parameters
    ----------
    la : str or int
        Old code (``886``), new code (``"E10000016"``) or name (``"kent"``), case-insensitive;
        ``"England"`` for the national series.
    footprint : {"continuous", "own"}
        For an LA reorganised since 2010 (Dorset/BCP 2019, Northamptonshire 2021, Cumbria
        2023), ``"continuous"`` returns the footprint that is the same area throughout (e.g.
        Cumberland -> Cumbria = Cumberland + Westmorland and Furness from 2024) with a
        :class:`DataWarning`; ``"own"`` returns only the years the LA itself reported.

    Returns
    -------
    DataFrame
        ``year, age_band, count, flag``; ``age_band == "all"`` is the total (children and young
        people aged 0-25). ``flag`` is ``""`` for published values and says why otherwise:
        2023 age bands are estimated (DfE published none); 20-25 before 2015 is 0 (the DfE's
        ``z``, not applicable). The totals are continuous across the 2023 collection break
        (DfE compares them directly); placements are not, see :func:`la_placements`.

    Examples
    --------
    >>> kent = la_history("Kent")
    >>> kent.query("age_band == 'all' and year == 2022")["count"].item()
    17733.0
    """
    code = _code(la)
    out = _series("history_age", code, ["age_band"], footprint)
    grid = pd.MultiIndex.from_product([sorted(out["year"].unique()), BANDS + ["all"]],
                                      names=["year", "age_band"])
    out = out.set_index(["year", "age_band"]).reindex(grid).reset_index()
    out["flag"] = ""
    before = (out["age_band"] == "20-25") & (out["year"] < 2015) & out["count"].isna()
    out.loc[before, "count"] = 0.0
    out.loc[before, "flag"] = FLAG_NOT_APPLICABLE
    out = _estimate_missing_bands(out)
    out = out.sort_values(["year", "age_band"], key=_band_order).reset_index(drop=True)
    return out[["year", "age_band", "count", "flag"]]


def la_names() -> dict:
    """``{la_code: name}`` for every LA, England and the continuous footprints of
    :data:`~sufficiency.data.geography.BOUNDARY_CHANGES`."""
    table = load_table("las")
    names = dict(zip(table["la_code"], table["la_name"]))
    names.update(zip(BOUNDARY_CHANGES["footprint_code"], BOUNDARY_CHANGES["footprint_name"]))
    return names


def example_histories() -> pd.DataFrame:
    """Every LA's continuous 2010-2025 series, stacked: ``la_code, la_name, year, age_band,
    count, flag``.

    Reorganised LAs appear once, on their continuous footprint (codes in
    :data:`~sufficiency.data.geography.BOUNDARY_CHANGES`); England is not included (see
    :func:`england_history`).
    """
    table = las()
    table = table[(table["la_code"] != ENGLAND)]
    members = set()
    for _, row in BOUNDARY_CHANGES.iterrows():
        members |= set(row["old_codes"].split()) | set(row["new_codes"].split())
    codes = sorted(set(table["la_code"]) - members) + list(BOUNDARY_CHANGES["footprint_code"])
    names = la_names()
    frames = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        for code in codes:
            frame = la_history(code)
            frame.insert(0, "la_name", names[code])
            frame.insert(0, "la_code", code)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def england_history() -> pd.DataFrame:
    """England's EHC plans each January 2010-2025 by age band: ``year, age_band, count, flag``."""
    return _england_history().copy()


@functools.lru_cache(maxsize=1)
def _england_history() -> pd.DataFrame:
    """England's series, made once from the embedded table (every run pools towards it)."""
    return la_history(ENGLAND)


def la_placements(la, footprint: str = "continuous") -> pd.DataFrame:
    """An LA's EHC plans by placement (provision type) each January 2019-2025.

    Returns ``year, provision, count, flag`` with ``provision == "all"`` the published total.
    Where an LA's detailed placement cells are missing (``x``) the difference between the total
    and the known placements is reported as ``provision == "not_published"`` so nothing is
    lost; the 2023 collection break is flagged.

    Examples
    --------
    >>> la_placements("Wiltshire").query("year == 2025 and provision == 'all'")["count"].item()
    6383.0
    """
    out = _series("placements", _code(la), ["provision"], footprint)
    wide = out.pivot_table(index="year", columns="provision", values="count", aggfunc="sum",
                           dropna=False)
    detail = wide.drop(columns="all").sum(axis=1, min_count=1)
    gap = (wide["all"] - detail.fillna(0)).round(6)
    gaps = gap[gap > 0]
    if len(gaps):
        extra = pd.DataFrame({"year": gaps.index, "provision": "not_published",
                              "count": gaps.to_numpy()})
        out = pd.concat([out, extra], ignore_index=True)
    out = out.sort_values(["year", "provision"]).reset_index(drop=True)
    out["flag"] = np.where(out["year"] >= COLLECTION_BREAK_YEAR, FLAG_BREAK, "")
    return out[["year", "provision", "count", "flag"]]


def la_placements_by_age(la, footprint: str = "continuous") -> pd.DataFrame:
    """An LA's EHC plans by age band and placement, January 2024 and 2025.

    Returns ``year, age_band, provision, count, flag`` (plans of unknown age are not included).
    This is what splits an age-band forecast into placement types. ``flag`` is ``""`` for
    published counts. A year in which the LA's placements were not published at all
    (North East Lincolnshire and Cambridgeshire in January 2025: every cell blank in SEN2) is
    estimated, never read as no children placed: the latest earlier year's placement mix
    within each age band, scaled to the year's published plans by age band
    (:func:`la_history`), with ``flag`` saying so.

    Examples
    --------
    >>> t = la_placements_by_age("North East Lincolnshire")
    >>> t.groupby("year")["flag"].first().str[:39].to_dict()
    {2024: '', 2025: 'estimated: placements not published for'}
    >>> round(t.query("year == 2025")["count"].sum())   # its 2025 plans aged 0-25
    1983
    """
    out = _series("placements_age", _code(la), ["age_band", "provision"], footprint)
    out = out.assign(flag="")
    published = out.groupby("year")["count"].transform(lambda c: c.notna().any()).astype(bool)
    unpublished = sorted(set(out.loc[~published, "year"]))
    out = out[published]
    if not unpublished:
        return out.reset_index(drop=True)
    history = la_history(la, footprint)
    parts = [out]
    for year in unpublished:
        before = out[out["year"] < year]
        totals = history[(history["year"] == year) & (history["age_band"] != "all")]
        if before.empty or totals["count"].isna().all():
            continue            # nothing to estimate from: the year is left out
        last = int(before["year"].max())
        mix = before[before["year"] == last].copy()
        mix["count"] = mix["count"].fillna(0.0)
        band = mix.groupby("age_band")["count"].transform("sum")
        mix["share"] = (mix["count"] / band.where(band > 0)).fillna(0.0)
        mix["count"] = mix["share"] * mix["age_band"].map(
            totals.set_index("age_band")["count"]).astype(float)
        parts.append(mix.drop(columns="share").assign(
            year=year, flag=f"estimated: placements not published for {year}; the {last} "
                            "placement mix within each age band, scaled to the "
                            f"{year} plans by age band"))
    return pd.concat(parts, ignore_index=True).sort_values(
        ["year", "age_band", "provision"], kind="stable").reset_index(drop=True)


def la_needs(la, footprint: str = "continuous") -> pd.DataFrame:
    """An LA's EHC plans by primary need and placement, January 2025.

    Returns ``year, need, provision, count``; ``provision == "all"`` rows are the need totals
    (the 13 DfE codes add up to the LA total; SEN2's "need unknown" is under ``NSA``).
    """
    out = _series("needs", _code(la), ["need", "age_band", "provision"], footprint)
    out = out[out["age_band"] == "all"]
    return out[["year", "need", "provision", "count"]].reset_index(drop=True)


def la_need_by_age(la, footprint: str = "continuous") -> pd.DataFrame:
    """An LA's EHC plans by primary need and age band, January 2025: ``year, need, age_band,
    count``."""
    out = _series("needs", _code(la), ["need", "age_band", "provision"], footprint)
    out = out[(out["provision"] == "all") & (out["age_band"] != "all")]
    return out[["year", "need", "age_band", "count"]].reset_index(drop=True)


def la_new_plans(la, footprint: str = "continuous") -> pd.DataFrame:
    """New EHC plans made in each calendar year 2019-2024, by placement.

    Returns ``year, calendar_year, provision, count``: ``year`` is the census year the plans
    lead up to (plans made in calendar 2024 are ``year`` 2025, the January they are first
    counted in), ``calendar_year`` the year the DfE publishes them under.

    Examples
    --------
    >>> new = la_new_plans("Wiltshire")
    >>> row = new.query("year == 2025 and provision == 'all'").iloc[0]
    >>> int(row["calendar_year"]), float(row["count"])
    (2024, 993.0)
    """
    return _flows("new_plans", la, ["provision"], footprint)


def la_new_plans_by_age(la, footprint: str = "continuous") -> pd.DataFrame:
    """New statements + EHC plans made in each calendar year 2009-2021 by age band (2022
    release): ``year, calendar_year, age_band, count`` (``year`` = ``calendar_year + 1``)."""
    return _flows("new_plans_age", la, ["age_band"], footprint)


def la_new_plan_needs(la, footprint: str = "continuous") -> pd.DataFrame:
    """New EHC plans made in calendar 2024 by primary need: ``year, calendar_year, need,
    count`` (``year`` 2025)."""
    return _flows("new_plan_needs", la, ["need"], footprint)


def la_ceased_plans(la, footprint: str = "continuous") -> pd.DataFrame:
    """EHC plans ceased in each calendar year 2022-2024 by reason: ``year, calendar_year,
    reason, count`` (``year`` = ``calendar_year + 1``: plans ceased in calendar 2024 are gone
    by January 2025, ``year`` 2025).

    Examples
    --------
    >>> c = la_ceased_plans("England")
    >>> row = c.query("reason == 'all'").iloc[0]
    >>> int(row["year"]), int(row["calendar_year"]), float(row["count"])
    (2023, 2022, 34724.0)
    """
    return _flows("ceased", la, ["reason"], footprint)


def la_requests(la, footprint: str = "continuous") -> pd.DataFrame:
    """Requests for an EHC needs assessment in each calendar year 2019-2024: ``year,
    calendar_year, measure, count`` (``year`` = ``calendar_year + 1``)."""
    return _flows("requests", la, ["measure"], footprint)


def _flows(table: str, la, keys: list[str], footprint: str) -> pd.DataFrame:
    """A flow table (counts over a calendar year, stored by the census year they lead up to)
    with the published ``calendar_year`` beside ``year``."""
    out = _series(table, _code(la), keys, footprint)
    out.insert(int(out.columns.get_loc("year")) + 1, "calendar_year", out["year"] - 1)
    return out


def statistical_neighbours(la) -> list[str]:
    """The DfE's 10 statistical neighbours of an LA (May 2025), nearest first, as la_codes.

    Neighbours that were reorganised are given as their continuous footprint code, so they
    can be looked up in :func:`example_histories`.

    Examples
    --------
    >>> statistical_neighbours("Kent")[:2]
    ['881', '845']
    """
    code = _code(la)
    table = load_table("neighbours")
    row = footprint_of(code)
    lookup = code
    if row is not None and code == row["footprint_code"] and code not in set(table["la_code"]):
        lookup = row["new_codes"].split()[0]
    found = table[table["la_code"] == lookup].sort_values("rank")
    if found.empty:
        raise KeyError(f"no statistical neighbours published for LA {la!r} ({code})")
    out = []
    for neighbour in found["neighbour_code"]:
        fp = footprint_of(neighbour)
        neighbour = fp["footprint_code"] if fp is not None else neighbour
        if neighbour not in out and neighbour != code:
            out.append(neighbour)
    return out


# --- internals ---------------------------------------------------------------------------

def _code(la) -> str:
    if str(la).strip().lower() == "england":
        return ENGLAND
    return resolve_la(la, load_table("las"))


def _series(table: str, code: str, keys: list[str], footprint: str) -> pd.DataFrame:
    if footprint not in ("continuous", "own"):
        raise ValueError(f"footprint={footprint!r}; expected 'continuous' or 'own'")
    data = load_table(table)
    row = footprint_of(code)
    if row is None or (footprint == "own" and code != row["footprint_code"]):
        out = data.take(_rows_by_code(table).get(code, np.array([], dtype=np.intp)))
        if out.empty:
            raise KeyError(f"LA {code} has no rows in the embedded table {table!r}")
        return out.drop(columns=["la_code"] + (["source"] if "source" in out else [])) \
            .reset_index(drop=True)
    if code != row["footprint_code"]:
        warnings.warn(
            f"LA {code} was reorganised ({row['note']}) The continuous series is the "
            f"footprint {row['footprint_code']} ({row['footprint_name']}); pass "
            "footprint='own' for the LA's own years only.", DataWarning, stacklevel=3)
    old, new = row["old_codes"].split(), row["new_codes"].split()
    first = int(row["first_year"])
    parts = []
    for members, years in ((old, data["year"] < first), (new, data["year"] >= first)):
        sub = data[years & data["la_code"].isin(members)]
        if sub.empty:
            continue
        # a cell is known only when every member LA published it
        grouped = sub.groupby(["year"] + keys)["count"]
        total = grouped.sum(min_count=1)
        complete = grouped.count() == len(members)
        parts.append(total.where(complete).reset_index())
    return pd.concat(parts, ignore_index=True)


@functools.lru_cache(maxsize=None)
def _rows_by_code(table: str) -> dict:
    """``la_code -> row positions`` of an embedded table (cached with the table): one LA's
    rows are taken by position, the same rows in the same order as comparing every code."""
    return load_table(table).groupby("la_code", sort=False).indices


def _estimate_missing_bands(out: pd.DataFrame) -> pd.DataFrame:
    """Fill age bands that were not published (all of 2023; a few LAs in 2024) with a flagged
    estimate: the geometric mean of the band shares in the nearest complete years before and
    after, scaled to the published total of the year."""
    out = out.copy()
    wide = out.pivot_table(index="year", columns="age_band", values="count", dropna=False)
    wide = wide.reindex(columns=BANDS + ["all"])
    complete = wide[BANDS].notna().all(axis=1)
    estimates = []
    for year in wide.index[~complete & wide["all"].notna()]:
        before = [y for y in wide.index[complete] if y < year]
        after = [y for y in wide.index[complete] if y > year]
        if not before or not after:
            continue
        s0 = wide.loc[max(before), BANDS] / wide.loc[max(before), BANDS].sum()
        s1 = wide.loc[min(after), BANDS] / wide.loc[min(after), BANDS].sum()
        share = np.sqrt(s0 * s1)
        if not np.isfinite(share).all() or share.sum() <= 0:
            continue
        share = share / share.sum()
        flag = FLAG_ESTIMATED.replace("2022 and 2024", f"{max(before)} and {min(after)}")
        if year != 2023:
            flag = flag.replace("DfE did not publish 2023 age bands",
                                f"age bands not published for {year}")
        estimates.append(pd.DataFrame({"year": year, "age_band": BANDS,
                                       "count": (share * wide.loc[year, "all"]).to_numpy(),
                                       "flag": flag}))
    if not estimates:
        return out
    estimated_years = [e["year"].iloc[0] for e in estimates]
    out = out[~(out["year"].isin(estimated_years) & (out["age_band"] != "all"))]
    return pd.concat([out] + estimates, ignore_index=True)


def _band_order(values: pd.Series) -> pd.Series:
    if values.name == "age_band":
        order = {b: i for i, b in enumerate(BANDS + ["all"])}
        return values.map(order)
    return values
