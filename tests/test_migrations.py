"""Warehouses written by earlier releases are upgraded; newer ones are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import ibis
import pytest

from assay.errors import WarehouseVersionError
from assay.warehouse import schema as w
from assay.warehouse.setup import stored_version
from assay.workspace import Workspace
from tests.tiny import write_tiny

FIXTURE = Path(__file__).parent / "fixtures" / "warehouse_v1"
"""`EXPORT DATABASE` of the tiny project's warehouse after two runs (2026-01-08, 2026-01-15) by
assay 0.1.0, schema 1, the release before state tables became versioned views."""


def restore_v1(project: Path) -> None:
    con = duckdb.connect(str(project / "warehouse.duckdb"))
    for statement in (FIXTURE / "schema.sql").read_text().split(";"):
        if statement.strip():
            con.execute(statement)
    for csv in sorted(FIXTURE.glob("*.csv")):
        con.execute(f"COPY \"{csv.stem}\" FROM '{csv}' (FORMAT csv, HEADER true)")
    con.close()


def test_release_01_warehouse_is_upgraded_and_history_continues(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", [("web-1", "2026-01-05 10:00:00"), ("web-2", "2025-12-01 10:00:00")])
    restore_v1(project)
    ws = Workspace.open(project)
    assert stored_version(ws.engine) == 1
    findings_v1 = ws.engine.to_arrow(ws.engine.table(w.FINDINGS)).to_pylist()
    assert sorted(f["status"] for f in findings_v1) == ["new", "open", "open"]  # web-2, web-3 since run 1; web-1 since run 2

    ws.run(date(2026, 1, 22))
    assert stored_version(ws.engine) == w.SCHEMA_VERSION
    runs = ws.engine.to_arrow(ws.engine.table(w.RUNS).order_by("run_seq")).to_pylist()
    assert [r["run_seq"] for r in runs] == [1, 2, 3]
    findings = {f["fingerprint"]: f for f in ws.engine.to_arrow(ws.engine.table(w.FINDINGS)).to_pylist()}
    for before in findings_v1:  # the lifecycle continued from the migrated state: open now, same first sighting
        after = findings[before["fingerprint"]]
        assert (after["status"], after["first_seen_run"], after["first_seen_at"]) == (
            "open",
            before["first_seen_run"],
            before["first_seen_at"],
        )
    events = ws.engine.table(w.FINDING_EVENTS)
    assert ws.engine.to_arrow(events.filter(events.as_of == date(2026, 1, 22))).column("event").to_pylist() == ["open"] * len(findings_v1)
    ws.close()


def test_newer_warehouse_is_refused(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", [("web-1", "2026-01-05 10:00:00")])
    ws = Workspace.open(project)
    ws.run(date(2026, 1, 8))
    newer = ibis.memtable(
        [{"schema_version": w.SCHEMA_VERSION + 1, "assay_version": "99.0", "updated_at": None}], schema=w.SCHEMA_TABLE_SCHEMA
    )
    ws.engine.create_table(w.SCHEMA, newer)
    with pytest.raises(WarehouseVersionError, match=rf"schema version {w.SCHEMA_VERSION + 1}, written by a newer assay"):
        ws.run(date(2026, 1, 9))
    ws.close()
