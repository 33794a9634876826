"""A failed run changes no history: it is recorded as failed and nothing else is visible or kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assay.demo.project import write_demo
from assay.engine.engine import Engine
from assay.errors import AssayError, RunError
from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.tiny import write_tiny

SCANS = [("web-1", "2026-01-05 10:00:00")]


def snapshot(ws: Workspace) -> dict[str, list]:
    tables = [t for t in w.HISTORY if t != w.RUNS] + [w.FINDINGS, w.COVERAGE, w.ASSETS]
    return {t: sorted(map(repr, ws.engine.to_arrow(ws.engine.table(t)).to_pylist())) for t in tables}


def test_failed_ingest_leaves_history(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", SCANS)
    ws = Workspace.open(project)
    ws.run(date(2026, 1, 8))
    before = snapshot(ws)
    (project / "inv.csv").write_text("hostname,kind,owner\nweb-1,host,a@b.com\n")
    with pytest.raises(RunError, match=r"failed in stage ingest: source 'inv': inv\.csv: column 'host' \(for name\) not found"):
        ws.run(date(2026, 1, 15))
    assert snapshot(ws) == before
    runs = ws.engine.to_arrow(ws.engine.table(w.RUNS).order_by("run_seq")).to_pylist()
    assert [r["status"] for r in runs] == ["success", "failed"]
    assert "column 'host'" in runs[1]["error"]
    assert ws.latest_run()["run_id"] == runs[0]["run_id"]
    ws.close()


def test_failure_while_publishing_removes_partial_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_tiny(tmp_path / "p", SCANS)
    ws = Workspace.open(project)
    ws.run(date(2026, 1, 8))
    before = snapshot(ws)
    real_insert = Engine.insert

    def failing_insert(self: Engine, name: str, obj) -> None:
        if name == w.FINDING_EVENTS:
            raise OSError("disk full")
        real_insert(self, name, obj)

    monkeypatch.setattr(Engine, "insert", failing_insert)
    with pytest.raises(RunError, match="failed in stage publish: OSError: disk full"):
        ws.run(date(2026, 1, 15))
    monkeypatch.undo()
    # Metric values and check results were inserted before the failure and must be gone again.
    assert snapshot(ws) == before
    ws.close()


def test_runs_cannot_go_back_in_time(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", SCANS)
    ws = Workspace.open(project)
    ws.run(date(2026, 1, 15))
    ws.run(date(2026, 1, 15))  # the same date again is fine
    with pytest.raises(AssayError, match="before the latest successful run's as-of 2026-01-15"):
        ws.run(date(2026, 1, 8))
    ws.close()


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(AssayError, match="is not empty and is not an earlier demo"):
        write_demo(tmp_path, assets=500, weeks=1)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_demo_rerun_starts_a_fresh_warehouse(tmp_path: Path) -> None:
    manifest = write_demo(tmp_path / "d", assets=500, weeks=1)
    ws = Workspace.open(tmp_path / "d")
    ws.run(manifest.as_of_dates[0])
    ws.close()
    write_demo(tmp_path / "d", assets=500, weeks=1)
    assert not (tmp_path / "d" / "warehouse.duckdb").exists()
