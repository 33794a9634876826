"""null: a column that must stay empty (a retired field, a value only some rows may carry)."""

from __future__ import annotations

import ibis

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register("null", "a row has a value", shorthand="column", example="null: legacy_id", failing="legacy_id = `L-9`")
class Null(CheckOptions):
    column: str

    def describe(self) -> str:
        return f"{self.column} is always empty"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        return Plan(failing=t[self.column].notnull())
