"""reopen_rate: share of tracked findings, once resolved, that came back (were reopened).

Read from assay's own lifecycle (`assay_finding_events` of earlier runs plus this run's events):
the denominator is every finding resolved at least once by the as-of date, the numerator those
of them with a `reopened` event in the window (at any time without one). A high rate says fixes
do not stick, or that a detection flickers.
"""

from __future__ import annotations

from datetime import timedelta

import ibis
from pydantic import Field

from assay.metrics.aggregates import rate
from assay.metrics.kind import MetricContext, MetricKind
from assay.project.durations import Duration
from assay.project.models import MetricBase, Project
from assay.project.references import Problems
from assay.warehouse import schema as w
from assay.warehouse.history import visible

DIMENSIONS = ("rule", "severity")


class ReopenRateMetric(MetricBase):
    rules: list[str] = Field(default_factory=list)
    """Only these finding rules (default: all)."""
    window: Duration | None = None


def _base(ctx: MetricContext, metric: ReopenRateMetric) -> ibis.Table | None:
    if ctx.findings is None:
        return None
    day = ctx.as_of.date()
    now = ctx.findings.filter(ctx.findings.event.notnull()).select("fingerprint", "rule", "severity", "event", as_of=ibis.literal(day))
    columns = ["fingerprint", "rule", "severity", "event", "as_of"]
    events = (
        visible(ctx.engine, w.FINDING_EVENTS).select(*columns).union(now.select(*columns)) if ctx.engine.exists(w.FINDING_EVENTS) else now
    )
    if metric.rules:
        events = events.filter(events.rule.isin(metric.rules))
    recent = ibis.literal(True) if metric.window is None else events.as_of > ibis.literal(day - _days(metric.window))
    per = events.group_by("fingerprint").aggregate(
        rule=events.rule.min(),
        severity=events.severity.min(),
        resolved=(events.event == "resolved").any(),
        reopened=((events.event == "reopened") & recent).any(),
    )
    return per.filter(per.resolved)


def _days(window: timedelta) -> timedelta:
    """Events are kept by date: a window counts whole days back from the as-of date."""
    return timedelta(days=window.days)


def _problems(p: Project, name: str, metric: ReopenRateMetric) -> Problems:
    out: Problems = []
    for i, rule in enumerate(metric.rules):
        if rule not in p.findings:
            out.append((("metrics", name, "rules", i), f"unknown finding rule {rule!r}; declared: {', '.join(p.findings)}"))
    for i, column in enumerate(metric.by):
        if column not in DIMENSIONS:
            out.append((("metrics", name, "by", i), f"a reopen rate can be broken down by {' or '.join(DIMENSIONS)}, not {column!r}"))
    if not p.findings:
        out.append((("metrics", name), "a reopen rate needs finding rules"))
    return out


KIND = MetricKind(
    name="reopen_rate",
    options=ReopenRateMetric,
    unit="ratio",
    higher_is_better=False,
    description="Findings reopened in the window ÷ findings resolved at least once",
    base=_base,
    aggregate=lambda metric: rate(lambda t: t.reopened),
    problems=_problems,
)
