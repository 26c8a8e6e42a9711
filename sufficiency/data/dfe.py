"""Readers for the DfE SEN2 statistics files (explore-education-statistics CSVs).

Each reader takes the path of one published file and returns a tidy long DataFrame in the
project's vocabulary: ``year`` (the January census year), ``level`` (``national``, ``regional``, ``la``), ``la_code`` (3-digit old LA code; the region or
country code for the other levels), ``la_name``, a breakdown column (``age_band``, ``provision``,
``need`` ...) and ``count``.

What the readers handle, explicitly:

* ``x`` (not available), ``c`` (suppressed) and ``z`` (not applicable) become NaN, and a
  :class:`~sufficiency.errors.DataWarning` says how many cells of each were missing.
* Statements and EHC plans: the 2022 release's ``Total_all`` (statements + plans) is used, since
  statements were converted to plans 2014-2018.
* ``time_period`` 201819 (academic year) is the January 2019 census: ``year`` 2019.
* Flows (new plans, ceased plans, requests for assessment) are published per calendar year
  (``time_period`` 2024 = January to December 2024, returned in the January 2025 collection:
  "new EHC plans in the previous calendar year", the release's data guidance). ``year`` is the
  census year they lead up to, ``calendar_year + 1``, so that ``stock(year) = stock(year - 1) +
  new(year) - ceased(year)`` reads as it happens; the published calendar year is kept as
  ``calendar_year``. The collection break then falls where it did: calendar 2022 flows came from
  the first person-level return, January 2023 (``year`` 2023).
* Buckinghamshire's new code changed (E10000002 <-> E06000060) and Gateshead's and
  Northumberland's were re-issued: the 3-digit old code is the key throughout.
* The 2023 collection break (person-level returns; placement categories changed) is flagged in
  a ``flag`` column by :func:`flag_breaks`.

References
----------
DfE, *Education, health and care plans* (2022 and 2025 releases), explore-education-statistics.
Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataWarning, ValidationError
from .vocabulary import (
    AGE_BANDS,
    SEN2_2022_ESTABLISHMENT,
    SEN2_PLACEMENT_COLUMNS,
    SEN2_PLACEMENT_LABELS,
)

__all__ = ["COLLECTION_BREAK_YEAR", "FLAG_BREAK", "MARKERS", "read_age_caseload",
           "read_age_new_plans", "read_estab_caseload", "read_placement_caseload",
           "read_caseload_by_age", "read_placement_by_age", "read_need_caseload",
           "read_new_plan_needs", "read_new_plans", "read_ceased_plans", "read_requests",
           "flag_breaks"]

#: First census year collected as person-level returns (placement categories changed).
COLLECTION_BREAK_YEAR = 2023
FLAG_BREAK = "2023 collection break: person-level return, placement categories changed"
MARKERS = ("x", "c", "z", "u", "low")
_LEVELS = {"National": "national", "Regional": "regional", "Local authority": "la"}
_BAND_2022 = {"Under 5": "under 5", "Age 5 to 10": "5-10", "Age 11 to 15": "11-15",
              "Age 16 to 19": "16-19", "Age 20 to 25": "20-25", "Total": "all"}
_NEED_COLUMNS = {f"number_{c.lower()}": c for c in
                 ("ASD", "HI", "MLD", "MSI", "OTH", "PD", "PMLD", "SEMH", "SLCN", "SLD", "SPLD",
                  "VI")}
_NEED_COLUMNS["number_need_unknown"] = "NSA"


_MISSING: dict | None = None


def _reports_missing(reader):
    """Decorator: one :class:`DataWarning` per file read, counting the missing cells used."""
    import functools

    @functools.wraps(reader)
    def wrapper(path, *args, **kwargs):
        global _MISSING
        outer, _MISSING = _MISSING, {}
        try:
            result = reader(path, *args, **kwargs)
            found = _MISSING
        finally:
            _MISSING = outer
        if found:
            total = sum(found.values())
            by_marker: dict = {}
            for (_, marker), n in found.items():
                by_marker[marker] = by_marker.get(marker, 0) + n
            columns = sorted({c for c, _ in found})
            detail = ", ".join(f"{k}: {v}" for k, v in sorted(by_marker.items()))
            warnings.warn(
                f"{Path(path).name}: {total} cells read as missing (NaN) in {len(columns)} "
                f"column(s) {columns[:4]}{' ...' if len(columns) > 4 else ''} ({detail}; "
                "x = not available, c = suppressed, z = not applicable)",
                DataWarning, stacklevel=2)
        return result

    return wrapper


@_reports_missing
def read_age_caseload(path) -> pd.DataFrame:
    """Statements + EHC plans in January by age band, 2010-2022 (2022 release).

    Parameters
    ----------
    path : str or Path
        ``sen2_age_caseload.csv`` of the 2022 release.

    Returns
    -------
    DataFrame
        ``year, level, la_code, la_name, age_band, count`` (children and young people);
        ``age_band == "all"`` is the total. ``count`` is ``Total_all`` (statements + plans).

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> df = read_age_caseload("../shared/data/dfe-sen2-2022/sen2_age_caseload.csv")  # doctest: +SKIP
    >>> df.query("level == 'national' and year == 2010 and age_band == 'all'")["count"]  # doctest: +SKIP
    228221.0
    """
    return _age_bands_2022(path, "Total_all")


@_reports_missing
def read_age_new_plans(path) -> pd.DataFrame:
    """New statements + EHC plans made in each calendar year by age band, 2009-2021 (2022 release).

    Returns ``year, calendar_year, level, la_code, la_name, age_band, count``: ``year`` the
    census year the plans lead up to (``calendar_year + 1``: 2010-2022).
    """
    return _calendar(_age_bands_2022(path, "Total_new_all", flows=True))


@_reports_missing
def read_estab_caseload(path) -> pd.DataFrame:
    """Statements + EHC plans in January by establishment type, 2010-2022 (2022 release).

    Detailed establishment types are mapped to ``provision`` codes
    (:data:`~sufficiency.data.vocabulary.SEN2_2022_ESTABLISHMENT`) and summed; the ``Total`` row
    is kept as ``provision == "all"``. Subtotal rows are dropped (they would double count).

    Returns ``year, level, la_code, la_name, provision, count``.
    """
    raw = _read(path)
    count = _numeric(raw, "Total_all", path)
    total = (raw["establishment_type"] == "Total") & (raw["establishment_group"] == "Total")
    detail = raw["establishment_type"].isin(list(SEN2_2022_ESTABLISHMENT))
    unknown = ~total & ~detail & (raw["establishment_type"] != "Total")
    if unknown.any():
        labels = sorted(raw.loc[unknown, "establishment_type"].unique())
        raise ValidationError(f"{path}: establishment_type values {labels} are not in "
                              "SEN2_2022_ESTABLISHMENT; expected one of its keys")
    out = _keys(raw, raw["time_period"].astype(int))
    out["provision"] = np.where(total, "all",
                                raw["establishment_type"].map(SEN2_2022_ESTABLISHMENT))
    out["count"] = count
    out = out[total | detail]
    return _finish(out, ["provision"], aggregate=True)


@_reports_missing
def read_placement_caseload(path) -> pd.DataFrame:
    """EHC plans in January by placement, 2019-2025 (2025 release ``caseload.csv``).

    Sums the detailed placement columns into ``provision`` codes
    (:data:`~sufficiency.data.vocabulary.SEN2_PLACEMENT_COLUMNS`); subtotal columns are not
    added again. ``provision == "all"`` is the published ``ehcplans`` total. Rows for 2023 on
    carry the collection-break flag.

    Returns ``year, level, la_code, la_name, provision, count, flag``.
    """
    raw = _read(path)
    raw = raw[raw["breakdown_topic"] == "All EHC plans"]
    return _placements(raw, "ehcplans", path)


@_reports_missing
def read_caseload_by_age(path) -> pd.DataFrame:
    """EHC plans in January by single age and age band, 2024-2025 (2025 release ``caseload.csv``).

    ``under 3`` and ``age 2 and under`` count as age 2 (band ``under 5``), ``age 20 and over`` as
    band ``20-25``. Returns ``year, level, la_code, la_name, age_band, count`` with
    ``age_band == "all"`` the total of all plans (including any of unknown age).
    """
    raw = _read(path)
    ages = raw[raw["breakdown_topic"] == "Child or young persons age"]
    out = _keys(ages, _year(ages["time_period"]))
    out["age_band"] = _age_labels_to_band(ages["breakdown"], path)
    out["count"] = _numeric(ages, "ehcplans", path)
    out = out[out["age_band"] != "unknown"]
    total = raw[raw["breakdown_topic"] == "All EHC plans"]
    tot = _keys(total, _year(total["time_period"]))
    tot["age_band"] = "all"
    tot["count"] = _numeric(total, "ehcplans", path)
    tot = tot[tot["year"].isin(out["year"].unique())]
    return _finish(pd.concat([out, tot]), ["age_band"], aggregate=True)


@_reports_missing
def read_placement_by_age(path) -> pd.DataFrame:
    """EHC plans in January by age band and placement, 2024-2025 (2025 release ``caseload.csv``).

    Single ages are summed into the DfE age bands (plans of unknown age are left out: they are
    in the ``all`` total of :func:`read_caseload_by_age`). Returns ``year, level, la_code,
    la_name, age_band, provision, count``.
    """
    raw = _read(path)
    ages = raw[raw["breakdown_topic"] == "Child or young persons age"].copy()
    ages["age_band"] = _age_labels_to_band(ages["breakdown"], path)
    ages = ages[ages["age_band"] != "unknown"]
    year = _year(ages["time_period"])
    parts = []
    for column, provision in SEN2_PLACEMENT_COLUMNS.items():
        if column not in ages.columns:
            continue
        part = _keys(ages, year)
        part["age_band"] = ages["age_band"]
        part["provision"] = provision
        part["count"] = _numeric(ages, column, path)
        parts.append(part)
    return _finish(pd.concat(parts), ["age_band", "provision"], aggregate=True)


@_reports_missing
def read_need_caseload(path) -> pd.DataFrame:
    """EHC plans in January 2025 by primary need, and by need x age band and need x placement.

    ``sen_needs_all_plans.csv`` of the 2025 release. ``need`` uses the 13 DfE codes; plans whose
    primary need SEN2 records as unknown are reported under ``NSA`` (no specialist assessment
    of type of need), so the 13 codes add up to the total.

    Returns ``year, level, la_code, la_name, need, age_band, provision, count``: the need totals
    have ``age_band == provision == "all"``; the need x age rows have ``provision == "all"``;
    the need x placement rows have ``age_band == "all"``.
    """
    raw = _read(path)
    parts = []
    for topic, kind in (("All EHC plans", None), ("Child or young persons age", "age"),
                        ("Type of placement", "placement")):
        sub = raw[raw["breakdown_topic"] == topic]
        if kind == "placement":
            sub = sub[sub["breakdown"].isin(list(SEN2_PLACEMENT_LABELS))]
        for column, need in _NEED_COLUMNS.items():
            part = _keys(sub, _year(sub["time_period"]))
            part["need"] = need
            part["age_band"] = _age_labels_to_band(sub["breakdown"], path) if kind == "age" \
                else "all"
            part["provision"] = sub["breakdown"].map(SEN2_PLACEMENT_LABELS) \
                if kind == "placement" else "all"
            part["count"] = _numeric(sub, column, path)
            parts.append(part)
    out = pd.concat(parts)
    out = out[out["age_band"] != "unknown"]
    return _finish(out, ["need", "age_band", "provision"], aggregate=True)


@_reports_missing
def read_new_plan_needs(path) -> pd.DataFrame:
    """New EHC plans made in calendar 2024 by primary need (``sen_need_newplans.csv``).

    Returns ``year, calendar_year, level, la_code, la_name, need, count``: ``year`` 2025 (the
    census the plans lead up to), ``calendar_year`` 2024; ``need == "NSA"`` where SEN2 records
    the need as unknown.
    """
    raw = _read(path)
    raw = raw[raw["breakdown_topic"] == "All EHC plans"]
    parts = []
    for column, need in _NEED_COLUMNS.items():
        part = _keys(raw, _flow_year(raw["time_period"]))
        part["need"] = need
        part["count"] = _numeric(raw, column, path)
        parts.append(part)
    return _calendar(_finish(pd.concat(parts), ["need"]))


@_reports_missing
def read_new_plans(path) -> pd.DataFrame:
    """New EHC plans made in each calendar year by placement, 2019-2024 (``newplans.csv``).

    Returns ``year, calendar_year, level, la_code, la_name, provision, count, flag``: ``year``
    is the census year the plans lead up to (``calendar_year + 1``: 2020-2025);
    ``provision == "all"`` is the published total; the flag marks the years from the 2023
    collection break (calendar 2022 on).

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> new = read_new_plans("../shared/data/dfe-sen2-2025/newplans.csv")  # doctest: +SKIP
    >>> new.query("la_name == 'Wiltshire' and year == 2025 and provision == 'all'")[
    ...     ["calendar_year", "count"]].values.tolist()  # doctest: +SKIP
    [[2024, 993.0]]
    """
    raw = _read(path)
    raw = raw[raw["breakdown_topic"] == "New EHC plans"]
    return _calendar(_placements(raw, "new_ehc_plans", path, flows=True))


@_reports_missing
def read_ceased_plans(path) -> pd.DataFrame:
    """EHC plans ceased in each calendar year by reason, 2022-2024 (``ceased_plans.csv``).

    Returns ``year, calendar_year, level, la_code, la_name, reason, count``: ``year`` is the
    census year the plans ceased before (``calendar_year + 1``: 2023-2025); ``reason == "all"``
    is the total.
    """
    raw = _read(path)
    raw = raw[raw["breakdown_topic"] == "All ceased EHC plans"]
    reasons = ["max_age", "needs_met", "he", "employ", "transfer", "no_engage",
               "moved_outside_eng", "deceased", "not_rec", "other", "total_ceased"]
    parts = []
    for column in reasons:
        part = _keys(raw, _flow_year(raw["time_period"]))
        part["reason"] = "all" if column == "total_ceased" else column
        part["count"] = _numeric(raw, column, path)
        parts.append(part)
    return _calendar(_finish(pd.concat(parts), ["reason"]))


@_reports_missing
def read_requests(path) -> pd.DataFrame:
    """Requests for an EHC needs assessment per calendar year, 2019-2024 (``requests.csv``).

    Returns ``year, calendar_year, level, la_code, la_name, measure, count`` (``year`` =
    ``calendar_year + 1``, the census year the requests lead up to: 2020-2025) with measures
    ``received``, ``decided_to_assess``, ``decided_not_to_assess``.
    """
    raw = _read(path)
    raw = raw[raw["breakdown_topic"] == "All requests for EHC needs assessments"]
    parts = []
    for column, measure in (("requests_received_in_year", "received"),
                            ("requests_decided_to_assess", "decided_to_assess"),
                            ("requests_decided_not_to_assess", "decided_not_to_assess")):
        part = _keys(raw, _flow_year(raw["time_period"]))
        part["measure"] = measure
        part["count"] = _numeric(raw, column, path)
        parts.append(part)
    return _calendar(_finish(pd.concat(parts), ["measure"]))


def flag_breaks(frame: pd.DataFrame, column: str = "flag") -> pd.DataFrame:
    """Add (or extend) a ``flag`` column marking rows from the 2023 collection break on."""
    out = frame.copy()
    flag = np.where(out["year"] >= COLLECTION_BREAK_YEAR, FLAG_BREAK, "")
    if column in out:
        old = out[column].fillna("").astype(str)
        flag = np.where((old != "") & (flag != ""), old + "; " + flag,
                        np.where(old != "", old, flag))
    out[column] = flag
    return out


# --- internals ---------------------------------------------------------------------------

def _age_bands_2022(path, column: str, flows: bool = False) -> pd.DataFrame:
    """A 2022-release file with one row per ``characteristic_age``: ``column`` by age band
    (``flows``: counts over a calendar year, given the census year they lead up to)."""
    raw = _read(path)
    out = _keys(raw, _flow_year(raw["time_period"]) if flows else raw["time_period"].astype(int))
    out["age_band"] = _map_labels(raw["characteristic_age"], _BAND_2022, path, "characteristic_age")
    out["count"] = _numeric(raw, column, path)
    return _finish(out, ["age_band"])


def _read(path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file; expected a DfE statistics CSV")
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    for column in ("time_period", "geographic_level"):
        if column not in raw.columns:
            raise ValidationError(f"{path}: column {column!r} is missing; expected an "
                                  "explore-education-statistics CSV")
    raw = raw[raw["geographic_level"].isin(list(_LEVELS))].reset_index(drop=True)
    raw.attrs["path"] = str(path)
    return raw


def _flow_year(period: pd.Series) -> pd.Series:
    """Calendar year 2024 of a flow -> census year 2025 (the January it leads up to)."""
    return period.astype(int) + 1


def _calendar(out: pd.DataFrame) -> pd.DataFrame:
    """Add ``calendar_year`` (the published calendar year of a flow) after ``year``."""
    out = out.copy()
    out.insert(int(out.columns.get_loc("year")) + 1, "calendar_year", out["year"] - 1)
    return out


def _year(period: pd.Series) -> pd.Series:
    """201819 -> 2019 (the January census of academic year 2018/19); 2019 -> 2019."""
    period = period.astype(int)
    return pd.Series(np.where(period > 9999, 2000 + period % 100, period), index=period.index)


def _keys(raw: pd.DataFrame, year: pd.Series) -> pd.DataFrame:
    level = raw["geographic_level"].map(_LEVELS)
    code = np.select(
        [level == "la", level == "regional"],
        [raw["old_la_code"].str.zfill(3), raw["region_code"]],
        raw["country_code"],
    )
    name = np.select([level == "la", level == "regional"],
                     [raw["la_name"], raw["region_name"]], raw["country_name"])
    return pd.DataFrame({"year": year.astype(int).to_numpy(), "level": level.to_numpy(),
                         "la_code": code, "la_name": name}, index=raw.index)


def _numeric(raw: pd.DataFrame, column: str, path) -> pd.Series:
    if column not in raw.columns:
        raise ValidationError(f"{path}: column {column!r} is missing; expected it in this "
                              "DfE file")
    text = raw[column].str.strip()
    is_marker = text.str.lower().isin(MARKERS) | (text == "")
    values = pd.to_numeric(text.where(~is_marker), errors="coerce")
    bad = values.isna() & ~is_marker
    if bad.any():
        rows = (bad[bad].index[:5] + 2).tolist()
        raise ValidationError(
            f"{path}: column {column!r}, rows {rows}: values {raw.loc[bad, column].head().tolist()} "
            "are not numbers; expected a count or one of the markers x, c, z")
    if is_marker.any() and _MISSING is not None:
        for marker, n in text[is_marker].str.lower().replace("", "blank").value_counts().items():
            key = (column, marker)
            _MISSING[key] = _MISSING.get(key, 0) + int(n)
    return values.astype(float)



def _map_labels(labels: pd.Series, mapping: dict, path, column: str) -> pd.Series:
    out = labels.map(mapping)
    if out.isna().any():
        bad = sorted(labels[out.isna()].unique())
        raise ValidationError(f"{path}: column {column!r} has labels {bad}; expected one of "
                              f"{sorted(mapping)}")
    return out


def _age_labels_to_band(labels: pd.Series, path) -> pd.Series:
    text = labels.str.lower().str.strip()
    special = {"under 3": 2, "age 2 and under": 2, "age 20 and over": 20}
    age = text.map(special)
    single = text.str.extract(r"^age (\d+)$", expand=False)
    age = age.fillna(pd.to_numeric(single, errors="coerce"))
    out = pd.Series("unknown", index=labels.index, dtype=object)
    for row in AGE_BANDS.itertuples(index=False):
        out[(age >= row.age_from) & (age <= row.age_to)] = row.age_band
    bad = (out == "unknown") & (text != "unknown")
    if bad.any():
        raise ValidationError(f"{path}: age labels {sorted(labels[bad].unique())} are not "
                              "recognised; expected 'age N', 'under 3' or 'age 20 and over'")
    return out


def _placements(raw: pd.DataFrame, total_column: str, path, flows=False) -> pd.DataFrame:
    year = _flow_year(raw["time_period"]) if flows else _year(raw["time_period"])
    parts = []
    for column, provision in SEN2_PLACEMENT_COLUMNS.items():
        if column not in raw.columns:
            continue
        part = _keys(raw, year)
        part["provision"] = provision
        part["count"] = _numeric(raw, column, path)
        parts.append(part)
    total = _keys(raw, year)
    total["provision"] = "all"
    total["count"] = _numeric(raw, total_column, path)
    out = pd.concat(parts + [total])
    out = _finish(out, ["provision"], aggregate=True)
    return flag_breaks(out)


def _finish(out: pd.DataFrame, keys: list[str], aggregate: bool = False) -> pd.DataFrame:
    by = ["year", "level", "la_code", "la_name"] + keys
    if aggregate:
        out = out.groupby(by, as_index=False, sort=False)["count"].sum(min_count=1)
    out = out.sort_values(by, kind="stable").reset_index(drop=True)
    dup = out.duplicated(by)
    if dup.any():
        raise ValidationError(f"duplicate keys {out.loc[dup, by].head(3).to_dict('records')}; "
                              "expected one row per key")
    return out
