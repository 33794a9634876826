"""What the sum, mean and percentile kinds share: a numeric column of the matching rows."""

from __future__ import annotations

import ibis

from assay.metrics.bases import matching
from assay.metrics.kind import Aggregate, MetricContext, MetricKind
from assay.metrics.options import NUMERIC, OfTable, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems


class ColumnMetric(OfTable):
    column: str


def _base(ctx: MetricContext, metric: ColumnMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    return None if t is None else matching(t, metric.where)


def _problems(p: Project, name: str, metric: ColumnMetric) -> Problems:
    return table_metric_problems(p, name, metric, columns={"column:" + "|".join(NUMERIC): [metric.column]})


def _of(metric: ColumnMetric, value: str) -> Aggregate:
    def aggregate(t: ibis.Table) -> dict[str, ibis.Value]:
        x = t[metric.column].cast("float64")
        agg = {"sum": x.sum(), "mean": x.mean(), "percentile": x.quantile(getattr(metric, "p", 0.5))}[value]
        return {"numerator": ibis.null("float64"), "denominator": x.count(), "value": agg}

    return aggregate


def column_kind(name: str, options: type[ColumnMetric], text: str) -> MetricKind:
    return MetricKind(
        name=name,
        options=options,
        unit="amount",
        higher_is_better=None,
        description=text,
        base=_base,
        aggregate=lambda metric: _of(metric, name),
        problems=_problems,
    )
