"""Read a YAML file defensively: size and alias limits, duplicate keys, encodings, line numbers.

Scenario files come from people and from e-mail attachments. This reader refuses what PyYAML
would otherwise accept silently or choke on:

- a file larger than :data:`MAX_BYTES` or holding NUL bytes (not a text file);
- text that is not UTF-8 is read as Windows-1252 (Excel and Notepad on Windows save it), with
  a note; text that is neither is rejected naming the line of the first bad byte;
- a key given twice in one mapping (PyYAML keeps the last silently), also when the two differ
  only by surrounding spaces;
- aliases that expand to more than :data:`MAX_NODES` nodes (the "billion laughs" bomb, which
  otherwise hangs anything that walks the result) or refer to themselves.

Every problem raises :class:`~sufficiency.errors.ValidationError` naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ValidationError

__all__ = ["MAX_BYTES", "MAX_NODES", "YamlDocument", "read_text", "load_yaml"]

#: Largest scenario file read (bytes). Real scenarios are under 5 kB.
MAX_BYTES = 1_000_000

#: Largest number of nodes the document may expand to once aliases are followed.
MAX_NODES = 100_000


@dataclass
class YamlDocument:
    """A parsed YAML document.

    Attributes
    ----------
    data : object
        The document as Python objects (``None`` for an empty file).
    lines : dict
        Dotted key path -> 1-based line of the key (``"forecast.horizon": 12``).
    notes : list of str
        Things worth telling the user (e.g. read as Windows-1252).
    """

    data: object
    lines: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def read_text(path: Path, what: str = "file") -> tuple[str, list[str]]:
    """The text of ``path`` (UTF-8, else Windows-1252) and notes; errors name the file."""
    path = Path(path)
    if path.is_dir():
        raise ValidationError(f"{path}: is a folder; expected a {what}")
    if not path.exists():
        raise ValidationError(f"{path}: no such {what}")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(f"{path}: {size:,} bytes; expected a {what} of at most "
                                  f"{MAX_BYTES:,} bytes")
        raw = path.read_bytes()
    except OSError as err:
        raise ValidationError(f"{path}: cannot be read ({err.strerror or err}); expected a "
                              f"readable {what}") from None
    if b"\x00" in raw:
        line = raw[:raw.index(b"\x00")].count(b"\n") + 1
        raise ValidationError(f"{path}, line {line}: holds NUL bytes, so it is not a text file; "
                              f"expected a {what} saved as text (UTF-8)")
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        first_bad = err.start
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ValidationError(f"{path}, line {line}: byte {raw[err.start]:#04x} is neither UTF-8 "
                              "nor Windows-1252 text; expected the file saved as UTF-8") from None
    line = raw[:first_bad].count(b"\n") + 1
    return text, [f"{path}: not UTF-8 (first at line {line}); read as Windows-1252"]


def load_yaml(path, what: str = "YAML file") -> YamlDocument:
    """Read and parse a YAML file with the checks in the module docstring.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "s.yaml")
    >>> _ = open(p, "w").write("a: 1\\nb:\\n  c: 2\\n")
    >>> doc = load_yaml(p)
    >>> doc.data, doc.lines
    ({'a': 1, 'b': {'c': 2}}, {'a': 1, 'b': 2, 'b.c': 3})
    >>> _ = open(p, "w").write("a: 1\\na: 2\\n")
    >>> load_yaml(p)
    Traceback (most recent call last):
    ...
    sufficiency.errors.ValidationError: ...s.yaml, line 2: key 'a' is given twice (first on line 1); expected each key once
    """
    path = Path(path)
    text, notes = read_text(path, what)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise ValidationError(_yaml_error(path, err)) from None
    except RecursionError:
        raise ValidationError(f"{path}: nested too deeply; expected a scenario of a few "
                              "levels") from None
    if node is None:
        return YamlDocument(None, {}, notes)
    _check_nodes(node, path)
    try:
        data = yaml.SafeLoader(text).get_single_data()
    except yaml.YAMLError as err:
        raise ValidationError(_yaml_error(path, err)) from None
    lines = {}
    _lines(node, "", lines)
    return YamlDocument(data, lines, notes)


def _yaml_error(path: Path, err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    return f"{path}{where}: not valid YAML ({problem}); expected 'key: value' lines"


def _check_nodes(root, path: Path) -> None:
    """Duplicate keys, self-reference and the expanded size, without expanding anything."""
    sizes: dict[int, int] = {}
    on_stack: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_stack:
            raise ValidationError(f"{path}, line {node.start_mark.line + 1}: an alias refers to "
                                  "the node that contains it; expected plain values")
        on_stack.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    name = str(k.value).strip()
                    if name in seen:
                        raise ValidationError(
                            f"{path}, line {k.start_mark.line + 1}: key {name!r} is given twice "
                            f"(first on line {seen[name]}); expected each key once")
                    seen[name] = k.start_mark.line + 1
                total += size(k) + size(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v)
        on_stack.discard(key)
        sizes[key] = total
        if total > MAX_NODES:
            raise ValidationError(
                f"{path}, line {node.start_mark.line + 1}: expands to more than {MAX_NODES:,} "
                "values once its aliases (*name) are followed; expected a small scenario file")
        return total

    size(root)


def _lines(node, prefix: str, out: dict, depth: int = 0) -> None:
    """Line of every key (``a.b``) and list item (``levers[0]``, ``levers[0].name``)."""
    if depth > 20:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = f"{prefix}.{str(key_node.value).strip()}" if prefix else \
                str(key_node.value).strip()
            out.setdefault(key, key_node.start_mark.line + 1)
            _lines(value_node, key, out, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = f"{prefix}[{i}]"
            out.setdefault(key, item.start_mark.line + 1)
            _lines(item, key, out, depth + 1)
