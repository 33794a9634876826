"""The one row an aggregate query over the parsing connection returns."""

from __future__ import annotations

from typing import Any

import duckdb


def one_row(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """The row of a query that always yields exactly one (`SELECT count(*) …`, `bool_or(…)`):
    DuckDB's `fetchone` may return None in general, never for these."""
    row = con.execute(query, params).fetchone()
    assert row is not None, f"an aggregate query returned no row: {query}"
    return row
