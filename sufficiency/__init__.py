"""sufficiency: plan specialist SEND school places.

Forecast EHC plan demand by need and age (:mod:`sufficiency.forecast`), allocate it across
settings and choose the capital programme (:mod:`sufficiency.allocate`), and cost the High
Needs deficit plan (:mod:`sufficiency.finance`), from tidy pandas data
(:mod:`sufficiency.data`).

Examples
--------
>>> import sufficiency as sf
>>> history = sf.data.la_history("Wiltshire")
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = ["data", "forecast", "allocate", "finance", "scenario", "report", "errors", "demand",
           "workflow", "national", "sweep", "__version__"]
_FUNCTIONS = {"sweep": "national"}     # sf.sweep(...) without importing its module first


def __getattr__(name):
    # stages are imported on first use, so `import sufficiency` stays fast
    if name in _FUNCTIONS:
        value = getattr(importlib.import_module(f".{_FUNCTIONS[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in __all__ and name != "__version__":
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'sufficiency' has no attribute {name!r}")
