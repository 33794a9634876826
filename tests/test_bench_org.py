"""The benchmark organization at N=2000: assay and the hand-written DuckDB pipeline give the same answers.

The hand pipeline (benchmarks/hand_pipeline.py) is itself checked here against plain Python
(csv, json and datetime with its own offset parsing) on the answers that hinge on time handling.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from assay.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_run import assay_answers, differences
from hand_pipeline import as_of_end, compute
from org_generator import DEFAULT_AS_OF, generate

N = 2000


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("org")
    generate(out, N, seed=3)
    return out


@pytest.fixture(scope="module")
def hand(org: Path) -> dict:
    return {(a, d, f): v for a, d, f, v in compute(org, DEFAULT_AS_OF)}


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _host(value: str) -> str:
    value = value.strip()
    return (value[:-1] if value.endswith(".") else value).lower()


def test_hand_pipeline_matches_plain_python_on_time_sensitive_answers(org: Path, hand: dict) -> None:
    end = as_of_end(DEFAULT_AS_OF)
    start = end - timedelta(days=7)
    cmdb = {(r["ci_class"], _host(r["host_name"])) for r in _rows(org / "data/cmdb_assets.csv")}
    cloud = {
        (t, _host(n))
        for t, n in zip(
            *pq.read_table(org / "data/cloud_assets.parquet", columns=["resource_type", "resource_name"]).to_pydict().values(), strict=True
        )
    }
    assets = cmdb | cloud
    dlp = [json.loads(line) for line in (org / "data/dlp_events.ndjson").read_text().splitlines()]
    dlp_seen = {_host(e["asset"]) for e in dlp if start < datetime(1970, 1, 1) + timedelta(milliseconds=e["ts"]) <= end}
    edr_seen = {
        _host(r["device"])
        for r in _rows(org / "data/edr_checkins.csv")
        if start < datetime.fromisoformat(r["checkin"]).astimezone(UTC).replace(tzinfo=None) <= end
    }
    dlp_covered = sum(1 for t, n in assets if t in ("bucket", "database") and n in dlp_seen)
    edr_covered = sum(1 for t, n in assets if t == "host" and n in edr_seen)
    assert hand[("coverage", '{"control":"dlp_scan"}', "numerator")] == dlp_covered
    assert hand[("coverage", '{"control":"edr"}', "numerator")] == edr_covered
    assert hand[("only_in_source", '{"source":"cmdb_assets"}', "count")] == len(cmdb - cloud)

    def ts(text: str) -> datetime | None:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None) if text else None

    findings = _rows(org / "data/findings.csv")
    open_now = sum(1 for f in findings if ts(f["opened_at"]) <= end and (ts(f["closed_at"]) is None or ts(f["closed_at"]) > end))
    assert hand[("open_findings", "{}", "value")] == open_now

    leaves = {
        r["work_email"].lower(): date.fromisoformat(r["termination_date"]) if r["termination_date"] else None
        for r in _rows(org / "data/hr_roster.csv")
    }
    terminated = {
        (g["principal"].lower(), g["system"], g["role"])
        for g in _rows(org / "data/access_grants.csv")
        if datetime.fromisoformat(g["granted_at"]) <= end
        and (not g["revoked_at"] or datetime.fromisoformat(g["revoked_at"]) > end)
        and (leaves.get(g["principal"].lower()) or date.max) <= DEFAULT_AS_OF
    }
    assert hand[("open_findings_by_rule", '{"rule":"terminated_with_access"}', "count")] == len(terminated)


def test_differences_name_the_answer_and_the_gap() -> None:
    hand = {("coverage", "{}", "numerator"): 10.0, ("open_findings", "{}", "value"): 3.0}
    got = {("coverage", "{}", "numerator"): 12.0, ("open_findings", "{}", "value"): 3.0, ("mttr_days", "{}", "value"): 1.0}
    assert differences(hand, got) == [
        "coverage {} numerator: hand 10.0, assay 12.0 (assay - hand = +2)",
        "mttr_days {}: only assay has this group",
    ]


def test_assay_agrees_with_the_hand_pipeline(org: Path, hand: dict, tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    ws = Workspace.open(org, url)
    try:
        ws.run(DEFAULT_AS_OF)
    finally:
        ws.close()
    problems = differences(hand, assay_answers(url, org))
    assert not problems, "\n".join(problems)
