"""regex: text values match a regular expression (searched anywhere unless anchored)."""

from __future__ import annotations

import re

import ibis
from pydantic import field_validator

from assay.checks.kinds._pattern import Patterns
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


def valid_regexes(patterns: list[str]) -> list[str]:
    """The patterns, or a ValueError naming the first that Python cannot compile."""
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"{p!r} is not a regular expression: {exc}") from None
    return patterns


@register(
    "regex",
    "a non-null value does not match `pattern` (one or a list; `match`: `any` or `all`)",
    example='regex: {column: code, pattern: "^[A-Z]{2}[0-9]{2}$"}',
    failing="code = `AB1`",
)
class Regex(CheckOptions, Patterns):
    column: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        return valid_regexes(value)

    def describe(self) -> str:
        return f"{self.column} matches {' or '.join(self.pattern) if self.match == 'any' else ' and '.join(self.pattern)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("string")
        matches = self.combine([value.re_search(p) for p in self.pattern])
        return Plan(failing=value.notnull() & ~matches, judged=value.notnull())
