"""sla: SLA attainment counting open items past due as missed ("decided" definition).

A finding's SLA outcome is decided when it closes before its due time (met), or at the due time
if it is still open then (missed): decided_at = min(closed_at, due_at). Findings decided in the
window count. Compare `sla_closed`, which only looks at closed findings.
"""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.metrics.aggregates import rate
from assay.metrics.bases import closed_column, due_at, in_window, matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.kinds.duration import window_problems
from assay.metrics.options import Windowed
from assay.project.models import Project, Severity
from assay.project.references import Problems


class SlaMetric(Windowed):
    days: dict[Severity, int] = Field(min_length=1)


def _base(ctx: MetricContext, metric: SlaMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    at = ibis.literal(ctx.as_of)
    t = t.filter(t.severity.isin(list(metric.days)) & t[metric.start].notnull())
    due = due_at(t, metric.days, metric.start)
    end = closed_column(t, metric.end)
    closed = ibis.ifelse(end <= at, end, ibis.null("timestamp"))
    decided = ibis.least(closed.fill_null(due), due)
    t = t.mutate(met=(closed.notnull() & (closed <= due)).fill_null(False), _decided=in_window(decided, ctx.as_of, metric.window))
    return t.filter(t._decided)


def sla_problems(p: Project, name: str, metric: SlaMetric) -> Problems:
    return window_problems(p, name, metric)


KIND = MetricKind(
    name="sla",
    options=SlaMetric,
    unit="ratio",
    higher_is_better=True,
    description="SLA attainment, open items past due counted as missed: met ÷ findings whose SLA outcome was decided in the window",
    base=_base,
    aggregate=lambda metric: rate(lambda t: t.met),
    problems=sla_problems,
)
