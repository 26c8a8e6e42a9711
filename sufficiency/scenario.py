"""Scenarios: data + assumptions + levers in one YAML file; load, validate, run, compare.

A scenario file is checked before anything runs: an unknown key, a wrong type, a missing file
or an impossible value raises :class:`~sufficiency.errors.ValidationError` naming the file,
the line and what was expected. ``extends: base.yaml`` starts from another scenario and
overrides a few values, so a mitigated variant is five lines on top of a baseline.

Examples
--------
>>> from sufficiency.scenario import load_scenario
>>> s = load_scenario("scenarios/example.yaml")
>>> s.get("forecast.horizon")
8
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .data.vocabulary import suggest
from .errors import ValidationError
from .safe_yaml import load_yaml
from .scenario_schema import LEVER_PARAMETERS, RATE_UNITS, SCENARIO_SCHEMA

__all__ = ["Scenario", "load_scenario", "scenario_from_dict", "FILE_KEYS", "MAX_PATH_BYTES",
           "INCOME_LINE_KEYS", "MAX_INCOME_LINE", "check_income_lines", "income_lines_frame"]

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
    notes: list = field(default_factory=list)
    lines: dict = field(default_factory=dict, repr=False, compare=False)

    def where(self, key: str) -> str:
        """``"file, line N"`` of a dotted key (``levers[0].from_year``) as the user wrote it."""
        return _where(self.lines, self.path, key)

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

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "s.yaml")
    >>> _ = open(p, "w").write("data:\\n  la: Wiltshire\\nforecast:\\n  growth_rate: 10.8\\n")
    >>> load_scenario(p)
    Traceback (most recent call last):
    ...
    sufficiency.errors.ValidationError: ...s.yaml: 1 problem(s):
      ...s.yaml, line 4: forecast.growth_rate = 10.8: expected -0.5 to 0.5 per year (did you mean 0.108?)
    """
    path = Path(path)
    raw, lines, chain, notes = _load_chain(path, seen=())
    for key, value in (overrides or {}).items():
        _set(raw, key, value)
    _la_as_text(raw)
    problems = _check_shape(raw, lines, path)
    config = _with_defaults(raw)
    problems += _check(config, raw, lines, path)
    if problems:
        raise ValidationError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems),
                              problems)
    _whole_numbers(config)
    _paths_from_this_file(config, lines, path)
    return Scenario(config=config, path=path, chain=chain, notes=notes, lines=lines)


def _paths_from_this_file(config: dict, lines: dict, path: Path) -> None:
    """A file named in a base scenario (``extends``) is relative to the base's folder: rewrite it
    relative to this file's, so everything that reads it finds the file validate checked."""
    import os

    for key in FILE_KEYS:
        value = _get(config, key)
        declared = lines.get(key, (path, None))[0]
        if not isinstance(value, str) or not value or Path(value).is_absolute() or \
                Path(declared).resolve().parent == path.resolve().parent:
            continue
        target = Path(declared).parent / value
        _set(config, key, os.path.relpath(target, path.parent))


def scenario_from_dict(config: dict, base_dir=".") -> Scenario:
    """Validate a scenario given as a dict (for notebooks and tests)."""
    if not isinstance(config, dict):
        raise ValidationError(f"scenario: expected a dict of keys, got {type(config).__name__}")
    raw = copy.deepcopy(config)
    _la_as_text(raw)
    where = Path(base_dir) / "<dict>"
    problems = _check_shape(raw, {}, where)
    full = _with_defaults(raw)
    problems += _check(full, raw, {}, where)
    if problems:
        raise ValidationError("scenario: " + "; ".join(problems), problems)
    _whole_numbers(full)
    return Scenario(config=full, path=Path(base_dir) / "scenario.yaml", chain=[])


# --- loading -------------------------------------------------------------------------------

