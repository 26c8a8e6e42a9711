"""What LAs actually spent on high needs: the section 251 outturn series, read and embedded.

``shared/data/dfe-s251-high-needs/high_needs_net_expenditure.csv`` holds each LA's net
high-needs expenditure, the sum of the section 251 outturn lines 1.2.x (top-up funding to
maintained, academy and independent providers, SEN support and inclusion services, AP and
hospital services, therapies, less income), financial years 2017-18 to 2021-22. It excludes the
high-needs **place funding** inside the individual schools budget (line 1.0.2) and the
ESFA-funded academy places (deducted from the High Needs Block before it reaches the LA).

Years: ``year`` is the census convention used everywhere in ``sufficiency``: money for ``year``
Y is the financial year (Y-1)-(Y), so the file's ``fy_start`` 2021 (2021-22) is ``year`` 2022.
The file's labels were checked against the embedded DfE high needs benchmarking extract: its
s251 outturn lines (top-ups + services) equal the series labelled 2021-22 for every LA to the
pound, and England's independent top-up line (£1.766bn) is 2022-23's published £2.0bn less the
13.5% rise the 2022-23 release reports, so the labels are the financial years they say.
(The benchmarking sheet's note "values for 2016-17 ... 2020-21" is out of date for this
extract; its placements are January 2021.)

:func:`read_s251_high_needs` reads the file; :func:`build_s251_extract` returns the table
embedded as ``s251_high_needs.csv.gz``; :func:`la_s251_high_needs` reads it for one LA.

References
----------
DfE, *LA and school expenditure* (section 251 outturn), 2017-18 to 2021-22; derived aggregation
of lines 1.2.x. Contains public sector information licensed under the Open Government Licence
v3.0. Source: Department for Education.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import ValidationError

__all__ = ["FILE", "COLUMNS", "TABLE", "read_s251_high_needs", "build_s251_extract",
           "source_dir", "s251_high_needs", "la_s251_high_needs"]

FILE = "high_needs_net_expenditure.csv"
COLUMNS = ["new_la_code", "la_name", "fy_start", "financial_year", "high_needs_net_gbp"]
TABLE = "s251_high_needs"


def read_s251_high_needs(path, las: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net high-needs expenditure (s251 outturn lines 1.2.x) per LA and financial year.

    Parameters
    ----------
    path : str or Path
        ``high_needs_net_expenditure.csv``.
    las : DataFrame, optional
        The LA table (``la_code, new_la_code, la_name``) used to code the new LA codes
        (default :func:`sufficiency.data.las`).

    Returns
    -------
    DataFrame
        ``la_code`` (3-digit), ``year`` (census convention: 2022 = 2021-22),
        ``financial_year`` (``"2021-22"``), ``spend_gbp`` (£, cash).

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> t = read_s251_high_needs("high_needs_net_expenditure.csv")     # doctest: +SKIP
    >>> t.query("la_code == '865' and year == 2022")["spend_gbp"].item()  # doctest: +SKIP
    55397174.0
    """
    name = Path(path).name
    raw = pd.read_csv(path, dtype={"new_la_code": str, "financial_year": str})
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ValidationError(f"{name}: row 1: expected columns {COLUMNS}; missing {missing}")
    if las is None:
        from .example import las as _las
        las = _las()
    from .geography import resolve_la

    codes, unknown = [], []
    for i, code in enumerate(raw["new_la_code"], start=2):
        try:
            codes.append(resolve_la(code, las))
        except KeyError:
            codes.append(None)
            unknown.append(f"row {i}: {code!r}")
    if unknown:
        raise ValidationError(f"{name}: column new_la_code: {len(unknown)} codes not matched to "
                              f"an LA: {', '.join(unknown[:5])}", problems=unknown)
    fy = pd.to_numeric(raw["fy_start"], errors="coerce")
    spend = pd.to_numeric(raw["high_needs_net_gbp"], errors="coerce")
    bad = fy.isna() | spend.isna()
    if bad.any():
        rows = ", ".join(str(i + 2) for i in bad[bad].index[:5])
        raise ValidationError(f"{name}: rows {rows}: expected a whole fy_start and a number in "
                              "high_needs_net_gbp")
    labels = fy.astype(int).map(lambda y: f"{y}-{(y + 1) % 100:02d}")
    off = labels != raw["financial_year"].str.strip()
    if off.any():
        i = int(off[off].index[0])
        raise ValidationError(f"{name}: row {i + 2}, column financial_year: "
                              f"{raw['financial_year'].iloc[i]!r} does not match fy_start "
                              f"{int(fy.iloc[i])} (expected {labels.iloc[i]!r})")
    out = pd.DataFrame({"la_code": codes, "year": fy.astype("int64") + 1,
                        "financial_year": labels, "spend_gbp": spend.astype("float64")})
    dup = out.duplicated(["la_code", "year"])
    if dup.any():
        i = int(dup[dup].index[0])
        raise ValidationError(f"{name}: row {i + 2}: a second value for LA {out['la_code'][i]} "
                              f"in {out['financial_year'][i]}")
    return out.sort_values(["la_code", "year"], kind="stable").reset_index(drop=True)


