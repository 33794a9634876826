"""length_equal: text values all have one length (codes, fixed-width identifiers)."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.kinds._values import require_text
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "length_equal",
    "a non-null value's length is not `value`",
    example="length_equal: {column: country, value: 2}",
    failing="country = `FRA`",
)
class LengthEqual(CheckOptions):
    column: str
    value: int = Field(ge=0)

    def describe(self) -> str:
        return f"{self.column} is {self.value} characters long"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        require_text(t[self.column], self.column, "length_equal")
        value = t[self.column]
        return Plan(failing=value.notnull() & (value.length() != self.value), judged=value.notnull())