def _load_chain(path: Path, seen: tuple):
    if path.resolve() in seen:
        raise ValidationError(f"{path}: 'extends' makes a loop through {[str(s) for s in seen]}")
    if not path.exists():
        raise ValidationError(f"{path}: no such scenario file")
    doc = load_yaml(path, "scenario file (.yaml)")
    raw = {} if doc.data is None else doc.data
    if not isinstance(raw, dict):
        raise ValidationError(f"{path}, line 1: expected a mapping of keys (name:, data:, ...), "
                              f"found {_kind(raw)}")
    lines = {k: (path, v) for k, v in doc.lines.items()}
    chain, notes = [path], list(doc.notes)
    if "extends" not in raw:
        return raw, lines, chain, notes
    base = raw.pop("extends")
    line = lines.get("extends", (path, 0))[1]
    if base is None:
        return raw, lines, chain, notes
    if not isinstance(base, str) or not base.strip():
        raise ValidationError(f"{path}, line {line}: extends = {base!r}: expected one scenario "
                              "file name, relative to this file (e.g. extends: example.yaml)")
    base_path = path.parent / base
    if not base_path.is_file():
        what = "is a folder" if base_path.is_dir() else "no such file"
        raise ValidationError(f"{path}, line {line}: extends: {base!r}: {what} ({base_path}); "
                              "expected a scenario file relative to this one")
    base_raw, base_lines, base_chain, base_notes = _load_chain(base_path,
                                                               seen + (path.resolve(),))
    raw = _merge(base_raw, raw)
    lines = {**base_lines, **lines}
    return raw, lines, base_chain + chain, base_notes + notes


def _whole_numbers(config: dict) -> None:
    """A whole number written as ``3.0`` (checked: it is whole) is stored as the int 3, so the
    stages that need an int get one (``horizon: 3.0`` was accepted, then refused by the run)."""
    def fix(node, key, value):
        if isinstance(value, float) and math.isfinite(value) and value == int(value):
            node[key] = int(value)

    for row in SCENARIO_SCHEMA.itertuples(index=False):
        if "int" in row.type.split("|") and "." in row.key:
            section, key = row.key.split(".", 1)
            node = config.get(section)
            if isinstance(node, dict):
                fix(node, key, node.get(key))
        elif "int" in row.type.split("|"):
            fix(config, row.key, config.get(row.key))
    ints = set(LEVER_PARAMETERS.loc[LEVER_PARAMETERS["type"] == "int", "parameter"])
    for lever in config.get("levers") or []:
        if isinstance(lever, dict):
            for key in ints & set(lever):
                fix(lever, key, lever[key])


def _la_as_text(raw: dict) -> None:
    """``data.la: 886`` (YAML reads a code as a number) is the code ``'886'``."""
    data = raw.get("data")
    if isinstance(data, dict) and isinstance(data.get("la"), int) and \
            not isinstance(data.get("la"), bool) and 100 <= data["la"] <= 999:
        data["la"] = str(data["la"])


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
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _with_defaults(raw: dict) -> dict:
    out = copy.deepcopy(raw)
    for row in SCENARIO_SCHEMA.itertuples(index=False):
        parts = row.key.split(".")
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        if parts[-1] not in node:
            node[parts[-1]] = copy.deepcopy(row.default)
    return out


# --- checking ------------------------------------------------------------------------------

def _where(lines: dict, path: Path, key: str) -> str:
    key = ".".join(part.strip() for part in str(key).split("."))
    file, line = lines.get(key, (path, None))
    if line is None and "." in key:   # a key inherited or absent: point at its section
        file, line = lines.get(key.rsplit(".", 1)[0].split("[")[0], (path, None))
    return f"{file}, line {line}" if line else f"{file}"


def _check_shape(raw: dict, lines: dict, path: Path) -> list[str]:
    """Sections must be mappings (``data: Wiltshire`` is not); fix them up so checks go on."""
    problems = []
    for section in sorted(_SECTIONS):
        value = raw.get(section)
        if section in raw and value is not None and not isinstance(value, dict):
            keys = sorted(k.split(".", 1)[1] for k in SCENARIO_SCHEMA["key"]
                          if k.startswith(section + "."))
            hint = ""
            if section == "data" and isinstance(value, str):
                hint = f" (did you mean data: {{la: {value}}}?)"
            problems.append(f"{_where(lines, path, section)}: {section} = {value!r}: expected a "
                            f"section of keys indented below it ({', '.join(keys[:4])}, ...)"
                            f"{hint}")
            raw[section] = {}
        elif section in raw and value is None:
            raw[section] = {}
    return problems


