"""Compute every declared metric for one run as one table of rows for `assay_metric_values`.

Each metric is aggregated at every prefix of its `by` list (overall, by the first dimension,
by the first two, ...), so a tile, a breakdown and a drill-down all come from one run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import ibis

from assay.engine import Engine
from assay.engine.expressions import json_object
from assay.ingest.stage import table_name
from assay.metrics.wilson import wilson_interval
from assay.project.models import CoverageMetric, DurationMetric, OpenCountMetric, Project, SlaMetric

Aggregate = Callable[[ibis.Table], dict[str, ibis.Value]]
UNITS = {"coverage": "ratio", "open_count": "count", "duration": "days", "sla": "ratio"}
SECONDS_PER_DAY = 86400


def metric_rows(engine: Engine, project: Project, coverage: ibis.Table | None, as_of: datetime) -> ibis.Table | None:
    parts = []
    for name, metric in project.metrics.items():
        if isinstance(metric, CoverageMetric):
            if coverage is None:
                continue
            base, aggregate = coverage, _rate(lambda t: t.covered)
        elif isinstance(metric, OpenCountMetric):
            base, aggregate = _open_findings(engine.table(table_name(metric.of)), as_of), _count
        elif isinstance(metric, DurationMetric):
            base, aggregate = _closed_in_window(engine.table(table_name(metric.of)), metric, as_of), _duration(metric.stat)
        else:
            base, aggregate = _sla_decided(engine.table(table_name(metric.of)), metric, as_of), _rate(lambda t: t.met)
        parts.extend(_rollup(base, metric.by, aggregate, name, metric.kind))
    return ibis.union(*parts) if parts else None


def _rollup(base: ibis.Table, by: Sequence[str], aggregate: Aggregate, name: str, kind: str) -> list[ibis.Table]:
    out = []
    for depth in range(len(by) + 1):
        group = by[:depth]
        agg = base.group_by(group).aggregate(**aggregate(base)) if group else base.aggregate(**aggregate(base))
        dims = json_object({d: agg[d].cast("string") for d in sorted(group)})
        low, high = (
            wilson_interval(agg.numerator, agg.denominator) if UNITS[kind] == "ratio" else (ibis.null("float64"), ibis.null("float64"))
        )
        out.append(
            agg.select(
                metric=ibis.literal(name),
                kind=ibis.literal(kind),
                dimensions=dims,
                value=agg.value.cast("float64"),
                numerator=agg.numerator.cast("float64"),
                denominator=agg.denominator.cast("float64"),
                ci_low=low.cast("float64"),
                ci_high=high.cast("float64"),
                unit=ibis.literal(UNITS[kind]),
            )
        )
    return out


def _rate(success: Callable[[ibis.Table], ibis.BooleanValue]) -> Aggregate:
    def aggregate(t: ibis.Table) -> dict[str, ibis.Value]:
        hits = ibis.ifelse(success(t), 1, 0).sum()
        n = t.count()
        return {"numerator": hits, "denominator": n, "value": hits.cast("float64") / n.nullif(0).cast("float64")}

    return aggregate


def _count(t: ibis.Table) -> dict[str, ibis.Value]:
    n = t.count()
    return {"numerator": n, "denominator": ibis.null("int64"), "value": n}


def _duration(stat: str) -> Aggregate:
    def aggregate(t: ibis.Table) -> dict[str, ibis.Value]:
        days = t.days
        value = {"median": days.quantile(0.5), "p90": days.quantile(0.9), "mean": days.mean()}[stat]
        return {"numerator": ibis.null("float64"), "denominator": t.count(), "value": value}

    return aggregate


def _epoch(value: ibis.Value) -> ibis.NumericValue:
    return value.epoch_seconds().cast("int64")


def _open_findings(t: ibis.Table, as_of: datetime) -> ibis.Table:
    at = ibis.literal(as_of)
    closed = t.closed_at if "closed_at" in t.columns else ibis.null("timestamp")
    return t.filter((t.opened_at <= at) & (closed.isnull() | (closed > at)))


def _closed_in_window(t: ibis.Table, metric: DurationMetric, as_of: datetime) -> ibis.Table:
    start, end = t[metric.start], t[metric.end]
    keep = start.notnull() & end.notnull() & (end <= ibis.literal(as_of)) & (end >= start)
    if metric.window is not None:
        keep = keep & (end > ibis.literal(as_of - metric.window))
    t = t.filter(keep)
    return t.mutate(days=(_epoch(t[metric.end]) - _epoch(t[metric.start])).cast("float64") / SECONDS_PER_DAY)


def _sla_decided(t: ibis.Table, metric: SlaMetric, as_of: datetime) -> ibis.Table:
    """Findings whose SLA outcome became known in the window.

    The outcome is decided when the finding closes before its due time (met), or at the due
    time if it is still open then (missed): decided_at = min(closed_at, due_at). A finding
    closed after `as_of` counts as open at `as_of`. Compared as timestamps, to the microsecond.
    """
    at = ibis.literal(as_of)
    t = t.filter(t.severity.isin(list(metric.days)) & t[metric.start].notnull())
    sla_seconds = ibis.cases(*((t.severity == sev, days * SECONDS_PER_DAY) for sev, days in metric.days.items()))
    due = t[metric.start] + sla_seconds.as_interval("s")
    closed = ibis.ifelse(t[metric.end] <= at, t[metric.end], ibis.null("timestamp"))
    decided = ibis.least(closed.fill_null(due), due)
    keep = decided <= at
    if metric.window is not None:
        keep = keep & (decided > ibis.literal(as_of - metric.window))
    t = t.mutate(met=(closed.notnull() & (closed <= due)).fill_null(False), _decided=keep)
    return t.filter(t._decided)
