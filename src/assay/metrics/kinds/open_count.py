"""open_count: findings opened by the as-of instant and not closed by it."""

from __future__ import annotations

import ibis

from assay.metrics.aggregates import count
from assay.metrics.bases import matching, open_at
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import OfFindings, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems


class OpenCountMetric(OfFindings):
    pass


def _base(ctx: MetricContext, metric: OpenCountMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    return t.filter(open_at(t, ctx.as_of))


def _problems(p: Project, name: str, metric: OpenCountMetric) -> Problems:
    return table_metric_problems(p, name, metric, entity="finding")


KIND = MetricKind(
    name="open_count",
    options=OpenCountMetric,
    unit="count",
    higher_is_better=False,
    description="Findings open at the as-of instant",
    base=_base,
    aggregate=lambda metric: count,
    problems=_problems,
)