def _check(config: dict, raw: dict, lines: dict, path: Path) -> list[str]:
    problems = []
    known = set(SCENARIO_SCHEMA["key"]) | _SECTIONS

    def where(key):
        return _where(lines, path, key)

    for key in _flatten_keys(raw):
        if key not in known:
            name = key if isinstance(key, str) else repr(key)
            hint = suggest(str(key).strip(), sorted(known))
            if str(key) != str(key).strip() and str(key).strip() in known:
                hint = f" (spaces around the name: did you mean {str(key).strip()!r}?)"
            problems.append(f"{where(key)}: unknown key {name!r}{hint}")
    for row in SCENARIO_SCHEMA.itertuples(index=False):
        value = _get(config, row.key)
        message = _value_problem(value, row)
        if message:
            problems.append(f"{where(row.key)}: {row.key} = {value!r}: {message}")
    data = config.get("data", {})
    if not data.get("la") and not data.get("history"):
        problems.append(f"{where('data')}: data: expected 'la' (an LA in the embedded data) or "
                        "'history' (your own file)")
    la = data.get("la")
    if la and isinstance(la, str):
        from .data import las, resolve_la

        try:
            resolve_la(la, las())
        except KeyError as err:
            problems.append(f"{where('data.la')}: data.la: {err.args[0]}")
    for key in FILE_KEYS:
        value = _get(config, key)
        if value and isinstance(value, str):
            file = lines.get(key, (path, None))[0]
            target = Path(value) if Path(value).is_absolute() else Path(file).parent / value
            if target.is_dir():
                problems.append(f"{where(key)}: {key}: {value!r} is a folder; expected a CSV or "
                                "Excel file")
            elif not target.exists():
                problems.append(f"{where(key)}: {key}: file {value!r} not found (looked in "
                                f"{Path(file).parent}); expected a path relative to the "
                                "scenario file")
    if _get(config, "forecast.model") == "prevalence" and _get(config, "data.history"):
        problems.append(f"{where('forecast.model')}: forecast.model = 'prevalence' with "
                        "data.history: the prevalence model needs the LA's ONS population, "
                        "which is aged forward only for the embedded history; expected another "
                        "model (auto, log_linear, ...) with your own history")
    if _get(config, "data.history_sheet") and not _get(config, "data.history"):
        problems.append(f"{where('data.history_sheet')}: data.history_sheet is given without "
                        "data.history; expected the workbook it is a sheet of (data.history)")
    if _get(config, "allocate.settings") and not _get(config, "allocate.designations"):
        problems.append(f"{where('allocate.settings')}: allocate.settings is given without "
                        "allocate.designations; expected both (what each setting may take)")
    for key in ("allocate.designations", "allocate.projects", "allocate.travel",
                "allocate.existing"):
        if _get(config, key) and not _get(config, "allocate.settings"):
            problems.append(f"{where(key)}: {key} is given without allocate.settings; expected "
                            "the settings table it refers to")
    problems += _check_levers(config.get("levers"), lines, path,
                              by=_get(config, "forecast.by"))
    problems += _check_size(config, where)
    problems += check_income_lines(_get(config, "finance.income_lines"), where)[1]
    return problems


#: The keys of one ``finance.income_lines`` item.
INCOME_LINE_KEYS = ("year", "financial_year", "line", "amount_gbp")

#: Largest amount of one income line (£): far above any LA's High Needs Block.
MAX_INCOME_LINE = 1e10

_EXAMPLE_LINE = "{year: 2026, line: Safety Valve, amount_gbp: 5000000}"

_INCOME_LINE_ALIASES = {"label": "line", "name": "line", "description": "line", "item": "line",
                        "amount": "amount_gbp", "value": "amount_gbp", "gbp": "amount_gbp",
                        "fy": "financial_year"}


def _money(text: str):
    """'£5m', '5 million', '£250k', '£1.2bn' -> pounds; None for anything else."""
    import re

    m = re.fullmatch(r"\s*(-?)\s*£?\s*(\d+(?:\.\d+)?)\s*(k|m|mn|bn|million|billion|"
                     r"thousand)\s*", text.replace(",", "").lower())
    if not m:
        return None
    scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9,
             "billion": 1e9}[m.group(3)]
    return (-1 if m.group(1) else 1) * float(m.group(2)) * scale


def _financial_year(value):
    """``"2025-26"`` (or ``2025/26``, ``2025-2026``) -> census year 2026; None if not one."""
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*", str(value))
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    if (end % 100 if end >= 100 else end) != (start + 1) % 100 or (end >= 100 and end != start + 1):
        return None
    return start + 1


