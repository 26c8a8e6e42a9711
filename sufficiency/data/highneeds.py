"""Readers for the DfE / ESFA high-needs money files, and accessors over their embedded extract.

The files in ``shared/data/dfe-high-needs/`` are spreadsheets saved as they were published:
multi-row headers, region subtotal rows, ``#REF!`` cells where a formula lost its link, and the
statistics markers ``x`` (not available), ``c`` (suppressed), ``z`` (not applicable). Each reader
takes one file and returns a tidy long frame in the project's vocabulary:

* ``year``: the January **census year** the financial year holds, as in every public table of
  ``sufficiency`` (2024 for 2023-24, April 2023 to March 2024, which holds the January 2024
  census), and ``financial_year``: the published label (``"2023-24"``). The embedded tables
  store ``year`` only; the accessors add the label.
* ``la_code``: 3-digit old DfE LA code as a string; England is ``"E92000001"`` (as in
  :func:`sufficiency.data.las`). Region subtotal rows are dropped (sum the LAs).
* ``la_name``: as published in that file.

Readers
-------
:func:`read_funded_places`
    ``dsg_<year>_high_needs_deductions.csv``: ESFA-funded places per LA -> ``year, la_code,
    la_name, place_type, places, deduction_gbp`` (codes in :data:`PLACE_TYPES`).
:func:`read_high_needs_outturn`
    ``high_needs_outturn_2021_22.xlsx`` -> ``year, la_code, la_name, line, value, unit`` (codes in
    :data:`OUTTURN_LINES`).
:func:`read_dsg_allocations`
    ``dsg_<year>_allocations_summary.csv`` -> ``year, la_code, la_name, line, value_gbp``.
:func:`read_high_needs_block`
    ``dsg_<year>_high_needs_block.csv`` -> ``year, la_code, la_name, line, value, unit`` (the
    block mixes pounds, a pupil count and a unit rate, so the unit is a column).
:func:`read_dsg_deficit`
    ``dsg_deficit_pct_income.xlsx`` -> ``year, la_code, la_name, balance_pct_income`` (the DSG
    cumulative balance as a % of income, signed as the DfE publishes it: negative = deficit).

:func:`build_high_needs_extract` returns the compact tables embedded in the package
(``funded_places``, ``high_needs_outturn``, ``high_needs_block``, ``dsg_deficit``);
:func:`la_funded_places`, :func:`la_high_needs`, :func:`la_high_needs_block` and
:func:`la_dsg_deficit` read them for one LA.

References
----------
ESFA, *Dedicated schools grant (DSG): 2020 to 2024 allocations* (LA summary, high needs block,
high needs deductions tables); DfE, *High needs benchmarking tool 2021-22*; DfE, *DSG deficit as a
% of income 2019-20 to 2021-22*. Contains public sector information licensed under the Open
Government Licence v3.0. Source: Department for Education.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataWarning, ValidationError

__all__ = ["ENGLAND", "MARKERS", "EXAMPLE_DIR", "PLACE_TYPES", "OUTTURN_LINES",
           "read_funded_places", "read_high_needs_outturn", "read_dsg_allocations",
           "read_high_needs_block", "read_dsg_deficit", "build_high_needs_extract", "source_dir",
           "high_needs_table", "la_funded_places", "la_high_needs", "la_high_needs_block",
           "la_dsg_deficit"]

ENGLAND = "E92000001"
MARKERS = ("x", "c", "z", "#REF!", "#N/A", "#VALUE!", "#DIV/0!", ":", "..")
EXAMPLE_DIR = Path(__file__).resolve().parent / "example"

#: ESFA-funded place types in the high needs deductions sheets. ``places`` is the number funded in
#: the *later* period of the financial year (September to March for pre-16 places, August to
#: March for post-16 places), i.e. the academic year that starts in that financial year; the
#: ``deduction_gbp`` covers both periods (pro rata 5/12 and 7/12, or 4/12 and 8/12 for post-16).
#: Hospital academies are funded in pounds, not places: their ``places`` is NaN.
PLACE_TYPES = pd.DataFrame(
    [
        ("academy_rp_sen_unit_6k", "Mainstream academies", "Pre-16 SEN places funded at £6,000",
         "pre-16", 6000.0),
        ("academy_rp_sen_unit_10k", "Mainstream academies", "Pre-16 SEN places funded at £10,000",
         "pre-16", 10000.0),
        ("academy_rp_post16", "Mainstream academies", "Post-16 SEN places", "post-16", 6000.0),
        ("academy_ap_pre16", "Mainstream academies", "Pre-16 AP places", "pre-16", 10000.0),
        ("special_academy_pre16", "Special academies", "Pre-16 SEN places", "pre-16", 10000.0),
        ("special_academy_post16", "Special academies", "Post-16 SEN places", "post-16", 10000.0),
        ("special_academy_ap_pre16", "Special academies", "Pre-16 AP places", "pre-16", 10000.0),
        ("special_free_pre16", "Special free schools", "Pre-16 SEN places", "pre-16", 10000.0),
        ("special_free_post16", "Special free schools", "Post-16 SEN places", "post-16", 10000.0),
        ("special_free_ap_pre16", "Special free schools", "Pre-16 AP places", "pre-16", 10000.0),
        ("ap_academy_sen_pre16", "AP academies and free schools", "Pre-16 SEN places", "pre-16",
         10000.0),
        ("ap_academy_sen_post16", "AP academies and free schools", "Post-16 SEN places",
         "post-16", 10000.0),
        ("ap_academy_ap_pre16", "AP academies and free schools", "Pre-16 AP places", "pre-16",
         10000.0),
        ("hospital_academy", "Hospital academies", "Hospital academies funding (£, no places)",
         "all", np.nan),
        ("academy_16_19_post16", "16-19 academies and free schools", "Post-16 SEN places",
         "post-16", 6000.0),
        ("fe_ilp_post16", "FE and independent learning providers", "Post-16 SEN places (FE and ILP)",
         "post-16", 6000.0),
    ],
    columns=["place_type", "institution", "places_column", "phase", "rate_gbp"],
)

# (group fragment, sub-group fragment) -> place_type; matched on lower-cased header text.
_DEDUCTION_GROUPS = [
    ("mainstream academies", "£6,000", "academy_rp_sen_unit_6k"),
    ("mainstream academies", "£10,000", "academy_rp_sen_unit_10k"),
    ("mainstream academies", "post-16 sen", "academy_rp_post16"),
    ("mainstream academies", "alternative provision", "academy_ap_pre16"),
    ("special academies", "pre-16 sen", "special_academy_pre16"),
    ("special academies", "post-16 sen", "special_academy_post16"),
    ("special academies", "pre-16 ap", "special_academy_ap_pre16"),
    ("special free schools", "pre-16 sen", "special_free_pre16"),
    ("special free schools", "post-16 sen", "special_free_post16"),
    ("special free schools", "pre-16 ap", "special_free_ap_pre16"),
    ("alternative provision (ap) academies", "pre-16 sen", "ap_academy_sen_pre16"),
    ("alternative provision (ap) academies", "post-16 sen", "ap_academy_sen_post16"),
    ("alternative provision (ap) academies", "pre-16 ap", "ap_academy_ap_pre16"),
    ("hospital academies", "hospital academies funding", "hospital_academy"),
    ("16-19 academies", "post-16 sen", "academy_16_19_post16"),
    ("further education", "fe and ilp", "fe_ilp_post16"),
]


def _outturn_lines() -> pd.DataFrame:
    """The code table of :func:`read_high_needs_outturn` (column position in the sheet too)."""
    rows = [
        (4, "population_2_18", "people", "population", "2-18 population (ONS mid-2021 projection)"),
        (6, "ehcp_total", "pupils", "placements",
         "No. aged up to 25 with a statement or EHC plan (SEN2, January 2021)"),
        (7, "placements_mainstream", "pupils", "placements", "of these, in mainstream schools or academies"),
        (8, "placements_resourced", "pupils", "placements", "in resourced provision or SEN units"),
        (9, "placements_special", "pupils", "placements",
         "in maintained special schools or special academies"),
        (10, "placements_independent", "pupils", "placements", "in NMSS or independent schools"),
        (11, "placements_ap", "pupils", "placements", "in hospital schools or alternative provision"),
        (12, "placements_post16", "pupils", "placements", "post-16"),
        (13, "placements_other", "pupils", "placements", "other"),
    ]
    phases = [("early_years", "Early Years"), ("primary", "Primary"), ("secondary", "Secondary"),
              ("special", "Special schools and academies"), ("ap", "PRUs and AP academies"),
              ("post_school", "Post School")]
    for prefix, start, block, label in (("budget_", 15, "s251_budget", "s251 budget 2021-22"),
                                        ("", 60, "s251_outturn", "s251 outturn")):
        col = start
        rows.append((col, f"{prefix}place_funding_special_ap", "gbp", block,
                     f"{label}: place funding, special schools and PRUs/AP (the published "
                     "'Place funding' total = special + PRUs/AP only)"))
        col += 1
        for code, name in phases:
            rows.append((col, f"{prefix}place_funding_{code}", "gbp", block,
                         f"{label}: place funding, {name}"))
            col += 1
        for kind, name in (("maintained", "maintained schools, academies, free schools and "
                            "colleges"), ("independent", "non-maintained and independent "
                                          "schools and colleges")):
            rows.append((col, f"{prefix}top_up_{kind}_total", "gbp", block,
                         f"{label}: top-up funding ({name}), total = parts - income"))
            col += 1
            for code, pname in phases:
                rows.append((col, f"{prefix}top_up_{kind}_{code}", "gbp", block,
                             f"{label}: top-up ({kind}), {pname}"))
                col += 1
            rows.append((col, f"{prefix}top_up_{kind}_income", "gbp", block,
                         f"{label}: top-up ({kind}), income (deducted from the total)"))
            col += 1
        for code, name in (("sen_support_services", "SEN support and inclusion services"),
                           ("ap_services", "Alternative provision services"),
                           ("hospital_services", "Hospital education services"),
                           ("therapies", "Therapies and other health related services")):
            rows.append((col, f"{prefix}{code}", "gbp", block, f"{label}: {name}"))
            col += 1
    per_head = [("place_funding_special_ap", 92)]
    col = 93
    for code, _ in phases:
        per_head.append((f"place_funding_{code}", col))
        col += 1
    for kind in ("maintained", "independent"):
        per_head.append((f"top_up_{kind}_total", col))
        col += 1
        for code, _ in phases:
            per_head.append((f"top_up_{kind}_{code}", col))
            col += 1
        per_head.append((f"top_up_{kind}_income", col))
        col += 1
    for code in ("sen_support_services", "ap_services", "hospital_services", "therapies"):
        per_head.append((code, col))
        col += 1
    for code, col in per_head:
        rows.append((col, f"per_head_{code}", "gbp_per_head", "per_head",
                     f"s251 outturn per head of 2-18 population: {code} (as published; most "
                     "cells are 0 in the source, recompute from the £ line / population_2_18)"))
    out = pd.DataFrame(rows, columns=["column", "line", "unit", "block", "description"])
    return out.sort_values("column").reset_index(drop=True)


#: Code table of :func:`read_high_needs_outturn`: sheet column (0-based), ``line``, ``unit``,
#: ``block`` and description. ``block``: ``population``, ``placements`` (SEN2 January 2021, the
#: LA's resident children and young people with a statement/EHC plan; they sum to
#: ``ehcp_total``), ``s251_budget`` (2021-22 budget, lines prefixed ``budget_``), ``s251_outturn``
#: (the outturn the tool shows; the sheet notes outturn was available up to 2020-21, so read these
#: lines as the latest outturn published with the 2021-22 tool) and ``per_head``. The national
#: funding formula factor and import/export columns of the sheet hold only ``#REF!`` and are not
#: read. Top-up totals = sum of the phase lines - income; the place funding total is special +
#: PRU/AP only (primary and secondary place funding are resourced provision in maintained
#: schools, outside that total).
OUTTURN_LINES = _outturn_lines()

_ALLOCATION_LINES = ["schools_block", "central_services_block", "high_needs_block",
                     "early_years_block", "total_dsg"]

#: High needs block columns (header fragment, lower case) -> (line, unit).
_HNB_COLUMNS = [
    ("national funding formula (nff) allocations (excluding basic", "nff_excl_basic_entitlement",
     "gbp"),
    ("total high needs elements in the funding floor", "nff_floor_gains_elements", "gbp"),
    ("basic entitlement factor", "basic_entitlement_rate", "gbp_per_pupil"),
    ("number of pupils in special schools", "basic_entitlement_pupils", "pupils"),
    ("import/export adjustment", "import_export_adjustment", "gbp"),
    ("additional funding for special free schools", "special_free_schools_additional", "gbp"),
    ("hospital education", "hospital_ap_teachers_pay", "gbp"),
    ("high needs national funding formula for historical spend", "nff_after_floor", "gbp"),
    ("additional high needs allocation", "additional_high_needs_allocation", "gbp"),
    ("total high needs block before deductions", "total_before_deductions", "gbp"),
]


# --------------------------------------------------------------------------------------------
# helpers


def _year_from_title(text: str, path) -> int:
    """The census year of the financial year a sheet's title names ("2023 to 2024" -> 2024)."""
    match = re.search(r"(20\d\d) to (20\d\d)", str(text))
    if not match:
        raise ValidationError(f"{Path(path).name}: row 1, column A: expected a title naming the "
                              f"financial year ('2023 to 2024 ...'), found {str(text)[:80]!r}")
    return int(match.group(1)) + 1


