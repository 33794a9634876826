"""ratio: share of the rows matching `where` that also match `numerator` (Wilson interval)."""

from __future__ import annotations

from typing import Any

import ibis
from pydantic import Field

from assay.metrics.aggregates import rate
from assay.metrics.bases import matches, matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import OfTable, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems, table_columns, table_vocabularies, where_problems


class RatioMetric(OfTable):
    numerator: dict[str, Any] = Field(min_length=1)
    """The condition a counted row must also meet, written like `where`."""


def _base(ctx: MetricContext, metric: RatioMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    return None if t is None else matching(t, metric.where)


def _problems(p: Project, name: str, metric: RatioMetric) -> Problems:
    out = table_metric_problems(p, name, metric)
    if not out:
        known = table_columns(p, metric.of) or {}
        out.extend(where_problems(("metrics", name, "numerator"), metric.of, known, metric.numerator, table_vocabularies(p, metric.of)))
    return out


KIND = MetricKind(
    name="ratio",
    options=RatioMetric,
    unit="ratio",
    higher_is_better=None,
    description="Share of the rows matching the filter that meet the numerator condition",
    base=_base,
    aggregate=lambda metric: rate(lambda t: matches(t, metric.numerator)),
    problems=_problems,
)
