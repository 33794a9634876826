"""rejected_values: values a column must never take (placeholders, test data)."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.kinds._values import Value
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "rejected_values",
    "a value is in `values`",
    example="rejected_values: {column: owner_email, values: [nobody@example.com]}",
    failing="owner_email = `nobody@example.com`",
)
class RejectedValues(CheckOptions):
    column: str
    values: list[Value] = Field(min_length=0)

    def describe(self) -> str:
        return f"{self.column} is never one of {', '.join(map(str, self.values))}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        inside = value.isin(self.values) if self.values else ibis.literal(False)
        return Plan(failing=value.notnull() & inside, judged=value.notnull())
