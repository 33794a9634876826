"""decreasing: values never go up (or, with `strict`, always go down) in row order."""

from __future__ import annotations

import ibis

from assay.checks.kinds._order import Ordered
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "decreasing",
    "a non-null value is above (with `strict`, not below) the previous one in `order_by` order (default: file order)",
    example="decreasing: {column: remaining, order_by: day}",
    failing="5 then 7",
)
class Decreasing(CheckOptions, Ordered):
    def describe(self) -> str:
        return f"{self.column} {'strictly ' if self.strict else ''}decreases by {self.order_by}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value, prev = t[self.column], self.previous(t)
        worse = value >= prev if self.strict else value > prev
        return Plan(failing=value.notnull() & prev.notnull() & worse, judged=value.notnull())
