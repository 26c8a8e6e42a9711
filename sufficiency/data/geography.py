"""Local authorities: codes, names, boundary changes and statistical neighbours.

The key everywhere is the DfE 3-digit *old LA code* as a string (``"886"`` for Kent). New
(nine-character ONS) codes and names are accepted wherever an LA is asked for.

Boundary changes are data (:data:`BOUNDARY_CHANGES`), not branches: each row names a
*footprint* whose area is the same before and after a reorganisation, the LAs that made it up
before, the LAs that make it up after and the first January census with the new LAs. Summing
the members gives a continuous 2010-2025 series for the footprint.

References
----------
DfE, *LA codes list*; DfE, *Children's services statistical neighbour benchmarking tool* (May 2025).
"""

from __future__ import annotations

import functools

import pandas as pd

from .names import everyday_name, is_unique, match_la
from .vocabulary import suggest

__all__ = ["BOUNDARY_CHANGES", "CODE_ALIASES", "footprint_of", "resolve_la"]

#: Reorganisations since 2010 and the footprints that make a continuous series across them.
#: ``first_year`` is the first January census in which the new LAs report.
BOUNDARY_CHANGES = pd.DataFrame(
    [
        ("835+836+837", "Dorset, Bournemouth, Christchurch and Poole (footprint)",
         "835 836 837", "838 839", 2020,
         "April 2019: Dorset county, Bournemouth and Poole became Dorset (838) and "
         "Bournemouth, Christchurch and Poole (839); Christchurch moved between them, so only "
         "the combined footprint is continuous."),
        ("928", "Northamptonshire (footprint)", "928", "940 941", 2022,
         "April 2021: Northamptonshire became North Northamptonshire (940) and West "
         "Northamptonshire (941)."),
        ("909", "Cumbria (footprint)", "909", "942 943", 2024,
         "April 2023: Cumbria became Cumberland (942) and Westmorland and Furness (943)."),
    ],
    columns=["footprint_code", "footprint_name", "old_codes", "new_codes", "first_year", "note"],
)

#: New-code changes that keep the old code (the old code is the key, so these are aliases).
CODE_ALIASES = {
    "E10000002": "825",  # Buckinghamshire: county code in the 2025 release ...
    "E06000060": "825",  # ... unitary code (April 2020) in the 2022 release
    "E08000020": "390",  # Gateshead, re-issued as E08000037 (2013)
    "E06000048": "929",  # Northumberland, re-issued as E06000057 (2013)
}


def footprint_of(code: str) -> pd.Series | None:
    """The :data:`BOUNDARY_CHANGES` row whose footprint contains LA ``code``, or ``None``."""
    b = BOUNDARY_CHANGES
    for i, members in enumerate(zip(b["old_codes"], b["new_codes"], b["footprint_code"])):
        if code in _members_of(*members):
            return b.iloc[i]
    return None


@functools.lru_cache(maxsize=64)
def _members_of(old_codes: str, new_codes: str, footprint_code: str) -> frozenset:
    return frozenset(old_codes.split() + new_codes.split() + [footprint_code])


def _plain(name: str) -> str:
    """'Herefordshire, County of' -> 'herefordshire'; 'Bristol, City of' -> 'bristol'."""
    name = name.lower().strip()
    for suffix in (", county of", ", city of", " county council", " council"):
        name = name.removesuffix(suffix)
    return name.replace("&", "and").strip()


def resolve_la(la, las: pd.DataFrame) -> str:
    """Find an LA's 3-digit code from its old code, new code or name (case-insensitive).

    Parameters
    ----------
    la : str or int
        ``886``, ``"886"``, ``"E10000016"``, ``"kent"`` or a footprint code such as ``"928"``;
        a fragment or a misspelling that points to one LA only ("Hereford", "Wiltshre") is
        accepted too (:func:`sufficiency.data.names.match_la`).
    las : DataFrame
        The LA table (``la_code, new_la_code, la_name``), e.g. :func:`sufficiency.data.las`.

    Raises
    ------
    KeyError
        With a "did you mean" suggestion when nothing matches.

    Examples
    --------
    >>> from sufficiency.data import las
    >>> resolve_la("KENT", las())
    '886'
    """
    text = str(la).strip()
    if text.isdigit():
        text = text.zfill(3)
    if text in set(las["la_code"]) or text in set(BOUNDARY_CHANGES["footprint_code"]):
        return text
    upper = text.upper()
    if upper in CODE_ALIASES:
        return CODE_ALIASES[upper]
    by_new = las[las["new_la_code"].str.upper() == upper]
    if len(by_new):
        return by_new["la_code"].iloc[0]
    names = dict(zip(las["la_name"].str.lower(), las["la_code"]))
    names.update(zip(BOUNDARY_CHANGES["footprint_name"].str.lower(),
                     BOUNDARY_CHANGES["footprint_code"]))
    names.update({n.replace(" (footprint)", ""): c for n, c in list(names.items())})
    names.update({_plain(n): c for n, c in list(names.items())})
    if text.lower() in names:
        return names[text.lower()]
    if _plain(text) in names:
        return names[_plain(text)]
    matches = match_la(text, las)
    if is_unique(matches):
        return matches["la_code"].iloc[0]
    if len(matches):
        names = [everyday_name(n) for n in matches["la_name"]]
        hint = f" (did you mean {', '.join(repr(n) for n in dict.fromkeys(names))}?)"
    else:
        hint = suggest(text, list(las["la_name"]) + list(las["la_code"]))
    raise KeyError(f"no local authority {la!r}{hint}; expected a 3-digit old LA code, a "
                   "9-character new code or an LA name, e.g. '886', 'E10000016' or 'Kent'")
