"""Finance: what placements cost, the High Needs Block and the DSG deficit plan.

From a forecast (and optionally an allocation plan) to the costed, mitigated and unmitigated
DSG trajectory with uncertainty, the saving attributed to each lever and the DfE-format tables,
in one call. Money in pounds (columns end ``_gbp``); ``year`` is the census year, so ``year``
2026 is the financial year 2025-26.

Examples
--------
>>> import pandas as pd
>>> import sufficiency.finance as fin
>>> f = pd.DataFrame({"year": [2026, 2027], "mean": [1000.0, 1100.0]})
>>> mix = pd.DataFrame({"provision": ["mainstream", "special_maintained"], "share": [0.6, 0.4]})
>>> plan = fin.deficit_plan(f, mix=mix, income=14e6, opening_balance_gbp=-2e6, goal_seek=False)
>>> plan.trajectory["cumulative_deficit_gbp"].round(-3).tolist()
[4411000.0, 8453000.0]
"""

from .outturn import backcast, s251_unit_costs
from .calibrate import Calibration, calibrate_costs
from .costs import (DEFAULTS, RULES, TRANSPORT_SHARE, cost_per_place, cost_table, default,
                    hnb_cost, inflation_factor, lognormal_fee, setting_costs, unit_costs,
                    with_costs_per_place)
from .goalseek import GoalSeekResult, growth_reduction_needed, new_places_needed, seek
from .income import (financial_year_label, fy_to_year, historical_growth, la_income_base,
                     project_income)
from .levers import Lever, apply_levers, as_levers, levers_table
from .opening import OpeningBalance, la_opening_inputs, opening_balance, opening_inputs
from .prices import PRICE_ASSUMPTIONS, PRICE_HISTORY, price_index, price_rates
from .plausible import shrink_cost, shrink_costs
from .plan import (FLOW_MIX_BASIS, LIKE_FOR_LIKE_PARTS, DeficitPlan, attribute_savings,
                   deficit_plan, needs_vs_finance_led)
from .spend import cost_placements, placements_from_forecast, spend_by_year
from .tables import (by_age_group, by_need, by_placement_category, display, financial_summary,
                     scap_specialist)
from .trajectory import dsg_trajectory, elimination_probability

__all__ = [
    "apply_levers", "as_levers", "attribute_savings", "backcast", "by_age_group", "by_need",
    "by_placement_category", "calibrate_costs", "Calibration", "cost_placements", "cost_table",
    "default", "DEFAULTS", "deficit_plan", "DeficitPlan", "display", "dsg_trajectory",
    "elimination_probability", "financial_summary", "FLOW_MIX_BASIS", "financial_year_label", "fy_to_year",
    "GoalSeekResult", "growth_reduction_needed", "historical_growth", "hnb_cost",
    "inflation_factor", "la_income_base", "la_opening_inputs", "Lever", "levers_table",
    "LIKE_FOR_LIKE_PARTS", "lognormal_fee", "needs_vs_finance_led", "new_places_needed",
    "opening_balance", "opening_inputs", "OpeningBalance", "placements_from_forecast",
    "PRICE_ASSUMPTIONS",
    "PRICE_HISTORY", "price_index", "price_rates", "project_income", "RULES", "s251_unit_costs",
    "scap_specialist", "seek", "setting_costs", "cost_per_place", "with_costs_per_place", "shrink_cost", "shrink_costs", "spend_by_year",
    "TRANSPORT_SHARE", "unit_costs",
]
