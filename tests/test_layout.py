"""The house reads one way: each concept has one home, and imports run down the stages.

data -> forecast -> demand -> allocate -> finance -> workflow -> report -> cli. A module may
import from its own layer or any layer before it, never after; shared sets of provision codes
and the default quantiles live in the vocabulary only.
"""
import ast
import importlib
import inspect
import dataclasses
import typing
from pathlib import Path

import pytest

import sufficiency
from sufficiency.data import vocabulary as V

PACKAGE = Path(sufficiency.__file__).parent
LAYERS = {"": 0, "errors": 0, "safe_yaml": 0, "progress": 0, "data": 1, "forecast": 2, "demand": 3,
          "flows": 3, "scap": 3, "allocate": 4, "finance": 5, "scenario_schema": 6,
          "scenario": 6, "scenario_files": 6, "scenario_options": 6, "scenario_run": 7,
          "workflow": 7,
          "report": 8, "national": 9, "cli": 9}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
        yield path, parts, package


def _imports(path, package):
    """Absolute names of the sufficiency modules a file imports (relative imports resolved)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                yield ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("sufficiency"):
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("sufficiency"))


def _layer(parts):
    return parts[1] if len(parts) > 1 else ""


def test_imports_run_down_the_stages_only():
    backwards = []
    for path, parts, package in _modules():
        own = LAYERS.get(_layer(parts), 0)
        for target in _imports(path, package):
            layer = _layer(target.split("."))
            if LAYERS.get(layer, 0) > own:
                backwards.append(f"{'.'.join(parts)} imports {target}")
    assert not backwards, backwards


def test_stages_do_not_import_each_other():
    """forecast, allocate and finance take plain frames: none imports another stage."""
    stages = {"forecast", "demand", "allocate", "finance"}
    crossing = [f"{'.'.join(parts)} imports {target}"
                for path, parts, package in _modules() if _layer(parts) in stages
                for target in _imports(path, package)
                if _layer(target.split(".")) in stages - {_layer(parts)}]
    assert not crossing, crossing


def test_no_module_but_the_vocabulary_defines_provision_sets_or_quantiles():
    codes = set(V.PROVISIONS["provision"])
    found = []
    for path, parts, _ in _modules():
        if path.name == "vocabulary.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                values = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
                # a set of provision codes, with or without the "all" total beside it
                named = [v for v in values if v != "all"]
                if len(named) >= 2 and all(isinstance(v, str) and v in codes for v in named):
                    found.append(f"{path.name}:{node.lineno} {values}")
            if isinstance(node, ast.Assign):
                found += [f"{path.name}:{node.lineno} QUANTILES" for t in node.targets
                          if isinstance(t, ast.Name) and t.id == "QUANTILES"]
    assert not found, found


def test_the_sets_are_columns_of_the_provision_table():
    assert V.SPECIALIST == V.provisions_where("specialist")
    assert set(V.INDEPENDENT) == {"special_independent", "special_non_maintained", "out_of_area"}
    # the levers' sets differ on purpose: AP is specialist but not shifted; the stock shift
    # moves special schools only
    assert "ap" in V.SPECIALIST and "ap" not in V.provisions_where("new_plan_shift")
    assert set(V.provisions_where("special_school")) < set(V.provisions_where("new_plan_shift"))
    assert set(V.provisions_where("new_plan_shift")) < set(V.SPECIALIST)
    with pytest.raises(sufficiency.errors.ValidationError, match="did you mean 'specialist'"):
        V.provisions_where("specialst")


def test_every_stage_uses_the_vocabulary_sets():
    from sufficiency import demand
    from sufficiency.allocate import policy
    from sufficiency.finance import levers as finance_levers, plan
    from sufficiency.forecast import levers as forecast_levers

    project = importlib.import_module("sufficiency.forecast.project")

    assert demand.SPECIALIST is V.SPECIALIST and plan.SPECIALIST is V.SPECIALIST
    assert policy.INDEPENDENT_PROVISIONS is V.INDEPENDENT
    assert forecast_levers.SPECIALIST == finance_levers.SPECIALIST_NEW
    assert inspect.signature(project.project).parameters["quantiles"].default is V.QUANTILES
    assert V.AGE_BAND_ORDER == tuple(V.AGE_BANDS.sort_values("age_from")["age_band"])


def test_scenario_run_is_typed_with_the_stages_own_results():
    from sufficiency.allocate import Plan
    from sufficiency.finance import DeficitPlan
    from sufficiency.forecast import Forecast
    from sufficiency.workflow import ScenarioRun

    hints = typing.get_type_hints(ScenarioRun)
    assert hints["forecast"] is Forecast
    assert hints["allocation"] == typing.Optional[Plan]
    assert hints["deficit"] == typing.Optional[DeficitPlan]
    assert not [f.name for f in dataclasses.fields(ScenarioRun) if hints[f.name] is object]
    methods = {n for n, v in vars(ScenarioRun).items() if callable(v) and not n.startswith("_")}
    assert not methods, f"presentation belongs in sufficiency.report: {methods}"


def test_the_workflow_is_the_run_only():
    """workflow.py holds run_scenario, the stage adapters, board_measures and backtest_scenario
    (about 300-400 lines, issue 10): the results type lives in scenario_run, the settings each
    stage takes in scenario_options, the LA's frames each stage takes in <stage>/la_inputs,
    the progress meter in progress."""
    from sufficiency import scenario_run, workflow

    lines = len((PACKAGE / "workflow.py").read_text().splitlines())
    assert lines <= 400, f"workflow.py has {lines} lines; move what is not the run out"
    assert workflow.ScenarioRun is scenario_run.ScenarioRun
    public = {n for n, v in vars(workflow).items()
              if inspect.isfunction(v) and v.__module__ == workflow.__name__
              and not n.startswith("_")}
    assert public == {"run_scenario", "board_measures", "backtest_scenario"}


def test_one_label_map_from_the_vocabulary():
    from sufficiency.report.labels import LABELS, label, legend

    assert not LABELS.duplicated(["kind", "key"]).any()
    needs = LABELS[(LABELS["kind"] == "need") & (LABELS["key"] != "all")]
    assert needs.set_index("key")["label"].to_dict() == dict(zip(V.NEEDS["need"], V.NEEDS["name"]))
    assert label("unmitigated", "scenario") == "Today's placement mix"
    assert legend("unmitigated") == "Forecast, today's placement mix"
    assert label("not a key") == "not a key"


def test_no_module_reaches_into_another_packages_private_names():
    """``highneeds._extract()`` from finance and the like: across packages, a module uses the
    other's public functions only (within a package, helpers may be shared)."""
    found = []
    for path, parts, package in _modules():
        tree = ast.parse(path.read_text())
        bound = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                for a in node.names:
                    bound[a.asname or a.name] = f"{module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    bound[a.asname or a.name.split(".")[0]] = a.asname and a.name or \
                        a.name.split(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in bound and node.attr.startswith("_") \
                    and not node.attr.startswith("__"):
                target = bound[node.value.id]
                if target.startswith("sufficiency") and \
                        _layer(target.split(".")) != _layer(parts):
                    found.append(f"{'.'.join(parts)}:{node.lineno} {node.value.id}.{node.attr}")
    assert not found, found


