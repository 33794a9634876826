"""overdue_count: findings open at the as-of instant whose SLA due time has passed."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.metrics.aggregates import count
from assay.metrics.bases import due_at, matching, open_at
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import OfFindings, table_metric_problems
from assay.project.models import Project, Severity
from assay.project.references import Problems


class OverdueCountMetric(OfFindings):
    days: dict[Severity, int] = Field(min_length=1)
    start: str = "opened_at"


def _base(ctx: MetricContext, metric: OverdueCountMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    t = t.filter(open_at(t, ctx.as_of, metric.start) & t.severity.isin(list(metric.days)))
    return t.filter(due_at(t, metric.days, metric.start) < ibis.literal(ctx.as_of))


def _problems(p: Project, name: str, metric: OverdueCountMetric) -> Problems:
    return table_metric_problems(p, name, metric, entity="finding", columns={"start:timestamp": [metric.start]})


KIND = MetricKind(
    name="overdue_count",
    options=OverdueCountMetric,
    unit="count",
    higher_is_better=False,
    description="Open findings past their SLA due time at the as-of instant",
    base=_base,
    aggregate=lambda metric: count,
    problems=_problems,
)
