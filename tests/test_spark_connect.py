"""Spark Connect and Spark's Python workers.

A Spark Connect server is started from the installed pyspark (its bundled jars, nothing
downloaded) by `scripts/spark-connect.sh` for this module and stopped after it. The demo runs
through it from the command line, one process per week (so history lives in the server's
catalog, not in a client), and gives the same metric values and findings as DuckDB.

PySpark switches a whole process to Connect once it opens a remote session, so every Connect
client here runs in its own process: the pytest process keeps local Spark for the other tests.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from assay.engine import connect
from tests.test_engines import WEEKS_COMPARED, assert_same, duckdb_results  # noqa: F401 - a fixture
from tests.tiny import PROJECT, write_tiny

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "spark-connect.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state = tmp_path_factory.mktemp("spark-connect")
    port = _free_port()
    env = {**os.environ, "PYTHON": sys.executable}
    started = subprocess.run(["bash", str(SCRIPT), "start", str(port), str(state)], env=env, capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    try:
        yield f"sc://127.0.0.1:{port}"
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(state)], capture_output=True, timeout=120, check=True)


def assay(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay", *args], capture_output=True, text=True, timeout=900, env=env)


def _read_in_fresh_process(project: Path, url: str) -> tuple[list[dict], list[dict], str, str]:
    """What `run_demo` reads, plus the engine's class and current database, from a new client."""
    from assay.warehouse import schema as w
    from assay.workspace import Workspace

    ws = Workspace.open(project, url)
    try:
        values = ws.engine.to_arrow(ws.engine.table(w.METRIC_VALUES).drop("run_id")).to_pylist()
        findings = ws.engine.to_arrow(ws.engine.table(w.FINDINGS).drop("first_seen_run", "last_seen_run")).to_pylist()
        return values, findings, type(ws.engine).__name__, ws.engine.con.current_database
    finally:
        ws.close()


def test_demo_through_spark_connect_matches_duckdb(duckdb_results, connect_url: str, demo_dir: Path, tmp_path: Path, truth: dict) -> None:  # noqa: F811
    project = tmp_path / "demo"
    shutil.copytree(demo_dir, project)
    url = f"{connect_url}/;database=demo_{tmp_path.name.replace('-', '_')}"
    for as_of in truth["as_of_dates"][:WEEKS_COMPARED]:
        result = assay("run", str(project), "--as-of", as_of, "--engine", url)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "rows loaded" in result.stdout
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        values, findings, engine_class, database = pool.apply(_read_in_fresh_process, (project, url))
    assert (engine_class, database) == ("SparkConnectEngine", f"demo_{tmp_path.name.replace('-', '_')}")
    key = lambda r: (str(r.get("as_of")), r.get("metric", ""), r.get("dimensions", ""), r.get("fingerprint", ""))  # noqa: E731
    assert_same(duckdb_results[0], sorted(values, key=key), "spark-connect")
    assert_same(duckdb_results[1], sorted(findings, key=key), "spark-connect")
    assert not (project / ".assay" / "spark").exists(), "a Connect run keeps no Spark state in the project"


BATCH_BYTES = 4096


def _load_in_small_batches(url: str, data: pa.Table, folder: Path) -> list[dict]:
    from assay.engine import spark_engine

    spark_engine.CONNECT_BATCH_BYTES = BATCH_BYTES
    engine = connect(url, folder)
    try:
        return engine.to_arrow(engine.load_arrow("batched", data).order_by("id")).to_pylist()
    finally:
        engine.close()


def test_load_arrow_sends_batches_and_keeps_every_row(connect_url: str, tmp_path: Path) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    data = pa.table(
        {
            "id": pa.array(range(1000), pa.int64()),
            "name": pa.array([None if i % 7 == 0 else f"host-{i}" for i in range(1000)], pa.string()),
            "at": pa.array([start + timedelta(minutes=i) for i in range(1000)], pa.timestamp("us", tz="UTC")),
        }
    )
    assert data.nbytes > 5 * BATCH_BYTES
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        rows = pool.apply(_load_in_small_batches, (f"{connect_url}/;database=batches", data, tmp_path))
    # Spark's TIMESTAMP comes back naive, in the session zone (UTC).
    assert [(r["id"], r["name"], r["at"].replace(tzinfo=UTC)) for r in rows] == [(r["id"], r["name"], r["at"]) for r in data.to_pylist()]


def _local_after_connect(url: str, folder: Path) -> str:
    from assay.errors import EngineError

    remote = connect(url, folder)
    try:
        connect("pyspark", folder)
    except EngineError as exc:
        return str(exc)
    finally:
        remote.close()
    return "no error"


def test_one_process_uses_connect_or_local_spark(connect_url: str, tmp_path: Path) -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        message = pool.apply(_local_after_connect, (f"{connect_url}/;database=mixing", tmp_path))
    assert message.startswith("this process already uses Spark Connect, so it cannot start local Spark (pyspark)")


def test_unreachable_server_fails_fast(tmp_path: Path) -> None:
    from assay.errors import EngineError

    with pytest.raises(EngineError, match=r"cannot reach the Spark Connect server at 127\.0\.0\.1:\d+"):
        connect(f"sc://127.0.0.1:{_free_port()}/;database=x", tmp_path)


@pytest.fixture
def python3_that_is_not_ours(tmp_path: Path) -> dict[str, str]:
    """A PATH whose `python3` fails loudly: Spark workers must not start it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python3"
    fake.write_text("#!/bin/sh\necho 'started the python3 on PATH, not the product interpreter' >&2\nexit 3\n")
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}


@pytest.mark.parametrize("engine", ["pyspark", "connect"])
def test_text_normalizer_runs_from_the_cli(engine: str, python3_that_is_not_ours: dict[str, str], connect_url: str, tmp_path: Path) -> None:
    """The NFKC step of `text` is a Python UDF: its workers run the product's interpreter."""
    project = write_tiny(tmp_path / "p", [("web-1", "2026-11-19T10:00:00Z")])
    (project / "assay.yml").write_text(PROJECT.replace("asset_type: kind", "asset_type: {from: kind, normalize: text}"))
    (project / "inv.csv").write_text((project / "inv.csv").read_text().replace("web-2,host,", "web-2,\uff28\uff2f\uff33\uff34,"))
    url = "pyspark" if engine == "pyspark" else f"{connect_url}/;database=text_{tmp_path.name.replace('-', '_')}"
    result = assay("run", str(project), "--as-of", "2026-11-20", "--engine", url, env=python3_that_is_not_ours)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not the product interpreter" not in result.stderr
    # Ｈ Ｏ Ｓ Ｔ (full width) is `host` after NFKC and case folding: web-2 is a host, so of the
    # three hosts (web-1 scanned, web-2 and web-3 not), one is covered.
    assert "33.3%" in result.stdout
