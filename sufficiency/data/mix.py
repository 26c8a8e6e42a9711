"""The placement mix and the need mix: the one home of each, used by every stage.

Both are shares of the LA's latest January counts (SEN2) within a key:

* :func:`placement_mix`: the share of each placement type (``provision``) among the children
  placed, overall or within each age band. The demand step splits the forecast's age bands
  with it; the DSG plan costs a forecast without placements with it.
* :func:`need_mix`: the share of each primary need (or need group) within each placement type or
  age band. The demand step splits specialist demand by need group with it; the flow account
  splits its stocks and transfers with it; the need forecast starts from it.

Where the stages' rules differ on purpose (what a group with no children gets: an error in the
demand step, the LA-wide mix in the DSG plan) the difference is a named parameter, not a second
function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .vocabulary import NEED_AREAS

__all__ = ["placement_mix", "need_mix"]


def placement_mix(placements: pd.DataFrame, year: int | str | None = None,
                  by: str | None = None, *, groups=None, empty="raise",
                  value: str = "count") -> pd.DataFrame:
    """``[year,] [by,] provision, share``: the share of each placement type among the children
    placed.

    Parameters
    ----------
    placements : DataFrame
        ``year, provision, count`` (plus the ``by`` column), e.g.
        :func:`sufficiency.data.la_placements` or :func:`sufficiency.data.la_placements_by_age`
        (children in January). ``provision == "all"`` rows (totals) are ignored; a missing
        count is 0.
    year : int or "each", optional
        Census year to take (default: the latest year with a count); ``"each"``: a mix for
        every year (a ``year`` column leads), e.g. of a placement projection such as the flow
        account's stocks, so that a forecast costed with it is placed as the projection places
        it, year by year.
    by : str, optional
        A key to keep (``"age_band"``): shares then sum to 1 within each of its values.
    groups : sequence, optional
        The values of ``by`` to return (e.g. a forecast's age bands); default those in the
        table. A group not in the table counts as empty.
    empty : {"raise", "zero", "drop"} or DataFrame
        What a group without children gets: ``"raise"`` a ValidationError (the demand step:
        a forecast band that cannot be split is an input error), ``"zero"`` shares of 0,
        ``"drop"`` no rows (a year of a projection with nobody in a band), or a
        ``provision, share`` mix to use instead (the DSG plan: a band the LA's by-age table
        lacks takes the LA-wide mix).
    value : str
        The count column (``"count"``; ``"stock"`` for the flow account's table).

    Returns
    -------
    DataFrame
        ``[by,] provision, share``, sorted by ``by`` then provision (groups filled from
        ``empty`` come last).

    Examples
    --------
    >>> p = pd.DataFrame({"year": 2025, "provision": ["mainstream", "special_maintained", "all"],
    ...                   "count": [60.0, 40.0, 100.0]})
    >>> placement_mix(p)["share"].tolist()
    [0.6, 0.4]
    >>> a = pd.DataFrame({"year": 2025, "age_band": "5-10",
    ...                   "provision": ["mainstream", "special_maintained"], "count": [3.0, 1.0]})
    >>> placement_mix(a, by="age_band")["share"].tolist()
    [0.75, 0.25]
    >>> fill = placement_mix(p)
    >>> placement_mix(a, by="age_band", groups=["5-10", "16-19"], empty=fill).values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['5-10', 'mainstream', 0.75], ['5-10', 'special_maintained', 0.25],
     ['16-19', 'mainstream', 0.6], ['16-19', 'special_maintained', 0.4]]
    """
    if isinstance(year, str) and year == "each":
        if by and groups is None and isinstance(empty, str) and empty in ("drop", "zero") \
                and all(c in placements for c in ("year", by, "provision", value)):
            return _each_year(placements, by, empty, value)
        out = [placement_mix(placements, int(y), by, groups=groups, empty=empty, value=value)
               .assign(year=int(y)) for y in sorted(placements["year"].unique())]
        out = pd.concat(out, ignore_index=True)
        return out[["year"] + [c for c in out.columns if c != "year"]]
    keys = ([by] if by else []) + ["provision"]
    missing = [c for c in ["year", value] + keys if c not in placements]
    if missing:
        raise ValidationError(f"placements: missing columns {missing}; expected "
                              f"{['year'] + keys + [value]}")
    df = placements[placements["provision"] != "all"].rename(columns={value: "count"})
    counted = df[df["count"].notna()]
    if year is None:
        year = int(counted["year"].max()) if len(counted) else int(df["year"].max())
    df = df[df["year"] == int(year)].assign(count=lambda d: d["count"].fillna(0.0))
    df = df.groupby(keys, as_index=False)["count"].sum()
    total = df.groupby(by)["count"].transform("sum") if by else \
        pd.Series(df["count"].sum(), index=df.index)
    df["share"] = (df["count"] / total.where(total > 0)).fillna(0.0)
    if not by:
        if df["count"].sum() <= 0 and isinstance(empty, str) and empty == "raise":
            raise ValidationError(f"placements: no children placed in {year}; expected counts "
                                  "to make a placement mix from")
        if df["count"].sum() <= 0 and isinstance(empty, str) and empty == "drop":
            df = df.iloc[:0]
        return df[keys + ["share"]].reset_index(drop=True)
    have = set(df.loc[total > 0, by])
    wanted = list(dict.fromkeys(df[by])) if groups is None else list(groups)
    lacking = [g for g in wanted if g not in have]
    if lacking and isinstance(empty, str) and empty == "raise":
        raise ValidationError(f"placements by {by}: {sorted(map(str, lacking))} have no "
                              f"placements in {year}; expected counts to split the forecast by")
    kept = df[df[by].isin([g for g in wanted if g in have])]
    if isinstance(empty, pd.DataFrame):
        kept = pd.concat([kept] + [empty.assign(**{by: g}) for g in lacking], ignore_index=True)
    elif empty == "drop":
        pass
    else:
        kept = df[df[by].isin(wanted)].assign(share=lambda d: d["share"].where(
            d[by].isin(have), 0.0))
    return kept[keys + ["share"]].reset_index(drop=True)


def _each_year(placements: pd.DataFrame, by: str, empty: str, value: str) -> pd.DataFrame:
    """``placement_mix(year="each", by=by, empty=empty)`` in one grouping over the years: the
    same sums, in the same order, as year by year (``empty`` "drop" or "zero", every group of
    the table)."""
    df = placements[placements["provision"] != "all"].rename(columns={value: "count"})
    df = df.assign(count=df["count"].fillna(0.0))
    df = df.groupby(["year", by, "provision"], as_index=False)["count"].sum()
    total = df.groupby(["year", by])["count"].transform("sum")
    df["share"] = (df["count"] / total.where(total > 0)).fillna(0.0)
    if empty == "drop":
        df = df[(total > 0).to_numpy()]
    out = df[["year", by, "provision", "share"]].reset_index(drop=True)
    return out.assign(year=out["year"].astype("int64"))


def need_mix(needs: pd.DataFrame, by: str = "provision", mapping: dict | None = NEED_AREAS,
             *, fill_from: str | None = "all", groups=None) -> pd.DataFrame:
    """``<by>, need_group, share``: the need mix within each placement type (or age band).

    Parameters
    ----------
    needs : DataFrame
        ``need, <by>, count`` (e.g. :func:`sufficiency.data.la_needs`, by placement, or
        :func:`sufficiency.data.la_need_by_age`, by age band); every row is counted (the
        embedded tables hold one January).
    by : str
        The key the mix is within: ``"provision"`` or ``"age_band"``.
    mapping : dict or None
        Need code -> need group (default the Code of Practice areas,
        :data:`sufficiency.data.NEED_AREAS`, a plain dict the user may replace); ``None``
        keeps the need codes themselves as the groups.
    fill_from : str or None
        The ``by`` value whose mix a group without children takes (``"all"``: the LA-wide
        row); ``None`` leaves such a group's shares missing (NaN), for the caller to refuse.
    groups : sequence, optional
        The ``by`` values to return; default every placement type in
        :data:`sufficiency.data.PROVISIONS` when ``by == "provision"`` and ``fill_from`` is
        given, else those in the table.

    Returns
    -------
    DataFrame
        ``<by>, need_group, share`` (shares sum to 1 within each group that has children).

    Examples
    --------
    >>> n = pd.DataFrame({"need": ["ASD", "SEMH", "ASD", "MLD"],
    ...                   "provision": ["special_maintained", "special_maintained", "all", "all"],
    ...                   "count": [6.0, 2.0, 10.0, 10.0]})
    >>> m = need_mix(n)
    >>> m[m["provision"] == "special_maintained"]["share"].tolist()
    [0.75, 0.25]
    >>> m[m["provision"] == "ap"][["need_group", "share"]].values.tolist()
    [['cognition_learning', 0.5], ['communication_interaction', 0.5]]
    """
    from .vocabulary import PROVISIONS

    for col in ("need", by, "count"):
        if col not in needs:
            raise ValidationError(f"needs: missing column {col!r}; expected need, {by}, count")
    df = needs.copy()
    df["count"] = df["count"].fillna(0)
    if mapping is None:
        df["need_group"] = df["need"]
    else:
        unknown = sorted(set(df["need"]) - set(mapping))
        if unknown:
            raise ValidationError(f"need mapping: codes {unknown} are not mapped; expected every "
                                  f"need code to have a group")
        df["need_group"] = df["need"].map(mapping)
    grouped = df.groupby([by, "need_group"], as_index=False)["count"].sum()
    total = grouped.groupby(by)["count"].transform("sum")
    grouped["share"] = np.where(total > 0, grouped["count"] / total.where(total > 0, 1), np.nan)
    if groups is None:
        groups = list(PROVISIONS["provision"]) if by == "provision" and fill_from is not None \
            else list(dict.fromkeys(grouped[by]))
    overall = grouped[grouped[by] == fill_from].set_index("need_group")["share"] \
        if fill_from is not None else pd.Series(dtype=float)
    rows = []
    for group in groups:
        own = grouped[(grouped[by] == group) & grouped["share"].notna()]
        if len(own):
            shares = own.set_index("need_group")["share"]
        elif fill_from is not None:
            shares = overall
        else:
            shares = grouped[grouped[by] == group].set_index("need_group")["share"]
        rows += [(group, g, s) for g, s in shares.items()]
    return pd.DataFrame(rows, columns=[by, "need_group", "share"])
