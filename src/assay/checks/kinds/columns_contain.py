"""columns_contain: the source has at least these columns."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.kinds._columns import table_columns
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "columns_contain",
    "a column of `columns` is missing",
    shorthand="columns",
    example="columns_contain: [name, owner_email]",
    failing="no owner_email column",
)
class ColumnsContain(CheckOptions):
    columns: list[str] = Field(min_length=1)
    position: int | None = Field(default=None, ge=1)
    """With one column: it must also be at this position (1 = first)."""

    def columns_read(self) -> list[str]:
        return []

    def describe(self) -> str:
        return f"has columns {', '.join(self.columns)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        found = table_columns(t)
        ok = set(self.columns) <= set(found)
        if self.position is not None:
            ok = ok and len(found) >= self.position and found[self.position - 1] == self.columns[0]
        return Plan(observed=ibis.literal(found, type="array<string>"), passed=ibis.literal(ok))
