"""LA names as people write them: everyday names, fragments and common misspellings.

The DfE lists some LAs by a formal name ("Herefordshire, County of", "Bristol, City of"); people
type "Hereford", "Herfordshire" or "County of Herefordshire". :func:`match_la` ranks the LAs a
piece of text may mean, :func:`everyday_name` gives the name a title should use.

How a match is found, in order (the first rule that finds anything decides):

1. the whole name, once case, punctuation, "&", and the words "county of", "city of",
   "council", "borough of" are set aside ("County of Herefordshire" is "herefordshire");
2. a fragment: the text (four letters or more) starts a word of the LA's name ("Hereford" ->
   Herefordshire, "Hull" -> Kingston upon Hull, "Southend" -> Southend-on-Sea); names that
   *start* with the fragment rank before names that only contain it ("Gloucester" ->
   Gloucestershire before South Gloucestershire);
3. a misspelling: the fewest letters inserted, dropped, changed or swapped (optimal string
   alignment distance), up to one letter in six, against the whole name or its first words
   ("Westmoreland" -> Westmorland and Furness). "Herfordshire" is one letter from both
   Herefordshire and Hertfordshire: both are offered, and neither is chosen for the user.

Common short forms ("Notts", "BCP", "Northants") are read as the names they stand for
(:data:`ABBREVIATIONS`).

References
----------
DfE, *LA codes list* (names as published); Damerau (1964), *A technique for computer detection
and correction of spelling errors*, Communications of the ACM 7(3).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["ABBREVIATIONS", "everyday_name", "is_unique", "match_la", "normalise_name", "osa_distance"]

_DROP = ("county council", "city council", "borough council", "metropolitan borough",
         "royal borough of", "london borough of", "borough of", "county of", "city of",
         "council", "(footprint)", "the ")


#: Short forms people write for an LA (after :func:`normalise_name`), as data.
ABBREVIATIONS = {
    "bcp": "bournemouth christchurch and poole", "banes": "bath and north east somerset",
    "b and nes": "bath and north east somerset", "beds": "bedfordshire",
    "bucks": "buckinghamshire", "cambs": "cambridgeshire", "glos": "gloucestershire",
    "hants": "hampshire", "herts": "hertfordshire", "lancs": "lancashire",
    "leics": "leicestershire", "lincs": "lincolnshire", "northants": "northamptonshire",
    "notts": "nottinghamshire", "oxon": "oxfordshire", "staffs": "staffordshire",
    "warks": "warwickshire", "wilts": "wiltshire", "worcs": "worcestershire",
    "derbys": "derbyshire", "salop": "shropshire", "iow": "isle of wight",
}


def everyday_name(name: str) -> str:
    """The name a person uses: "Herefordshire, County of" -> "Herefordshire".

    Examples
    --------
    >>> everyday_name("Herefordshire, County of"), everyday_name("Bristol, City of")
    ('Herefordshire', 'Bristol')
    >>> everyday_name("Kingston upon Hull, City of"), everyday_name("County Durham")
    ('Kingston upon Hull', 'County Durham')
    """
    text = str(name).strip()
    return re.sub(r",\s*(county|city) of$", "", text, flags=re.IGNORECASE).strip()


def normalise_name(text: str) -> str:
    """Lower case, "&" as "and", punctuation and the words of :data:`_DROP` set aside.

    Examples
    --------
    >>> normalise_name("County of Herefordshire"), normalise_name("Stoke-on-Trent")
    ('herefordshire', 'stoke on trent')
    >>> normalise_name("St. Helens"), normalise_name("Brighton & Hove City Council")
    ('st helens', 'brighton and hove')
    """
    text = f" {str(text).lower().replace('&', ' and ')} "
    text = re.sub(r"[,.\-'’()/]", " ", text)
    for phrase in _DROP:
        phrase = re.sub(r"[()]", " ", phrase).strip()
        text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text)
    text = " ".join(text.split())
    for short, full in ABBREVIATIONS.items():
        if " " in short:
            text = re.sub(rf"\b{re.escape(short)}\b", full, text)
    return " ".join(ABBREVIATIONS.get(w, w) for w in text.split())


def match_la(text, las: pd.DataFrame, limit: int = 5) -> pd.DataFrame:
    """The LAs ``text`` may name, best first.

    Parameters
    ----------
    text : str
        What the user typed.
    las : DataFrame
        ``la_code, la_name`` (e.g. :func:`sufficiency.data.las`).
    limit : int
        At most this many candidates.

    Returns
    -------
    DataFrame
        ``la_code, la_name, how, score`` (``how``: ``name``, ``fragment`` or ``spelling``;
        ``score``: 0 for the best kind of match, higher is worse). Empty when nothing is close.
        One row per code. The first row is the answer only when :func:`is_unique` says so.

    Examples
    --------
    >>> from sufficiency.data import las
    >>> match_la("Hereford", las())[["la_name", "how"]].iloc[0].tolist()
    ['Herefordshire, County of', 'fragment']
    >>> match_la("Herfordshire", las())["la_name"].tolist()[:2]
    ['Herefordshire, County of', 'Hertfordshire']
    """
    query = normalise_name(text)
    columns = ["la_code", "la_name", "how", "score"]
    if len(query) < 2:
        return pd.DataFrame(columns=columns)
    names = las[["la_code", "la_name"]].drop_duplicates("la_code", keep="last")
    names = names[names["la_code"].astype(str).str.isdigit() | (names["la_name"] != "England")]
    norm = {code: normalise_name(name) for code, name in zip(names["la_code"], names["la_name"])}
    full = {code: name for code, name in zip(names["la_code"], names["la_name"])}
    rows = [(c, full[c], "name", 0.0) for c, n in norm.items() if n == query]
    if not rows and len(query) >= 4:
        for code, name in norm.items():
            words = name.split()
            if any(w.startswith(query) for w in words) or name.startswith(query):
                rows.append((code, full[code], "fragment", 0.0 if name.startswith(query) else 1.0))
    if not rows:
        allowed = max(1, len(query) // 6)
        for code, name in norm.items():
            d = osa_distance(query, name)
            # a misspelt fragment: the same number of words from the start of the name
            start = " ".join(name.split()[:len(query.split())])
            d_start = osa_distance(query, start) + 0.5 if start != name else d
            best = min(d, d_start)
            if best <= allowed:
                rows.append((code, full[code], "spelling", float(best)))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["score", "la_name"], kind="stable").head(limit).reset_index(drop=True)


def is_unique(matches: pd.DataFrame) -> bool:
    """True when the best candidate is strictly better than the next one (a safe answer)."""
    if len(matches) == 0:
        return False
    if len(matches) == 1:
        return True
    return float(matches["score"].iloc[0]) < float(matches["score"].iloc[1])


def osa_distance(a: str, b: str) -> int:
    """Letters inserted, dropped, changed or swapped (adjacent) to turn ``a`` into ``b``.

    Examples
    --------
    >>> osa_distance("herfordshire", "herefordshire"), osa_distance("middlesborough", "middlesbrough")
    (1, 1)
    >>> osa_distance("wilthsire", "wiltshire")
    1
    """
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