def _to_number(values: pd.Series, counts: dict | None = None) -> pd.Series:
    """Numbers from published cells: markers (``x``, ``c``, ``z``, ``#REF!``) and blanks -> NaN."""
    text = values.astype("string").str.strip().str.replace(",", "", regex=False)
    text = text.str.replace("£", "", regex=False)
    marked = text.isin(MARKERS)
    if counts is not None and marked.any():
        for marker, n in text[marked].value_counts().items():
            counts[marker] = counts.get(marker, 0) + int(n)
    text = text.mask(marked | (text == ""))
    out = pd.to_numeric(text, errors="coerce")
    return out.astype("float64")


def _warn_missing(path, counts: dict) -> None:
    if counts:
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        warnings.warn(f"{Path(path).name}: cells read as missing (NaN): {detail}", DataWarning,
                      stacklevel=3)


def _code_and_name(first: pd.Series, second: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """LA code/name from the first two columns; England -> E92000001; regions flagged."""
    first = first.astype(str).str.strip()
    second = second.astype(str).str.strip()
    is_england = first.str.upper() == "ENGLAND"
    is_la = first.str.fullmatch(r"\d{1,3}") & (second != "")
    code = first.where(~is_la, first.str.zfill(3)).where(~is_england, ENGLAND)
    name = second.where(~is_england, "England")
    return code, name, (is_la | is_england)


def _read_sheet(path) -> pd.DataFrame:
    """A published sheet saved as CSV, all cells as text (rows may have different lengths)."""
    import csv

    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)


