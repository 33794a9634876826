"""One connection per engine for the whole session; every normalizer test runs on all three.

Generated values are loaded as one table per hypothesis example and compared in one query, so a
Spark run costs a handful of jobs rather than one per value.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assay.engine import Engine, connect

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "assay_norm_test"

ENGINES = [
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("pyspark", marks=pytest.mark.spark),
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs the local PostgreSQL server")
    config.addinivalue_line("markers", "spark: needs a local Spark session")


def _postgres_url() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone():
            con.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    project = tmp_path_factory.mktemp(request.param)
    url = {"duckdb": "duckdb://:memory:", "postgres": _postgres_url(), "pyspark": "pyspark"}[request.param]
    eng = connect(url, project)
    yield eng
    eng.close()