def build_s251_extract(source_dir, las: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table embedded as ``s251_high_needs.csv.gz``: ``la_code, year, spend_gbp``.

    Parameters
    ----------
    source_dir : str or Path
        The ``dfe-s251-high-needs`` folder.
    las : DataFrame, optional
        The LA table being built alongside (default the embedded one).
    """
    out = read_s251_high_needs(Path(source_dir) / FILE, las=las)
    return out[["la_code", "year", "spend_gbp"]]


def source_dir() -> Path:
    """``$SUFFICIENCY_SOURCE_DATA/dfe-s251-high-needs`` or ``<repo>/../shared/data/...``."""
    root = os.environ.get("SUFFICIENCY_SOURCE_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return (base / "dfe-s251-high-needs").resolve()


def s251_high_needs() -> pd.DataFrame:
    """Every LA's net high-needs expenditure: ``la_code, year, financial_year, spend_gbp``.

    Reads the embedded table (or, until it is embedded, the source file).

    Examples
    --------
    >>> t = s251_high_needs()
    >>> [int(y) for y in sorted(t["year"].unique())]
    [2018, 2019, 2020, 2021, 2022]
    """
    from .example import EXAMPLE_DIR, load_table

    if (EXAMPLE_DIR / f"{TABLE}.csv.gz").exists():
        frame = load_table(TABLE).copy()
    else:
        src = source_dir() / FILE
        if not src.exists():
            raise FileNotFoundError(f"no embedded {TABLE}.csv.gz in {EXAMPLE_DIR} and no source "
                                    f"file {src}; rebuild the example data "
                                    "(python -m sufficiency.data.build) or set "
                                    "SUFFICIENCY_SOURCE_DATA to the shared/data folder")
        frame = build_s251_extract(src.parent)
    frame["financial_year"] = [f"{y - 1}-{y % 100:02d}" for y in frame["year"]]
    return frame[["la_code", "year", "financial_year", "spend_gbp"]]


def la_s251_high_needs(la) -> pd.DataFrame:
    """One LA's net high-needs expenditure (s251 lines 1.2.x), 2017-18 to 2021-22.

    Parameters
    ----------
    la : str or int
        3-digit code, new code or name, case-insensitive.

    Returns
    -------
    DataFrame
        ``year`` (census convention), ``financial_year``, ``spend_gbp`` (£).

    Examples
    --------
    >>> la_s251_high_needs("Wiltshire").query("year == 2022")["spend_gbp"].item()
    55397174
    """
    from .example import las
    from .geography import resolve_la

    code = resolve_la(la, las())
    table = s251_high_needs()
    rows = table[table["la_code"] == code]
    if rows.empty:
        raise KeyError(f"s251 high needs: no rows for LA {la!r} (code {code}); the series covers "
                       "the LAs that reported s251 outturn 2017-18 to 2021-22")
    return rows.drop(columns="la_code").reset_index(drop=True)
