"""not_like: text values never match a SQL LIKE pattern."""

from __future__ import annotations

import ibis

from assay.checks.kinds._pattern import Patterns
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "not_like",
    "a non-null value matches the LIKE `pattern` (one or a list; `match`: `any` or `all`)",
    example='not_like: {column: email, pattern: "%@example.com"}',
    failing="email = `a@example.com`",
)
class NotLike(CheckOptions, Patterns):
    column: str

    def describe(self) -> str:
        return f"{self.column} is never like {' or '.join(self.pattern)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("string")
        matches = self.combine([value.like(p) for p in self.pattern])
        return Plan(failing=value.notnull() & matches, judged=value.notnull())
