"""What the finance stage takes from one LA's published tables in a run: the cost calibration
(made once and handed to the place plan and the DSG plan alike), the run's cost table when the
scenario gives its own costs, and the backcast with the opening DSG balance.

Each function takes the frames of :class:`sufficiency.data.LAData` (read once by the run) and
returns its result with the notes a reader of the outputs needs; none reads data by LA code.
"""

from __future__ import annotations

import pandas as pd

from ..data.la_data import LAData
from .calibrate import Calibration, calibrate_costs
from .costs import cost_per_place, cost_table, with_costs_per_place
from .opening import OpeningBalance, opening_balance, opening_inputs
from .outturn import backcast

__all__ = ["la_calibration", "run_costs", "settings_prices", "backcast_and_opening"]


def la_calibration(data: LAData | None) -> Calibration | str | None:
    """The LA's cost calibration from its high needs outturn (:func:`calibrate_costs`).

    Returns the :class:`Calibration`; the reason as text when the embedded data has no outturn
    for the LA (the settings and the deficit plan then say so); None without an LA.
    """
    if data is None:
        return None
    try:
        data.require("high_needs", "funded_places")
        # neighbours and region: none without the LA's neighbours (the peers' fallback)
        region = data.region_codes if "neighbours" not in data.missing else []
        return calibrate_costs(high_needs=data.high_needs, funded_places=data.funded_places,
                               placements=data.placements, neighbours=data.neighbours,
                               region_codes=region, la_code=data.la_code, label=data.la_code)
    except (KeyError, ValueError) as err:  # no outturn for this LA
        return str(err)


def run_costs(costs: pd.DataFrame, calibration: Calibration | str | None
              ) -> tuple[pd.DataFrame, str]:
    """The run's cost table and its note: the scenario's ``finance.costs`` in place of the
    calibrated (or default) cost of the provisions and phases it names
    (:func:`with_costs_per_place`).

    Examples
    --------
    >>> own = pd.DataFrame({"provision": ["special_independent"], "phase": ["all"],
    ...                     "cost_per_place": [72000.0], "source": ["our contracts"]})
    >>> table, note = run_costs(own, None)
    >>> float(table.set_index("provision").loc["special_independent", "hnb_cost_gbp"])
    72000.0
    >>> note
    'Cost per place from finance.costs for special_independent (2023-24 prices, moved to each year on the price paths).'
    """
    table = calibration.costs if isinstance(calibration, Calibration) else cost_table()
    note = (f"Cost per place from {costs.attrs.get('source', 'finance.costs')} for "
            f"{', '.join(sorted(set(costs['provision'])))} (2023-24 prices, moved to each "
            "year on the price paths).")
    return with_costs_per_place(table, costs), note


def settings_prices(calibration: Calibration | pd.DataFrame | str | None, year: int
                    ) -> tuple[tuple | None, str]:
    """The cost per place that illustrative settings take, so the place plan and the DSG
    trajectory price a placement the same way, and the note that says so.

    ``calibration`` is the LA's :class:`Calibration`, or the run's cost table (the scenario's
    ``finance.costs`` merged into it, :func:`run_costs`), or why the LA has none. Returns
    ``(cost_per_place(table, year), note)`` (the arguments of the settings' ``price``, in
    ``year``'s prices; a cost for one phase prices that phase's designations), or
    ``(None, note)`` when there is nothing to price with (the settings keep their costs).
    """
    if isinstance(calibration, pd.DataFrame):
        table, what = calibration, "the scenario's finance.costs (where given) and the LA's " \
            "calibrated High Needs cost per placement"
    elif isinstance(calibration, Calibration):
        table, what = calibration.costs, "the LA's calibrated High Needs cost per placement"
    else:  # no outturn: keep the example's costs
        return None, f"Settings keep the example's cost per place: no calibration ({calibration})."
    return cost_per_place(table, year), (
        f"Cost per place in the settings is {what} by provision ({year} prices), as in the "
        "finance sheets.")


def backcast_and_opening(data: LAData | None, *, first_year: int, given_gbp: float | None,
                         income_lines: pd.DataFrame, income_growth, independent_fee_growth,
                         label: str) -> tuple[pd.DataFrame, OpeningBalance | float, list]:
    """The LA's backcast against its s251 outturn, and the opening DSG balance of the plan.

    The opening balance is the scenario's figure (``given_gbp``), else the published balance
    at the end of 2021-22 rolled forward with the backcast's in-year gaps
    (:func:`opening_balance`), else 0 with a note saying why.

    Returns
    -------
    (backcast, opening, notes) : DataFrame, OpeningBalance or float, list of str
        The backcast (empty without one), the opening balance (a float when it is the given
        figure or 0 without estimate) and the notes for the run's outputs.
    """
    notes = []
    if data is None:
        if given_gbp is None:
            notes.append("Opening DSG balance taken as 0: no LA in the embedded data to "
                         "estimate it from; set finance.opening_balance_gbp.")
        return pd.DataFrame(), float(given_gbp or 0.0), notes
    try:
        data.require("high_needs", "s251")
        # EHC plans in the Januaries before the placements (the first year's weighting)
        plans = data.history[data.history["age_band"] != "all"]
        cast = backcast(data.placements, data.high_needs, data.s251, label=label,
                        independent_fee_growth=independent_fee_growth,
                        earlier_ehcp=plans.groupby("year", as_index=False)["count"].sum())
    except (KeyError, ValueError) as err:
        notes.append(f"No backcast against s251 outturn ({err}).")
        if given_gbp is None:
            notes.append("Opening DSG balance taken as 0: it could not be estimated; set "
                         "finance.opening_balance_gbp.")
        return pd.DataFrame(), float(given_gbp or 0.0), notes
    try:
        data.require("dsg_deficit", "high_needs_block", "high_needs", "funded_places")
        published = opening_inputs(data.dsg_deficit, data.high_needs_block, data.high_needs,
                                   data.funded_places)
        opening = opening_balance(first_year, backcast=cast, income_lines=income_lines,
                                  income_growth=income_growth, given_gbp=given_gbp, **published)
    except (KeyError, ValueError) as err:
        notes.append(f"Opening DSG balance not estimated ({err}); "
                     + ("the scenario's figure is used." if given_gbp is not None else
                        "taken as 0: set finance.opening_balance_gbp."))
        return cast, float(given_gbp or 0.0), notes
    if opening.status == "estimated":
        notes.append(opening.summary() + ": the published balance at the end of 2021-22 "
                     "rolled forward with the backcast's in-year gaps (see the opening "
                     "balance table); set finance.opening_balance_gbp to your LA's figure.")
    return cast, opening, notes
