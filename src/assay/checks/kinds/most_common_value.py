"""most_common_value: the most frequent value is one of `values` (the usual status, the main region)."""

from __future__ import annotations

from typing import Any

import ibis
from pydantic import Field

from assay.checks.kinds._values import Value
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "most_common_value",
    "the most frequent non-null value is not in `values`; a tie for most frequent fails unless `ties_okay`"
    " (then one tied value in `values` is enough)",
    example="most_common_value: {column: status, values: [open]}",
    failing="more `closed` rows than `open`",
)
class MostCommonValue(CheckOptions):
    column: str
    values: list[Value] = Field(min_length=1)
    ties_okay: bool = False
    """With several values tied for most frequent, one of them in `values` is enough."""

    def describe(self) -> str:
        return f"the most common {self.column} is one of {', '.join(map(str, self.values))}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        counts = t.filter(value.notnull()).group_by(value=value).aggregate(n=ibis._.count())
        top = counts.filter(counts.n == counts.n.max())
        wanted = set(self.values)

        def judge(rows: list[dict[str, Any]]) -> tuple[bool, Any]:
            modes = {r["value"] for r in rows}
            ok = bool(modes & wanted) if self.ties_okay else len(modes) == 1 and modes <= wanted
            return ok, sorted(modes, key=str)

        return Plan(summary=top, judge=judge)
