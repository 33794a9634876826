"""sla_closed: SLA attainment among closed findings: closed within SLA ÷ closed in the window.

Open findings do not count, however late: compare `sla`, which counts them as missed once due.
"""

from __future__ import annotations

import ibis

from assay.metrics.aggregates import rate
from assay.metrics.bases import due_at, in_window, matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.kinds.sla import SlaMetric, sla_problems


class SlaClosedMetric(SlaMetric):
    pass


def _base(ctx: MetricContext, metric: SlaClosedMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    start, end = t[metric.start], t[metric.end]
    t = t.filter(t.severity.isin(list(metric.days)) & start.notnull() & end.notnull() & in_window(end, ctx.as_of, metric.window))
    return t.mutate(met=t[metric.end] <= due_at(t, metric.days, metric.start))


KIND = MetricKind(
    name="sla_closed",
    options=SlaClosedMetric,
    unit="ratio",
    higher_is_better=True,
    description="SLA attainment among closed findings: closed within their SLA ÷ closed in the window",
    base=_base,
    aggregate=lambda metric: rate(lambda t: t.met),
    problems=sla_problems,
)
