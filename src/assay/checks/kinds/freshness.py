"""freshness: the newest timestamp of a column is recent enough at the as-of instant."""

from __future__ import annotations

import ibis

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register
from assay.project.durations import Duration, format_duration


@register(
    "freshness",
    "the newest value is older than `max_age` at the as-of instant (failing rows = rows older than that)",
    example="freshness: {column: updated_at, max_age: 2d}",
    failing="newest updated_at 3 days before the as-of instant",
)
class Freshness(CheckOptions):
    column: str
    max_age: Duration

    def describe(self) -> str:
        return f"newest {self.column} is at most {format_duration(self.max_age)} old"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        limit = ibis.literal(ctx.as_of - self.max_age)
        value = t[self.column]
        newest = value.max()
        return Plan(failing=value.isnull() | (value < limit), observed=newest, passed=newest.notnull() & (newest >= limit))
