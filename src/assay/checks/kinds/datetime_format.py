"""datetime_format: text values are date-times written in one strftime format."""

from __future__ import annotations

import ibis
from pydantic import Field, field_validator

from assay.checks.kinds._values import require_text
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register
from assay.engine.strftime import check_format


@register(
    "datetime_format",
    "a non-null value does not parse with the strftime `format` (such as `%Y-%m-%d`)",
    example='datetime_format: {column: day, format: "%Y-%m-%d"}',
    failing="day = `03/01/2026`",
)
class DatetimeFormat(CheckOptions):
    column: str
    format: str = Field(min_length=1, pattern=r"%")

    @field_validator("format")
    @classmethod
    def _known_directives(cls, value: str) -> str:
        return check_format(value)

    def describe(self) -> str:
        return f"{self.column} is written as {self.format}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        require_text(t[self.column], self.column, "datetime_format")
        value = t[self.column]
        return Plan(failing=value.notnull() & ~ctx.engine.parses_as(value, self.format), judged=value.notnull())