def _check_columns(frame: pd.DataFrame, path) -> None:
    if frame.shape[1] < 3 or frame.shape[0] < 2:
        raise ValidationError(f"{Path(path).name}: expected a published DSG sheet with a title row, "
                              f"header rows and one row per LA; found {frame.shape[0]} rows x "
                              f"{frame.shape[1]} columns")


# --------------------------------------------------------------------------------------------
# readers


def read_funded_places(path) -> pd.DataFrame:
    """ESFA-funded high-needs places per LA from a ``dsg_<year>_high_needs_deductions.csv`` sheet.

    Parameters
    ----------
    path : str or Path
        One of ``dsg_2020_21_high_needs_deductions.csv`` ... ``dsg_2023_24_...`` (three header
        rows: institution group, place type, period).

    Returns
    -------
    DataFrame
        ``year`` (census year, int: 2024 for 2023-24), ``financial_year`` (``"2023-24"``),
        ``la_code`` (str), ``la_name``, ``place_type`` (codes
        in :data:`PLACE_TYPES`), ``places`` (float; funded places in the later period, September
        to March for pre-16, August to March for post-16 places; NaN for hospital academies,
        which are funded in pounds) and ``deduction_gbp`` (the ESFA deduction from the LA's high
        needs block for the whole financial year, £). England is ``la_code == "E92000001"``;
        region subtotal rows are dropped.

    Raises
    ------
    ValidationError
        If a header group is not recognised, or the place types do not add up to the published
        total deduction for a row (by more than £1 per place type, the published rounding).

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> fp = read_funded_places("dsg_2023_24_high_needs_deductions.csv")  # doctest: +SKIP
    >>> fp.query("la_code == 'E92000001'")["deduction_gbp"].sum()          # doctest: +SKIP
    1079358891.0
    """
    raw = _read_sheet(path)
    _check_columns(raw, path)
    name = Path(path).name
    year = _year_from_title(raw.iat[0, 0], path)
    group = raw.iloc[0].replace("", np.nan).ffill().fillna("").str.lower()
    sub = raw.iloc[1].replace("", np.nan)
    sub = sub.where(sub.notna() | (group != group.shift()), "").ffill().fillna("").str.lower()
    # the period row: the place columns start where the sub-group label starts
    starts = [c for c in range(2, raw.shape[1]) if raw.iat[1, c].strip() != ""]
    total_col = next((c for c in range(raw.shape[1])
                      if raw.iat[0, c].lower().startswith("total deduction")), None)
    if total_col is None:
        raise ValidationError(f"{name}: row 1: expected a 'Total deduction to high needs block' "
                              "column")
    counts: dict = {}
    code, la_name, keep = _code_and_name(raw.iloc[3:, 0], raw.iloc[3:, 1])
    body = raw.iloc[3:][keep.values]
    code, la_name = code[keep.values], la_name[keep.values]
    frames = []
    for c in starts:
        g, s = group.iat[c], sub.iat[c]
        match = [pt for gf, sf, pt in _DEDUCTION_GROUPS if gf in g and sf.lower() in s]
        if len(match) != 1:
            raise ValidationError(f"{name}: rows 1-2, column {c + 1}: unrecognised place type "
                                  f"{raw.iat[0, c] or g!r} / {raw.iat[1, c]!r}; expected one of "
                                  f"the groups in PLACE_TYPES")
        place_type = match[0]
        later = _to_number(body.iloc[:, c + 1], counts)
        deduction = _to_number(body.iloc[:, c + 2], counts)
        places = later if place_type != "hospital_academy" else pd.Series(np.nan, index=body.index)
        frames.append(pd.DataFrame({"year": year, "la_code": code.values, "la_name": la_name.values,
                                    "place_type": place_type, "places": places.values,
                                    "deduction_gbp": deduction.values, "_row": body.index + 1}))
    out = pd.concat(frames, ignore_index=True)
    total = _to_number(body.iloc[:, total_col], counts)
    check = out.groupby("_row")["deduction_gbp"].sum(min_count=1)
    diff = (check - pd.Series(total.values, index=body.index + 1)).abs()
    bad = diff[diff > len(starts)]
    if len(bad):
        rows = ", ".join(str(r) for r in bad.index[:10])
        raise ValidationError(f"{name}: rows {rows}: the place-type deductions do not add up to "
                              f"the total column {total_col + 1} (largest gap £{bad.max():,.0f})")
    _warn_missing(path, counts)
    out = out.drop(columns="_row")
    return _sorted(out, ["place_type"])


