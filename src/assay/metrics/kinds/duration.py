"""duration: days from `start` to `end` for rows whose end falls in the window."""

from __future__ import annotations

from typing import Literal

import ibis

from assay.metrics.aggregates import statistic
from assay.metrics.bases import days_between, in_window, matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import Windowed, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems


class DurationMetric(Windowed):
    stat: Literal["median", "p90", "mean"] = "median"


def ended_in_window(ctx: MetricContext, metric: Windowed) -> ibis.Table | None:
    """Rows that started and ended, ended in the window, and did not end before they started,
    with their length in `days`."""
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    start, end = t[metric.start], t[metric.end]
    t = t.filter(start.notnull() & end.notnull() & (end >= start) & in_window(end, ctx.as_of, metric.window))
    return t.mutate(days=days_between(t[metric.start], t[metric.end]))


def window_problems(p: Project, name: str, metric: Windowed) -> Problems:
    return table_metric_problems(
        p, name, metric, entity="finding", columns={"start:timestamp": [metric.start], "end:timestamp": [metric.end]}
    )


KIND = MetricKind(
    name="duration",
    options=DurationMetric,
    unit="days",
    higher_is_better=False,
    description="Days from start to end for items that ended in the window",
    base=ended_in_window,
    aggregate=lambda metric: statistic("days", metric.stat),
    problems=window_problems,
)
