"""row_count_equal: as many rows as another source (an extract and its copy)."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "row_count_equal",
    "the number of rows differs from that of the source `to`",
    example="row_count_equal: {to: cmdb_copy}",
    failing="1,000 rows here, 998 there",
)
class RowCountEqual(CheckOptions):
    to: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    def references(self) -> list[tuple[str, str | None]]:
        return [(self.to, None)]

    def describe(self) -> str:
        return f"as many rows as {self.to}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        n, other = t.count(), ctx.table(self.to).count().as_scalar()
        return Plan(observed=ibis.array([n, other]), passed=n == other, separate=True)
