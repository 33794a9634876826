"""value_type: text values parse as a type (ids that must be integers, amounts that must be numbers)."""

from __future__ import annotations

from typing import Literal

import ibis

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "value_type",
    "a non-null value does not parse as `type` (`int64`, `float64`, `boolean`, `date`, `timestamp`)",
    example="value_type: {column: port, type: int64}",
    failing="port = `http`",
)
class ValueType(CheckOptions):
    column: str
    type: Literal["int64", "float64", "boolean", "date", "timestamp"]

    def describe(self) -> str:
        return f"{self.column} holds {self.type} values"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("string")
        return Plan(failing=value.notnull() & ctx.engine.try_cast(value, self.type).isnull(), judged=value.notnull())