def read_high_needs_outturn(path) -> pd.DataFrame:
    """The DfE high-needs benchmarking extract (2021-22 tool) per LA, as tidy lines.

    Parameters
    ----------
    path : str or Path
        ``high_needs_outturn_2021_22.xlsx`` (one sheet; header rows 2-6; data from row 8).

    Returns
    -------
    DataFrame
        ``year`` (2022: the tool's financial year 2021-22), ``financial_year`` (``"2021-22"``),
        ``la_code``, ``la_name``, ``line`` (codes and units in
        :data:`OUTTURN_LINES`), ``value`` (float) and ``unit`` (``"people"``, ``"pupils"``,
        ``"gbp"`` or ``"gbp_per_head"``). Cells holding ``#REF!`` (the sheet's broken links) or
        empty cells are left out; LAs that no longer existed (Bournemouth, Poole, old Dorset)
        have only their population.

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> hn = read_high_needs_outturn("high_needs_outturn_2021_22.xlsx")  # doctest: +SKIP
    >>> hn.query("la_code == '831' and line == 'placements_special'")["value"].item()  # doctest: +SKIP
    806.0
    """
    name = Path(path).name
    raw = pd.read_excel(path, header=None, dtype=object)
    if raw.shape[1] < 87 or raw.shape[0] < 8:
        raise ValidationError(f"{name}: expected the high needs benchmarking sheet (>= 87 columns, "
                              f"data from row 8); found {raw.shape[0]} rows x {raw.shape[1]}")
    header = raw.iloc[:7].apply(lambda col: " ".join(str(v) for v in col if pd.notna(v)).lower())
    expect = {4: "2-18 population", 6: "ehcp", 7: "mainstream", 10: "independent",
              15: "section 251 budget", 60: "section 251 outturn", 67: "top up",
              83: "sen support"}
    for col, fragment in expect.items():
        if fragment not in header.iat[col]:
            raise ValidationError(f"{name}: rows 2-6, column {col + 1}: expected a header with "
                                  f"{fragment!r}, found {header.iat[col][:80]!r}")
    body = raw.iloc[7:]
    code_text = body.iloc[:, 2].astype(str).str.replace(r"\.0$", "", regex=True).str.strip()
    keep = code_text.str.fullmatch(r"\d{1,3}")
    body = body[keep.values]
    codes = code_text[keep.values].str.zfill(3)
    names = body.iloc[:, 3].astype(str).str.strip()
    counts: dict = {}
    frames = []
    for _, spec in OUTTURN_LINES.iterrows():
        if spec["column"] >= raw.shape[1]:
            continue
        values = _to_number(body.iloc[:, spec["column"]].astype(object).where(
            body.iloc[:, spec["column"]].notna(), ""), counts)
        frames.append(pd.DataFrame({"year": 2022, "la_code": codes.values, "la_name": names.values,
                                    "line": spec["line"], "value": values.values,
                                    "unit": spec["unit"]}))
    out = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    _warn_missing(path, counts)
    order = {line: i for i, line in enumerate(OUTTURN_LINES["line"])}
    out = out.sort_values(["la_code", "line"], key=lambda s: s.map(order) if s.name == "line" else s,
                          kind="stable")
    return _with_financial_year(out.reset_index(drop=True))


