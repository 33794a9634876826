"""row_count_change: the number of rows moved by at most `max_percent` since the previous run.

The previous count is the rows loaded for this source by the latest successful run
(`assay_row_accounting`); with no previous run the check passes.
"""

from __future__ import annotations

import ibis
from pydantic import Field, model_validator

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "row_count_change",
    "the row count differs from the previous run's by more than `max_percent` percent",
    example="row_count_change: {max_percent: 20}",
    failing="1,000 rows last run, 700 now",
)
class RowCountChange(CheckOptions):
    max_percent: float = Field(ge=0)

    @model_validator(mode="after")
    def _whole_source(self) -> RowCountChange:
        if self.where:
            raise ValueError("row_count_change compares whole sources (the previous run's rows loaded); it takes no where")
        return self

    def describe(self) -> str:
        return f"row count within {self.max_percent:g}% of the previous run"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        n = t.count()
        before = ctx.previous_rows.get(ctx.source)
        if before is None:
            return Plan(observed=n, passed=ibis.literal(True))
        return Plan(observed=n, passed=(n - before).abs() * 100 <= ibis.literal(before) * self.max_percent)
