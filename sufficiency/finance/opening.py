"""Where the deficit starts: an LA's DSG balance brought forward into the plan's first year.

A deficit plan that starts from zero describes no real LA. The opening balance is estimated from
what is published, then rolled forward with the model, and labelled as an estimate with every
step shown (:func:`opening_balance`):

1. **published**: the DfE publishes each LA's cumulative DSG balance as a % of its total DSG
   income (to 2021-22); times the total DSG allocation of that year (ESFA DSG allocations, before
   academy recoupment) it is the balance at the end of 2021-22, in pounds.
2. **reconciled**: the published movement in that year (end 2021-22 minus end 2020-21) against
   the model's high-needs gap of the same year (High Needs Block before deductions, minus the
   backcast's s251 spend, the maintained place funding and the ESFA deductions for academy
   places); the difference is the LA's other DSG movements (other blocks, transfers, income the
   s251 lines net off). It is shown, and by default **not** carried forward: held out on
   2021-22 over 148 LAs (``benchmarks/opening_balance.py``), carrying the LA's 2020-21 other
   movements made the rolled balance worse (median error 0.74% of total DSG income, bias
   +0.45%) than leaving them out (0.61%, -0.06%; balance unchanged 0.77%), and so did the
   national median share (0.78%): such movements do not repeat (median +0.60% of income in
   2020-21, +0.26% in 2021-22).
3. **rolled forward**: each later year up to the plan's first year adds the model's gap, plus
   any dated income lines the scenario lists (Safety Valve payments, block transfers). High
   Needs Block allocations after the published years (to 2023-24) grow at the DfE's announced
   NFF floors (2024-25 +3%, 2025-26 +7%: :data:`~sufficiency.finance.income.ANNOUNCED_GROWTH`),
   then at ``income_growth``; ESFA deductions and place funding are held at their last
   published level.

A balance the scenario gives overrides the estimate (status ``"given"``; the estimate is still
shown beside it).

Signs: a **balance** is negative for a deficit (as the DfE publishes it).

References
----------
DfE, *Dedicated schools grant: deficit as a % of income* (2019-20 to 2021-22); ESFA, *DSG
allocations* 2020-21 to 2023-24; DfE, section 251 outturn lines 1.2.x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ValidationError
from .income import _at, financial_year_label, income_growth_path

def money_m(value: float) -> str:
    """£ millions for a sentence, signed before the pound sign: "£12.3m", "-£4.0m".

    >>> money_m(-7_312_000.0)
    '-£7.3m'
    """
    return ("-" if value < 0 else "") + f"£{abs(value) / 1e6:,.1f}m"


__all__ = ["DERIVATION_COLUMNS", "OpeningBalance", "opening_balance", "opening_inputs",
           "la_opening_inputs"]

DERIVATION_COLUMNS = ["step", "year", "financial_year", "amount_gbp", "balance_gbp", "source"]


@dataclass
class OpeningBalance:
    """The cumulative DSG balance brought forward into ``first_year`` and how it was derived.

    Attributes
    ----------
    balance_gbp : float
        Balance at the start of ``first_year`` (negative = deficit), £.
    first_year : int
        The plan's first year (census convention: 2026 = 2025-26).
    status : str
        ``"estimated"`` or ``"given"`` (by the scenario).
    derivation : DataFrame
        ``step, year, financial_year, amount_gbp, balance_gbp, source``: every line, in order;
        ``balance_gbp`` is the running balance after the line.
    estimate_gbp : float
        The estimate (also when a given figure overrides it; NaN when it cannot be made).
    """

    balance_gbp: float
    first_year: int
    status: str
    derivation: pd.DataFrame = field(default_factory=pd.DataFrame)
    estimate_gbp: float = np.nan

    @property
    def deficit_gbp(self) -> float:
        """The opening deficit (positive = deficit), £."""
        return -self.balance_gbp

    def summary(self) -> str:
        """One line for a finance officer."""
        start = financial_year_label(self.first_year)
        word = "deficit" if self.balance_gbp < 0 else "surplus"
        text = (f"Opening DSG balance brought into {start}: {word} £{abs(self.balance_gbp) / 1e6:,.1f}m"
                f" ({self.status})")
        if self.status == "given" and np.isfinite(self.estimate_gbp):
            text += f"; the library's estimate is {money_m(-self.estimate_gbp)} deficit"
        return text


def opening_balance(first_year: int, *, dsg_balance: pd.DataFrame, dsg_income: pd.DataFrame,
                    hnb_income: pd.DataFrame, backcast: pd.DataFrame,
                    deductions: pd.DataFrame | None = None, place_funding_gbp: float = 0.0,
                    income_lines: pd.DataFrame | None = None, income_growth: float | dict = 0.03,
                    hold_other_movements: bool = False, given_gbp: float | None = None
                    ) -> OpeningBalance:
    """Estimate the DSG balance brought forward into ``first_year`` from published figures.

    Parameters
    ----------
    first_year : int
        The plan's first year (census convention); the balance is the one at its start.
    dsg_balance : DataFrame
        ``year, balance_pct_income``: published cumulative balance as a % of total DSG income
        (census years: 2022 = end of 2021-22; negative = deficit).
    dsg_income : DataFrame
        ``year, total_dsg_gbp``: total DSG allocation (before recoupment) for those years.
    hnb_income : DataFrame
        ``year, income_gbp``: High Needs Block allocation before deductions.
    backcast : DataFrame
        ``year, spend_gbp``: the model's s251 spend (:func:`~sufficiency.finance.outturn.
        backcast`) for every year rolled over.
    deductions : DataFrame, optional
        ``year, deduction_gbp``: ESFA deductions for academy places (held at the last value).
    place_funding_gbp : float
        Place funding of maintained schools a year (the s251 place funding lines; cash-flat).
    income_lines : DataFrame, optional
        ``year, line, amount_gbp``: dated income the scenario lists (Safety Valve payments, block
        transfers); rows before ``first_year`` are added in their year.
    income_growth : float or dict
        Growth of the High Needs Block a year after the announced years
        (:func:`~sufficiency.finance.income.income_growth_path`); a ``{year: rate}`` dict is
        used as given.
    hold_other_movements : bool
        Carry the reconciled other DSG movements forward at their last level (default False:
        shown but not carried; see the module notes).
    given_gbp : float, optional
        The scenario's own balance: it overrides the estimate.

    Returns
    -------
    OpeningBalance

    Examples
    --------
    >>> bal = pd.DataFrame({"year": [2021, 2022], "balance_pct_income": [-5.0, -6.0]})
    >>> dsg = pd.DataFrame({"year": [2021, 2022], "total_dsg_gbp": [400e6, 420e6]})
    >>> hnb = pd.DataFrame({"year": [2022, 2023], "income_gbp": [60e6, 65e6]})
    >>> spend = pd.DataFrame({"year": [2022, 2023], "spend_gbp": [58e6, 66e6]})
    >>> ob = opening_balance(2024, dsg_balance=bal, dsg_income=dsg, hnb_income=hnb,
    ...                      backcast=spend, place_funding_gbp=4e6, hold_other_movements=True)
    >>> for r in ob.derivation.itertuples():
    ...     print(f"{r.step:36s} {r.amount_gbp / 1e6:6.1f} {r.balance_gbp / 1e6:6.1f}")
    published balance end of 2021-22      -25.2  -25.2
    reconciliation 2021-22                 -3.2  -25.2
    in-year gap 2022-23                    -5.0  -30.2
    other DSG movements 2022-23            -3.2  -33.4
    >>> ob.status, round(ob.balance_gbp / 1e6, 1)
    ('estimated', -33.4)

    End of 2021-22: -6% x £420m = -£25.2m. The published movement in 2021-22 is -£5.2m (from
    -5% x £400m); the model's gap that year is £60m - £58m - £4m = -£2m, so other movements are
    -£3.2m a year. 2022-23: £65m - £66m - £4m = -£5m, plus -£3.2m (held here): -£33.4m into
    2023-24; by default the other movements are not carried and the balance is -£30.2m.
    """
    first_year = int(first_year)
    _need(dsg_balance, ["year", "balance_pct_income"], "dsg_balance")
    _need(dsg_income, ["year", "total_dsg_gbp"], "dsg_income")
    _need(hnb_income, ["year", "income_gbp"], "hnb_income")
    _need(backcast, ["year", "spend_gbp"], "backcast")
    pct = dsg_balance.dropna(subset=["balance_pct_income"]).groupby("year")[
        "balance_pct_income"].last()
    total = dsg_income.groupby("year")["total_dsg_gbp"].sum(min_count=1).dropna()
    known = [y for y in pct.index if y in total.index and y < first_year]
    rows: list = []
    estimate = np.nan
    if known:
        estimate = _estimate(rows, first_year, pct, total, known, hnb_income, backcast, deductions,
                             place_funding_gbp, income_lines, income_growth, hold_other_movements)
    if given_gbp is not None:
        given = float(given_gbp)
        if not np.isfinite(given):
            raise ValidationError(f"opening balance: given {given_gbp!r}; expected an amount in "
                                  "£ (negative = deficit)")
        rows.append(("given by the scenario (overrides the estimate)", first_year - 1,
                     financial_year_label(first_year - 1), given, given,
                     "scenario finance.opening_balance_gbp"))
        return OpeningBalance(given, first_year, "given",
                              pd.DataFrame(rows, columns=DERIVATION_COLUMNS), estimate)
    if not known:
        raise ValidationError(f"opening balance: no published DSG balance with a total DSG "
                              f"income before {financial_year_label(first_year)}; give "
                              "finance.opening_balance_gbp")
    return OpeningBalance(estimate, first_year, "estimated",
                          pd.DataFrame(rows, columns=DERIVATION_COLUMNS), estimate)


def _estimate(rows, first_year, pct, total, known, hnb_income, backcast, deductions,
              place_funding_gbp, income_lines, income_growth, hold) -> float:
    last = max(known)
    balance = float(pct[last]) / 100.0 * float(total[last])
    rows.append((f"published balance end of {financial_year_label(last)}", last,
                 financial_year_label(last), balance, balance,
                 f"DfE DSG cumulative balance {pct[last]:+.2f}% x total DSG "
                 f"{money_m(total[last])} (ESFA allocations)"))
    hnb = hnb_income.groupby("year")["income_gbp"].sum(min_count=1).dropna()
    spend = backcast.groupby("year")["spend_gbp"].sum(min_count=1)
    ded = (deductions.groupby("year")["deduction_gbp"].sum(min_count=1).dropna()
           if deductions is not None and len(deductions) else pd.Series(dtype=float))
    extra = pd.Series(dtype=float)
    if income_lines is not None and len(income_lines):
        _need(income_lines, ["year", "line", "amount_gbp"], "income_lines")
        extra = income_lines.groupby("year")["amount_gbp"].sum()

    def hnb_in(year):
        if year in hnb.index:
            return float(hnb[year]), "ESFA High Needs Block before deductions"
        before = [y for y in hnb.index if y < year]
        if not before:
            raise ValidationError(f"hnb_income: no allocation on or before "
                                  f"{financial_year_label(year)}")
        base = max(before)
        path = income_growth_path(income_growth)
        rates = [_at(path, y, default=0.0, carry=True) for y in range(base + 1, year + 1)]
        value = float(hnb[base]) * float(np.prod([1.0 + r for r in rates]))
        return value, (f"projected: {financial_year_label(base)} allocation + "
                       + ", ".join(f"{r:.1%}" for r in rates)
                       + " (DfE NFF floors announced for 2024-25 and 2025-26, then the "
                       "scenario's income growth)")

    def ded_in(year):
        if year in ded.index:
            return float(ded[year])
        before = [y for y in ded.index if y <= year]
        return float(ded[max(before)]) if before else (float(ded.iloc[0]) if len(ded) else 0.0)

    def gap(year):
        if year not in spend.index or not np.isfinite(spend[year]):
            raise ValidationError(f"backcast: no modelled spend for {financial_year_label(year)}; "
                                  "the opening balance is rolled forward with the backcast")
        income, source = hnb_in(year)
        value = income - float(spend[year]) - place_funding_gbp - ded_in(year)
        return value, (f"High Needs Block {money_m(income)} ({source}) - backcast s251 "
                       f"spend {money_m(spend[year])} - maintained place funding "
                       f"{money_m(place_funding_gbp)} - ESFA deductions "
                       f"{money_m(ded_in(year))}")

    other = 0.0
    if last - 1 in pct.index and last - 1 in total.index and last in spend.index:
        previous = float(pct[last - 1]) / 100.0 * float(total[last - 1])
        movement = balance - previous
        modelled, _ = gap(last)
        other = movement - modelled
        rows.append((f"reconciliation {financial_year_label(last)}", last,
                     financial_year_label(last), other, balance,
                     f"published movement {money_m(movement)} (end "
                     f"{financial_year_label(last - 1)} {money_m(previous)}) minus the "
                     f"model's high-needs gap {money_m(modelled)}: other DSG movements, "
                     + ("held at this level in later years" if hold else "not carried forward")
                     + " (not added again)"))
        if not hold:
            other = 0.0
    for year in range(last + 1, first_year):
        value, source = gap(year)
        balance += value
        rows.append((f"in-year gap {financial_year_label(year)}", year, financial_year_label(year),
                     value, balance, "model: " + source))
        if other:
            balance += other
            rows.append((f"other DSG movements {financial_year_label(year)}", year,
                         financial_year_label(year), other, balance,
                         f"held at the {financial_year_label(last)} reconciliation"))
        if year in extra.index and extra[year]:
            balance += float(extra[year])
            rows.append((f"listed income {financial_year_label(year)}", year,
                         financial_year_label(year), float(extra[year]), balance,
                         "scenario income lines (Safety Valve, transfers)"))
    return balance


def _need(frame, columns, name):
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(f"{name}: expected a DataFrame with columns {columns}")
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValidationError(f"{name}: missing columns {missing}; expected {columns}")


def la_opening_inputs(la) -> dict:
    """The published inputs of :func:`opening_balance` for one LA, read from the embedded data.

    A notebook convenience: :func:`opening_inputs` of the LA's tables (a run reads them once,
    :func:`sufficiency.data.la_data`, and calls :func:`opening_inputs`).

    Examples
    --------
    >>> inputs = la_opening_inputs("Wiltshire")
    >>> sorted(inputs)
    ['deductions', 'dsg_balance', 'dsg_income', 'hnb_income', 'place_funding_gbp']
    """
    from ..data import highneeds

    return opening_inputs(highneeds.la_dsg_deficit(la), highneeds.la_high_needs_block(la),
                          highneeds.la_high_needs(la), highneeds.la_funded_places(la))


def opening_inputs(dsg_deficit: pd.DataFrame, high_needs_block: pd.DataFrame,
                   high_needs: pd.DataFrame, funded_places: pd.DataFrame) -> dict:
    """The published inputs of :func:`opening_balance` from one LA's money tables.

    Parameters
    ----------
    dsg_deficit, high_needs_block, high_needs, funded_places : DataFrame
        :func:`sufficiency.data.highneeds.la_dsg_deficit`, ``la_high_needs_block``,
        ``la_high_needs`` and ``la_funded_places`` (``year`` = census year).

    Returns
    -------
    dict
        ``dsg_balance`` (``year, balance_pct_income``), ``dsg_income`` (``year,
        total_dsg_gbp``), ``hnb_income`` (``year, income_gbp``), ``deductions`` (``year,
        deduction_gbp``) and ``place_funding_gbp`` (the 2021-22 outturn's place funding, £):
        pass it on to :func:`opening_balance` with ``**``.

    Examples
    --------
    >>> from sufficiency.data import highneeds as hn
    >>> inputs = opening_inputs(hn.la_dsg_deficit("Derby"), hn.la_high_needs_block("Derby"),
    ...                         hn.la_high_needs("Derby"), hn.la_funded_places("Derby"))
    >>> inputs["hnb_income"].query("year == 2024")["income_gbp"].item()
    56648963.0
    """
    lines = high_needs.set_index("line")["value"]
    block = high_needs_block
    total = block[block["line"] == "total_dsg"][["year", "value"]].rename(
        columns={"value": "total_dsg_gbp"})
    hnb = block[block["line"] == "total_before_deductions"][["year", "value"]].rename(
        columns={"value": "income_gbp"})
    ded = funded_places.groupby("year", as_index=False)["deduction_gbp"].sum()
    place = sum(float(lines.get(f"place_funding_{p}", 0.0) or 0.0)
                for p in ("early_years", "primary", "secondary", "special", "ap", "post_school"))
    return {"dsg_balance": dsg_deficit[["year", "balance_pct_income"]], "dsg_income": total,
            "hnb_income": hnb, "deductions": ded, "place_funding_gbp": place}