def check_income_lines(items, where) -> tuple[list, list]:
    """Check ``finance.income_lines``; return ``(lines, problems)``.

    Each item is ``{year: 2026, line: ..., amount_gbp: ...}`` (``year`` = January census year,
    2026 = 2025-26) or gives ``financial_year: 2025-26`` instead of ``year``. ``amount_gbp`` is
    money into the High Needs Block in £ (negative: money taken out, e.g. a transfer back to the
    schools block), finite, not zero, at most £10bn either way; a Safety Valve payment is
    income (positive). ``lines`` holds ``(index, year, line, amount_gbp)`` for the good items;
    ``problems`` names each bad one by its line in the scenario file and its key.

    Examples
    --------
    >>> check_income_lines([{"financial_year": "2025-26", "line": "SV", "amount_gbp": 5e6}],
    ...                    lambda key: "s.yaml")
    ([(0, 2026, 'SV', 5000000.0)], [])
    >>> check_income_lines([{"year": 2026, "line": "SV", "amount_gbp": "5,000,000"}],
    ...                    lambda key: "s.yaml")[1]
    ["s.yaml: finance.income_lines[0].amount_gbp = '5,000,000': expected a number from -1e+10 to 1e+10 GBP, found the text '5,000,000' (did you mean 5000000.0, without quotes?)"]
    """
    if not isinstance(items, list):
        return [], []   # the type check of finance.income_lines reports it
    good, problems = [], []
    seen = {}
    for i, item in enumerate(items):
        at = f"finance.income_lines[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where(at)}: {at} = {item!r}: expected a mapping {_EXAMPLE_LINE}")
            continue
        bad = len(problems)
        for key in item:
            if key not in INCOME_LINE_KEYS:
                hint = suggest(str(key), list(INCOME_LINE_KEYS))
                if not hint and str(key).strip().lower() in _INCOME_LINE_ALIASES:
                    hint = f" (did you mean {_INCOME_LINE_ALIASES[str(key).strip().lower()]!r}?)"
                problems.append(f"{where(f'{at}.{key}')}: {at}: unknown key {key!r}"
                                f"{hint}; expected "
                                f"{_EXAMPLE_LINE} (or financial_year: 2025-26 for year)")
        year = None
        if "year" in item:
            message = _number_problem(item["year"], "int", 2000, 2100, "")
            fy = _financial_year(item["year"]) if message else None
            if fy is not None:
                message += f" (did you mean financial_year: {item['year']}, or year: {fy}?)"
            if message:
                problems.append(f"{where(f'{at}.year')}: {at}.year = {item['year']!r}: "
                                f"{message} (the January census year: 2026 = 2025-26)")
            else:
                year = int(item["year"])
        if "financial_year" in item:
            fy = _financial_year(item["financial_year"])
            if fy is None:
                problems.append(f"{where(f'{at}.financial_year')}: {at}.financial_year = "
                                f"{item['financial_year']!r}: expected a financial year such as "
                                "'2025-26'")
            elif year is not None and fy != year:
                problems.append(f"{where(f'{at}.financial_year')}: {at}: financial_year "
                                f"{item['financial_year']!r} is year {fy}, but year says {year}; "
                                "expected one of them (year 2026 = 2025-26)")
            else:
                year = fy
        if "year" not in item and "financial_year" not in item:
            problems.append(f"{where(at)}: {at}: no year; expected year: 2026 (January census "
                            "year) or financial_year: 2025-26")
        label = item.get("line")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{where(f'{at}.line') if 'line' in item else where(at)}: {at}.line "
                            f"= {label!r}: expected a label in words (e.g. Safety Valve payment)")
            label = None
        amount = item.get("amount_gbp")
        if "amount_gbp" not in item:
            problems.append(f"{where(at)}: {at}: no amount_gbp; expected {_EXAMPLE_LINE}")
        else:
            message = _number_problem(amount, "float", -MAX_INCOME_LINE, MAX_INCOME_LINE, "GBP")
            if message and isinstance(amount, str) and _money(amount) is not None:
                message += f" (did you mean {_money(amount):.0f}?)"
            if not message and amount == 0:
                message = "expected an amount other than 0 (leave the line out instead)"
            if not message and label and "safety valve" in label.lower() and amount < 0:
                message = ("expected a positive amount: a Safety Valve payment is income to the "
                           "High Needs Block")
            if message:
                problems.append(f"{where(f'{at}.amount_gbp')}: {at}.amount_gbp = {amount!r}: "
                                f"{message}")
        if len(problems) > bad or year is None or label is None:
            continue
        key = (year, label.strip().lower())
        if key in seen:
            problems.append(f"{where(at)}: {at}: {label!r} in {year} is given twice (also "
                            f"finance.income_lines[{seen[key]}]); expected each line once (add "
                            "the amounts)")
            continue
        seen[key] = i
        good.append((i, year, label.strip(), float(amount)))
    return good, problems


