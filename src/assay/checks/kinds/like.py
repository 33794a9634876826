"""like: text values match a SQL LIKE pattern (`%` any run, `_` one character)."""

from __future__ import annotations

import ibis

from assay.checks.kinds._pattern import Patterns
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "like",
    "a non-null value does not match the LIKE `pattern` (one or a list; `match`: `any` or `all`)",
    example='like: {column: name, pattern: "T-%"}',
    failing="name = `X-1`",
)
class Like(CheckOptions, Patterns):
    column: str

    def describe(self) -> str:
        return f"{self.column} is like {' or '.join(self.pattern)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("string")
        matches = self.combine([value.like(p) for p in self.pattern])
        return Plan(failing=value.notnull() & ~matches, judged=value.notnull())
