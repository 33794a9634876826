"""expression: a boolean expression over the row's columns, written in the project file.

The text is parsed by sqlglot and translated to Ibis (`assay.checks.expression`): columns,
literals, operators and a few functions only, so nothing in the project file runs as SQL.
"""

from __future__ import annotations

import ibis
from pydantic import Field, field_validator

from assay.checks.expression import bind, columns_of, parse
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "expression",
    "the boolean `expression` is false for a row (NULL counts as passing, as in dbt)",
    shorthand="expression",
    example="expression: \"cvss <= 10 or severity = 'critical'\"",
    failing="cvss 11, severity high",
)
class Expression(CheckOptions):
    expression: str = Field(min_length=1)

    @field_validator("expression")
    @classmethod
    def _expression_parses(cls, value: str) -> str:
        parse(value)
        return value

    def columns_read(self) -> list[str]:
        return list(dict.fromkeys([*columns_of(self.expression), *super().columns_read()]))

    def describe(self) -> str:
        return self.expression

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        return Plan(failing=~bind(self.expression, t))
