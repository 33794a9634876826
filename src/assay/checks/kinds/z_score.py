"""z_score: no value lies too many (sample) standard deviations from the column's mean."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "z_score",
    "a value's z-score (distance from the mean in sample standard deviations) is `max` or more (`double_sided`: its absolute value)",
    example="z_score: {column: bytes_out, max: 4}",
    failing="a value 5 standard deviations above the mean",
)
class ZScore(CheckOptions):
    column: str
    max: float = Field(gt=0)
    double_sided: bool = True

    def describe(self) -> str:
        return f"{'|z|' if self.double_sided else 'z'} of {self.column} is below {self.max:g}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("float64")
        whole = ibis.window()
        z = (value - value.mean().over(whole)) / value.std(how="sample").over(whole)
        score = z.abs() if self.double_sided else z
        return Plan(failing=value.notnull() & (score >= self.max), judged=value.notnull())
