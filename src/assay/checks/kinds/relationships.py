"""relationships: referential integrity between two sources, in one or both directions."""

from __future__ import annotations

import ibis
from pydantic import Field

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "relationships",
    "a non-null value has no match in the other source (with `both: true`, also a value of the other source missing here)",
    example="relationships: {column: finding_id, to: findings.finding_id}",
    failing="a finding_id absent from findings",
)
class Relationships(CheckOptions):
    column: str
    to: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
    both: bool = False
    """Also fail when the other source holds values absent here (counted as extra failing rows)."""

    def references(self) -> list[tuple[str, str | None]]:
        source, column = self.to.split(".")
        return [(source, column)]

    def describe(self) -> str:
        return f"every {self.column} exists in {self.to}" + (" and the other way round" if self.both else "")

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        source, column = self.to.split(".")
        target = ctx.table(source)
        value = t[self.column]
        failing = value.notnull() & ~value.isin(target[column])
        if not self.both:
            return Plan(failing=failing, judged=value.notnull(), separate=True)
        missing_here = target.filter(target[column].notnull() & ~target[column].isin(t[self.column])).count()
        passed = (missing_here.as_scalar() == 0) & (t.filter(failing).count() == 0)
        return Plan(failing=failing, judged=value.notnull(), separate=True, observed=missing_here, passed=passed)
