"""ONS population estimates for every English LA: the embedded tables and their readers.

Two tables are built from the ONS workbook "Mid-year population estimates, England and Wales,
mid-2023" (``mye23tablesew.xlsx``, April-2023 boundaries) by :func:`build_population_tables`:

* ``population_age``: persons by single year of age 0-90 (90 = 90 and over), mid-2023, per LA
  (sheet ``MYE2 - Persons``);
* ``population_total``: all-age persons, mid-2011 to mid-2023, per LA (sheet ``MYE4``, every year
  on 2023 boundaries).

LAs are keyed by the DfE's three-digit ``la_code`` (the ONS nine-character code is kept as
``new_la_code``). North Yorkshire and Somerset became unitary in April 2023 with new ONS codes
but kept their DfE codes (815, 933). Reorganised LAs read on their continuous footprint
(:data:`~sufficiency.data.geography.BOUNDARY_CHANGES`) as the sum of today's LAs, which the
ONS's 2023-boundary back series makes exact.

Source: Office for National Statistics, licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import functools

from pathlib import Path

import pandas as pd

from .geography import BOUNDARY_CHANGES, CODE_ALIASES, footprint_of

ONS_FILE = "mye23tablesew.xlsx"
ONS_ATTRIBUTION = ("Contains public sector information licensed under the Open Government "
                   "Licence v3.0. Source: Office for National Statistics.")
#: ONS geography types that are English upper-tier / unitary LAs (the DfE's LAs).
LA_GEOGRAPHIES = ("County", "Unitary Authority", "Metropolitan District", "London Borough")
#: ONS codes of the April-2023 unitaries that kept their DfE LA code.
ONS_CODE_ALIASES = {"E06000065": "815",   # North Yorkshire (was county E10000023)
                    "E06000066": "933"}   # Somerset (was county E10000027)
ENGLAND = "E92000001"
#: Mid-year of the single-year-of-age estimates.
BASE_MID_YEAR = 2023


def build_population_tables(source_dir, las: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Read the ONS mid-2023 workbook and return ``population_age`` and ``population_total``.

    Parameters
    ----------
    source_dir : str or Path
        The ``shared/data/ons-population`` folder.
    las : DataFrame
        The embedded ``las`` table (``la_code, new_la_code``) to map ONS codes to DfE codes.

    Returns
    -------
    dict of DataFrame
        ``population_age`` (``la_code, new_la_code, age, population``; mid-2023) and
        ``population_total`` (``la_code, new_la_code, mid_year, population``), England
        included (``la_code == "E92000001"``).
    """
    path = Path(source_dir) / ONS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: the ONS mid-2023 population workbook is missing "
                                "(expected shared/data/ons-population/mye23tablesew.xlsx)")
    codes = _code_map(las)
    by_age = pd.read_excel(path, sheet_name="MYE2 - Persons", header=7)
    by_age = _english_las(by_age, codes, path, "MYE2 - Persons")
    ages = [c for c in by_age.columns if str(c).strip().rstrip("+").isdigit()]
    if len(ages) != 91:
        raise ValueError(f"{path}, sheet 'MYE2 - Persons': expected age columns 0..90+, "
                         f"found {len(ages)}")
    long = by_age.melt(id_vars=["la_code", "new_la_code"], value_vars=ages, var_name="age",
                       value_name="population")
    long["age"] = long["age"].astype(str).str.rstrip("+").astype(int)
    totals = pd.read_excel(path, sheet_name="MYE4", header=7)
    totals = _english_las(totals, codes, path, "MYE4")
    years = [c for c in totals.columns if str(c).startswith("Mid-")]
    tlong = totals.melt(id_vars=["la_code", "new_la_code"], value_vars=years,
                        var_name="mid_year", value_name="population")
    tlong["mid_year"] = tlong["mid_year"].str[4:].astype(int)
    out = {"population_age": long.sort_values(["la_code", "age"], kind="stable"),
           "population_total": tlong.sort_values(["la_code", "mid_year"], kind="stable")}
    for name, frame in out.items():
        frame["population"] = pd.to_numeric(frame["population"], errors="raise").astype(float)
        out[name] = frame.reset_index(drop=True)
    return out


def _code_map(las: pd.DataFrame) -> dict:
    codes = dict(zip(las["new_la_code"], las["la_code"]))
    codes.update(CODE_ALIASES)
    codes.update(ONS_CODE_ALIASES)
    codes[ENGLAND] = ENGLAND
    return codes


