"""Data: vocabulary, readers for the DfE statistics, the embedded example data, user files.

Examples
--------
>>> import sufficiency as sf
>>> kent = sf.data.la_history("Kent")          # 2010-2025, by age band, tidy
>>> mix = sf.data.la_placements("Kent")        # 2019-2025 by provision type
"""

from .dfe import (
    COLLECTION_BREAK_YEAR,
    flag_breaks,
    read_age_caseload,
    read_age_new_plans,
    read_caseload_by_age,
    read_ceased_plans,
    read_estab_caseload,
    read_need_caseload,
    read_new_plan_needs,
    read_new_plans,
    read_placement_by_age,
    read_placement_caseload,
    read_requests,
)
from .example import (
    england_history,
    example_histories,
    la_ceased_plans,
    la_history,
    la_names,
    la_need_by_age,
    la_needs,
    la_new_plan_needs,
    la_new_plans,
    la_new_plans_by_age,
    la_placements,
    la_placements_by_age,
    la_requests,
    las,
    load_table,
    statistical_neighbours,
)
from .geography import BOUNDARY_CHANGES, CODE_ALIASES, resolve_la
from .vocabulary import (
    AGE_BANDS,
    AGES,
    DSG_CATEGORIES,
    INDEPENDENT,
    NEED_AREAS,
    NEEDS,
    PHASES,
    PROVISIONS,
    SEN2_PLACEMENT_COLUMNS,
    SEN2_PLACEMENT_LABELS,
    THREE_TIER_PHASES,
    age_band_of,
    define_phases,
    group_needs,
    phase_of,
)

from .highneeds import la_funded_places, la_high_needs
from .la_data import LAData, la_data
from .mix import need_mix, placement_mix
from .labels import LABELS, label
from .names import everyday_name
from .single_age import la_caseload_by_single_age, read_caseload_by_single_age
from .s251 import la_s251_high_needs

from .validate import (HISTORY_SCHEMA, ValidationReport, own_history_by_age_band, read_history,
                       validate_history)

__all__ = [
    "AGES", "AGE_BANDS", "BOUNDARY_CHANGES", "CODE_ALIASES", "COLLECTION_BREAK_YEAR",
    "DSG_CATEGORIES", "HISTORY_SCHEMA", "INDEPENDENT", "NEEDS", "NEED_AREAS", "PHASES", "PROVISIONS",
    "SEN2_PLACEMENT_COLUMNS", "SEN2_PLACEMENT_LABELS", "THREE_TIER_PHASES", "ValidationReport",
    "age_band_of", "define_phases", "england_history", "example_histories", "flag_breaks",
    "LABELS", "everyday_name", "label", "la_caseload_by_single_age",
    "read_caseload_by_single_age",
    "group_needs", "la_ceased_plans", "la_funded_places", "la_high_needs", "la_history", "la_names",
    "la_need_by_age", "la_needs", "la_new_plan_needs", "la_new_plans", "la_new_plans_by_age",
    "la_placements", "la_placements_by_age", "la_requests", "la_s251_high_needs", "las",
    "LAData", "la_data", "load_table", "need_mix", "own_history_by_age_band", "phase_of",
    "placement_mix",
    "read_age_caseload", "read_age_new_plans", "read_caseload_by_age", "read_ceased_plans",
    "read_estab_caseload", "read_history", "read_need_caseload", "read_new_plan_needs",
    "read_new_plans", "read_placement_by_age", "read_placement_caseload", "read_requests",
    "resolve_la", "statistical_neighbours", "validate_history",
]
