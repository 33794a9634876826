"""sql: a read-only query returning the failing rows, for the rules no other kind expresses."""

from __future__ import annotations

import ibis
from pydantic import Field, field_validator

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.query import engine_sql, parse_query, sources_of
from assay.checks.registry import register


@register(
    "sql",
    "the `query` (one read-only SELECT over declared sources, by name) returns rows; each is a failing row",
    shorthand="query",
    example='sql: "select t.* from tickets t join findings f using (finding_id) where t.closed_at < f.opened_at"',
    failing="a ticket closed before its finding was opened",
)
class Sql(CheckOptions):
    query: str = Field(min_length=1)

    @field_validator("query")
    @classmethod
    def _read_only(cls, value: str) -> str:
        parse_query(value)
        return value

    def references(self) -> list[tuple[str, str | None]]:
        return [(source, None) for source in sources_of(self.query)]

    def describe(self) -> str:
        return f"no rows from: {self.query}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        dialect = ctx.engine.con.dialect
        rows = ctx.engine.con.sql(engine_sql(self.query, dialect))
        return Plan(rows=rows)
