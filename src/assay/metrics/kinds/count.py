"""count: rows of a source or finding input that match `where`."""

from __future__ import annotations

import ibis

from assay.metrics.aggregates import count
from assay.metrics.bases import matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import OfTable, table_metric_problems


class CountMetric(OfTable):
    pass


def _base(ctx: MetricContext, metric: CountMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    return None if t is None else matching(t, metric.where)


KIND = MetricKind(
    name="count",
    options=CountMetric,
    unit="count",
    higher_is_better=None,
    description="Rows that match the filter",
    base=_base,
    aggregate=lambda metric: count,
    problems=lambda p, name, metric: table_metric_problems(p, name, metric),
)
