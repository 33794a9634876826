"""columns_match: the loaded columns are exactly a list (in order, with `ordered`)."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.kinds._columns import table_columns
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "columns_match",
    "the source's columns are not exactly `columns` (in that order with `ordered: true`)",
    example="columns_match: {columns: [id, name], ordered: true}",
    failing="columns name, id",
)
class ColumnsMatch(CheckOptions):
    columns: list[str] = Field(min_length=0)
    ordered: bool = False

    def columns_read(self) -> list[str]:
        return []

    def describe(self) -> str:
        return f"columns are {'exactly, in order' if self.ordered else 'exactly'} {', '.join(self.columns)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        found = table_columns(t)
        ok = found == self.columns if self.ordered else set(found) == set(self.columns) and len(found) == len(self.columns)
        return Plan(observed=ibis.literal(found, type="array<string>"), passed=ibis.literal(ok))
