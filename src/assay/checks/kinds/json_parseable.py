"""json_parseable: text values are valid JSON."""

from __future__ import annotations

import ibis

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "json_parseable",
    "a non-null value is not valid JSON",
    shorthand="column",
    example="json_parseable: payload",
    failing="payload = `{a: 1}`",
)
class JsonParseable(CheckOptions):
    column: str

    def describe(self) -> str:
        return f"{self.column} is valid JSON"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        if not value.type().is_string():  # a number or a date is not JSON text, as in GX
            return Plan(failing=value.notnull(), judged=value.notnull())
        return Plan(failing=value.notnull() & ~ctx.engine.json_valid(value), judged=value.notnull())
