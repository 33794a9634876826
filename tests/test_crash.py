"""A run killed at any moment leaves exactly the history of the successful runs before it, and
the next run gives what a run that was never interrupted gives.

Real `assay run` processes are killed with SIGKILL: at chosen writes (the engine kills itself when
`ASSAY_FAULT_AFTER_WRITES` is reached, so every write of the publish step is hit) and after plain
delays. The write count of a clean run is measured in-process on an identical copy first.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from assay.engine.engine import FAULT_ENV
from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.conftest import postgres_database
from tests.tiny import write_scans, write_tiny

ASSAY = str(Path(sys.executable).parent / "assay")
DAY1, DAY2 = date(2026, 1, 8), date(2026, 1, 15)
SCANS_1 = [("web-1", "2026-01-05 10:00:00"), ("web-2", "2025-12-01 10:00:00")]
SCANS_2 = [("web-2", "2026-01-14 10:00:00"), ("web-3", "2026-01-13 09:00:00")]
RUN_ID_COLUMNS = ("run_id", "first_seen_run", "last_seen_run")
VOLATILE = ("started_at", "finished_at", "timings", "run_id", "engine")  # engine: the PostgreSQL tests use one database each


def snapshot(ws: Workspace) -> dict[str, list[str]]:
    """What readers see, without the values that differ between identical runs (ids, clocks)."""
    engine = ws.engine
    seen: dict[str, list[str]] = {}
    runs = engine.table(w.RUNS)
    runs = runs.filter(runs.status == "success").drop(*VOLATILE)
    seen[w.RUNS] = sorted(map(repr, engine.to_arrow(runs).to_pylist()))
    for name in [t for t in w.HISTORY if t != w.RUNS]:
        from assay.warehouse.history import visible

        seen[name] = sorted(map(repr, engine.to_arrow(visible(engine, name).drop("run_id")).to_pylist()))
    for name in w.STATE_TABLES:
        if engine.exists(name):
            t = engine.table(name)
            t = t.drop(*[c for c in RUN_ID_COLUMNS if c in t.columns])
            seen[name] = sorted(map(repr, engine.to_arrow(t).to_pylist()))
    return seen


def stray_rows(ws: Workspace) -> int:
    """History rows of runs that are not successful: none may exist where writes are transactional."""
    engine = ws.engine
    runs = engine.table(w.RUNS)
    ok = runs.filter(runs.status == "success").select("run_id")
    count = 0
    for name in [t for t in w.HISTORY if t != w.RUNS] + [w.by_run(t) for t in w.STATE_TABLES]:
        if engine.exists(name):
            t = engine.table(name)
            count += int(engine.scalar(t.anti_join(ok, "run_id").count()))
    return count


def assay_run(project: Path, engine_url: str, as_of: date, fault: int | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    if fault is not None:
        env[FAULT_ENV] = str(fault)
    return subprocess.Popen(
        [ASSAY, "run", str(project), "--as-of", as_of.isoformat(), "--engine", engine_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def prepare(folder: Path, engine_url: str) -> Path:
    """The tiny project after one successful run, with new scans waiting for the second."""
    project = write_tiny(folder, SCANS_1)
    ws = Workspace.open(project, engine_url)
    ws.run(DAY1)
    ws.close()
    write_scans(project, SCANS_2)
    return project


def count_writes(project: Path, engine_url: str) -> tuple[int, int]:
    """Writes before the publish stage starts, and in the whole run (on an identical state)."""
    ws = Workspace.open(project, engine_url)
    marks: dict[str, int] = {}
    ws.run(DAY2, on_stage=lambda stage: marks.setdefault(stage, ws.engine._writes))
    total = ws.engine._writes
    ws.close()
    return marks["publish"], total


def crash_points(publish_at: int, total: int, stride: int) -> list[int]:
    """Every other write of the publish step, and every `stride`-th write before it."""
    return sorted(set(range(1, publish_at, stride)) | set(range(publish_at, total + 1, 2)))


def check_crashes(project: Path, engine_url: str, points: list[int], reference: dict, before: dict, transactional: bool) -> None:
    """Kill a run at each point in turn: readers must see the state before it, until the kill comes
    after the commit (the clean-up of scratch tables), when they must see the complete run."""
    for point in points:
        proc = assay_run(project, engine_url, DAY2, fault=point)
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == -signal.SIGKILL, (point, out.decode()[-2000:])
        ws = Workspace.open(project, engine_url)
        try:
            now = snapshot(ws)
            assert now in (before, reference), f"crash at write {point} left readers a partial run"
            if transactional:
                assert stray_rows(ws) == 0, f"crash at write {point} left rows of an unpublished run"
        finally:
            ws.close()
        if now == reference:  # this run, started after all the crashed ones, completed: as if never interrupted
            return
    raise AssertionError("no crash point fell after the commit: the sweep did not cover the whole publish step")


def reference_after_two_runs(folder: Path, engine_url: str) -> tuple[dict, dict]:
    project = prepare(folder, engine_url)
    ws = Workspace.open(project, engine_url)
    before = snapshot(ws)
    ws.run(DAY2)
    after = snapshot(ws)
    ws.close()
    return before, after


def test_killed_duckdb_runs_leave_history_intact(tmp_path: Path) -> None:
    url = "duckdb:///warehouse.duckdb"
    before, reference = reference_after_two_runs(tmp_path / "reference", url)
    project = prepare(tmp_path / "crashed", url)
    counting = tmp_path / "counting"
    shutil.copytree(project, counting)
    publish_at, total = count_writes(counting, url)
    assert total > publish_at > 5
    check_crashes(project, url, crash_points(publish_at, total, stride=10), reference, before, transactional=True)


def test_runs_killed_after_delays_leave_history_intact(tmp_path: Path) -> None:
    url = "duckdb:///warehouse.duckdb"
    before, reference = reference_after_two_runs(tmp_path / "reference", url)
    project = prepare(tmp_path / "crashed", url)
    for delay in (0.3, 1.0, 2.0, 3.0, 4.0):
        proc = assay_run(project, url, DAY2)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        ws = Workspace.open(project, url)
        try:
            now = snapshot(ws)
            assert now in (before, reference), f"killed after {delay}s: readers see a partial run"
            if now == reference:  # the run finished before the kill: nothing more to test
                return
            assert stray_rows(ws) == 0
        finally:
            ws.close()
    finish = assay_run(project, url, DAY2)
    assert finish.wait(timeout=600) == 0
    ws = Workspace.open(project, url)
    assert snapshot(ws) == reference
    ws.close()


@pytest.mark.postgres
def test_killed_postgres_runs_leave_history_intact(tmp_path: Path) -> None:
    for reference_url in postgres_database():
        before, reference = reference_after_two_runs(tmp_path / "reference", reference_url)
    for counting_url in postgres_database():
        publish_at, total = count_writes(prepare(tmp_path / "counting", counting_url), counting_url)
    for url in postgres_database():
        project = prepare(tmp_path / "crashed", url)
        check_crashes(project, url, crash_points(publish_at, total, stride=15), reference, before, transactional=True)


PROBE = """
import json, sys
from datetime import date
from pathlib import Path
from assay.workspace import Workspace
from tests.test_crash import count_writes, prepare, snapshot
action, folder, url = sys.argv[1:4]
if action == "prepare":
    prepare(Path(folder), url)
    ws = Workspace.open(Path(folder), url)
    print(json.dumps(snapshot(ws)))