def read_dsg_allocations(path) -> pd.DataFrame:
    """DSG allocations per LA by block, before and after deductions (LA summary sheet).

    Parameters
    ----------
    path : str or Path
        ``dsg_<year>_allocations_summary.csv`` (header rows: group, block, letters, formulae).

    Returns
    -------
    DataFrame
        ``year, financial_year, la_code, la_name, line, value_gbp`` (``year`` the census year:
        2024 for 2023-24); ``line`` is one of ``schools_block``,
        ``central_services_block``, ``high_needs_block``, ``early_years_block``, ``total_dsg``
        (columns [A]-[E], before academy recoupment and the ESFA deductions for directly funded
        high-needs places) and the same with ``_after_deductions`` (columns [F]-[J]).

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> al = read_dsg_allocations("dsg_2023_24_allocations_summary.csv")     # doctest: +SKIP
    >>> al.query("la_code == '202' and line == 'high_needs_block'")["value_gbp"].item()  # doctest: +SKIP
    55017590.0
    """
    raw = _read_sheet(path)
    _check_columns(raw, path)
    name = Path(path).name
    year = _year_from_title(raw.iat[0, 0], path)
    letters = [raw.iat[2, c].strip() for c in range(raw.shape[1])]
    if letters[2:12] != [f"[{x}]" for x in "ABCDEFGHIJ"]:
        raise ValidationError(f"{name}: row 3, columns C-L: expected the column letters [A]-[J], "
                              f"found {letters[2:12]}")
    start = next(i for i in range(3, len(raw)) if raw.iat[i, 0].strip().upper() == "ENGLAND")
    code, la_name, keep = _code_and_name(raw.iloc[start:, 0], raw.iloc[start:, 1])
    body = raw.iloc[start:][keep.values]
    counts: dict = {}
    frames = []
    for i, line in enumerate(_ALLOCATION_LINES + [f"{x}_after_deductions" for x in _ALLOCATION_LINES]):
        frames.append(pd.DataFrame({"year": year, "la_code": code[keep.values].values,
                                    "la_name": la_name[keep.values].values, "line": line,
                                    "value_gbp": _to_number(body.iloc[:, 2 + i], counts).values}))
    _warn_missing(path, counts)
    return _sorted(pd.concat(frames, ignore_index=True), ["line"])


def read_high_needs_block(path) -> pd.DataFrame:
    """Provisional high needs block allocations per LA (the NFF build-up of the block).

    Parameters
    ----------
    path : str or Path
        ``dsg_<year>_high_needs_block.csv``. The columns changed over the years (the funding floor
        and the additional allocation from 2022-23); they are matched by header text.

    Returns
    -------
    DataFrame
        ``year, financial_year, la_code, la_name, line, value, unit`` (``year`` the census year:
        2024 for 2023-24). Lines: ``nff_excl_basic_entitlement``
        (2020-21) or ``nff_floor_gains_elements`` (2021-22 on), ``basic_entitlement_rate``
        (£ per pupil, area-cost adjusted), ``basic_entitlement_pupils`` (pupils in special schools
        and academies), ``import_export_adjustment``, ``special_free_schools_additional``,
        ``hospital_ap_teachers_pay`` (2021-22 on), ``nff_after_floor`` and
        ``additional_high_needs_allocation`` (2022-23 on), ``total_before_deductions``.

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> hnb = read_high_needs_block("dsg_2023_24_high_needs_block.csv")      # doctest: +SKIP
    >>> hnb.query("la_code == 'E92000001' and line == 'total_before_deductions'")["value"].item()  # doctest: +SKIP
    9952172126.0
    """
    raw = _read_sheet(path)
    _check_columns(raw, path)
    name = Path(path).name
    year = _year_from_title(raw.iat[0, 0], path)
    start = next(i for i in range(1, len(raw)) if raw.iat[i, 0].strip().upper() == "ENGLAND")
    code, la_name, keep = _code_and_name(raw.iloc[start:, 0], raw.iloc[start:, 1])
    body = raw.iloc[start:][keep.values]
    counts: dict = {}
    frames = []
    for c in range(2, raw.shape[1]):
        label = raw.iat[0, c].lower()
        if not label.strip():
            continue
        match = [(line, unit) for frag, line, unit in _HNB_COLUMNS if frag in label]
        if not match:  # the first fragment that matches wins (the list is ordered)
            raise ValidationError(f"{name}: row 1, column {c + 1}: unrecognised high needs block "
                                  f"column {raw.iat[0, c]!r}")
        line, unit = match[0]
        frames.append(pd.DataFrame({"year": year, "la_code": code[keep.values].values,
                                    "la_name": la_name[keep.values].values, "line": line,
                                    "value": _to_number(body.iloc[:, c], counts).values,
                                    "unit": unit}))
    _warn_missing(path, counts)
    return _sorted(pd.concat(frames, ignore_index=True), ["line"])


