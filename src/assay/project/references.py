"""Checks that a metric or finding rule names tables, columns and values that exist.

Shared by the finding rules and every metric kind's `problems`, so a `where` or a `by` is
validated the same way wherever it appears. Registries are imported inside the functions: they
import the project models, which this module's importers load first.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from assay.project.yaml_loader import KeyPath

if TYPE_CHECKING:
    from assay.project.models import ColumnType, FindingRule, MetricBase, Project

Problems = list[tuple[KeyPath, str]]

_WHERE_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "string": ((str,), "text"),
    "boolean": ((bool,), "a boolean (true or false, unquoted)"),
    "int64": ((int,), "a whole number"),
    "float64": ((int, float), "a number"),
    "date": ((date,), "a date written unquoted as YYYY-MM-DD"),
    "timestamp": ((date,), "a date or timestamp written unquoted, as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"),
}


def where_value_problem(column_type: str, choices: tuple[str, ...] | None, wanted: Any) -> str | None:
    """Why a `where` value (one value or a list of them) cannot match its column, or None."""
    values = wanted if isinstance(wanted, list) else [wanted]
    if not values:
        return "an empty list matches nothing; give at least one value"
    types, expected = _WHERE_TYPES[column_type]
    for value in values:
        if value is None:
            return "null never matches (a comparison with null is unknown); give a value"
        if not isinstance(value, types) or (column_type != "boolean" and isinstance(value, bool)):
            return f"expected {expected}, got {value!r} ({type(value).__name__})"
        if column_type == "date" and isinstance(value, datetime):
            return f"expected {expected}, got the timestamp {value!r}"
        if choices and value not in choices:
            return f"{value!r} never occurs; expected one of: {', '.join(choices)}"
    return None


def table_columns(p: Project, name: str) -> dict[str, ColumnType] | None:
    """Columns and types of a source or a finding input, or None when neither has that name."""
    from assay.findings.inputs.registry import finding_inputs

    if name in p.sources:
        return {c: spec.type or "string" for c, spec in p.sources[name].columns.items()}
    spec = finding_inputs().get(name)
    return dict(spec.schema) if spec is not None else None


def table_problems(p: Project, at: KeyPath, name: str, entity: str | None = None) -> Problems:
    """`name` must be a source (of `entity`, when given) or, without an entity, a finding input
    the project can build."""
    from assay.findings.inputs.registry import finding_inputs

    inputs = finding_inputs()
    if name in p.sources:
        source = p.sources[name]
        if entity and source.entity != entity:
            return [(at, f"source {name!r} is a {source.entity}, expected a {entity} source")]
        return []
    if entity is None and name in inputs:
        why = inputs[name].missing(p)
        return [(at, f"the {name} table cannot be built: {why}")] if why else []
    tables = [*p.sources, *([] if entity else inputs)]
    return [(at, f"unknown {'source' if entity else 'source or finding input'} {name!r}; known: {', '.join(tables)}")]


def column_problems(p: Project, at: KeyPath, table: str, columns: list[str], types: tuple[str, ...] | None = None) -> Problems:
    """Each column must exist in `table` (and have one of `types`, when given)."""
    known = table_columns(p, table)
    if known is None:
        return []
    out: Problems = []
    for column in columns:
        if column not in known:
            out.append((at, f"{table!r} has no column {column!r}; its columns: {', '.join(known)}"))
        elif types and known[column] not in types:
            out.append((at, f"column {column!r} of {table!r} is {known[column]}, expected {' or '.join(types)}"))
    return out


def table_vocabularies(p: Project, name: str) -> dict[str, tuple[str, ...]]:
    """Closed vocabularies of a finding input's columns (sources declare none)."""
    from assay.findings.inputs.registry import finding_inputs

    spec = finding_inputs().get(name) if name not in p.sources else None
    return spec.values if spec is not None else {}


def by_problems(p: Project, at: KeyPath, table: str, by: list[str]) -> Problems:
    """Each dimension of `by` is a column of the table, located at its position in the list."""
    return [problem for i, column in enumerate(by) for problem in column_problems(p, (*at, i), table, [column])]


def where_problems(
    at: KeyPath, table: str, columns: dict[str, ColumnType], where: dict[str, Any], values: dict[str, tuple[str, ...]] | None = None
) -> Problems:
    """Every `where` column exists among `columns` and every value fits its type and vocabulary."""
    out: Problems = []
    for column, wanted in where.items():
        if column not in columns:
            out.append(((*at, column), f"{table} has no column {column!r}; its columns: {', '.join(columns)}"))
            continue
        problem = where_value_problem(columns[column], (values or {}).get(column), wanted)
        if problem:
            out.append(((*at, column), problem))
    return out


def metric_problems(p: Project, name: str, metric: MetricBase) -> Problems:
    """What the metric's kind says is wrong with it, plus a target that contradicts itself."""
    from assay.metrics.registry import metric_kinds
    from assay.metrics.targets import target_problem

    kind = metric_kinds()[metric.kind]
    out = kind.problems(p, name, metric)
    if metric.target is not None:
        problem = target_problem(metric.target, kind.higher_is_better)
        if problem:
            out.append((("metrics", name, "target"), problem))
    return out


def finding_rule_problems(p: Project) -> Problems:
    out: Problems = []
    for fname, rule in p.findings.items():
        out.extend(_rule_problems(p, fname, rule))
    return out


def _rule_problems(p: Project, fname: str, rule: FindingRule) -> Problems:
    from assay.findings.inputs.registry import finding_inputs

    spec = finding_inputs()[rule.from_]
    why = spec.missing(p)
    if why:
        return [(("findings", fname, "from"), f"findings from {rule.from_}: {why}")]
    out: Problems = []
    if rule.owner and rule.owner not in spec.schema:
        out.append((("findings", fname, "owner"), f"{rule.from_} has no column {rule.owner!r}; its columns: {', '.join(spec.schema)}"))
    out.extend(where_problems(("findings", fname, "where"), rule.from_, spec.schema, rule.where, spec.values))
    return out
