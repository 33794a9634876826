"""unique: a column (or several together) identifies one row."""

from __future__ import annotations

from typing import Any

import ibis
from pydantic import Field, field_validator

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register("unique", "two rows share the key (rows with a NULL key part are not judged)", shorthand="columns")
class Unique(CheckOptions):
    columns: list[str] = Field(min_length=1)

    @field_validator("columns", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def describe(self) -> str:
        return f"{' + '.join(self.columns)} identifies one row"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        complete = ibis.and_(*(t[c].notnull() for c in self.columns))
        # Rows with a NULL key part fall in their own partitions, so they never count as duplicates.
        partition = [*self.columns, complete]
        repeats = t[self.columns[0]].count().over(ibis.window(group_by=partition))
        return Plan(failing=complete & (repeats > 1), judged=complete)