elif action == "count":
    project = prepare(Path(folder), url)
    counts = count_writes(project, url)
    print(json.dumps([*counts, snapshot(Workspace.open(project, url))]))
else:
    ws = Workspace.open(Path(folder), url)
    print(json.dumps(snapshot(ws)))
"""


def probe(action: str, folder: Path, url: str):
    """Spark keeps one session per process, with its metastore locked to it: each step that reads
    a project runs in a process of its own."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", PROBE, action, str(folder), url], capture_output=True, text=True, cwd=Path(__file__).parent.parent
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.spark
def test_killed_spark_runs_publish_by_marker(tmp_path: Path) -> None:
    """Spark has no transactions: rows of a killed run may stay, but no reader sees them, and the
    next run starts from the last successful state."""
    url = "pyspark://local[2]"
    publish_at, total, reference = probe("count", tmp_path / "counting", url)  # and the state after that uninterrupted run
    project = tmp_path / "crashed"
    before = probe("prepare", project, url)
    for point in (publish_at + 1, total):  # just after the stage starts, and at its last write (after the marker)
        proc = assay_run(project, url, DAY2, fault=point)
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == -signal.SIGKILL, (point, out.decode()[-2000:])
        now = probe("snapshot", project, url)
        assert now in (before, reference), f"crash at write {point} left readers a partial run"
        if now == reference:  # killed after the marker: this run, started after the crashed ones, completed
            return
    raise AssertionError("no crash point fell after the marker")
