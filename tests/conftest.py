"""Shared fixtures: the demo organization (small), and one connection factory per engine."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.demo.project import write_demo
from assay.engine import Engine, connect

PG_ADMIN = os.environ.get("ASSAY_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")

DEMO_ASSETS = 1200
DEMO_WEEKS = 4


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo organization written once per session (tests copy it before writing)."""
    out = tmp_path_factory.mktemp("demo")
    write_demo(out, assets=DEMO_ASSETS, weeks=DEMO_WEEKS, seed=11)
    return out


@pytest.fixture(scope="session")
def truth(demo_dir: Path) -> dict:
    return json.loads((demo_dir / "truth" / "planted.json").read_text())


def postgres_database() -> Iterator[str]:
    """A fresh database with C collation (byte-order string comparison, as DuckDB and Spark)."""
    import psycopg

    name = f"assay_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN.replace("postgres://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_database()


@pytest.fixture(scope="session")
def spark_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark")


def engine_for(kind: str, project_dir: Path, pg: str | None = None) -> Engine:
    if kind == "duckdb":
        return connect("duckdb:///warehouse.duckdb", project_dir)
    if kind == "postgres":
        assert pg is not None
        return connect(pg, project_dir)
    return connect("pyspark://local[2]", project_dir)
