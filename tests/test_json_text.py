"""JSON text built on the engine parses with Python's json module, whatever the characters."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from assay.engine.expressions import json_object
from tests.conftest import engine_for

HOSTILE = [
    "".join(chr(c) for c in range(1, 0x20)),
    'quote " backslash \\ slash / \\u0041 not an escape',
    "letters that Spark escapes: a v f b n r t 0",
    "émoji 😀 and RTL \u202e",
    "\x1b[31mred\x1b[0m",
    "",
    None,
]


def _round_trip(kind: str, tmp_path: Path, values: list[str | None], pg: str | None = None) -> list[dict]:
    engine = engine_for(kind, tmp_path, pg)
    try:
        t = engine.create_table("_json_text", pa.table({"v": pa.array(values, pa.string())}))
        out = engine.to_arrow(t.select(j=json_object({'k\x07"\\': t.v}), v=t.v))
        return [(json.loads(row["j"]), row["v"]) for row in out.to_pylist()]
    finally:
        engine.close()


def _check(pairs: list) -> None:
    assert len(pairs) >= 1
    for parsed, original in pairs:
        assert parsed == {'k\x07"\\': original}


def test_duckdb_json_parses(tmp_path: Path) -> None:
    _check(_round_trip("duckdb", tmp_path, [*HOSTILE, "nul \x00 inside"]))


@pytest.mark.postgres
def test_postgres_json_parses(tmp_path: Path, pg_url: str) -> None:
    _check(_round_trip("postgres", tmp_path, HOSTILE, pg_url))  # PostgreSQL text cannot hold U+0000


@pytest.mark.spark
def test_spark_json_parses(tmp_path: Path) -> None:
    _check(_round_trip("spark", tmp_path, [*HOSTILE, "nul \x00 inside"]))
