"""The one YAML loader: rejects duplicate keys and remembers the line of every key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assay.errors import ConfigError

KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader: no Python object tags, so a project file cannot run code."""


def load_yaml(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Parse `path`; return the data and a map from key path to 1-based line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: project file not found"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        lines: dict[KeyPath, int] = {}
        problems: list[str] = []
        _walk(node, (), lines, problems, path)
        if problems:
            raise ConfigError(problems)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError([f"{where}: invalid YAML: {exc.problem}"]) from None
    finally:
        loader.dispose()


def _walk(node: yaml.Node, at: KeyPath, lines: dict[KeyPath, int], problems: list[str], path: Path) -> None:
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
            _walk(value_node, (*at, key), lines, problems, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*at, i), lines, problems, path)


def line_of(lines: dict[KeyPath, int], at: KeyPath) -> int | None:
    """The line of the longest prefix of `at` that the file has (errors may name a missing key)."""
    for n in range(len(at), -1, -1):
        if at[:n] in lines:
            return lines[at[:n]]
    return None
