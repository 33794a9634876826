"""review_completion: share of access-review items decided by the as-of instant.

`of` is any source of review items (one row per grant to review); an item is complete when its
`decided` timestamp is set and not after the as-of instant. `where` narrows to one campaign.
"""

from __future__ import annotations

import ibis

from assay.metrics.aggregates import rate
from assay.metrics.bases import in_window, matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import ReviewItems, review_item_columns, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems


class ReviewCompletionMetric(ReviewItems):
    pass


def _base(ctx: MetricContext, metric: ReviewCompletionMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    if metric.window is not None:
        t = t.filter(in_window(t[metric.created], ctx.as_of, metric.window))
    return t.mutate(done=(t[metric.decided] <= ibis.literal(ctx.as_of)).fill_null(False))


def _problems(p: Project, name: str, metric: ReviewCompletionMetric) -> Problems:
    return table_metric_problems(p, name, metric, columns=review_item_columns(metric))


KIND = MetricKind(
    name="review_completion",
    options=ReviewCompletionMetric,
    unit="ratio",
    higher_is_better=True,
    description="Access-review items decided by the as-of instant ÷ all items",
    base=_base,
    aggregate=lambda metric: rate(lambda t: t.done),
    problems=_problems,
)
