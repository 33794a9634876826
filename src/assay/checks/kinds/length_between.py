"""length_between: text lengths lie within bounds."""

from __future__ import annotations

import ibis

from assay.checks.kinds._values import RowBounds, require_text
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "length_between",
    "a non-null value's length is outside `min`..`max`",
    example="length_between: {column: code, min: 4, max: 8}",
    failing="code = `AB1`",
)
class LengthBetween(CheckOptions, RowBounds):
    column: str

    def describe(self) -> str:
        return f"length of {self.column} is {self.bounds_text()}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        require_text(t[self.column], self.column, "length_between")
        value = t[self.column]
        return Plan(failing=value.notnull() & ~self.within(value.length()), judged=value.notnull())
