"""regex: text values match a regular expression (searched anywhere unless anchored)."""

from __future__ import annotations

import ibis

from assay.checks.kinds._pattern import RegexPatterns
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "regex",
    "a non-null value does not match `pattern` (one or a list; `match`: `any` or `all`)",
    example='regex: {column: code, pattern: "^[A-Z]{2}[0-9]{2}$"}',
    failing="code = `AB1`",
)
class Regex(CheckOptions, RegexPatterns):
    column: str

    def describe(self) -> str:
        return f"{self.column} matches {' or '.join(self.pattern) if self.match == 'any' else ' and '.join(self.pattern)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("string")
        matches = self.combine([value.re_search(p) for p in self.pattern])
        return Plan(failing=value.notnull() & ~matches, judged=value.notnull())
