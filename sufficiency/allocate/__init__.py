"""Allocate demand for specialist places to settings and choose the capital programme.

A multi-period mixed-integer programme (PuLP model, CBC by default, HiGHS through highspy on
request): each year's demand by need, phase and area is placed in settings designated for it,
within shared capacity, travel limits, budgets and caps; capital projects are chosen with an
opening year; children who cannot be placed are reported, never an infeasible model.

Examples
--------
>>> from sufficiency.allocate import optimise, Policy
>>> # plan = optimise(demand, settings, designation, projects, policy=Policy())
>>> # print(plan.summary())
"""

from .diagnose import diagnose
from .example import ExampleSettings, example_settings
from .optimise import optimise
from .plan import Plan
from .policy import Cap, Policy
from .robust import optimise_robust
from .solve import SolverOutcome

__all__ = ["optimise", "optimise_robust", "example_settings", "ExampleSettings", "Plan", "Policy",
           "Cap", "SolverOutcome", "diagnose"]
