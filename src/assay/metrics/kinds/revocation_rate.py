"""revocation_rate: share of decided access-review items whose decision revokes the access.

Only items decided by the as-of instant count; the decision column's values that mean "revoke"
are listed in `revoke`.
"""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.metrics.aggregates import rate
from assay.metrics.bases import in_window, matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import ReviewItems, review_item_columns, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems


class RevocationRateMetric(ReviewItems):
    decision: str = "decision"
    revoke: list[str] = Field(default_factory=lambda: ["revoke"], min_length=1)


def _base(ctx: MetricContext, metric: RevocationRateMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    if metric.window is not None:
        t = t.filter(in_window(t[metric.created], ctx.as_of, metric.window))
    return t.filter(t[metric.decided] <= ibis.literal(ctx.as_of))


def _problems(p: Project, name: str, metric: RevocationRateMetric) -> Problems:
    return table_metric_problems(p, name, metric, columns={**review_item_columns(metric), "decision:string": [metric.decision]})


KIND = MetricKind(
    name="revocation_rate",
    options=RevocationRateMetric,
    unit="ratio",
    higher_is_better=None,
    description="Decided access-review items whose decision revokes the access ÷ decided items",
    base=_base,
    aggregate=lambda metric: rate(lambda t: t[metric.decision].isin(metric.revoke)),
    problems=_problems,
)
