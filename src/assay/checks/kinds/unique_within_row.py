"""unique_within_row: the listed columns hold different values in each row (approver ≠ requester)."""

from __future__ import annotations

from itertools import combinations
from typing import Literal

import ibis
from pydantic import Field

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "unique_within_row",
    "two of `columns` hold the same value in a row (NULLs equal each other unless not judged: `ignore_if`)",
    example="unique_within_row: {columns: [requester, approver]}",
    failing="requester = approver = `bob`",
)
class UniqueWithinRow(CheckOptions):
    columns: list[str] = Field(min_length=2)
    ignore_if: Literal["any_null", "all_null", "never"] = "all_null"
    """Rows not judged: all values NULL (default), any value NULL, or none."""

    def describe(self) -> str:
        return f"{', '.join(self.columns)} differ within each row"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        judged = {
            "any_null": ibis.and_(*(t[c].notnull() for c in self.columns)),
            "all_null": ibis.or_(*(t[c].notnull() for c in self.columns)),
            "never": ibis.literal(True),
        }[self.ignore_if]
        same = ibis.or_(*((t[a] == t[b]).fill_null(t[a].isnull() & t[b].isnull()) for a, b in combinations(self.columns, 2)))
        return Plan(failing=judged & same, judged=judged)
