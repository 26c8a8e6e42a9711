"""sufficiency: plan specialist SEND school places.

Forecast EHC plan demand by need and age (:mod:`sufficiency.forecast`), allocate it across
settings and choose the capital programme (:mod:`sufficiency.allocate`), and cost the High
Needs deficit plan (:mod:`sufficiency.finance`), from tidy pandas data
(:mod:`sufficiency.data`).

A notebook types the stages as modules (``sf.data``, ``sf.forecast``, ``sf.demand``,
``sf.allocate``, ``sf.finance``, ``sf.report``) and the run as functions
(``sf.load_scenario``, ``sf.run_scenario``, ``sf.write_outputs``, ``sf.compare_runs``,
``sf.sweep``); ``dir(sf)`` lists exactly these.

Examples
--------
>>> import sufficiency as sf
>>> history = sf.data.la_history("Wiltshire")
>>> "run_scenario" in dir(sf) and "importlib" not in dir(sf)
True
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = ["data", "forecast", "demand", "allocate", "finance", "report", "errors",
           "load_scenario", "run_scenario", "write_outputs", "compare_runs", "sweep",
           "scenario", "workflow", "national", "__version__"]
# sf.run_scenario(...) etc. without importing their modules first
_FUNCTIONS = {"sweep": "national", "load_scenario": "scenario", "run_scenario": "workflow",
              "write_outputs": "report", "compare_runs": "report"}


def __dir__():
    return list(__all__)


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
