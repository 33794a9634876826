"""aging: open findings by age bucket (0–30, 31–60, 61–90, > 90 days by default).

Age is whole days from `start` to the as-of instant (rounded down), so a finding opened 30.9 days
ago is in 0–30. Every value carries the `age_bucket` dimension; `by` adds more.
"""

from __future__ import annotations

from itertools import pairwise

import ibis
from pydantic import Field, field_validator

from assay.metrics.aggregates import count
from assay.metrics.bases import days_between, matching, open_at
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import OfFindings, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems


class AgingMetric(OfFindings):
    buckets: list[int] = Field(default_factory=lambda: [30, 60, 90], min_length=1)
    """Upper bounds (days, inclusive) of each bucket but the last, which holds everything older."""
    start: str = "opened_at"

    @field_validator("buckets")
    @classmethod
    def _increasing(cls, value: list[int]) -> list[int]:
        if value[0] < 0 or any(b <= a for a, b in pairwise(value)):
            raise ValueError("buckets must be increasing whole days, the first at least 0")
        return value


def bucket_labels(bounds: list[int]) -> list[str]:
    """`[30, 60, 90]` → `0-30, 31-60, 61-90, >90`."""
    lows = [0, *[b + 1 for b in bounds[:-1]]]
    return [f"{lo}-{hi}" for lo, hi in zip(lows, bounds, strict=True)] + [f">{bounds[-1]}"]


def _base(ctx: MetricContext, metric: AgingMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    t = t.filter(open_at(t, ctx.as_of, metric.start))
    age = days_between(t[metric.start], ibis.literal(ctx.as_of)).floor()
    labels = bucket_labels(metric.buckets)
    bucket = ibis.cases(*((age <= bound, label) for bound, label in zip(metric.buckets, labels, strict=False)), else_=labels[-1])
    return t.mutate(age_bucket=bucket)


def _problems(p: Project, name: str, metric: AgingMetric) -> Problems:
    return table_metric_problems(p, name, metric, entity="finding", columns={"start:timestamp": [metric.start]})


KIND = MetricKind(
    name="aging",
    options=AgingMetric,
    unit="count",
    higher_is_better=False,
    description="Open findings by age bucket (days since opened)",
    base=_base,
    aggregate=lambda metric: count,
    problems=_problems,
    fixed_dimensions=lambda metric: ["age_bucket"],
    display="table",
)
