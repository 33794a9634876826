"""One connected engine per kind for a test module: DuckDB always, PostgreSQL and Spark when marked."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from assay.engine import Engine, connect
from tests.conftest import postgres_database

ENGINES = [
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=pytest.mark.spark),
]


@pytest.fixture(scope="module", params=ENGINES)
def any_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    project = tmp_path_factory.mktemp(request.param)
    if request.param == "postgres":
        databases = postgres_database()
        url = next(databases)
    else:
        databases, url = None, {"duckdb": "duckdb://:memory:", "pyspark": "pyspark"}[request.param]
    engine = connect(url, project)
    yield engine
    engine.close()
    if databases is not None:
        next(databases, None)


def texts(engine: Engine, values: list[str | None], name: str = "texts"):
    """A one-column (`v`) string table on the engine, with `i` keeping the input order."""
    return engine.load_arrow(name, pa.table({"i": pa.array(range(len(values)), pa.int64()), "v": pa.array(values, pa.string())}))
