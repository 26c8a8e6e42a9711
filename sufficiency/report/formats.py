"""How numbers are shown to people: in the workbook, on the page, in the assumptions table.

One rule per unit, and the unit comes from the label table (:mod:`sufficiency.data.labels`)
or, for a name it does not know, from the column name (``*_gbp`` is money, ``*_share`` a
share), so a table another stage adds later is formatted the same way.

============  ==========================  ===============================================
unit          workbook (Excel format)     page
============  ==========================  ===============================================
``£``         ``£#,##0`` (negatives red)  £m with one decimal from £1m; £12,345 below
``%``         ``0.0%``                    12.3%
children,     ``#,##0``                   1,234 (whole; never fractional children)
places
``year``      ``0``                       2030 (never 2,030)
(none)        as is                       words as given; numbers to 2 significant decimals
============  ==========================  ===============================================

Examples
--------
>>> money_text(-38603858.0), money_text(19481.2), share_text(0.2)
('-£38.6m', '£19,481', '20%')
>>> value_text(0.035, "per year"), value_text(2030, "year"), value_text(True)
('3.5%', '2030', 'yes')
"""

from __future__ import annotations

import math
import numbers

from ..data.labels import unit_of

__all__ = ["EXCEL_FORMATS", "cell_text", "count_text", "excel_format", "money_text",
           "share_text", "value_text"]

#: Excel number format by unit.
EXCEL_FORMATS = {
    "£": '"£"#,##0;[Red]-"£"#,##0',
    "%": "0.0%",
    "pct": '0.0"%"',
    "children": "#,##0",
    "places": "#,##0",
    "year": "0",
    "per 1,000": "0.0",
}

#: Units that mean a share of one when a value is below 1 (assumptions as given by users).
_RATE_UNITS = {"per year", "per_year", "fraction", "share", "%", "rate", "per cent"}


def excel_format(column: str, table: str | None = None) -> str | None:
    """The Excel number format for a column (``None``: leave as it is).

    Examples
    --------
    >>> excel_format("capital_cost"), excel_format("utilisation"), excel_format("setting")
    ('"£"#,##0;[Red]-"£"#,##0', '0.0%', None)
    """
    return EXCEL_FORMATS.get(unit_of(column, table))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money_text(value: float) -> str:
    """£m with one decimal from £1m up, whole pounds with separators below.

    Examples
    --------
    >>> money_text(845_200_000), money_text(1_250_000), money_text(250_000)
    ('£845.2m', '£1.2m', '£250,000')
    >>> money_text(-0.0000001), money_text(-0.4), money_text(-1_250_000)   # never "-£0"
    ('£0', '£0', '-£1.2m')
    """
    if _missing(value):
        return ""
    v = abs(float(value))
    sign = "-" if value < 0 and round(v, 0 if v < 1_000_000 else -5) > 0 else ""   # never -£0
    if v >= 1_000_000:
        return f"{sign}£{v / 1e6:,.1f}m"
    return f"{sign}£{v:,.0f}"


def share_text(value: float) -> str:
    """A share as a percentage: whole when it is whole, else one decimal.

    Examples
    --------
    >>> share_text(0.035), share_text(0.005), share_text(0.123456), share_text(0.5)
    ('3.5%', '0.5%', '12.3%', '50%')
    >>> share_text(1.4e-9), share_text(0.0004)     # never 1.4e-07%
    ('0%', '0.04%')
    """
    if _missing(value):
        return ""
    pct = float(value) * 100
    if abs(pct) < 0.001:       # a solver's rounding residue (1e-9), not a share: 0%
        return "0%"
    text = f"{pct:.1f}"
    if abs(pct) < 0.1:
        text = f"{pct:.2f}".rstrip("0")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text}%"


def count_text(value: float) -> str:
    """Whole children or places with separators (rounded, never fractional).

    Examples
    --------
    >>> count_text(2717.4), count_text(0.4)
    ('2,717', '0')
    """
    if _missing(value):
        return ""
    return f"{round(float(value)):,d}".replace("-0", "0")


def cell_text(column: str, value, table: str | None = None) -> str:
    """A table cell on the page, formatted by the column's unit.

    Examples
    --------
    >>> cell_text("capital_cost", 1.2e7), cell_text("opening_year", 2030)
    ('£12.0m', '2030')
    >>> cell_text("utilisation", 0.953), cell_text("placed", 41.6)
    ('95.3%', '42')
    """
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    unit = unit_of(column, table)
    if isinstance(value, numbers.Number):
        if unit == "£":
            return money_text(value)
        if unit == "%":
            return share_text(value)
        if unit == "pct":
            return f"{float(value):.1f}%"
        if unit == "year":
            return f"{int(value)}"
        if unit in ("children", "places"):
            return count_text(value)
        if unit == "per 1,000":
            return f"{float(value):,.1f}"
        return _plain_number(value)
    return str(value)


def value_text(value, unit: str = "") -> str:
    """An assumption's value as a person gives it: 3.5%, 0.5%, 2030, yes/no, £250,000.

    Parameters
    ----------
    value : object
        The value the run used.
    unit : str
        Its unit as the assumptions table states it (``per year``, ``fraction``, ``year``,
        ``GBP``, ``gbp_per_placement_2023_24_prices`` ...).

    Examples
    --------
    >>> value_text(0.005, "fraction"), value_text(250000.0, "GBP per child-year")
    ('0.5%', '£250,000')
    >>> value_text(None), value_text([1, 2]), value_text(120.0, "seconds")
    ('not set', '1, 2', '120')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "false"):
            return "yes" if low == "true" else "no"
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items())
    u = str(unit).strip().lower()
    if isinstance(value, numbers.Number):
        if "gbp" in u or "£" in u:
            sign = "-" if value < 0 else ""
            return f"{sign}£{abs(float(value)):,.0f}" if abs(value) < 1e6 else money_text(value)
        if u in ("year", "census year", "years") and float(value).is_integer():
            return f"{int(value)}"
        if (u in _RATE_UNITS or "share" in u) and abs(value) < 1:
            return share_text(value)
        return _plain_number(value)
    return str(value)


def _plain_number(value) -> str:
    v = float(value)
    if v.is_integer():
        return f"{int(v):,d}" if abs(v) >= 10_000 else f"{int(v)}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"
