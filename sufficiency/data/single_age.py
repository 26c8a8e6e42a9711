"""EHC plans by single year of age and placement, January 2024 and 2025 (SEN2 2025 release).

The 2025 release of *Education, health and care plans* breaks the caseload down by the child's
age (``breakdown_topic == "Child or young persons age"``) for the 2024 and 2025 censuses, with
the placement columns. Two consecutive years by single age are what ageing cohorts forward
needs (:mod:`sufficiency.scap`): the SCAP return asks for forecasts by national curriculum year.

Ages are in whole years at 31 August before the census (DfE convention): age 4 is Reception.
``under 3`` / ``age 2 and under`` are read as age 2, ``age 20 and over`` as 20; plans of unknown
age are left out (they are in the LA total of :func:`sufficiency.data.la_history`).

References
----------
DfE, *Education, health and care plans*, 2025 release, ``caseload.csv``.
Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import pandas as pd

from . import dfe
from .vocabulary import SEN2_PLACEMENT_COLUMNS

__all__ = ["la_caseload_by_single_age", "read_caseload_by_single_age"]

_SPECIAL = {"under 3": 2, "age 2 and under": 2, "age 20 and over": 20}


def _single_age(labels: pd.Series) -> pd.Series:
    text = labels.str.lower().str.strip()
    age = text.map(_SPECIAL)
    single = pd.to_numeric(text.str.extract(r"^age (\d+)$", expand=False), errors="coerce")
    return age.fillna(single)


def read_caseload_by_single_age(path) -> pd.DataFrame:
    """EHC plans in January by single age and placement from the 2025 release's ``caseload.csv``.

    Parameters
    ----------
    path : str or Path
        ``dfe-sen2-2025/caseload.csv``.

    Returns
    -------
    DataFrame
        ``year, level, la_code, la_name, age, provision, count`` (``provision == "all"``: every
        plan of that age). Children, January census.
    """
    raw = dfe._read(path)
    ages = raw[raw["breakdown_topic"] == "Child or young persons age"].copy()
    ages["age"] = _single_age(ages["breakdown"])
    ages = ages[ages["age"].notna()]
    year = dfe._year(ages["time_period"])
    parts = []
    for column, provision in list(SEN2_PLACEMENT_COLUMNS.items()) + [("ehcplans", "all")]:
        if column not in ages.columns:
            continue
        part = dfe._keys(ages, year)
        part["age"] = ages["age"].astype(int)
        part["provision"] = provision
        part["count"] = dfe._numeric(ages, column, path)
        parts.append(part)
    return dfe._finish(pd.concat(parts), ["age", "provision"], aggregate=True)


def la_caseload_by_single_age(la) -> pd.DataFrame:
    """An LA's EHC plans by single age and placement, January 2024 and 2025 (embedded data).

    Parameters
    ----------
    la : str or int
        LA code or name (:func:`sufficiency.data.resolve_la`); ``"england"`` for England.

    Returns
    -------
    DataFrame
        ``year, age, provision, count`` (children; ``provision == "all"`` is every plan).

    Examples
    --------
    >>> t = la_caseload_by_single_age("Wiltshire")
    >>> int(t.query("year == 2025 and age == 4 and provision == 'all'")["count"].iloc[0])
    237
    """
    from .example import _code, load_table

    code = _code(la)
    table = load_table("caseload_single_age")
    out = table[table["la_code"] == code].drop(columns="la_code")
    if out.empty:
        raise KeyError(f"no single-age caseload for LA {la!r}; expected an LA in the SEN2 2025 "
                       "release (single ages are published for January 2024 and 2025)")
    return out.reset_index(drop=True)
