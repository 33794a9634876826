"""length_between: text lengths lie within bounds."""

from __future__ import annotations

import ibis

from assay.checks.kinds._values import Bounds
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register("length_between", "a non-null value's length is outside `min`..`max`")
class LengthBetween(CheckOptions, Bounds):
    column: str

    def describe(self) -> str:
        return f"length of {self.column} is {self.bounds_text()}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("string")
        return Plan(failing=value.notnull() & ~self.within(value.length()), judged=value.notnull())
