"""The one YAML loader: rejects duplicate keys and remembers the line of every key path.

It is bounded, so a small hostile file cannot exhaust memory or time: at most MAX_BYTES of
text, MAX_ALIASES alias references, MAX_DEPTH levels of nesting and MAX_NODES values once
aliases are expanded (a "billion laughs" file of nested aliases stops at the first bound).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assay.errors import ConfigError

KeyPath = tuple[str | int, ...]

MAX_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 100
MAX_DEPTH = 50
MAX_NODES = 100_000


class _Bounded(Exception):
    """A bound of the loader was passed; carries the 1-based line and the message."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader (no Python object tags, so a project file cannot run code) with bounds."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Bounded(line, f"more than {MAX_ALIASES} aliases (*name); write the values out")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Bounded(line, f"nested deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Parse `path`; return the data and a map from key path to 1-based line number."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError([f"{path}: the project file is {size:,} bytes; at most {MAX_BYTES:,} are read"])
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise ConfigError([f"{path}: project file not found"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a folder, expected the project file"]) from None
    except PermissionError:
        raise ConfigError([f"{path}: cannot read the project file (permission denied)"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError([f"{path}:{line}: invalid YAML: the character U+{exc.character:04X} is not allowed in YAML text"]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        lines: dict[KeyPath, int] = {}
        problems: list[str] = []
        _walk(node, (), lines, problems, path, [0])
        if problems:
            raise ConfigError(problems)
        return loader.construct_document(node), lines
    except _Bounded as exc:
        raise ConfigError([f"{path}:{exc.line}: {exc.message}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError([f"{where}: invalid YAML: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: invalid YAML: {exc}"]) from None
    finally:
        loader.dispose()


def _walk(node: yaml.Node, at: KeyPath, lines: dict[KeyPath, int], problems: list[str], path: Path, count: list[int]) -> None:
    """Record key lines and duplicate keys, walking aliases as expanded and counting the values."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _Bounded(node.start_mark.line + 1, f"more than {MAX_NODES:,} values once aliases are expanded")
    lines.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                dotted = ".".join(str(p) for p in (*at, key))
                problems.append(f"{path}:{line}: {dotted}: duplicate key (first defined on line {seen[key]})")
                continue
            seen[key] = line
            lines[(*at, key)] = line
            _walk(value_node, (*at, key), lines, problems, path, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*at, i), lines, problems, path, count)


def line_of(lines: dict[KeyPath, int], at: KeyPath) -> int | None:
    """The line of the longest prefix of `at` that the file has (errors may name a missing key)."""
    for n in range(len(at), -1, -1):
        if at[:n] in lines:
            return lines[at[:n]]
    return None
