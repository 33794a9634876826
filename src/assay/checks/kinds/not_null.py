"""not_null: every row has a value."""

from __future__ import annotations

import ibis

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register("not_null", "a row has no value", shorthand="column", example="not_null: owner_email", failing="owner_email empty")
class NotNull(CheckOptions):
    column: str

    def describe(self) -> str:
        return f"{self.column} is never empty"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        return Plan(failing=t[self.column].isnull())
