"""Each check kind as one Ibis expression of the rows that fail it.

A check returns the failing rows (for the count and the samples) and a one-line description;
freshness is about the table, not rows, so it also decides its own pass/fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import ibis

from assay.engine import Engine
from assay.ingest.stage import table_name
from assay.project.durations import format_duration
from assay.project.models import (
    AcceptedValuesCheck,
    Check,
    FreshnessCheck,
    NotNullCheck,
    RelationshipsCheck,
    UniqueCheck,
)


@dataclass(frozen=True)
class CheckPlan:
    check_id: str
    kind: str
    column: str
    severity: str
    description: str
    failing: ibis.Table
    fails_when_any: bool = True
    stale: ibis.BooleanScalar | None = None


def check_column(check: Check) -> str:
    spec = check.spec
    return ",".join(spec.columns) if isinstance(spec, UniqueCheck) else spec.column


def check_identity(source: str, check: Check) -> str:
    """`source.kind.column`, the id results and definitions share (repeats get `#2`, ...)."""
    return f"{source}.{check.kind}.{check_column(check).replace(',', '+')}"


def plan_check(engine: Engine, source: str, check: Check, as_of: datetime) -> CheckPlan:
    t = engine.table(table_name(source))
    spec = check.spec
    column = check_column(check)
    check_id = check_identity(source, check)
    plan = partial(CheckPlan, check_id=check_id, kind=check.kind, column=column, severity=spec.severity)
    if isinstance(spec, NotNullCheck):
        failing = t.filter(t[spec.column].isnull())
        text = spec.description or f"{spec.column} is never empty"
    elif isinstance(spec, UniqueCheck):
        keys = t.filter(ibis.and_(*(t[c].notnull() for c in spec.columns)))
        dupes = keys.group_by(spec.columns).aggregate(rows=keys.count()).filter(lambda g: g.rows > 1)
        failing = keys.semi_join(dupes, spec.columns)
        text = spec.description or f"{' + '.join(spec.columns)} identifies one row"
    elif isinstance(spec, AcceptedValuesCheck):
        failing = t.filter(t[spec.column].notnull() & ~t[spec.column].isin(spec.values))
        text = spec.description or f"{spec.column} is one of {', '.join(spec.values)}"
    elif isinstance(spec, FreshnessCheck):
        limit = ibis.literal(as_of - spec.max_age)
        failing = t.filter(t[spec.column].isnull() | (t[spec.column] < limit))
        newest = t[spec.column].max()
        text = spec.description or f"newest {spec.column} is at most {format_duration(spec.max_age)} old"
        return plan(description=text, failing=failing, fails_when_any=False, stale=newest.isnull() | (newest < limit))
    elif isinstance(spec, RelationshipsCheck):
        target_source, target_column = spec.to.split(".")
        target = engine.table(table_name(target_source))
        present = t.filter(t[spec.column].notnull())
        failing = present.anti_join(target, present[spec.column] == target[target_column])
        text = spec.description or f"every {spec.column} exists in {spec.to}"
    else:  # pragma: no cover - the model admits no other kind
        raise TypeError(check.kind)
    return plan(description=text, failing=failing)
