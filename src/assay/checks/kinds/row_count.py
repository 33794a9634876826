"""row_count: the number of rows lies within bounds (set `min` = `max` for an exact count)."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.kinds._values import Bounds
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register("row_count", "the number of rows is outside `min`..`max`", example="row_count: {min: 1000}", failing="999 rows")
class RowCount(CheckOptions, Bounds):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    def describe(self) -> str:
        return f"row count is {self.bounds_text()}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        n = t.count()
        return Plan(observed=n, passed=self.within(n))
