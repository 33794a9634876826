"""Engines for cross-engine test modules: DuckDB always, PostgreSQL and Spark when their marks are selected."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pytest

from assay.engine import Engine, connect
from tests.conftest import postgres_database

ENGINES = [
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=pytest.mark.spark),
]


def connected(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A fixture body: an engine of `kind` (PostgreSQL in a throwaway database), closed afterwards."""
    project = tmp_path_factory.mktemp(kind)
    if kind == "postgres":
        databases = postgres_database()
        url = next(databases)
    else:
        databases, url = None, {"duckdb": "duckdb://:memory:", "pyspark": "pyspark"}[kind]
    engine = connect(url, project)
    yield engine
    engine.close()
    if databases is not None:
        next(databases, None)


def texts(engine: Engine, values: list[str | None], name: str = "texts"):
    """A one-column (`v`) string table on the engine, with `i` keeping the input order."""
    return engine.load_arrow(name, pa.table({"i": pa.array(range(len(values)), pa.int64()), "v": pa.array(values, pa.string())}))


@contextmanager
def project_engine(kind: str) -> Iterator[str | None]:
    """An engine URL for a test that runs a whole project: None (the project's own DuckDB file), a
    throwaway PostgreSQL database, or a Spark database of its own (Spark's metastore is shared)."""
    if kind == "duckdb":
        yield None
    elif kind == "postgres":
        yield from postgres_database()
    else:
        yield f"pyspark://local[2]?database=assay_{uuid.uuid4().hex[:10]}"
