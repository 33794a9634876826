"""flow: findings opened and closed per period, and the backlog open at each period's end.

The last `periods` weeks (Monday to Sunday) or calendar months up to the as-of instant, the last
one partial and measured at the as-of instant. For each period (`period` is its first day) the
dimension `measure` is `opened`, `closed` or `backlog`. Periods tile time without gaps, so for
every period backlog = previous backlog + opened − closed: the burn-down adds up.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

import ibis
from pydantic import Field

from assay.metrics.aggregates import count
from assay.metrics.bases import closed_column, matching
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.options import OfFindings, table_metric_problems
from assay.project.models import Project
from assay.project.references import Problems

TICK = timedelta(microseconds=1)


class FlowMetric(OfFindings):
    period: Literal["week", "month"] = "week"
    periods: int = Field(default=8, ge=1, le=520)
    start: str = "opened_at"
    end: str = "closed_at"


def period_starts(as_of: datetime, period: str, n: int) -> list[date]:
    """First days of the last `n` periods, oldest first, the last one holding `as_of`."""
    day = as_of.date()
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return [first - timedelta(weeks=k) for k in range(n - 1, -1, -1)]
    months = [(day.year * 12 + day.month - 1) - k for k in range(n - 1, -1, -1)]
    return [date(m // 12, m % 12 + 1, 1) for m in months]


def _next_start(first: date, period: str) -> date:
    if period == "week":
        return first + timedelta(weeks=1)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def periods_table(as_of: datetime, period: str, n: int) -> ibis.Table:
    """One row per period: its label and the instants (p_from, p_to] it covers."""
    starts = period_starts(as_of, period, n)
    rows = []
    for first in starts:
        p_from = datetime.combine(first, time()) - TICK
        p_to = min(datetime.combine(_next_start(first, period), time()) - TICK, as_of)
        rows.append({"period": first.isoformat(), "p_from": p_from, "p_to": p_to})
    return ibis.memtable(rows, schema={"period": "string", "p_from": "timestamp", "p_to": "timestamp"})


def _base(ctx: MetricContext, metric: FlowMetric) -> ibis.Table | None:
    t = ctx.table(metric.of)
    if t is None:
        return None
    t = matching(t, metric.where)
    periods = periods_table(ctx.as_of, metric.period, metric.periods)
    pairs = t.cross_join(periods)
    opened, closed = pairs[metric.start], closed_column(pairs, metric.end)

    def within(value: ibis.Value) -> ibis.BooleanValue:
        return (value > pairs.p_from) & (value <= pairs.p_to)

    conditions = {
        "opened": within(opened),
        "closed": within(closed),
        "backlog": (opened <= pairs.p_to) & (closed.isnull() | (closed > pairs.p_to)),
    }
    keep = [*t.columns, "period"]
    parts = [pairs.filter(cond.fill_null(False)).select(*keep).mutate(measure=ibis.literal(m)) for m, cond in conditions.items()]
    return ibis.union(*parts)


def _problems(p: Project, name: str, metric: FlowMetric) -> Problems:
    return table_metric_problems(
        p, name, metric, entity="finding", columns={"start:timestamp": [metric.start], "end:timestamp": [metric.end]}
    )


KIND = MetricKind(
    name="flow",
    options=FlowMetric,
    unit="count",
    higher_is_better=None,
    description="Findings opened and closed per period, and the backlog open at each period's end",
    base=_base,
    aggregate=lambda metric: count,
    problems=_problems,
    fixed_dimensions=lambda metric: ["measure", "period"],
    display="table",
)