#: Scenario keys naming a user file (read by :mod:`sufficiency.data.tables`).
FILE_KEYS = ("data.history", "allocate.settings", "allocate.designations", "allocate.projects",
             "allocate.travel", "allocate.existing", "finance.costs", "data.planning_areas")

#: Largest working memory a run may need for its simulated paths (bytes); see :func:`_check_size`.
MAX_PATH_BYTES = 2 * 1024 ** 3

#: Series and demand cells a path is expanded into (6 age-band series x about 250
#: provision x need group x phase cells), for the memory estimate.
_CELLS_PER_PATH_YEAR = 6 * 250


def _check_size(config: dict, where) -> list[str]:
    """Paths x years x cells in float64, checked before anything is allocated."""
    n_paths, horizon = _get(config, "forecast.n_paths"), _get(config, "forecast.horizon")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0
               for v in (n_paths, horizon)):
        return []
    need = n_paths * horizon * _CELLS_PER_PATH_YEAR * 8
    if need > MAX_PATH_BYTES:
        return [f"{where('forecast.n_paths')}: forecast.n_paths = {n_paths} with horizon "
                f"{horizon} needs about {need / 1024 ** 3:.1f} GiB; expected at most "
                f"{MAX_PATH_BYTES / 1024 ** 3:.0f} GiB (fewer paths)"]
    return []


def _check_levers(levers, lines: dict, path: Path, by=None) -> list[str]:
    from .forecast.levers import LEVERS

    if levers is None:
        return []
    if not isinstance(levers, list):
        return [f"{_where(lines, path, 'levers')}: levers = {levers!r}: expected a list, each "
                "item '- name: ...' with its parameters"]
    params = LEVER_PARAMETERS.set_index("parameter")
    problems = []
    for i, lever in enumerate(levers):
        at = f"levers[{i}]"
        if not isinstance(lever, dict) or "name" not in lever:
            problems.append(f"{_where(lines, path, at)}: {at} = {lever!r}: expected a mapping "
                            f"with a name, one of {sorted(LEVERS)}")
            continue
        name = lever["name"]
        if name not in LEVERS:
            problems.append(f"{_where(lines, path, at + '.name')}: {at}.name = {name!r}: expected "
                            f"one of {sorted(LEVERS)}{suggest(str(name), sorted(LEVERS))}")
            continue
        required, optional = LEVERS[name][1], LEVERS[name][2]
        for p in required:
            if p not in lever:
                problems.append(f"{_where(lines, path, at)}: {at} ({name}): parameter {p!r} is "
                                f"missing; expected {', '.join(required)}")
        for p, value in lever.items():
            if p == "name":
                continue
            key = f"{at}.{p}"
            if p not in required + optional:
                problems.append(f"{_where(lines, path, key)}: {key}: unknown parameter of {name}"
                                f"{suggest(str(p), required + optional)}; expected "
                                f"{', '.join(required + optional)}")
                continue
            if p in params.index:
                message = _lever_value_problem(value, params.loc[p], by)
                if message:
                    problems.append(f"{_where(lines, path, key)}: {key} = {value!r}: {message}")
    return problems


def _where_problem(value, by) -> str:
    """A lever's ``where``: the forecast's own keys (``age_band`` when forecasting by age band)
    and values it has; anything else matches no series (the run refused it after forecasting)."""
    from .data.vocabulary import AGE_BANDS

    keys = ["age_band"] if by == "age_band" else []
    bands = list(AGE_BANDS["age_band"])
    for column, wanted in value.items():
        if column not in keys:
            return (f"column {column!r} is not a key of the forecast "
                    f"({keys or 'none: forecast.by is total'}); expected "
                    + ("{age_band: 5-10}" if keys else "no 'where' (the lever acts on the total)")
                    + suggest(str(column), keys))
        if isinstance(wanted, (list, dict)):
            return (f"{column} = {wanted!r}: expected one age band (one lever per band)")
        if str(wanted) not in bands:
            return (f"{column} {wanted!r} is not an age band; expected one of {bands}"
                    f"{suggest(str(wanted), bands)}")
    return ""


