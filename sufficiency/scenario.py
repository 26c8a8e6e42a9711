"""Scenarios: data + assumptions + levers in one YAML file; load, validate, run, compare.

A scenario file is checked before anything runs: an unknown key, a wrong type, a missing file
or an impossible value raises :class:`~sufficiency.errors.ValidationError` naming the file,
the line and what was expected. ``extends: base.yaml`` starts from another scenario and
overrides a few values, so a mitigated variant is five lines on top of a baseline.

Examples
--------
>>> from sufficiency.scenario import load_scenario
>>> s = load_scenario("scenarios/example.yaml")     # doctest: +SKIP
>>> s.get("forecast.horizon")                       # doctest: +SKIP
8
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .data.vocabulary import suggest
from .errors import ValidationError
from .scenario_schema import SCENARIO_SCHEMA

_SECTIONS = {k.split(".")[0] for k in SCENARIO_SCHEMA["key"] if "." in k}


@dataclass
class Scenario:
    """A validated scenario.

    Attributes
    ----------
    config : dict
        Every key of the schema, with the file's value or the default (nested by section).
    path : Path or None
        The file it came from (paths inside it are relative to this file).
    chain : list of Path
        The files it was assembled from, base first.
    """

    config: dict
    path: Path | None = None
    chain: list = field(default_factory=list)

    def get(self, key: str, default=None):
        node = self.config
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    @property
    def name(self) -> str:
        return self.get("name") or (self.path.stem if self.path else "scenario")

    def resolve(self, relative) -> Path | None:
        """A path from the scenario, relative to the scenario file."""
        if relative in (None, ""):
            return None
        p = Path(relative)
        return p if p.is_absolute() or self.path is None else (self.path.parent / p)

    def digest(self) -> str:
        """SHA-256 of the resolved configuration (what the run actually used)."""
        text = json.dumps(self.config, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def assumptions(self):
        """Every schema key, its value in this scenario, unit and source, as a DataFrame."""
        import pandas as pd

        rows = []
        for row in SCENARIO_SCHEMA.itertuples(index=False):
            value = self.get(row.key)
            rows.append({"parameter": row.key, "value": _show(value), "unit": row.unit,
                         "source": row.source or ("scenario file" if value != row.default
                                                  else "default"),
                         "description": row.description})
        return pd.DataFrame(rows)


def load_scenario(path, overrides: dict | None = None) -> Scenario:
    """Read, merge (``extends``) and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    overrides : dict, optional
        Dotted keys to set after loading, e.g. ``{"forecast.horizon": 5}``.

    Raises
    ------
    ValidationError
        Every problem found, each naming the file, the line and what was expected.
    """
    path = Path(path)
    raw, lines, chain = _load_chain(path, seen=())
    for key, value in (overrides or {}).items():
        _set(raw, key, value)
    config = _with_defaults(raw)
    problems = _check(config, raw, lines, path)
    if problems:
        raise ValidationError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems),
                              problems)
    return Scenario(config=config, path=path, chain=chain)


def scenario_from_dict(config: dict, base_dir=".") -> Scenario:
    """Validate a scenario given as a dict (for notebooks and tests)."""
    raw = copy.deepcopy(config)
    full = _with_defaults(raw)
    problems = _check(full, raw, {}, Path(base_dir) / "<dict>")
    if problems:
        raise ValidationError("scenario: " + "; ".join(problems), problems)
    return Scenario(config=full, path=Path(base_dir) / "scenario.yaml", chain=[])


# --- loading -------------------------------------------------------------------------------

def _load_chain(path: Path, seen: tuple):
    if not path.exists():
        raise ValidationError(f"{path}: no such scenario file")
    if path.resolve() in seen:
        raise ValidationError(f"{path}: 'extends' makes a loop through {[str(s) for s in seen]}")
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise ValidationError(f"{path}{where}: not valid YAML ({getattr(err, 'problem', err)})")
    if not isinstance(raw, dict):
        raise ValidationError(f"{path}, line 1: expected a mapping of keys (name:, data:, ...)")
    lines = {k: (path, v) for k, v in _lines(node).items()}
    chain = [path]
    base = raw.pop("extends", None)
    if base:
        base_path = (path.parent / base)
        if not base_path.exists():
            line = lines.get("extends", (path, 0))[1]
            raise ValidationError(f"{path}, line {line}: extends: {base!r}: no such file "
                                  f"({base_path}); expected a scenario file relative to this one")
        base_raw, base_lines, base_chain = _load_chain(base_path, seen + (path.resolve(),))
        raw = _merge(base_raw, raw)
        lines = {**base_lines, **lines}
        chain = base_chain + chain
    return raw, lines, chain


def _lines(node, prefix="") -> dict:
    out = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            out[key] = key_node.start_mark.line + 1
            out.update(_lines(value_node, key + "."))
    return out


def _merge(base: dict, top: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _set(config: dict, dotted: str, value) -> None:
    parts = dotted.split(".")
    node = config
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _with_defaults(raw: dict) -> dict:
    out = copy.deepcopy(raw)
    for row in SCENARIO_SCHEMA.itertuples(index=False):
        parts = row.key.split(".")
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {} if node.get(part) is None else node[part]
            node = node[part]
        if isinstance(node, dict) and parts[-1] not in node:
            node[parts[-1]] = copy.deepcopy(row.default)
    return out


# --- checking ------------------------------------------------------------------------------

def _check(config: dict, raw: dict, lines: dict, path: Path) -> list[str]:
    problems = []
    known = set(SCENARIO_SCHEMA["key"]) | _SECTIONS

    def where(key):
        file, line = lines.get(key, (path, None))
        return f"{file}, line {line}" if line else f"{file}"

    for key in _flatten_keys(raw):
        if key not in known and key.split(".")[0] not in ("levers",):
            hint = suggest(key, sorted(known))
            problems.append(f"{where(key)}: unknown key {key!r}{hint}")
    for row in SCENARIO_SCHEMA.itertuples(index=False):
        value = _get(config, row.key)
        message = _type_problem(value, row.type)
        if message:
            problems.append(f"{where(row.key)}: {row.key} = {value!r}: {message}")
    if not config.get("data", {}).get("la") and not config.get("data", {}).get("history"):
        problems.append(f"{where('data')}: data: expected 'la' (an LA in the embedded data) or "
                        "'history' (your own file)")
    la = config.get("data", {}).get("la")
    if la:
        from .data import las, resolve_la

        try:
            resolve_la(la, las())
        except KeyError as err:
            problems.append(f"{where('data.la')}: data.la: {err.args[0]}")
    for key in ("data.history", "allocate.settings", "allocate.designations",
                "allocate.projects"):
        value = _get(config, key)
        if value:
            file = lines.get(key, (path, None))[0]
            if not (Path(file).parent / value).exists() and not Path(value).exists():
                problems.append(f"{where(key)}: {key}: file {value!r} not found (looked in "
                                f"{Path(file).parent}); expected a path relative to the "
                                "scenario file")
    horizon = _get(config, "forecast.horizon")
    if isinstance(horizon, int) and not 1 <= horizon <= 10:
        problems.append(f"{where('forecast.horizon')}: forecast.horizon = {horizon}: expected "
                        "1 to 10 years")
    for key in ("allocate.discount_rate", "finance.inflation", "finance.income_growth"):
        value = _get(config, key)
        if isinstance(value, (int, float)) and not -0.5 < value < 1:
            problems.append(f"{where(key)}: {key} = {value}: expected a rate per year as a "
                            "fraction, e.g. 0.035 for 3.5%")
    for key in ("allocate.penalty_unplaced", "allocate.time_limit",
                "allocate.capital_budget_total", "allocate.capital_budget_per_year"):
        value = _get(config, key)
        if isinstance(value, (int, float)) and value < 0:
            problems.append(f"{where(key)}: {key} = {value}: expected 0 or more")
    levers = config.get("levers") or []
    if not isinstance(levers, list) or not all(isinstance(x, dict) and "name" in x
                                               for x in levers):
        problems.append(f"{where('levers')}: levers: expected a list of mappings, each with a "
                        "'name' (e.g. - name: reduce_new_plan_growth)")
    return problems


def _flatten_keys(raw: dict, prefix="") -> list[str]:
    out = []
    for key, value in raw.items():
        full = f"{prefix}{key}"
        out.append(full)
        if isinstance(value, dict) and full in _SECTIONS:
            out += _flatten_keys(value, full + ".")
    return out


def _get(config, key):
    node = config
    for part in key.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _type_problem(value, kind: str) -> str:
    if kind.startswith("choice:"):
        options = kind.split(":", 1)[1].split("|")
        if value not in options:
            return f"expected one of {options}{suggest(str(value), options)}"
        return ""
    allowed = kind.split("|")
    if value is None:
        return "" if ("null" in allowed or kind in ("str", "path")) else "a value is required"
    checks = {"str": lambda v: isinstance(v, str), "path": lambda v: isinstance(v, str),
              "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "bool": lambda v: isinstance(v, bool), "list": lambda v: isinstance(v, list),
              "null": lambda v: v is None}
    if any(checks[a](value) for a in allowed):
        return ""
    names = {"str": "text", "path": "a file path", "int": "a whole number", "float": "a number",
             "bool": "true or false", "list": "a list", "null": "empty"}
    return "expected " + " or ".join(names[a] for a in allowed)


def _show(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else value
