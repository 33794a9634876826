"""Options several kinds share, and the reference checks that go with them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from assay.project.durations import Duration
from assay.project.models import MetricBase, Project
from assay.project.references import (
    Problems,
    by_problems,
    column_problems,
    table_columns,
    table_problems,
    table_vocabularies,
    where_problems,
)

NUMERIC = ("int64", "float64")


class OfTable(MetricBase):
    """A metric over the rows of a source or a finding input (`coverage`, `access`)."""

    of: str
    where: dict[str, Any] = Field(default_factory=dict)
    """Only rows whose columns have these values (a value or a list) count."""


class ReviewItems(OfTable):
    """Access-review items (one row per grant to review), optionally only those created in the
    window (one campaign a week, say)."""

    decided: str = "decided_at"
    created: str = "created_at"
    window: Duration | None = None
    """Only items whose `created` time is in (as_of − window, as_of]; all items without one."""


def review_item_columns(metric: ReviewItems) -> dict[str, list[str]]:
    """The timestamp columns a review kind reads, for `table_metric_problems`."""
    return {"decided:timestamp": [metric.decided], **({"created:timestamp": [metric.created]} if metric.window is not None else {})}


class OfFindings(MetricBase):
    """A metric over a finding source's rows."""

    of: str
    where: dict[str, Any] = Field(default_factory=dict)


class Windowed(OfFindings):
    start: str = "opened_at"
    end: str = "closed_at"
    window: Duration | None = None


def table_metric_problems(
    p: Project, name: str, metric: OfTable | OfFindings, *, entity: str | None = None, columns: dict[str, list[str]] | None = None
) -> Problems:
    """`of` exists (and is of `entity`), `by` and the named columns exist (with the listed types:
    `columns` maps a key, or `key:type|type`, to column names), and `where` fits the table."""
    at = ("metrics", name)
    out = table_problems(p, (*at, "of"), metric.of, entity)
    if out:
        return out
    out.extend(by_problems(p, (*at, "by"), metric.of, metric.by))
    for key, names in (columns or {}).items():
        key, _, types = key.partition(":")
        out.extend(column_problems(p, (*at, key), metric.of, names, tuple(types.split("|")) if types else None))
    known = table_columns(p, metric.of) or {}
    out.extend(where_problems((*at, "where"), metric.of, known, metric.where, table_vocabularies(p, metric.of)))
    return out
