"""Every published table of one LA that a scenario run uses, read once.

A run (:func:`sufficiency.workflow.run_scenario`) calls :func:`la_data` once and hands the
frames to the stages: the forecast (its history, population and England's reference series),
the flow account and the demand step (placements, needs, new and ceased plans), SCAP (single
ages), the place plan (placements, needs, ESFA-funded places), the cost calibration (high needs
outturn, funded places, neighbours, region), the DSG plan (the high needs block), the backcast
and opening balance (s251 outturn, DSG balances). No stage reads the embedded data by LA code
inside a run; the ``la=`` conveniences on the stages' public functions are for notebooks.

A table the embedded data does not hold for the LA (e.g. no single-age caseload, no s251
outturn for an LA created after 2021) is ``None`` and its reason is kept in
:attr:`LAData.missing`, for the step that needs it to say so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from . import example, highneeds, population, s251, single_age
from .history import history_steps

__all__ = ["LAData", "la_data"]


@dataclass
class LAData:
    """One LA's published tables (and England's reference series), read once for a run.

    Attributes
    ----------
    la_code : str
        The LA's 3-digit code (the continuous footprint of a reorganised LA).
    history : DataFrame
        ``year, age_band, count, flag``: EHC plans in January (:func:`~sufficiency.data.
        la_history`).
    history_notes : list of str
        The warnings reading the history gave and, when age bands are estimated (2023: the
        DfE published none), a note saying so: for the run's notes.
    placements, placements_by_age, needs, new_plans, ceased_plans : DataFrame
        SEN2 tables (:func:`~sufficiency.data.la_placements`, ``la_placements_by_age``,
        ``la_needs``, ``la_new_plans``, ``la_ceased_plans``).
    caseload_single_age : DataFrame or None
        :func:`~sufficiency.data.la_caseload_by_single_age` (SCAP).
    funded_places, high_needs, high_needs_block, dsg_deficit : DataFrame or None
        The money tables of :mod:`sufficiency.data.highneeds` (``year`` = census year).
    s251 : DataFrame or None
        :func:`~sufficiency.data.la_s251_high_needs`.
    population : DataFrame or None
        ``age, population``: ONS mid-2023 by single year of age
        (:func:`~sufficiency.data.population.la_population`).
    area_population : DataFrame
        ``year, population``: the LA's all-age ONS population by census year.
    england_history : DataFrame
        ``year, age_band, count, flag``: England's EHC plans, the forecast's pooling reference.
    england_population : DataFrame
        ``year, population``: England's all-age population by census year.
    neighbours : list of str
        The DfE statistical neighbours, nearest first.
    neighbour_new_plans : dict
        ``code -> new plans by placement`` for each neighbour with figures (read only when the
        run pools the new-placement mix).
    region_codes : list of str
        The LAs of the LA's region (the calibration's peers).
    missing : dict
        ``table name -> the exception`` for each table the embedded data lacks for this LA.
    """

    la_code: str
    history: pd.DataFrame
    placements: pd.DataFrame
    placements_by_age: pd.DataFrame
    needs: pd.DataFrame
    new_plans: pd.DataFrame
    ceased_plans: pd.DataFrame
    area_population: pd.DataFrame
    england_history: pd.DataFrame
    england_population: pd.DataFrame
    history_notes: list = field(default_factory=list)
    caseload_single_age: pd.DataFrame | None = None
    funded_places: pd.DataFrame | None = None
    high_needs: pd.DataFrame | None = None
    high_needs_block: pd.DataFrame | None = None
    dsg_deficit: pd.DataFrame | None = None
    s251: pd.DataFrame | None = None
    population: pd.DataFrame | None = None
    neighbours: list = field(default_factory=list)
    neighbour_new_plans: dict = field(default_factory=dict)
    region_codes: list = field(default_factory=list)
    missing: dict = field(default_factory=dict)

    def require(self, *names: str) -> None:
        """Raise the reason the embedded data lacks a table ``names`` names for this LA.

        Examples
        --------
        >>> d = LAData("000", *[pd.DataFrame()] * 9, missing={"s251": KeyError("no s251")})
        >>> d.require("s251")
        Traceback (most recent call last):
        KeyError: 'no s251'
        """
        for name in names:
            if getattr(self, name) is None:
                raise self.missing[name]


def la_data(la, *, neighbour_new_plans: bool = False) -> LAData:
    """Read every table of one LA a scenario run uses from the embedded data, once.

    Parameters
    ----------
    la : str or int
        LA code (``"865"``), new code or name (``"Wiltshire"``).
    neighbour_new_plans : bool
        Also read the statistical neighbours' new plans by placement (a run whose new-placement
        mix is pooled with its neighbours').

    Returns
    -------
    LAData

    Examples
    --------
    >>> d = la_data("Wiltshire")
    >>> d.la_code, int(d.placements.query("year == 2025 and provision == 'all'")["count"].item())
    ('865', 6383)
    >>> sorted(d.missing)
    []
    """
    from .geography import resolve_la

    code = resolve_la(la, example.load_table("las"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = example.la_history(code)
    notes = [str(w.message) for w in caught]
    if (history["flag"] != "").any():
        notes.append("DfE did not publish 2023 age bands: they are estimated (flagged in the "
                     "history sheet) and add up to the published 2023 total.")
    notes += history_steps(history)
    areas = population.area_populations()
    out = LAData(
        la_code=code, history=history, history_notes=notes,
        placements=example.la_placements(code), placements_by_age=example.la_placements_by_age(code),
        needs=example.la_needs(code), new_plans=example.la_new_plans(code),
        ceased_plans=example.la_ceased_plans(code),
        area_population=areas[areas["la_code"] == code].drop(columns="la_code"),
        england_history=example.england_history(),
        england_population=areas[areas["la_code"] == example.ENGLAND].drop(columns="la_code"))
    optional = {"caseload_single_age": single_age.la_caseload_by_single_age,
                "funded_places": highneeds.la_funded_places,
                "high_needs": highneeds.la_high_needs,
                "high_needs_block": highneeds.la_high_needs_block,
                "dsg_deficit": highneeds.la_dsg_deficit,
                "s251": s251.la_s251_high_needs,
                "population": population.la_population}
    for name, read in optional.items():
        try:
            setattr(out, name, read(code))
        except (KeyError, ValueError) as err:   # not in the embedded data for this LA
            out.missing[name] = err
    try:
        out.neighbours = example.statistical_neighbours(code)
    except KeyError as err:
        out.missing["neighbours"] = err
    las = example.load_table("las")
    region = las.loc[las["la_code"] == code, "region"] if "region" in las else pd.Series([])
    if len(region):
        out.region_codes = list(las.loc[las["region"] == region.iloc[0], "la_code"])
    if neighbour_new_plans:
        for other in out.neighbours:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    out.neighbour_new_plans[other] = example.la_new_plans(other)
                except KeyError:  # a neighbour without new-plan figures
                    continue
    return out