def _lever_value_problem(value, spec, by=None) -> str:
    kind = spec["type"]
    if kind == "provision":
        from .data.vocabulary import PROVISIONS

        options = list(PROVISIONS["provision"])
        return "" if value in options else \
            f"expected a provision code, one of {options}{suggest(str(value), options)}"
    if kind == "mapping":
        return _where_problem(value, by) if isinstance(value, dict) else \
            "expected a mapping {column: value}"
    return _number_problem(value, kind, spec["min"], spec["max"], spec["unit"])


def income_lines_frame(scenario: Scenario) -> pd.DataFrame:
    """``finance.income_lines`` as ``year, line, amount_gbp`` (``financial_year`` items given
    their census year), in the order written.

    Examples
    --------
    >>> s = scenario_from_dict({"data": {"la": "Wiltshire"}, "finance": {"income_lines": [
    ...     {"financial_year": "2025-26", "line": "Safety Valve", "amount_gbp": 5e6}]}})
    >>> income_lines_frame(s).values.tolist()
    [[2026, 'Safety Valve', 5000000.0]]
    """
    good, _ = check_income_lines(scenario.get("finance.income_lines") or [], lambda key: "")
    return pd.DataFrame([g[1:] for g in good], columns=["year", "line", "amount_gbp"])


def _flatten_keys(raw: dict, prefix="") -> list:
    out = []
    for key, value in raw.items():
        full = f"{prefix}{key}"
        out.append(full if isinstance(key, str) or prefix else key)
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


_NAMES = {"str": "text", "path": "a file path", "int": "a whole number", "float": "a number",
          "bool": "true or false", "list": "a list", "null": "empty"}


def _value_problem(value, row) -> str:
    kind = row.type
    if kind.startswith("choice:"):
        options = kind.split(":", 1)[1].split("|")
        if value not in options:
            return f"expected one of {options}{suggest(str(value), options)}"
        return ""
    allowed = kind.split("|")
    if value is None:
        return "" if ("null" in allowed or kind in ("str", "path")) else "a value is required"
    numeric = [a for a in allowed if a in ("int", "float")]
    if numeric:
        return _number_problem(value, numeric[0], row.min, row.max, row.unit,
                               nullable="null" in allowed)
    checks = {"str": lambda v: isinstance(v, str), "path": lambda v: isinstance(v, str),
              "bool": lambda v: isinstance(v, bool), "list": lambda v: isinstance(v, list),
              "null": lambda v: v is None}
    if any(checks[a](value) for a in allowed):
        return ""
    return "expected " + " or ".join(_NAMES[a] for a in allowed) + f", found {_kind(value)}"


def _number_problem(value, kind: str, low, high, unit: str, nullable: bool = False) -> str:
    """Type, finiteness and range of one number; 'did you mean' for percentages and text."""
    rate = unit in RATE_UNITS
    span = "" if low is None or pd.isna(low) else f"{low:g} to {high:g}{' ' + unit if unit else ''}"
    expected = f"expected {_NAMES[kind]}" + (f" from {span}" if span else "") + \
        (" or empty" if nullable else "")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = ""
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace("_", "")
            number = _parse_number(text.rstrip("%"))
            if number is not None and text.endswith("%"):
                hint = f" (did you mean {number / 100:g}?)"
            elif number is not None and not (kind == "int" and number != int(number)):
                shown = int(number) if kind == "int" else number
                hint = f" (did you mean {shown!r}, without quotes?)"
        return f"{expected}, found {_kind(value)}{hint}"
    if kind == "int" and isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return f"{expected}, found {value!r}"
        value = int(value)
    if not math.isfinite(value):
        return f"{expected}; found a value that is not finite"
    if span and not (low <= value <= high):
        hint = ""
        if rate and low <= value / 100 <= high and abs(value) > 1:
            hint = f" (did you mean {value / 100:g}?)"
        return f"expected {span}{hint}"
    return ""


def _parse_number(text: str):
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a section of keys"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"{type(value).__name__} {value!r}"


def _show(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, default=str)
    return "" if value is None else value
