"""The one label map, as the report uses it: :data:`sufficiency.data.labels.LABELS`.

Every code and key a person reads (needs, provisions, DSG categories, age bands, the deficit
plan's scenarios, headline measures, column names with their units, sheet names) is named in
the data layer's label table; this module re-exports it for the report's modules, and reads
the one kind of name built at run time, a lever's (:func:`lever_words`).
"""

from __future__ import annotations

import re

from ..data.labels import LABELS, label, label_values, legend, unit_of, words

__all__ = ["LABELS", "codes_as_words", "label", "label_values", "legend", "lever_words",
           "unit_of", "words"]

_SHARE_KEYS = ("reduction", "share", "rate", "fraction")


def _argument_words(key: str, value: str) -> str:
    name = words(key).lower()
    try:
        number = float(value)
    except ValueError:
        return f"{name} {words(value).lower() if '_' in value else value}"
    if key.endswith("year") and number.is_integer():
        return f"{name} {int(number)}"
    if any(k in key for k in _SHARE_KEYS) and abs(number) <= 1:
        return f"{name} {number * 100:.3g}%"
    return f"{name} {value}"


def lever_words(text) -> str:
    """A lever as the deficit plan names it (``forecast: reduce_new_plan_growth(reduction=0.25,
    from_year=2027)``, ``independent_step_down (forecast)``) in words.

    Examples
    --------
    >>> lever_words("forecast: reduce_new_plan_growth(reduction=0.25, from_year=2027)")
    'Reduce new plan growth (reduction 25%, from year 2027), in the forecast'
    >>> lever_words("independent_step_down (forecast)"), lever_words("interaction")
    ('Independent step down, in the forecast', 'Interaction: the levers together beyond the sum of each')
    """
    t = str(text).strip()
    if t == "interaction":
        return "Interaction: the levers together beyond the sum of each"
    m = re.fullmatch(r"(?:(\w+):\s*)?([a-z][a-z0-9_]*)\s*(?:\((.*?)\))?\s*(?:\((\w+)\))?", t)
    if not m or (not m.group(1) and not m.group(3) and not m.group(4) and "_" not in t):
        return t
    stage, name, args, where = m.groups()
    if args and "=" not in args and not where:    # "name (forecast)"
        args, where = None, args
    out = words(name)
    if args:
        parts = [a.split("=", 1) for a in re.split(r",\s*", args) if "=" in a]
        out += " (" + ", ".join(_argument_words(k.strip(), v.strip()) for k, v in parts) + ")"
    where = where or stage
    if where:
        out += f", in the {words(where).lower()}"
    return out


def codes_as_words(text) -> str:
    """Machine names inside a text (``special_independent, out_of_area``) as words.

    Examples
    --------
    >>> codes_as_words("even fewer_new_plans = 1 leaves a deficit")
    'even fewer new plans = 1 leaves a deficit'
    """
    def one(m):
        text = label(m.group(0))
        if m.start() > 0 and len(text) > 1 and text[1].islower():   # mid-sentence
            text = text[0].lower() + text[1:]
        return text

    return re.sub(r"\b[a-z]+(?:_[a-z0-9]+)+\b", one, str(text))
