"""Shared by the distinct-value kinds: the column's distinct non-null values, judged in Python.

The summary is one row per distinct value, so these kinds suit columns of codes and categories,
not identifiers.
"""

from __future__ import annotations

from typing import Any

import ibis
from pydantic import Field

from assay.checks.kinds._values import Value
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan


class DistinctValues(CheckOptions):
    column: str
    values: list[Value] = Field(min_length=0)

    def verdict(self, found: set[Any], wanted: set[Any]) -> bool:
        raise NotImplementedError

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        summary = t.filter(value.notnull()).select(value=value).distinct()
        wanted = set(self.values)

        def judge(rows: list[dict[str, Any]]) -> tuple[bool, Any]:
            found = {r["value"] for r in rows}
            return self.verdict(found, wanted), sorted(found, key=str)

        return Plan(summary=summary, judge=judge)
