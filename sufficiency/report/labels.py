"""The one label map, as the report uses it: :data:`sufficiency.data.labels.LABELS`.

Every code and key a person reads (needs, provisions, DSG categories, age bands, the deficit
plan's scenarios, headline measures, column names with their units, sheet names) is named in
the data layer's label table; this module only re-exports it for the report's modules.
"""

from __future__ import annotations

from ..data.labels import LABELS, label, label_values, legend, unit_of, words

__all__ = ["LABELS", "label", "label_values", "legend", "unit_of", "words"]

