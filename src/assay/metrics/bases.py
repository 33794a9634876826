"""Base tables the finding-flow kinds share: what was open at an instant, what ended in a window,
how long it took, and when an SLA fell due. All timestamps are compared as naive UTC."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import ibis

from assay.project.models import Severity

SECONDS_PER_DAY = 86400


def epoch(value: ibis.Value) -> ibis.NumericValue:
    return value.epoch_seconds().cast("int64")


def days_between(start: ibis.Value, end: ibis.Value) -> ibis.NumericValue:
    return (epoch(end) - epoch(start)).cast("float64") / SECONDS_PER_DAY


def closed_column(t: ibis.Table, column: str = "closed_at") -> ibis.Value:
    """The close time, or NULL for a source that maps no such column (nothing ever closed)."""
    return t[column] if column in t.columns else ibis.null("timestamp")


def open_at(t: ibis.Table, at: datetime, start: str = "opened_at", end: str = "closed_at") -> ibis.BooleanValue:
    """Opened by the instant and not closed by it (closed after it counts as open)."""
    moment = ibis.literal(at)
    closed = closed_column(t, end)
    return (t[start] <= moment) & (closed.isnull() | (closed > moment))


def in_window(value: ibis.Value, as_of: datetime, window: timedelta | None) -> ibis.BooleanValue:
    """value in (as_of − window, as_of]; without a window, any value up to as_of."""
    keep = value <= ibis.literal(as_of)
    if window is not None:
        keep = keep & (value > ibis.literal(as_of - window))
    return keep


def matching(t: ibis.Table, where: dict[str, Any]) -> ibis.Table:
    """Rows whose columns equal the given value (or one of a list of values)."""
    for column, wanted in where.items():
        t = t.filter(t[column].isin(wanted) if isinstance(wanted, list) else t[column] == wanted)
    return t


def matches(t: ibis.Table, where: dict[str, Any]) -> ibis.BooleanValue:
    """The same condition as a boolean column (for a rate's numerator)."""
    cond: ibis.BooleanValue = ibis.literal(True)
    for column, wanted in where.items():
        cond = cond & (t[column].isin(wanted) if isinstance(wanted, list) else t[column] == wanted)
    return cond


def due_at(t: ibis.Table, days: Mapping[Severity, int], start: str) -> ibis.TimestampValue:
    """start + the SLA days of the row's severity (NULL for a severity without an SLA)."""
    seconds = ibis.cases(*((t.severity == sev, n * SECONDS_PER_DAY) for sev, n in days.items()), else_=ibis.null("int64"))
    return t[start] + seconds.as_interval("s")