def test_every_module_says_what_it_exports():
    """``__all__`` in every module: what a module offers is written down, not inferred."""
    missing = [".".join(parts) for path, parts, _ in _modules()
               if "__all__" not in {t.id for n in ast.parse(path.read_text()).body
                                    if isinstance(n, ast.Assign) for t in n.targets
                                    if isinstance(t, ast.Name)}]
    assert not missing, f"add __all__ to {missing}"


def test_the_package_shows_what_a_notebook_types():
    assert sorted(dir(sufficiency)) == sorted(sufficiency.__all__)
    for name in sufficiency.__all__:
        assert getattr(sufficiency, name) is not None, name


def test_every_vocabulary_code_is_named_by_its_own_table():
    """labels.py writes no words for a vocabulary code: needs, need groups, provisions, DSG
    categories, age bands and phases are named in the vocabulary's tables; the label table
    adds only the totals ('all') and the run's own keys and columns."""
    from sufficiency.data.labels import LABELS, label

    named = [(V.NEEDS, "need", "name"), (V.NEED_GROUPS, "need_group", "name"),
             (V.PROVISIONS, "provision", "label"), (V.PROVISIONS, "provision_full", "name"),
             (V.DSG_CATEGORIES, "dsg_category", "name"), (V.AGE_BANDS, "age_band", "name"),
             (V.PHASES, "phase", "name"), (V.THREE_TIER_PHASES, "phase", "name")]
    for table, kind, column in named:
        for code, words in zip(table.iloc[:, 0], table[column]):
            assert label(code, kind) == words, (kind, code)
    assert set(V.NEED_AREAS.values()) == set(V.NEED_GROUPS["need_group"])
    kinds = {kind for _, kind, _ in named}
    rows = LABELS[LABELS["kind"].isin(kinds) & (LABELS["key"] != "all")]
    from_tables = sum(len(t) for t, _, _ in named) - len(set(V.PHASES["phase"]) &
                                                          set(V.THREE_TIER_PHASES["phase"]))
    assert len(rows) == from_tables
