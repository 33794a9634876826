"""The same demo project on DuckDB, PostgreSQL (a real server) and local Spark: same numbers.

Metric values are compared to 9 significant digits (engines may sum floats in another order);
findings, their statuses and due dates must be identical.
"""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import pytest

from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.conftest import postgres_database

WEEKS_COMPARED = 2


STATISTICS = (w.METRIC_STATUS, w.METRIC_TRENDS, w.METRIC_ATTRIBUTION, w.FRAMEWORK_COVERAGE)


def run_demo(project: Path, engine_url: str, truth: dict) -> tuple[list[dict], list[dict], list[dict]]:
    """Metric values, findings, and the statistics tables (status, trends, attribution, framework
    roll-up) as rows."""
    ws = Workspace.open(project, engine_url)
    try:
        for as_of in truth["as_of_dates"][:WEEKS_COMPARED]:
            ws.run(date.fromisoformat(as_of))
        values = ws.engine.to_arrow(ws.engine.table(w.METRIC_VALUES).drop("run_id")).to_pylist()
        findings = ws.engine.to_arrow(ws.engine.table(w.FINDINGS).drop("first_seen_run", "last_seen_run")).to_pylist()
        stats = [{"table": t, **r} for t in STATISTICS for r in ws.engine.to_arrow(ws.engine.table(t).drop("run_id")).to_pylist()]
    finally:
        ws.close()
    key = lambda r: (  # noqa: E731
        r.get("table", ""),
        str(r.get("as_of")),
        r.get("metric", ""),
        r.get("dimensions", ""),
        r.get("dimension", ""),
        r.get("group", ""),
        r.get("framework", ""),
        r.get("level", ""),
        r.get("function", ""),
        r.get("requirement") or "",
        r.get("fingerprint", ""),
    )
    return sorted(values, key=key), sorted(findings, key=key), sorted(stats, key=key)


def assert_same(reference: list[dict], other: list[dict], engine: str) -> None:
    assert len(reference) == len(other), engine
    for ref, row in zip(reference, other, strict=True):
        for column, value in ref.items():
            got = row[column]
            if isinstance(value, float) and got is not None:
                assert math.isclose(value, got, rel_tol=1e-9, abs_tol=1e-12), (engine, ref, column, got)
            else:
                assert value == got, (engine, ref, column, got)


@pytest.fixture(scope="module")
def duckdb_results(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory, truth: dict):
    project = tmp_path_factory.mktemp("engines-duckdb") / "demo"
    shutil.copytree(demo_dir, project)
    return run_demo(project, "duckdb:///warehouse.duckdb", truth)


@pytest.mark.postgres
def test_postgres_matches_duckdb(duckdb_results, demo_dir: Path, tmp_path: Path, truth: dict) -> None:
    project = tmp_path / "demo"
    shutil.copytree(demo_dir, project)
    for url in postgres_database():
        values, findings, stats = run_demo(project, url, truth)
    assert_same(duckdb_results[0], values, "postgres")
    assert_same(duckdb_results[1], findings, "postgres")
    assert_same(duckdb_results[2], stats, "postgres")


@pytest.mark.spark
def test_spark_matches_duckdb(duckdb_results, demo_dir: Path, tmp_path: Path, truth: dict) -> None:
    project = tmp_path / "demo"
    shutil.copytree(demo_dir, project)
    values, findings, stats = run_demo(project, f"pyspark://local[2]?database=assay_{tmp_path.name.replace('-', '_')}", truth)
    assert_same(duckdb_results[0], values, "spark")
    assert_same(duckdb_results[1], findings, "spark")
    assert_same(duckdb_results[2], stats, "spark")
