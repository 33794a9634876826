"""Findings across runs on a hand-made project: new, open, resolved, reopened, due dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.tiny import write_scans, write_tiny


def state(ws: Workspace) -> dict[str, dict]:
    rows = ws.engine.to_arrow(ws.engine.table(w.FINDINGS)).to_pylist()
    return {r["entity_key"]: r for r in rows}


def test_lifecycle_over_four_runs(tmp_path: Path) -> None:
    # Week 1: web-1 scanned, web-2 and web-3 not -> two new findings.
    project = write_tiny(tmp_path / "p", [("web-1", "2026-01-05 10:00:00")])
    ws = Workspace.open(project)
    ws.run(date(2026, 1, 8))
    s = state(ws)
    assert {k: v["status"] for k, v in s.items()} == {"host:web-2|edr": "new", "host:web-3|edr": "new"}
    assert s["host:web-2|edr"]["owner"] == "bob@example.com"
    assert s["host:web-2|edr"]["due_at"] == date(2026, 1, 22)

    # Week 2: web-2 scanned now, web-1's scan is stale (8 days old) -> web-1 new, web-2 resolved, web-3 open.
    write_scans(project, [("web-1", "2026-01-05 10:00:00"), ("WEB-2.corp.example", "2026-01-14 09:00:00")])
    ws.run(date(2026, 1, 15))
    s = state(ws)
    assert {k: v["status"] for k, v in s.items()} == {
        "host:web-1|edr": "new",
        "host:web-2|edr": "resolved",
        "host:web-3|edr": "open",
    }
    assert s["host:web-2|edr"]["resolved_at"] == date(2026, 1, 15)
    assert s["host:web-3|edr"]["first_seen_at"] == date(2026, 1, 8)
    assert s["host:web-3|edr"]["due_at"] == date(2026, 1, 22)

    # Week 3: nothing scanned -> web-2 reopened with a fresh due date.
    write_scans(project, [])
    ws.run(date(2026, 1, 22))
    s = state(ws)
    assert s["host:web-2|edr"]["status"] == "reopened"
    assert s["host:web-2|edr"]["due_at"] == date(2026, 2, 5)
    assert s["host:web-2|edr"]["resolved_at"] is None

    # The event history has one row per finding touched in each run.
    events = ws.engine.table(w.FINDING_EVENTS)
    rows = ws.engine.to_arrow(events.group_by("as_of", "event").agg(n=events.count()).order_by("as_of", "event")).to_pylist()
    assert [(r["as_of"].isoformat(), r["event"], r["n"]) for r in rows] == [
        ("2026-01-08", "new", 2),
        ("2026-01-15", "new", 1),
        ("2026-01-15", "open", 1),
        ("2026-01-15", "resolved", 1),
        ("2026-01-22", "open", 2),
        ("2026-01-22", "reopened", 1),
    ]
    ws.close()


def test_coverage_metric_by_hand(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", [("web-1", "2026-01-05 10:00:00"), ("web-2.corp.example.", "2026-01-07 23:00:00")])
    ws = Workspace.open(project)
    ws.run(date(2026, 1, 8))
    rows = {r["dimensions"]: r for r in ws.metrics().to_pylist()}
    edr = rows['{"control":"edr"}']
    assert (edr["numerator"], edr["denominator"]) == (2, 3)
    assert abs(edr["value"] - 2 / 3) < 1e-12
    # Wilson 95% for 2/3, computed by hand: centre 0.5731, half-width 0.3654.
    assert abs(edr["ci_low"] - 0.2077) < 1e-4 and abs(edr["ci_high"] - 0.9385) < 1e-4
    ws.close()
