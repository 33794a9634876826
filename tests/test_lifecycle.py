"""Findings across runs on a hand-made project: new, open, resolved, reopened, due dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assay.engine import connect
from assay.findings.detect import DETECTION_SCHEMA, one_per_fingerprint
from assay.findings.lifecycle import empty_state, next_state
from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.conftest import engine_for
from tests.tiny import write_access, write_scans, write_tiny


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


def test_duplicate_grants_are_one_finding_over_many_runs(tmp_path: Path) -> None:
    # One leaver holds the same role through two grants (and Bob once): the issue saw 2, 4, 8, 16 rows.
    grants = [
        ("ann@example.com", "erp", "admin", "2025-01-01 00:00:00"),
        ("Ann@Example.com", "erp", "admin", "2025-06-01 00:00:00"),
        ("bob@example.com", "erp", "admin", "2025-01-01 00:00:00"),
    ]
    project = write_access(tmp_path / "p", grants, [("ann@example.com", "2025-12-01"), ("bob@example.com", "")])
    ws = Workspace.open(project)
    for day in (1, 2, 3, 4):
        ws.run(date(2026, 1, day))
    rows = ws.engine.to_arrow(ws.engine.table(w.FINDINGS)).to_pylist()
    assert [(r["entity_key"], r["status"]) for r in rows] == [("ann@example.com|erp|admin", "open")]
    details = json.loads(rows[0]["details"])
    assert details["count"] == 2
    assert sorted(s["granted_at"][:10] for s in details["seen"]) == ["2025-01-01", "2025-06-01"]
    events = ws.engine.to_arrow(ws.engine.table(w.FINDING_EVENTS).order_by("as_of")).to_pylist()
    assert [(e["as_of"].day, e["event"]) for e in events] == [(1, "new"), (2, "open"), (3, "open"), (4, "open")]
    ws.close()


LEGAL_NEXT = {
    None: {"new"},
    "new": {"open", "resolved"},
    "open": {"open", "resolved"},
    "reopened": {"open", "resolved"},
    "resolved": {"reopened"},
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runs=st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=8), min_size=1, max_size=6))
def test_one_row_per_fingerprint_and_legal_events(runs: list[list[str]], tmp_path: Path) -> None:
    # Each run detects a random multiset of entities (duplicates included); a hand-kept oracle of
    # statuses says what each run must show.
    engine = connect("duckdb://:memory:", tmp_path)
    state_table = empty_state()
    oracle: dict[str, str] = {}
    history: dict[str, list[str]] = {}
    for i, keys in enumerate(runs):
        as_of = date(2026, 1, 1 + i)
        raw = [
            {
                "fingerprint": k,
                "rule": "r",
                "entity_key": k,
                "severity": "high",
                "owner": None,
                "org": None,
                "due_at": as_of,
                "details": f'{{"n":{j}}}',
            }
            for j, k in enumerate(keys)
        ]
        detected = one_per_fingerprint(ibis.memtable(pa.Table.from_pylist(raw, schema=DETECTION_SCHEMA.to_pyarrow())))
        nxt = engine.to_arrow(next_state(state_table, detected, f"run{i}", as_of))
        state_table = ibis.memtable(nxt.drop_columns(["event"]))
        rows = nxt.to_pylist()
        seen = set(keys)
        for k in seen | set(oracle):
            before = oracle.get(k)
            if k in seen:
                oracle[k] = "new" if before is None else ("reopened" if before == "resolved" else "open")
            elif before != "resolved":
                oracle[k] = "resolved"
        assert len(rows) == len(oracle) == len({r["fingerprint"] for r in rows})
        assert {r["fingerprint"]: r["status"] for r in rows} == oracle
        for r in rows:
            if r["event"] is not None:
                prior = history.setdefault(r["fingerprint"], [])
                assert r["event"] in LEGAL_NEXT[prior[-1] if prior else None]
                prior.append(r["event"])
            if r["fingerprint"] in seen:
                assert json.loads(r["details"])["count"] == keys.count(r["fingerprint"])
    engine.close()


def _collapse_on(kind: str, tmp_path: Path, pg: str | None = None) -> list[dict]:
    engine = engine_for(kind, tmp_path, pg)
    try:
        raw = [
            {
                "fingerprint": "f1",
                "rule": "r",
                "entity_key": "a",
                "severity": "high",
                "owner": "x@e",
                "org": "o",
                "due_at": date(2026, 1, 9),
            },
            {
                "fingerprint": "f1",
                "rule": "r",
                "entity_key": "a",
                "severity": "high",
                "owner": "w@e",
                "org": "o",
                "due_at": date(2026, 1, 9),
            },
            {
                "fingerprint": "f1",
                "rule": "r",
                "entity_key": "a",
                "severity": "high",
                "owner": "x@e",
                "org": "o",
                "due_at": date(2026, 1, 9),
            },
            {"fingerprint": "f2", "rule": "r", "entity_key": "b", "severity": "low", "owner": None, "org": None, "due_at": None},
        ]
        details = ['{"g":2}', '{"g":1}', '{"g":2}', '{"g":3}']
        table = pa.Table.from_pylist([{**r, "details": d} for r, d in zip(raw, details, strict=True)], schema=DETECTION_SCHEMA.to_pyarrow())
        t = engine.create_table("_detections", table)
        return sorted(engine.to_arrow(one_per_fingerprint(t)).to_pylist(), key=lambda r: r["fingerprint"])
    finally:
        engine.close()


EXPECTED_COLLAPSE = [
    ("f1", "w@e", {"count": 3, "seen": [{"g": 1}, {"g": 2}]}),
    ("f2", None, {"count": 1, "seen": [{"g": 3}]}),
]


def _shape(rows: list[dict]) -> list[tuple]:
    return [(r["fingerprint"], r["owner"], json.loads(r["details"])) for r in rows]


def test_collapse_on_duckdb(tmp_path: Path) -> None:
    assert _shape(_collapse_on("duckdb", tmp_path)) == EXPECTED_COLLAPSE


@pytest.mark.postgres
def test_collapse_on_postgres(tmp_path: Path, pg_url: str) -> None:
    assert _shape(_collapse_on("postgres", tmp_path, pg_url)) == EXPECTED_COLLAPSE


@pytest.mark.spark
def test_collapse_on_spark(tmp_path: Path) -> None:
    assert _shape(_collapse_on("spark", tmp_path)) == EXPECTED_COLLAPSE
