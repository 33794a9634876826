"""A costly sub-expression is computed once per row, not once per reference.

The hostname normalizer's trimming regex and the text normalizer's case table are read by many
checks. PostgreSQL and Spark evaluate what the SQL says, so there each column's SQL must hold the
part once (`Engine.let` binds it). DuckDB's `let` inlines it instead, because DuckDB's optimizer
computes a repeated sub-expression once (binding measured 4x slower for hostname at 2M rows):
there the query plan must hold it once, for both columns together.
"""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest

from assay.engine import Engine
from assay.normalize import normalize
from assay.normalize.portable import case_insensitive
from assay.normalize.text import _table

PLAN_DEDUPLICATES = {"duckdb"}
"""Engines whose `let` leaves common subexpressions to the optimizer."""

CASES = [
    pytest.param("hostname", {"strip_suffixes": ["corp.example"]}, case_insensitive("corp.example"), id="hostname-trim-regex"),
    pytest.param("text", {"case": "fold"}, _table("fold")[0][40:80], id="text-fold-table"),
    pytest.param("text", {"case": "lower"}, _table("lower")[0][40:80], id="text-lower-table"),
]


@pytest.mark.parametrize(("kind", "options", "marker"), CASES)
def test_costly_part_is_computed_once(engine: Engine, kind: str, options: dict, marker: str) -> None:
    if engine.name in PLAN_DEDUPLICATES:
        table = engine.load_arrow("bound_once", pa.table({"h": [" WEB-1.Corp.Example. ", "Ｊａｎｅ  DOE"]}))
        result = normalize(kind, table.h, options, engine)
        query = table.select(value=result.value, problem=result.problem)
        engine.to_arrow(query)  # registers the UDFs the plan names
        sql = str(engine.con.compile(query))
        assert sql.count(marker) > 1, "the SQL repeats the part; the plan is what must not"
        [(_, plan)] = engine.con.con.sql(f"EXPLAIN (FORMAT JSON) {sql}").fetchall()
        assert plan.count(marker) == 1, plan
        return
    table = ibis.table({"h": "string"}, name="t")
    result = normalize(kind, table.h, options, engine)
    for column in (result.value, result.problem):
        assert str(engine.con.compile(table.select(x=column))).count(marker) == 1
