"""between: values lie within bounds (numbers, dates, timestamps), inclusive unless strict."""

from __future__ import annotations

import ibis

from assay.checks.kinds._values import RowBounds, literal_like, require_comparable
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "between",
    "a non-null value is outside `min`..`max` (`strict_min`, `strict_max` exclude the bound)",
    example="between: {column: cvss, min: 0, max: 10}",
    failing="cvss = 11",
)
class Between(CheckOptions, RowBounds):
    column: str

    def describe(self) -> str:
        return f"{self.column} is {self.bounds_text()}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        require_comparable(value, self.column, [self.min, self.max])
        bounds = self.model_copy(update={"min": _lit(self.min, value), "max": _lit(self.max, value)})
        return Plan(failing=value.notnull() & ~bounds.within(value), judged=value.notnull())


def _lit(bound: object, value: ibis.Value) -> object:
    return None if bound is None else literal_like(bound, value)
