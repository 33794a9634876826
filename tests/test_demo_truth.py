"""The pipeline's results on the demo organization against the truths its generator planted.

The generator writes what it planted (uncovered asset-control pairs per week, leavers who keep
access, orphaned accounts, broken rows) without running any of assay; the pipeline never reads it.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assay.warehouse import schema as w
from assay.workspace import Workspace


@pytest.fixture(scope="module")
def demo_run(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory, truth: dict) -> Workspace:
    project = tmp_path_factory.mktemp("truth") / "demo"
    shutil.copytree(demo_dir, project)
    ws = Workspace.open(project)
    for as_of in truth["as_of_dates"]:
        ws.run(date.fromisoformat(as_of))
    yield ws
    ws.close()


def detected_by_run(ws: Workspace, rule: str) -> dict[str, set[str]]:
    """Entity keys a rule detected in each run, from the append-only event history."""
    events = ws.engine.table(w.FINDING_EVENTS)
    findings = ws.engine.table(w.FINDINGS)
    active = events.filter((events.rule == rule) & events.event.isin(["new", "open", "reopened"]))
    rows = ws.engine.to_arrow(active.join(findings, "fingerprint").select("as_of", "entity_key")).to_pylist()
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row["as_of"].isoformat(), set()).add(row["entity_key"])
    return out


def test_uncovered_assets_match_planted_gaps_every_week(demo_run: Workspace, truth: dict) -> None:
    detected = detected_by_run(demo_run, "uncovered_asset")
    for as_of in truth["as_of_dates"]:
        expected = {f"{t}:{n}|{c}" for t, n, c in truth["uncovered"][as_of]}
        assert detected.get(as_of, set()) == expected, as_of


def test_leavers_with_access_match_every_week(demo_run: Workspace, truth: dict) -> None:
    detected = detected_by_run(demo_run, "terminated_with_access")
    for as_of in truth["as_of_dates"]:
        expected = {f"{e}|{s}|{r}" for e, s, r in truth["leavers_with_access"][as_of]}
        assert expected, "the demo should plant leavers with access"
        assert detected.get(as_of, set()) == expected, as_of


def test_orphaned_accounts_found(demo_run: Workspace, truth: dict) -> None:
    last = truth["as_of_dates"][-1]
    emails = {key.split("|")[0] for key in detected_by_run(demo_run, "orphaned_account")[last]}
    assert emails == set(truth["orphan_accounts"])


def test_every_row_loaded_or_quarantined(demo_run: Workspace, truth: dict) -> None:
    run_id = demo_run.latest_run()["run_id"]
    acc = demo_run.engine.table(w.ROW_ACCOUNTING)
    rows = demo_run.engine.to_arrow(acc.filter(acc.run_id == run_id)).to_pylist()
    assert {r["source"] for r in rows} == set(demo_run.project.sources)
    for r in rows:
        assert r["rows_read"] == r["rows_loaded"] + r["rows_quarantined"], r
        stem = Path(demo_run.project.sources[r["source"]].path).name.split(".")[0]
        assert r["rows_read"] == truth["rows"][stem], r["source"]
        assert r["rows_quarantined"] == truth["quarantined_rows"].get(r["source"], 0), r["source"]


def test_quarantine_names_row_and_reason(demo_run: Workspace) -> None:
    q = demo_run.engine.table(w.QUARANTINE)
    run_id = demo_run.latest_run()["run_id"]
    rows = demo_run.engine.to_arrow(q.filter(q.run_id == run_id)).to_pylist()
    by_source = {}
    for r in rows:
        by_source.setdefault(r["source"], []).append(r)
    assert all("expected an ISO 8601 timestamp, got" in r["reason"] for r in by_source["cmdb_assets"])
    assert all(r["reason"] == "malformed JSON" for r in by_source["agent_inventory"])
    assert all(r["row_number"] > 0 and r["record"].startswith("{") for r in rows)


def test_reconciliation_matches_planted_inventory(demo_run: Workspace, truth: dict) -> None:
    assets = demo_run.engine.table(w.ASSETS)
    assert demo_run.engine.scalar(assets.count()) == truth["asset_count"]
    only = demo_run.engine.table(w.ONLY_IN_SOURCE)
    counts = demo_run.engine.to_arrow(only.group_by("source").agg(n=only.count())).to_pylist()
    assert {r["source"]: r["n"] for r in counts} == truth["only_in_source"]
    conflicts = demo_run.engine.to_arrow(demo_run.engine.table(w.OWNER_CONFLICTS).select("asset_type", "name").distinct())
    assert {(r["asset_type"], r["name"]) for r in conflicts.to_pylist()} == {tuple(x) for x in truth["owner_conflicts"]}


def test_orphan_tickets_fail_referential_integrity(demo_run: Workspace, truth: dict) -> None:
    checks = demo_run.engine.table(w.CHECK_RESULTS)
    run_id = demo_run.latest_run()["run_id"]
    row = demo_run.engine.to_arrow(
        checks.filter((checks.run_id == run_id) & (checks.check_id == "tickets.relationships.finding_id"))
    ).to_pylist()[0]
    assert row["status"] == "fail"
    assert row["failing_rows"] == len(truth["orphan_tickets"])
    assert '"ticket_id"' in row["samples"]
