"""One run per project at a time, on every engine; a dead holder's lock is taken over."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from assay.errors import RunLockedError
from assay.run.lock import LOCK_FILE, run_lock
from assay.workspace import Workspace
from tests.conftest import postgres_database
from tests.tiny import write_tiny

SCANS = [("web-1", "2026-01-05 10:00:00")]

HOLDER = """
import sys, time
from pathlib import Path
from assay.engine import connect
from assay.run.lock import run_lock
engine = connect(sys.argv[2], Path(sys.argv[1]))
with run_lock(engine, "tiny", Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(600)
"""


def hold_lock(project: Path, url: str) -> subprocess.Popen:
    """Another process that takes the run lock and keeps it until killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(project), url], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", SCANS)
    url = "duckdb:///other.duckdb"  # the holder must not keep the warehouse file itself open
    holder = hold_lock(project, url)
    try:
        ws = Workspace.open(project, "duckdb:///warehouse.duckdb")
        with pytest.raises(RunLockedError, match=rf"another run of project 'tiny' is in progress: held by pid {holder.pid} on .* since "):
            ws.run(date(2026, 1, 8))
        assert ws.latest_run() is None
        ws.close()
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", SCANS)
    holder = hold_lock(project, "duckdb:///other.duckdb")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert f"pid {holder.pid}" in (project / LOCK_FILE).read_text()  # the dead holder's note is still there
    ws = Workspace.open(project)
    result = ws.run(date(2026, 1, 8))
    assert result.status == "success"
    ws.close()


def test_lock_is_released_after_a_run_and_after_a_failure(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", SCANS)
    ws = Workspace.open(project)
    ws.run(date(2026, 1, 8))
    (project / "inv.csv").write_text("nothing,useful\n1,2\n")
    with pytest.raises(Exception, match="failed in stage ingest"):
        ws.run(date(2026, 1, 9))
    with run_lock(ws.engine, "tiny", project):  # free again
        pass
    ws.close()


@pytest.mark.postgres
def test_postgres_runs_are_locked_on_the_server(tmp_path: Path) -> None:
    """Two machines may share one PostgreSQL warehouse: the server lock excludes them even with
    separate project folders (so separate lock files)."""
    for url in postgres_database():
        first = write_tiny(tmp_path / "a", SCANS)
        second = write_tiny(tmp_path / "b", SCANS)
        holder = hold_lock(first, url)
        try:
            ws = Workspace.open(second, url)
            with pytest.raises(RunLockedError, match=rf"in progress on postgres.*held by assay pid {holder.pid} on .* since "):
                ws.run(date(2026, 1, 8))
            ws.close()
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait()
        deadline = time.monotonic() + 20
        while True:  # the server frees the lock once it notices the dead connection
            ws = Workspace.open(second, url)
            try:
                assert ws.run(date(2026, 1, 8)).status == "success"
                break
            except RunLockedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
            finally:
                ws.close()


WRITER = """
import sys, time
from pathlib import Path
from assay.engine import connect
engine = connect("duckdb:///warehouse.duckdb", Path(sys.argv[1]))
engine.con.raw_sql("CREATE TABLE assay_half_written AS SELECT 1 AS x")  # a run in the middle of its work
print("writing", flush=True)
time.sleep(600)
"""


def test_readers_see_the_last_successful_run_while_a_run_holds_duckdb(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", SCANS)
    ws = Workspace.open(project)
    first = ws.run(date(2026, 1, 8))
    expected = ws.metrics().to_pylist()
    ws.close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(project)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        reader = Workspace.open(project)
        assert reader.engine.read_only and "published copy" in reader.engine.display_url
        assert reader.latest_run()["run_id"] == first.run_id
        assert reader.metrics().to_pylist() == expected
        assert not reader.engine.exists("assay_half_written")
        report = reader.report(tmp_path / "report.html")
        assert "2026-01-08" in report.read_text()
        with pytest.raises(RunLockedError, match="open read-only because another process holds the warehouse"):
            reader.run(date(2026, 1, 9))
        reader.close()
    finally:
        writer.kill()
        writer.wait()