def read_dsg_deficit(path, las: pd.DataFrame | None = None) -> pd.DataFrame:
    """DSG cumulative balance as a % of income per LA, 2019-20 to 2021-22.

    Parameters
    ----------
    path : str or Path
        ``dsg_deficit_pct_income.xlsx``.
    las : DataFrame, optional
        ``la_code, la_name, first_year, last_year`` used to code the LA names (the file has names
        only); default :func:`sufficiency.data.las`. A name used by two LAs (Dorset 835 / 838) is
        given the code that reported in the January census of that financial year.

    Returns
    -------
    DataFrame
        ``year`` (census year: 2022 for 2021-22), ``financial_year``, ``la_code``, ``la_name``,
        ``balance_pct_income`` (%, signed
        as published: negative = cumulative deficit) and ``deficit_pct_income`` (= -balance).

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> d = read_dsg_deficit("dsg_deficit_pct_income.xlsx")                 # doctest: +SKIP
    >>> d.query("la_code == 'E92000001' and year == 2022")["deficit_pct_income"].item()  # doctest: +SKIP
    2.26
    """
    name = Path(path).name
    raw = pd.read_excel(path, dtype=str)
    need = ["time_period", "geographic_level", "la_name", "deficit"]
    missing = [c for c in need if c not in raw.columns]
    balance_col = next((c for c in raw.columns if "cumulative balance" in str(c).lower()), None)
    if missing or balance_col is None:
        raise ValidationError(f"{name}: row 1: expected columns {need} and 'DSG cumulative balance "
                              f"as a % of the total income'; missing {missing or [balance_col]}")
    if las is None:
        from .example import las as _las
        las = _las()
    level = raw["geographic_level"].str.lower()
    raw = raw[level.isin(["national", "local authority"])].copy()
    raw["year"] = raw["time_period"].str[:4].astype(int) + 1  # 202122 -> census year 2022
    counts: dict = {}
    raw["balance_pct_income"] = _to_number(raw[balance_col], counts)
    codes, unknown = [], []
    table = las[las["la_code"] != ENGLAND]
    for i, row in raw.iterrows():
        if row["geographic_level"].lower() == "national":
            codes.append(ENGLAND)
            continue
        hits = table[table["la_name"].str.lower() == str(row["la_name"]).strip().lower()]
        if len(hits) > 1 and "first_year" in hits:
            census = row["year"]
            hits = hits[(hits["first_year"] <= census) & (hits["last_year"] >= census)]
        if len(hits) != 1:
            unknown.append(f"row {i + 2}: {row['la_name']!r}")
            codes.append(None)
        else:
            codes.append(hits["la_code"].iloc[0])
    if unknown:
        raise ValidationError(f"{name}: column la_name: {len(unknown)} names not matched to one LA "
                              f"code: {', '.join(unknown[:5])}", problems=unknown)
    raw["la_code"] = codes
    raw["la_name"] = raw["la_name"].where(raw["la_code"] != ENGLAND, "England")
    raw["deficit_pct_income"] = -raw["balance_pct_income"] + 0.0
    _warn_missing(path, counts)
    out = raw[["year", "la_code", "la_name", "balance_pct_income", "deficit_pct_income"]]
    out = out.sort_values(["la_code", "year"], kind="stable").reset_index(drop=True)
    return _with_financial_year(out)


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame.sort_values(["la_code", "year"] + keys, kind="stable").reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return _with_financial_year(out)


def _with_financial_year(frame: pd.DataFrame) -> pd.DataFrame:
    """``financial_year`` ("2023-24") inserted after the census ``year`` (2024)."""
    from .vocabulary import financial_year_label

    out = frame.drop(columns="financial_year", errors="ignore")
    out.insert(out.columns.get_loc("year") + 1, "financial_year",
               [financial_year_label(y) for y in out["year"]])
    return out


# --------------------------------------------------------------------------------------------
# the embedded extract


