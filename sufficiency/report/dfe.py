"""The DfE layouts as they are pasted into the templates: the templates' own row labels.

Two templates (docs/outputs.md says which source each label was checked against):

* **DSG management plan** (DfE, *DSG management plan template* and its guidance): the
  children and young people summary, for each of the seven placement categories the EHC
  plans by the five age groups and by the 13 primary needs, each with the template's total
  (post-16 and FE by ages 16-19 and 20-25 only), plus the seven categories side by side; and
  the high needs financial summary (income, spend by placement category, in-year and
  cumulative balance). Columns are financial years ("2025-26"); EHC plans are the January
  census inside that financial year.
* **SCAP** (DfE, *School capacity (SCAP) survey: guide for local authorities* and
  *Forecasting demand for SEND provision for SCAP*): resident pupils with an EHC plan who need
  a specialist place, for each of SCAP's four provision types (its SEND planning areas, per
  phase) the next 5 (primary) or 7 (secondary) academic years as rows and the national
  curriculum years (Reception to Year 6, Year 7 to Year 11) as columns; the LA's own planning
  areas when the scenario gives them. "2025/26" is the January 2026 census.

:data:`LAYOUTS` holds each layout as data (title, the heading of the label columns, the rows
in the template's order, the unit, the template); the templates' words come from the label
table (:data:`sufficiency.data.labels.LABELS`, kinds ``dfe_*``). :func:`layout_sheet` turns
a table of :mod:`sufficiency.finance.tables` (row labels as the index, census years as
columns) into the frame written to the workbook and to ``tables/*.csv``; :func:`dsg_breakdown`
and :func:`scap_nc_sheets` build theirs from tidy rows. Values are unrounded (the workbook
formats them). Rows a stage adds that the layout does not list (a Safety Valve income line)
are kept where the stage put them, so nothing is lost silently.

Examples
--------
>>> t = pd.DataFrame({2026: [1.0, 2.0]}, index=["Post-16 and further education", "Total"])
>>> layout_sheet(t, "dsg_placements").values.tolist()
[['Post 16 and further education (FE)', 1.0], ['Total', 2.0]]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.labels import LABELS, label
from ..data.vocabulary import AGE_BANDS, DSG_CATEGORIES, PROVISIONS, financial_year_label
from ..errors import ValidationError
from ..finance import tables as T
from ..scap import NC_YEARS, SCAP_HORIZON

__all__ = ["LAYOUTS", "Layout", "academic_year_label", "deficit_sheets", "dsg_breakdown",
           "dsg_placements_sheet", "financial_year_label", "layout_sheet", "scap_nc_sheets"]

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


_DSG = ("DfE DSG management plan template, children and young people summary "
        "(placement categories, age groups and primary needs as template v5, 2022-23)")
_FIN = ("DfE DSG management plan template, financial summary: high needs block "
        "(row wording ours, not verified against the template)")
_SCAP = ("DfE school capacity (SCAP) survey, SEND specialist provision forecast "
         "(provision types as the 2023-26 collections)")


def _labels(kind: str) -> dict:
    rows = LABELS[LABELS["kind"] == kind]
    return dict(zip(rows["key"], rows["label"]))


#: The template's words for each DSG placement category (code -> label), in its order.
DSG_TEMPLATE_CATEGORIES = {code: _labels("dfe_dsg_category")[code]
                           for code in DSG_CATEGORIES["dsg_category"]}
#: The template's words for each primary need (code -> label), in its order (ASD first).
DSG_TEMPLATE_NEEDS = {code: _labels("dfe_dsg_need")[code] for code in T.NEEDS}
#: The totals of the template's two breakdowns.
AGE_TOTAL, NEED_TOTAL = (_labels("dfe_dsg_total")[k] for k in ("age_band", "need"))
#: The age groups the template asks of a placement category (post-16 and FE: 16 and over).
TEMPLATE_AGE_BANDS = {code: [b for b in AGE_BANDS["age_band"]
                             if code != "post16_fe" or b in ("16-19", "20-25")]
                      for code in DSG_CATEGORIES["dsg_category"]}
#: SCAP's words for its four specialist provision types (the vocabulary's ``scap_type`` ->
#: label), in the order of the SEND planning areas they are entered against.
SCAP_TEMPLATE_TYPES = _labels("dfe_scap_type")
ALL_CATEGORIES = "All placement categories"
ALL_TYPES = "All provision types"

_SPEND_ROWS = tuple(f"Spend: {name}" for name in DSG_TEMPLATE_CATEGORIES.values())
_PRIMARY = tuple(NC_YEARS.loc[NC_YEARS["phase"] == "primary", "nc_year"])
_SECONDARY = tuple(NC_YEARS.loc[NC_YEARS["phase"] == "secondary", "nc_year"])

#: The layouts by table name (the key of :attr:`DeficitPlan.tables` without its scenario).
LAYOUTS = {
    "dsg_placements": Layout(
        "EHC plans by placement category", "Placement category",
        tuple(DSG_TEMPLATE_CATEGORIES.values()) + (TOTAL,), "children", _DSG),
    "dsg_ages": Layout(
        "EHC plans by placement category and age group", "Placement category",
        tuple(label(b, "age_band") for b in AGE_BANDS["age_band"]) + (AGE_TOTAL,), "children",
        _DSG, sub_headers=("Age group",)),
    "dsg_needs": Layout(
        "EHC plans by placement category and primary need", "Placement category",
        tuple(DSG_TEMPLATE_NEEDS.values()) + (NEED_TOTAL,), "children", _DSG,
        sub_headers=("Primary need",)),
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
        tuple(SCAP_TEMPLATE_TYPES.values()) + (TOTAL,),
        "children", _SCAP, columns="academic_year", sub_headers=("Phase",)),
    "scap_nc_primary": Layout(
        "Pupils needing a specialist place, primary (Reception to Year 6), next 5 years",
        "Provision type", _PRIMARY + (TOTAL,), "children", _SCAP, columns="nc_year",
        sub_headers=("Academic year",)),
    "scap_nc_secondary": Layout(
        "Pupils needing a specialist place, secondary (Year 7 to Year 11), next 7 years",
        "Provision type", _SECONDARY + (TOTAL,), "children", _SCAP, columns="nc_year",
        sub_headers=("Academic year",)),
}


def layout_of(name: str) -> Layout | None:
    """The layout for a table name such as ``dsg_placements_mitigated`` (or ``None``)."""
    for key in sorted(LAYOUTS, key=len, reverse=True):
        if name == key or name.startswith(key + "_"):
            return LAYOUTS[key]
    return None


def _year_columns(frame: pd.DataFrame, spec: Layout) -> list:
    name = financial_year_label if spec.columns == "financial_year" else academic_year_label
    return [name(c) if str(c).isdigit() else str(c) for c in frame.columns]


def _framed(keys: list, headers: list, values: pd.DataFrame, spec: Layout) -> pd.DataFrame:
    out = pd.DataFrame(keys, columns=headers)
    for column in values.columns:
        out[column] = values[column].to_numpy(float)
    out.attrs.update(unit=spec.unit, title=spec.title, template=spec.template)
    return out


#: The vocabulary's name of a DSG category (as the finance tables write it) -> the template's.
_CATEGORY_WORDS = {name: DSG_TEMPLATE_CATEGORIES[code] for code, name in
                   zip(DSG_CATEGORIES["dsg_category"], DSG_CATEGORIES["name"])}


def _template_words(text: str) -> str:
    """A finance table's row label in the template's words ("Spend: <category>" too)."""
    prefix = "Spend: " if text.startswith("Spend: ") else ""
    rest = text[len(prefix):]
    return prefix + _CATEGORY_WORDS.get(rest, SCAP_TEMPLATE_TYPES.get(rest, rest))


def layout_sheet(table: pd.DataFrame, layout: str | Layout) -> pd.DataFrame:
    """A DfE-layout table as a sheet: the row labels in the first column, years as columns.

    Parameters
    ----------
    table : DataFrame
        Row labels as the index (a MultiIndex gives one label column per level), census years
        as columns (:mod:`sufficiency.finance.tables`). Placement categories and SCAP types
        are written in the template's words; rows a stage adds that the layout does not list
        (a Safety Valve income line) are kept where the stage put them.
    layout : str or Layout
        A key of :data:`LAYOUTS` (or a table name that starts with one) or a Layout.

    Returns
    -------
    DataFrame
        ``<row header>, <year label>...`` with ``attrs["unit"]`` and ``attrs["title"]`` set,
        which the workbook writer uses to format every year column.

    Examples
    --------
    >>> t = pd.DataFrame({2026: [4.0, 6.0]}, index=["NMSS or independent schools", "Total"])
    >>> layout_sheet(t, "dsg_placements").values.tolist()[0]
    ['Non-maintained special schools or independent (NMSS or independent)', 4.0]
    """
    spec = layout if isinstance(layout, Layout) else layout_of(layout)
    if spec is None:
        raise KeyError(f"no DfE layout for {layout!r}; expected one of {sorted(LAYOUTS)}")
    frame = table.copy()
    headers = [spec.row_header, *spec.sub_headers]
    if isinstance(frame.index, pd.MultiIndex):
        keys = [tuple(str(p) for p in key) for key in frame.index]
        keys = [(_template_words(k[0]), *[label(p, "phase") for p in k[1:]]) for k in keys]
        if len(headers) < len(keys[0]):
            headers += [f"Level {i}" for i in range(len(headers), len(keys[0]))]
        headers = headers[:len(keys[0])]
    else:
        keys = [(_template_words(str(i)),) for i in frame.index]
        headers = headers[:1]
    frame.columns = _year_columns(frame, spec)
    out = _framed(keys, headers, frame, spec)
    if spec is LAYOUTS["scap_specialist"]:   # the template's order of the types
        order = {t: i for i, t in enumerate(spec.rows)}
        out = out.iloc[sorted(range(len(out)), key=lambda i: order.get(out.iloc[i, 0], 99))]
        out = out.reset_index(drop=True)
        out.attrs.update(unit=spec.unit, title=spec.title, template=spec.template)
    return out


def dsg_breakdown(placements: pd.DataFrame, by: str) -> pd.DataFrame:
    """EHC plans by DSG placement category and age group (``by="age_band"``) or primary need
    (``by="need"``), as the management plan template lays them out.

    One block per placement category in the template's order: the template's age groups
    (post-16 and FE: 16-19 and 20-25 only) or its 13 primary needs, then the block's total
    ("Total number by Age Group" / "Total number of EHCPs by primary need"); a last block
    for all placement categories. A row the template does not have but the data fills (a
    child under 16 in post-16 and FE) is kept, so the blocks still add up.

    Parameters
    ----------
    placements : DataFrame
        ``year, provision, count`` and the ``by`` column (children; other keys are summed).

    Returns
    -------
    DataFrame
        ``Placement category, Age group | Primary need, <financial year>...`` (children,
        unrounded); ``attrs["unit"] == "children"``.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2026, "provision": ["fe_college", "mainstream"],
    ...                   "age_band": ["16-19", "5-10"], "count": [3.0, 5.0]})
    >>> t = dsg_breakdown(p, "age_band")
    >>> t[t["Placement category"] == "Post 16 and further education (FE)"].values.tolist()
    [['Post 16 and further education (FE)', 'Age 16 to 19', 3.0], \
['Post 16 and further education (FE)', 'Age 20 to 25', 0.0], \
['Post 16 and further education (FE)', 'Total number by Age Group', 3.0]]
    """
    spec = LAYOUTS["dsg_ages" if by == "age_band" else "dsg_needs"]
    for column in ("year", "provision", "count", by):
        if column not in placements:
            raise ValidationError(f"placements: no column {column!r}; the DSG layout by "
                                  f"{'age group' if by == 'age_band' else 'primary need'} "
                                  "needs year, provision, count and " + by)
    p = placements[placements[by] != "all"]
    p = p.assign(category=p["provision"].map(T.PROVISION_TO_DSG))
    if p["category"].isna().any():
        raise ValidationError(f"placements: provisions "
                              f"{sorted(set(p.loc[p['category'].isna(), 'provision']))} have no "
                              "DSG category")
    years = sorted(p["year"].unique())
    wide = p.pivot_table(index=["category", by], columns="year", values="count",
                         aggfunc="sum").reindex(columns=years).fillna(0.0)
    words = (lambda b: label(b, "age_band")) if by == "age_band" else DSG_TEMPLATE_NEEDS.get
    order = list(AGE_BANDS["age_band"]) if by == "age_band" else list(DSG_TEMPLATE_NEEDS)
    total = AGE_TOTAL if by == "age_band" else NEED_TOTAL
    keys, rows = [], []
    zero = np.zeros(len(years))
    for code, name in list(DSG_TEMPLATE_CATEGORIES.items()) + [(None, ALL_CATEGORIES)]:
        block = wide if code is None else wide[wide.index.get_level_values(0) == code]
        block = block.groupby(level=1).sum()
        wanted = TEMPLATE_AGE_BANDS[code] if by == "age_band" and code else order
        extra = [k for k in block.index if k not in wanted and block.loc[k].abs().sum() > 0]
        for key in [k for k in order if k in wanted or k in extra] + \
                [k for k in extra if k not in order]:
            keys.append((name, words(key) or str(key)))
            rows.append(block.loc[key].to_numpy(float) if key in block.index else zero)
        keys.append((name, total))
        rows.append(block.sum(axis=0).to_numpy(float) if len(block) else zero)
    values = pd.DataFrame(rows, columns=[financial_year_label(y) for y in years])
    return _framed(keys, [spec.row_header, *spec.sub_headers], values, spec)


def dsg_placements_sheet(placements: pd.DataFrame) -> pd.DataFrame:
    """EHC plans by the template's seven placement categories and their total, per year.

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2026, "provision": ["ap", "elsewhere"], "count": [2.0, 1.0]})
    >>> dsg_placements_sheet(p).iloc[[4, 6, 7]].values.tolist()
    [['Hospital schools or alternative provision (AP)', 2.0], \
['Other placements or direct payments', 1.0], ['Total', 3.0]]
    """
    return layout_sheet(T.by_placement_category(placements), "dsg_placements")


def deficit_sheets(plan) -> dict:
    """Every DfE-layout sheet of a deficit plan, ``{"dfe_<table>_<scenario>": frame}``.

    The breakdowns by age group and primary need are made per placement category from the
    plan's placements (the template's layout); the rest from the plan's own tables
    (:mod:`sufficiency.finance.tables`). A financial summary's corner cell says what its money
    is (:meth:`~sufficiency.finance.DeficitPlan.statistic`), e.g. "High needs block (£, mean of
    500 simulated paths)"; the rows and columns are the template's.
    """
    out = {}
    keys = list(LAYOUTS)

    def order(name):   # the templates' order (placements, ages, needs, finance, SCAP)
        spec = layout_of(name)
        return (keys.index(next(k for k in keys if LAYOUTS[k] is spec)) if spec else 99, name)

    for name, frame in sorted(plan.tables.items(), key=lambda item: order(item[0])):
        kind = next((k for k in ("dsg_ages", "dsg_needs") if name.startswith(k + "_")), None)
        if kind is not None and "scenario" in plan.placements:
            scen = name[len(kind) + 1:]
            p = plan.placements[plan.placements["scenario"] == scen]
            out[f"dfe_{name}"] = dsg_breakdown(p, "age_band" if kind == "dsg_ages" else "need")
            continue
        try:
            sheet = layout_sheet(frame, name)
            if name.startswith("dsg_financial_summary_"):   # money: say what the figures are
                scen = name[len("dsg_financial_summary_"):]
                sheet = sheet.rename(columns={sheet.columns[0]: f"{sheet.columns[0]} "
                                              f"(£, {plan.statistic(scen)})"})
            out[f"dfe_{name}"] = sheet
        except KeyError:  # a table without a DfE layout: its labels as the first column
            frame = frame.reset_index()
            frame.columns = [str(c) for c in frame.columns]
            out[f"dfe_{name}"] = frame
    return out


def scap_nc_sheets(nc: pd.DataFrame) -> dict:
    """The SCAP specialist forecast by NC year: one primary and one secondary sheet, laid out
    as the SCAP SEND forecast is entered: a block per provision type (the SEND planning
    area), the forecast academic years as rows, the national curriculum years as columns.

    Parameters
    ----------
    nc : DataFrame
        ``year, phase, nc_year, age, provision, demand`` (and ``area``), from
        :func:`sufficiency.scap.nc_year_demand`.

    Returns
    -------
    dict
        ``{"scap_nc_primary": frame, "scap_nc_secondary": frame}``: rows (planning area,)
        provision type and academic year, the first 5 (primary) or 7 (secondary) years;
        columns Reception to Year 6 (Year 7 to Year 11) and their total; a last block for
        all provision types.

    Examples
    --------
    >>> nc = pd.DataFrame({"year": 2026, "phase": "secondary", "nc_year": ["Year 7", "Year 8"],
    ...                    "age": [11, 12], "provision": "special_non_maintained",
    ...                    "demand": [4.0, 5.0]})
    >>> s = scap_nc_sheets(nc)["scap_nc_secondary"]
    >>> s.iloc[:, :5].values.tolist()[2]      # non-maintained special schools are state-funded in SCAP
    ['State-funded special schools (LA-maintained, special academies, non-maintained special \
schools)', '2025/26', 4.0, 5.0, 0.0]
    """
    out = {}
    types = dict(zip(PROVISIONS["provision"], PROVISIONS["scap_type"]))
    nc = nc.assign(type=nc["provision"].map(types).map(SCAP_TEMPLATE_TYPES))
    nc = nc[nc["type"].notna()]
    for phase, horizon in SCAP_HORIZON.items():
        spec = LAYOUTS[f"scap_nc_{phase}"]
        part = nc[nc["phase"] == phase]
        years = sorted(part["year"].unique())[:horizon]
        part = part[part["year"].isin(years)]
        nc_years = list(spec.rows[:-1])
        groups = [()] if "area" not in part else [(a,) for a in sorted(part["area"].unique())]
        keys, rows = [], []
        for group in groups:
            g = part if not group else part[part["area"] == group[0]]
            for t in list(SCAP_TEMPLATE_TYPES.values()) + [ALL_TYPES]:
                block = g if t == ALL_TYPES else g[g["type"] == t]
                wide = block.pivot_table(index="year", columns="nc_year", values="demand",
                                         aggfunc="sum").reindex(index=years, columns=nc_years)
                wide = wide.fillna(0.0)
                for y in years:
                    keys.append((*group, t, academic_year_label(y)))
                    rows.append(list(wide.loc[y].to_numpy(float)) + [float(wide.loc[y].sum())])
        values = pd.DataFrame(rows, columns=nc_years + [TOTAL])
        headers = (["Planning area"] if "area" in part else []) + \
            [spec.row_header, *spec.sub_headers]
        out[f"scap_nc_{phase}"] = _framed(keys, headers, values, spec)
    return out
