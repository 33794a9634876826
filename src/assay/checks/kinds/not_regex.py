"""not_regex: text values never match a regular expression (e.g. no e-mail addresses in a free-text field)."""

from __future__ import annotations

import ibis

from assay.checks.kinds._pattern import RegexPatterns
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "not_regex",
    "a non-null value matches `pattern` (one or a list; `match`: `any` or `all`)",
    example='not_regex: {column: notes, pattern: "\\\\d{3}-\\\\d{2}-\\\\d{4}"}',
    failing="notes holding `123-45-6789`",
)
class NotRegex(CheckOptions, RegexPatterns):
    column: str

    def describe(self) -> str:
        return f"{self.column} never matches {' or '.join(self.pattern)}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("string")
        matches = self.combine([value.re_search(p) for p in self.pattern])
        return Plan(failing=value.notnull() & matches, judged=value.notnull())
