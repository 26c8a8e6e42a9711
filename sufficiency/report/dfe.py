"""The DfE layouts as they are pasted into the templates: labelled rows, years as columns.

Two templates:

* **DSG management plan** (DfE, *DSG management plan template* v10 and its guidance): the
  children and young people summary (EHC plans by the seven placement categories, by the five
  age groups, by the 13 primary needs, each with a total) and the high needs financial
  summary (income, spend by placement category, in-year and cumulative balance). Columns are
  financial years ("2025-26"); EHC plans are the January census inside that financial year.
* **SCAP** (DfE, *School capacity survey: guide for local authorities*, specialist provision):
  resident pupils with an EHC plan needing a specialist place by national curriculum year,
  Reception to Year 6 for 5 years and Year 7 to Year 11 for 7 years, by provision type (and by
  planning area when the scenario gives them). Columns are academic years ("2025/26" is the
  January 2026 census).

:data:`LAYOUTS` holds each layout as data (title, the heading of the label column, the rows
in the template's order, the unit, the template). :func:`layout_sheet` turns a table of
:mod:`sufficiency.finance.tables` (row labels as the index, census years as columns) into
the frame written to the workbook and to ``tables/*.csv``: the first column holds the labels,
the other columns the years, values unrounded (the workbook formats them). The rows keep the
order the stage gives them (the template's); rows a stage adds that the layout does not list
(a Safety Valve income line) are kept where the stage put them, so nothing is lost silently.

Examples
--------
>>> t = pd.DataFrame({2026: [1.0, 2.0, 3.0]}, index=["Under 5", "Age 5 to 10", "Total"])
>>> layout_sheet(t, "dsg_ages").columns.tolist()
['Age group', '2025-26']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.labels import label
from ..data.vocabulary import AGE_BANDS, DSG_CATEGORIES, financial_year_label
from ..finance import tables as T
from ..scap import NC_YEARS, SCAP_HORIZON

__all__ = ["LAYOUTS", "Layout", "academic_year_label", "financial_year_label", "layout_sheet",
           "scap_nc_sheets"]

TOTAL = "Total"


@dataclass(frozen=True)
class Layout:
    """One DfE table layout: what its rows are called and in which order."""

    title: str
    row_header: str
    rows: tuple
    unit: str
    template: str
    columns: str = "financial_year"      # or "academic_year"
    notes: tuple = field(default_factory=tuple)
    sub_headers: tuple = ()               # headings of further label columns (a MultiIndex)


def academic_year_label(year: int) -> str:
    """Census year 2026 -> "2025/26" (the academic year of the January census).

    Examples
    --------
    >>> academic_year_label(2026)
    '2025/26'
    """
    return f"{int(year) - 1}/{int(year) % 100:02d}"


_DSG = "DfE DSG management plan template (v10), children and young people summary"
_FIN = "DfE DSG management plan template (v10), financial summary: high needs block"
_SCAP = "DfE school capacity (SCAP) survey, specialist provision forecast"

_SPEND_ROWS = tuple(f"Spend: {name}" for name in DSG_CATEGORIES["name"])

#: The layouts by table name (the key of :attr:`DeficitPlan.tables` without its scenario).
LAYOUTS = {
    "dsg_placements": Layout(
        "EHC plans by placement type", "Placement type",
        tuple(DSG_CATEGORIES["name"]) + (TOTAL,), "children", _DSG),
    "dsg_ages": Layout(
        "EHC plans by age group", "Age group",
        tuple(label(b, "age_band") for b in AGE_BANDS["age_band"]) + (TOTAL,), "children", _DSG),
    "dsg_needs": Layout(
        "EHC plans by primary need", "Primary need",
        tuple(T.NEED_LABELS[n] for n in T.NEEDS) + (TOTAL,), "children", _DSG),
    "dsg_financial_summary": Layout(
        "High needs financial summary", "High needs block",
        ("High Needs Block income",) + _SPEND_ROWS + (
            "Spend not per placement", "Total spend", "In-year balance",
            "Cumulative balance brought forward", "Cumulative balance carried forward",
            "Cumulative deficit"), "£", _FIN,
        notes=("Balances: negative is a deficit; the last row shows the deficit as a positive "
               "figure.",)),
    "scap_specialist": Layout(
        "Pupils needing a specialist place by provision type", "Provision type",
        ("State-funded special schools", "SEN units and resourced provision",
         "Alternative provision", "Independent and non-maintained special schools", TOTAL),
        "children", _SCAP, columns="academic_year", sub_headers=("Phase",)),
    "scap_nc_primary": Layout(
        "Pupils needing a specialist place, primary (Reception to Year 6), next 5 years",
        "National curriculum year",
        tuple(NC_YEARS.loc[NC_YEARS["phase"] == "primary", "nc_year"]) + (TOTAL,),
        "children", _SCAP, columns="academic_year"),
    "scap_nc_secondary": Layout(
        "Pupils needing a specialist place, secondary (Year 7 to Year 11), next 7 years",
        "National curriculum year",
        tuple(NC_YEARS.loc[NC_YEARS["phase"] == "secondary", "nc_year"]) + (TOTAL,),
        "children", _SCAP, columns="academic_year"),
}

#: SCAP provision types: provision code -> the SCAP type.
SCAP_TYPES = {
    "special_maintained": "State-funded special schools",
    "resource_base": "SEN units and resourced provision",
    "ap": "Alternative provision",
    "special_independent": "Independent and non-maintained special schools",
    "special_non_maintained": "Independent and non-maintained special schools",
}


def layout_of(name: str) -> Layout | None:
    """The layout for a table name such as ``dsg_placements_mitigated`` (or ``None``)."""
    for key in sorted(LAYOUTS, key=len, reverse=True):
        if name == key or name.startswith(key + "_"):
            return LAYOUTS[key]
    return None


def layout_sheet(table: pd.DataFrame, layout: str | Layout) -> pd.DataFrame:
    """A DfE-layout table as a sheet: the row labels in the first column, years as columns.

    Parameters
    ----------
    table : DataFrame
        Row labels as the index (a MultiIndex is joined with ": "), census years as columns.
    layout : str or Layout
        A key of :data:`LAYOUTS` (or a table name that starts with one) or a Layout.

    Returns
    -------
    DataFrame
        ``<row header>, <year label>...`` with ``attrs["unit"]`` and ``attrs["title"]`` set,
        which the workbook writer uses to format every year column.
    """
    spec = layout if isinstance(layout, Layout) else layout_of(layout)
    if spec is None:
        raise KeyError(f"no DfE layout for {layout!r}; expected one of {sorted(LAYOUTS)}")
    frame = table.copy()
    headers = [spec.row_header, *spec.sub_headers]
    if isinstance(frame.index, pd.MultiIndex):
        keys = [tuple(str(p) for p in key) for key in frame.index]
        keys = [(k[0], *[label(p, "phase") for p in k[1:]]) for k in keys]
        if len(headers) < len(keys[0]):
            headers += [f"Level {i}" for i in range(len(headers), len(keys[0]))]
        headers = headers[:len(keys[0])]
    else:
        keys = [(str(i),) for i in frame.index]
        headers = headers[:1]
    # the stage's own row order is the template's (rows a stage adds, e.g. income lines,
    # sit where it puts them); the layout's rows are what the template must have
    name = financial_year_label if spec.columns == "financial_year" else academic_year_label
    frame.columns = [name(c) if str(c).isdigit() else str(c) for c in frame.columns]
    out = pd.DataFrame(keys, columns=headers)
    for column in frame.columns:
        out[column] = frame[column].to_numpy(float)
    out.attrs.update(unit=spec.unit, title=spec.title, template=spec.template)
    return out


def scap_nc_sheets(nc: pd.DataFrame) -> dict:
    """The SCAP specialist forecast by NC year: one primary and one secondary sheet.

    Parameters
    ----------
    nc : DataFrame
        ``year, phase, nc_year, age, provision, demand`` (and ``area``), from
        :func:`sufficiency.scap.nc_year_demand`.

    Returns
    -------
    dict
        ``{"scap_nc_primary": frame, "scap_nc_secondary": frame}``: rows (planning area,)
        provision type and NC year with a total per type and an overall total; columns the
        first 5 (primary) or 7 (secondary) academic years.
    """
    out = {}
    nc = nc.assign(type=nc["provision"].map(SCAP_TYPES))
    nc = nc[nc["type"].notna()]
    types = [t for t in dict.fromkeys(SCAP_TYPES.values())]
    for phase, horizon in SCAP_HORIZON.items():
        spec = LAYOUTS[f"scap_nc_{phase}"]
        part = nc[nc["phase"] == phase]
        years = sorted(part["year"].unique())[:horizon]
        part = part[part["year"].isin(years)]
        keys = (["area"] if "area" in part else []) + ["type", "nc_year"]
        wide = part.pivot_table(index=keys, columns="year", values="demand", aggfunc="sum")
        order = list(spec.rows[:-1])
        index, values = [], []
        groups = [()] if "area" not in part else [(a,) for a in sorted(part["area"].unique())]
        for group in groups:
            for t in types:
                rows = [(*group, t, y) for y in order if (*group, t, y) in wide.index]
                for key in rows:
                    index.append(key)
                    values.append(wide.loc[key].to_numpy(float))
                index.append((*group, t, TOTAL))
                values.append(sum((wide.loc[key].to_numpy(float) for key in rows),
                                  np.zeros(len(wide.columns))))
        grand = (["All planning areas"] if "area" in part else []) + ["All provision types", TOTAL]
        index.append(tuple(grand))
        values.append(wide.sum(axis=0).to_numpy(float))
        table = pd.DataFrame(values, columns=[academic_year_label(c) for c in wide.columns])
        header = (["Planning area"] if "area" in part else []) + ["Provision type", spec.row_header]
        frame = pd.DataFrame(index, columns=header)
        for column in table.columns:
            frame[column] = table[column].to_numpy(float)
        frame.attrs.update(unit=spec.unit, title=spec.title, template=spec.template)
        out[f"scap_nc_{phase}"] = frame
    return out
