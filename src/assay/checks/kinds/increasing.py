"""increasing: values never go down (or, with `strict`, always go up) in row order."""

from __future__ import annotations

import ibis

from assay.checks.kinds._order import Ordered
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "increasing",
    "a non-null value is below (with `strict`, not above) the previous one in `order_by` order (default: file order)",
    example="increasing: {column: seq}",
    failing="7 then 5",
)
class Increasing(CheckOptions, Ordered):
    def describe(self) -> str:
        return f"{self.column} {'strictly ' if self.strict else ''}increases by {self.order_by}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value, prev = t[self.column], self.previous(t)
        worse = value <= prev if self.strict else value < prev
        return Plan(failing=value.notnull() & prev.notnull() & worse, judged=value.notnull())