def build_high_needs_extract(source_dir, las: pd.DataFrame | None = None
                             ) -> dict[str, pd.DataFrame]:
    """The compact tidy money tables to embed in ``sufficiency/data/example/``.

    Parameters
    ----------
    source_dir : str or Path
        The ``dfe-high-needs`` folder (``shared/data/dfe-high-needs``).
    las : DataFrame, optional
        The LA table being built alongside (``la_code, la_name, first_year, last_year``), used
        to match the deficit sheet's LA names; default the embedded one.

    Returns
    -------
    dict of DataFrame
        ``funded_places``: ``la_code, year, place_type, places, deduction_gbp`` (rows with no
        places and no deduction left out: absent means 0); ``high_needs_outturn``: ``la_code,
        year, line, value, unit`` (the per-head block is left out: most of its published cells are
        0 by a broken link; recompute it as a £ line / ``population_2_18``);
        ``high_needs_block``: ``la_code, year, line, value, unit`` (the NFF build-up and the
        allocations summary lines, the latter with unit ``gbp``); ``dsg_deficit``: ``la_code,
        year, balance_pct_income``. Names live in ``las.csv``. Sorted by ``la_code, year`` then the
        line/type code; integer years, float values, str codes, so the CSV bytes are reproducible.

    Examples
    --------
    Not run in the test suite: it reads a DfE source file, which is not shipped with the
    package (the tests check the same published figures against the files).

    >>> tables = build_high_needs_extract("../shared/data/dfe-high-needs")  # doctest: +SKIP
    >>> sorted(tables)                                                     # doctest: +SKIP
    ['dsg_deficit', 'funded_places', 'high_needs_block', 'high_needs_outturn']
    """
    src = Path(source_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        funded = pd.concat([read_funded_places(p)
                            for p in sorted(src.glob("dsg_*_high_needs_deductions.csv"))])
        outturn = read_high_needs_outturn(src / "high_needs_outturn_2021_22.xlsx")
        hnb = pd.concat([read_high_needs_block(p)
                         for p in sorted(src.glob("dsg_*_high_needs_block.csv"))])
        alloc = pd.concat([read_dsg_allocations(p)
                           for p in sorted(src.glob("dsg_*_allocations_summary.csv"))])
        deficit = read_dsg_deficit(src / "dsg_deficit_pct_income.xlsx", las=las)
    if funded.empty or hnb.empty or alloc.empty:
        raise FileNotFoundError(f"{src}: expected dsg_<year>_high_needs_deductions.csv, "
                                "..._high_needs_block.csv and ..._allocations_summary.csv files")
    funded = funded[(funded["places"].fillna(0) != 0) | (funded["deduction_gbp"].fillna(0) != 0)]
    funded = funded[["la_code", "year", "place_type", "places", "deduction_gbp"]]
    outturn = outturn[outturn["unit"] != "gbp_per_head"][["la_code", "year", "line", "value", "unit"]]
    alloc = alloc.rename(columns={"value_gbp": "value"}).assign(unit="gbp")
    block = pd.concat([hnb, alloc])[["la_code", "year", "line", "value", "unit"]]
    deficit = deficit[["la_code", "year", "balance_pct_income"]]
    tables = {"funded_places": funded, "high_needs_outturn": outturn, "high_needs_block": block,
              "dsg_deficit": deficit}
    out = {}
    for name, frame in tables.items():
        key = [c for c in ("place_type", "line") if c in frame]
        frame = frame.sort_values(["la_code", "year"] + key, kind="stable").reset_index(drop=True)
        frame = frame.astype({"la_code": str, "year": "int64"})
        for col in ("places", "deduction_gbp", "value", "balance_pct_income"):
            if col in frame:
                frame[col] = frame[col].astype("float64")
        out[name] = frame
    return out


def source_dir() -> Path:
    """Where the DfE money files are: ``$SUFFICIENCY_SOURCE_DATA/dfe-high-needs`` or
    ``<repo>/../shared/data/dfe-high-needs``."""
    root = os.environ.get("SUFFICIENCY_SOURCE_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return (base / "dfe-high-needs").resolve()


@functools.lru_cache(maxsize=None)
def _extract() -> dict[str, pd.DataFrame]:
    """The embedded tables, or (until they are embedded) the extract built from the sources."""
    names = ("funded_places", "high_needs_outturn", "high_needs_block", "dsg_deficit")
    found = {}
    for name in names:
        for path in (EXAMPLE_DIR / f"{name}.csv", EXAMPLE_DIR / f"{name}.csv.gz"):
            if path.exists():
                found[name] = pd.read_csv(path, dtype={"la_code": str}, keep_default_na=False,
                                          na_values=[""])
                break
    if len(found) == len(names):
        return found
    src = source_dir()
    if not (src / "high_needs_outturn_2021_22.xlsx").exists():
        missing = [n for n in names if n not in found]
        raise FileNotFoundError(
            f"no embedded high-needs tables {missing} in {EXAMPLE_DIR} and no DfE source files at "
            f"{src}; rebuild the example data (python -m sufficiency.data.build) or set "
            "SUFFICIENCY_SOURCE_DATA to the shared/data folder")
    built = build_high_needs_extract(src)
    return {n: found.get(n, built[n]) for n in names}


def high_needs_table(name: str) -> pd.DataFrame:
    """Every LA's rows of one embedded high-needs table (a copy).

    Parameters
    ----------
    name : {"funded_places", "high_needs_outturn", "high_needs_block", "dsg_deficit"}
        ``funded_places``: ESFA place deductions; ``high_needs_outturn``: the DfE high needs
        benchmarking lines (2021-22); ``high_needs_block``: the DSG high needs block;
        ``dsg_deficit``: DSG deficit as a share of income.

    Returns
    -------
    DataFrame
        ``la_code, year, financial_year`` and the table's own columns (``year`` the census
        year: 2024 for the financial year 2023-24).

    Examples
    --------
    >>> t = high_needs_table("high_needs_outturn")
    >>> list(t.columns)
    ['la_code', 'year', 'financial_year', 'line', 'value', 'unit']
    >>> t[["year", "financial_year"]].drop_duplicates().values.tolist()
    [[2022, '2021-22']]
    """
    tables = _extract()
    if name not in tables:
        raise ValidationError(f"high_needs_table: no table {name!r}; expected one of "
                              f"{sorted(tables)}")
    return _with_financial_year(tables[name])


def _la_rows(table: str, la, additive: tuple = ()) -> pd.DataFrame:
    """One LA's rows of a high-needs table. A reorganised LA's continuous footprint with no
    rows of its own (Dorset + BCP: ``835+836+837``) adds up its members' rows, only for a table
    whose value columns are ``additive`` (counts, £) and only in years every member has."""
    frame = _extract()[table]
    text = str(la).strip()
    if text.lower() == "england" or text.upper() == ENGLAND:
        code = ENGLAND
    else:
        from .example import las
        from .geography import resolve_la
        code = resolve_la(la, las())
    rows = frame[frame["la_code"] == code]
    if rows.empty and additive:
        rows = _footprint_rows(frame, code, list(additive))
    if rows.empty:
        raise KeyError(f"{table}: no rows for LA {la!r} (code {code}); the money data cover the "
                       "LAs that existed in 2020-21 to 2023-24 (e.g. 940/941, not 928)")
    return _with_financial_year(rows.drop(columns="la_code").reset_index(drop=True))


_ADDITIVE_UNITS = ("gbp", "pupils", "people", "places")


def _footprint_rows(frame: pd.DataFrame, code: str, additive: list) -> pd.DataFrame:
    from .geography import footprint_of

    row = footprint_of(code)
    if row is None or code != row["footprint_code"]:
        return frame.iloc[:0]
    first = int(row["first_year"])
    if "unit" in frame:         # rates (e.g. £ per pupil) do not add up: left out
        frame = frame[frame["unit"].isin(_ADDITIVE_UNITS)]
    keys = [c for c in frame.columns if c not in additive + ["la_code"]]
    parts = []
    for members, years in ((row["old_codes"].split(), frame["year"] < first),
                           (row["new_codes"].split(), frame["year"] >= first)):
        sub = frame[years & frame["la_code"].isin(members)]
        if sub.empty:
            continue
        # a year counts only when every member LA has it
        have = sub.groupby("year")["la_code"].nunique()
        sub = sub[sub["year"].isin(have[have == len(members)].index)]
        parts.append(sub.groupby(keys, as_index=False, dropna=False)[additive].sum())
    if not parts:
        return frame.iloc[:0]
    return pd.concat(parts, ignore_index=True).assign(la_code=code)


def la_funded_places(la) -> pd.DataFrame:
    """An LA's ESFA-funded high-needs places per financial year, 2020-21 to 2023-24 (``year``
    2021 to 2024).

    Parameters
    ----------
    la : str or int
        3-digit code (``886``), new code or name (``"Kent"``), case-insensitive; ``"England"``.

    Returns
    -------
    DataFrame
        ``year`` (census year: 2024 for 2023-24), ``financial_year`` (``"2023-24"``),
        ``place_type`` (:data:`PLACE_TYPES`), ``places`` (September-March / August-March funded
        places) and ``deduction_gbp`` (£ for the year). Every place type appears in every year
        (0 where none were funded). The Dorset + BCP footprint (``835+836+837``) adds up
        Dorset's (838) and BCP's (839) places and £.

    Examples
    --------
    >>> fp = la_funded_places("Derby")
    >>> int(fp.query("year == 2024 and place_type == 'special_academy_pre16'")["places"].item())
    638
    """
    rows = _la_rows("funded_places", la, additive=("places", "deduction_gbp"))
    grid = pd.MultiIndex.from_product([sorted(rows["year"].unique()), PLACE_TYPES["place_type"]],
                                      names=["year", "place_type"])
    out = rows.set_index(["year", "place_type"])[["places", "deduction_gbp"]].reindex(grid)
    out = out.fillna(0.0).reset_index()
    out.loc[out["place_type"] == "hospital_academy", "places"] = np.nan
    return _with_financial_year(out)


def la_high_needs(la) -> pd.DataFrame:
    """An LA's high-needs benchmarking lines (2021-22 tool): placements, s251 budget and outturn.

    Parameters
    ----------
    la : str or int
        3-digit code, new code or name, case-insensitive; ``"England"`` is not in this source.

    Returns
    -------
    DataFrame
        ``year, financial_year, line, value, unit`` (``year`` 2022, ``financial_year``
        ``"2021-22"``: the outturn year); codes in :data:`OUTTURN_LINES`. The Dorset + BCP
        footprint (``835+836+837``) adds up Dorset's and BCP's lines (£, pupils, people).

    Examples
    --------
    >>> hn = la_high_needs("831")
    >>> hn.query("line == 'ehcp_total'")["value"].item()
    2613.0
    """
    return _la_rows("high_needs_outturn", la, additive=("value",))[
        ["year", "financial_year", "line", "value", "unit"]]


def la_high_needs_block(la) -> pd.DataFrame:
    """An LA's DSG allocation lines and high needs block build-up, 2020-21 to 2023-24.

    Returns ``year, financial_year, line, value, unit`` (``year`` the census year: 2024 for
    2023-24; see :func:`read_high_needs_block` and :func:`read_dsg_allocations` for the lines).
    The Dorset + BCP footprint (``835+836+837``) adds up Dorset's and BCP's lines in £ and
    pupils (its per-pupil rate is left out: rates do not add up).

    Examples
    --------
    >>> b = la_high_needs_block("Derby")
    >>> b.query("financial_year == '2023-24' and line == 'total_before_deductions'")["year"].item()
    2024
    """
    return _la_rows("high_needs_block", la, additive=("value",))[
        ["year", "financial_year", "line", "value", "unit"]]


def la_dsg_deficit(la) -> pd.DataFrame:
    """An LA's DSG cumulative balance as a % of income, 2019-20 to 2021-22.

    Returns ``year, financial_year, balance_pct_income`` (negative = deficit; ``year`` the
    census year: 2022 for the balance at the end of 2021-22). Example:
    ``la_dsg_deficit("Kent")``.
    """
    return _la_rows("dsg_deficit", la)[["year", "financial_year", "balance_pct_income"]]
