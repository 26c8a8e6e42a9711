"""A run reads each of the LA's tables once and hands the frames to the stages.

Every public reader of the embedded data that takes an LA (``la_*``, the statistical
neighbours, England's series) is wrapped to record who called it with which LA; the stages'
public functions that still take an ``la=`` convenience (for notebooks) are wrapped to record
whether the run used it. One run of the example scenario, place plan and DSG plan included.
"""
import inspect
import sys
from pathlib import Path

import pytest

import sufficiency
from sufficiency.scenario import load_scenario
from sufficiency.workflow import run_scenario

REPO = Path(__file__).resolve().parents[1]   # the checkout (the package may be installed elsewhere)
READER_MODULES = ("sufficiency.data", "sufficiency.data.example", "sufficiency.data.highneeds",
                  "sufficiency.data.s251", "sufficiency.data.single_age",
                  "sufficiency.data.population", "sufficiency.forecast.demography",
                  "sufficiency.finance.opening", "sufficiency.finance.income")
NOT_LA_TABLES = {"la_data", "la_names"}   # the one reading function; a national name table
EXTRA_READERS = {"statistical_neighbours", "england_history", "area_populations"}


def _readers():
    """``{function: name}`` of every public reader of LA tables."""
    found = {}
    for modname in READER_MODULES:
        module = sys.modules[modname]
        for name in getattr(module, "__all__", dir(module)):
            fn = getattr(module, name, None)
            if not inspect.isfunction(fn) or name in NOT_LA_TABLES:
                continue
            if name.startswith("la_") or name in EXTRA_READERS:
                found[fn] = name
    return found


@pytest.fixture(scope="module")
def traced_run():
    import sufficiency.allocate
    import sufficiency.finance
    import sufficiency.forecast
    import sufficiency.data.la_data  # noqa: F401
    import sufficiency.finance.opening  # noqa: F401
    import sufficiency.finance.income  # noqa: F401
    import sufficiency.forecast.demography  # noqa: F401

    mp = pytest.MonkeyPatch()
    reads, stage_calls = [], []
    readers = _readers()

    def reader(fn, name):
        def wrapped(*args, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            la = args[0] if args else kwargs.get("la")
            reads.append((name, str(la), caller))
            return fn(*args, **kwargs)
        return wrapped

    def stage(fn, name):
        def wrapped(*args, **kwargs):
            bound = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
            stage_calls.append((name, bound))
            return fn(*args, **kwargs)
        return wrapped

    wrappers = {fn: reader(fn, name) for fn, name in readers.items()}
    stages = {sufficiency.finance.deficit_plan: "deficit_plan",
              sufficiency.finance.calibrate_costs: "calibrate_costs",
              sufficiency.finance.backcast: "backcast",
              sufficiency.allocate.example_settings: "example_settings",
              sufficiency.forecast.project: "project"}
    wrappers.update({fn: stage(fn, name) for fn, name in stages.items()})
    # patch every module attribute bound to one of these functions (package re-exports too)
    for modname, module in list(sys.modules.items()):
        if not modname.startswith("sufficiency"):
            continue
        for attr, value in list(vars(module).items()):
            if inspect.isfunction(value) and value in wrappers:
                mp.setattr(module, attr, wrappers[value])
    try:
        scenario = load_scenario(f"{REPO}/scenarios/example.yaml",
                                 overrides={"forecast.n_paths": 200,
                                            "allocate.new_placement_mix": "pooled"})
        run = run_scenario(scenario)
    finally:
        mp.undo()
    return run, reads, stage_calls


def test_no_stage_reads_the_embedded_data_by_la_code(traced_run):
    _, reads, _ = traced_run
    assert reads, "the readers were not traced"
    outside = sorted({(name, caller) for name, _, caller in reads
                      if not caller.startswith("sufficiency.data")})
    assert not outside, f"read outside the data layer: {outside}"


def test_each_table_of_each_la_is_read_once(traced_run):
    run, reads, _ = traced_run
    seen = {}
    for name, la, _ in reads:
        seen[(name, la)] = seen.get((name, la), 0) + 1
    twice = {k: n for k, n in seen.items() if n > 1}
    assert not twice, f"read more than once: {twice}"
    # the LA's own tables, and its neighbours' new plans for the pooled mix, were read
    assert ("la_placements", run.la_code) in seen and ("la_s251_high_needs", run.la_code) in seen
    assert len(run.data.neighbour_new_plans) >= 5


def test_the_run_gives_the_stages_frames_not_an_la(traced_run):
    run, _, stage_calls = traced_run
    called = {name for name, _ in stage_calls}
    assert {"deficit_plan", "calibrate_costs", "backcast", "example_settings", "project"} <= called
    # the cost calibration runs once and is handed to the place plan and the deficit plan
    assert [name for name, _ in stage_calls].count("calibrate_costs") == 1
    given = [a for name, a in stage_calls if name == "deficit_plan"][0]
    assert given["calibration"] is not None and not isinstance(given["calibration"], str)
    for name, arguments in stage_calls:
        assert arguments.get("la") is None, f"{name} was given la={arguments['la']!r}"
        assert not isinstance(arguments.get("placements"), (str, int)), \
            f"{name} was given an LA for placements"
        assert not isinstance(arguments.get("reference"), str), \
            f"{name} was given reference={arguments['reference']!r}"
    assert run.allocation is not None and run.deficit is not None
