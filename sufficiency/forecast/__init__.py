"""Forecast EHC plan demand by need, age band and area, with uncertainty and levers.

Examples
--------
>>> import sufficiency as sf
>>> hist = sf.data.la_history("Wiltshire")
>>> f = sf.forecast.project(hist, horizon=8, reference="england")
>>> list(f.table.columns)
['age_band', 'year', 'mean', 'p05', 'p10', 'p50', 'p80', 'p90', 'p95']
>>> fig = f.plot()

See ``docs/forecast.md`` for the models, the pooling, reconciliation and the measured accuracy.
"""

from .backtest import accuracy, accuracy_in_words, backtest
from .levers import LEVERS, Lever
from .needs import forecast_la, split_by_need
from .project import project
from .result import Forecast
from .select import MODEL_NAMES

__all__ = ["project", "backtest", "accuracy", "accuracy_in_words", "Forecast", "Lever", "LEVERS", "MODEL_NAMES",
           "split_by_need", "forecast_la"]
