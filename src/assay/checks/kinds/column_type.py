"""column_type: a loaded column has one of the listed types (a database source whose types drift)."""

from __future__ import annotations

from typing import Literal

import ibis
from pydantic import Field

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register

ColumnType = Literal["string", "int64", "float64", "boolean", "date", "timestamp"]


def type_name(dtype: ibis.DataType) -> str:
    """assay's name for an engine column type (integers of any width are `int64`, and so on)."""
    if dtype.is_integer():
        return "int64"
    if dtype.is_floating() or dtype.is_decimal():
        return "float64"
    if dtype.is_timestamp():
        return "timestamp"
    for name in ("string", "boolean", "date"):
        if getattr(dtype, f"is_{name}")():
            return name
    return str(dtype)


@register(
    "column_type",
    "the column's loaded type is not one of `types`",
    example="column_type: {column: cvss, types: [float64]}",
    failing="cvss loaded as string",
)
class ColumnTypeCheck(CheckOptions):
    column: str
    types: list[ColumnType] = Field(min_length=0)

    def describe(self) -> str:
        return f"{self.column} is of type {' or '.join(self.types)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        found = type_name(t[self.column].type())
        return Plan(observed=ibis.literal(found), passed=ibis.literal(found in self.types))
