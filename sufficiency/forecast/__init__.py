"""Forecast EHC plan demand (placeholder while being written)."""
from .backtest import accuracy, backtest  # noqa: F401
