"""accepted_values: a column takes its values from a list."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.kinds._values import Value
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "accepted_values",
    "a non-null value is not in `values`",
    example="accepted_values: {column: asset_type, values: [host, bucket]}",
    failing="asset_type = `vm`",
)
class AcceptedValues(CheckOptions):
    column: str
    values: list[Value] = Field(min_length=0)

    def describe(self) -> str:
        return f"{self.column} is one of {', '.join(map(str, self.values))}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        inside = value.isin(self.values) if self.values else ibis.literal(False)
        return Plan(failing=value.notnull() & ~inside, judged=value.notnull())
