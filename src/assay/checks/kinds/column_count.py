"""column_count: the number of loaded columns lies within bounds."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.kinds._columns import table_columns
from assay.checks.kinds._values import Bounds
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "column_count",
    "the number of columns is outside `min`..`max`",
    example="column_count: {min: 5, max: 12}",
    failing="a source mapped with 4 columns",
)
class ColumnCount(CheckOptions, Bounds):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    def describe(self) -> str:
        return f"column count is {self.bounds_text()}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        n = len(table_columns(t))
        return Plan(observed=ibis.literal(n), passed=self.within(ibis.literal(n)))