def _english_las(frame: pd.DataFrame, codes: dict, path, sheet) -> pd.DataFrame:
    for column in ("Code", "Geography"):
        if column not in frame.columns:
            raise ValueError(f"{path}, sheet {sheet!r}: column {column!r} missing on header "
                             f"row 8 (columns: {list(frame.columns)[:6]}...)")
    keep = frame["Code"].astype(str).str.startswith("E") & (
        frame["Geography"].isin(LA_GEOGRAPHIES) | (frame["Code"] == ENGLAND))
    frame = frame[keep].copy()
    frame["la_code"] = frame["Code"].map(codes)
    unknown = frame[frame["la_code"].isna()]
    if len(unknown):
        raise ValueError(f"{path}, sheet {sheet!r}: ONS LA codes with no DfE LA code: "
                         f"{unknown['Code'].tolist()} ({unknown['Name'].tolist()})")
    return frame.rename(columns={"Code": "new_la_code"})


# --- readers -----------------------------------------------------------------------------

def _table(name):
    from .example import load_table

    return load_table(name)


def _members(code: str) -> list[str]:
    """The LAs whose population makes up ``code`` on 2023 boundaries."""
    row = footprint_of(code)
    if row is None:
        return [code]
    if code == row["footprint_code"] or code in row["old_codes"].split():
        return row["new_codes"].split()
    return [code]


def la_population(la) -> pd.DataFrame:
    """An LA's population by single year of age, mid-2023 (ONS): ``age, population``.

    Parameters
    ----------
    la : str or int
        Code or name as for :func:`~sufficiency.data.la_history` (``"England"`` too). A
        reorganised LA's continuous footprint is the sum of today's LAs.

    Returns
    -------
    DataFrame
        ``age`` 0-90 (90 = 90 and over), ``population`` (persons, mid-2023).

    Examples
    --------
    >>> pop = la_population("Wiltshire")
    >>> int(pop.loc[pop["age"].between(0, 25), "population"].sum()) > 100_000
    True
    """
    from .example import _code

    code = _code(la)
    table = _table("population_age")
    sub = table[table["la_code"].isin(_members(code))]
    if sub.empty:
        raise KeyError(f"LA {code} has no rows in the embedded ONS population table")
    return sub.groupby("age", as_index=False)["population"].sum()


def area_populations() -> pd.DataFrame:
    """All-age population of every LA, footprint and England, paired with January census
    years: ``la_code, year, population``.

    ``year`` is the January census year; the population is the ONS mid-year estimate six
    months before (mid-2011 -> 2012, ..., mid-2023 -> 2024). Later years are not included
    (a forecast carries the last one forward).

    Examples
    --------
    >>> pop = area_populations()
    >>> int(pop.query("la_code == 'E92000001' and year == 2024")["population"].item())
    57690323
    """
    return _area_populations().copy()


@functools.lru_cache(maxsize=1)
def _area_populations() -> pd.DataFrame:
    """:func:`area_populations`, made once from the embedded table (callers get a copy)."""
    table = _table("population_total")
    out = table[["la_code", "mid_year", "population"]].rename(columns={"mid_year": "year"})
    out = out.assign(year=out["year"] + 1)
    extra = []
    for _, row in BOUNDARY_CHANGES.iterrows():
        members = row["new_codes"].split()
        fp = out[out["la_code"].isin(members)].groupby("year", as_index=False)["population"] \
            .sum()
        extra.append(fp.assign(la_code=row["footprint_code"]))
    out = pd.concat([out] + extra, ignore_index=True)
    return out[["la_code", "year", "population"]].sort_values(["la_code", "year"]) \
        .reset_index(drop=True)


def base_year_population() -> pd.DataFrame:
    """Every LA's (and footprint's) mid-2023 population by single year of age:
    ``la_code, age, population`` (footprints summed from today's LAs)."""
    table = _table("population_age")[["la_code", "age", "population"]]
    extra = []
    for _, row in BOUNDARY_CHANGES.iterrows():
        members = row["new_codes"].split()
        fp = table[table["la_code"].isin(members)].groupby("age", as_index=False)[
            "population"].sum()
        extra.append(fp.assign(la_code=row["footprint_code"]))
    return pd.concat([table] + extra, ignore_index=True)[["la_code", "age", "population"]]


__all__ = ["build_population_tables", "la_population", "area_populations",
           "base_year_population", "ONS_ATTRIBUTION", "BASE_MID_YEAR"]
