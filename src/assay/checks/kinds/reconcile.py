"""reconcile: a count or a column's sum agrees with another source's within a tolerance."""

from __future__ import annotations

from typing import Literal

import ibis
from pydantic import Field, model_validator

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "reconcile",
    "`measure` (`count` of rows, or `sum` of `column`) differs from the same measure of `to` (`to_column`, default `column`)"
    " by more than `tolerance` (absolute) plus `tolerance_percent` of the other value",
    example="reconcile: {to: cloud_assets, tolerance_percent: 2}",
    failing="1,000 rows here, 950 there",
)
class Reconcile(CheckOptions):
    to: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    measure: Literal["count", "sum"] = "count"
    column: str | None = None
    to_column: str | None = None
    tolerance: float = Field(default=0, ge=0)
    tolerance_percent: float = Field(default=0, ge=0)
    """Relative to the other source's value."""

    @model_validator(mode="after")
    def _column_for_sum(self) -> Reconcile:
        if self.measure == "sum" and self.column is None:
            raise ValueError("measure sum needs column")
        if self.measure == "count" and (self.column or self.to_column):
            raise ValueError("measure count takes no column")
        return self

    def references(self) -> list[tuple[str, str | None]]:
        return [(self.to, self.to_column or self.column)]

    def describe(self) -> str:
        what = "row count" if self.measure == "count" else f"sum of {self.column}"
        return (
            f"{what} agrees with {self.to}"
            + (f" within {self.tolerance:g}" if self.tolerance else "")
            + (f" within {self.tolerance_percent:g}%" if self.tolerance_percent else "")
        )

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        other = ctx.table(self.to)
        if self.measure == "count":
            mine, theirs = t.count().cast("float64"), other.count().as_scalar().cast("float64")
        else:
            assert self.column is not None
            mine, theirs = t[self.column].sum().cast("float64"), other[self.to_column or self.column].sum().as_scalar().cast("float64")
        allowed = theirs.abs() * (self.tolerance_percent / 100) + self.tolerance
        passed = ((mine - theirs).abs() <= allowed).fill_null(mine.isnull() & theirs.isnull())
        return Plan(observed=ibis.array([mine, theirs]), passed=passed, separate=True)
