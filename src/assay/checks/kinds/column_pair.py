"""column_pair: two columns of a row compared (`closed_at >= opened_at`, equal amounts)."""

from __future__ import annotations

from typing import Literal

import ibis

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register

_OPS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


@register(
    "column_pair",
    "`column_a` `op` `column_b` is false; `ignore_if` (`either_null` default, `both_null`, `never`) says which NULL rows are not judged",
    example='column_pair: {column_a: closed_at, op: ">=", column_b: opened_at}',
    failing="closed 2026-01-03, opened 2026-01-05",
)
class ColumnPair(CheckOptions):
    column_a: str
    op: Literal["==", "!=", ">", ">=", "<", "<="]
    column_b: str
    ignore_if: Literal["either_null", "both_null", "never"] = "either_null"
    """Rows not judged: either value NULL (default), both NULL, or none (a NULL then fails)."""

    def describe(self) -> str:
        return f"{self.column_a} {self.op} {self.column_b}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        a, b = t[self.column_a], t[self.column_b]
        judged = {
            "either_null": a.notnull() & b.notnull(),
            "both_null": a.notnull() | b.notnull(),
            "never": ibis.literal(True),
        }[self.ignore_if]
        holds = _OPS[self.op](a, b).fill_null(False)
        return Plan(failing=judged & ~holds, judged=judged)
