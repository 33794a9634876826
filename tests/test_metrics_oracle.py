"""KPIs of the demo's last week against an independent pandas computation over the raw files."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from assay.workspace import Workspace

SLA_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 120}
CONTROL_TYPES = {
    "edr": ["host"],
    "dlp_scan": ["bucket", "database"],
    "secret_scan": ["repository"],
    "logging": ["host", "bucket", "database"],
}


@pytest.fixture(scope="module")
def last_week(demo_dir: Path, truth: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, datetime]:
    project = tmp_path_factory.mktemp("oracle") / "demo"
    shutil.copytree(demo_dir, project)
    ws = Workspace.open(project)
    as_of = date.fromisoformat(truth["as_of_dates"][-1])
    ws.run(as_of)
    values = {(r["metric"], r["dimensions"]): r for r in ws.metrics().to_pylist()}
    ws.close()
    return values, datetime.combine(as_of, datetime.max.time())  # a date means through its end (UTC)


@pytest.fixture(scope="module")
def findings(demo_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(demo_dir / "data" / "findings.parquet")


def dims(**kv: str) -> str:
    return json.dumps(kv, separators=(",", ":"), sort_keys=True) if kv else "{}"


def test_open_findings_by_severity(last_week, findings: pd.DataFrame) -> None:
    values, at = last_week
    open_ = findings[(findings.opened_at <= at) & (findings.closed_at.isna() | (findings.closed_at > at))]
    for severity, n in open_.groupby("severity").size().items():
        assert values[("open_findings", dims(severity=severity))]["value"] == n
    assert values[("open_findings", "{}")]["value"] == len(open_)


def test_median_time_to_remediate(last_week, findings: pd.DataFrame) -> None:
    values, at = last_week
    closed = findings[(findings.closed_at <= at) & (findings.closed_at > at - timedelta(days=28))]
    days = (closed.closed_at - closed.opened_at).dt.total_seconds() / 86400
    assert values[("mttr_days", "{}")]["value"] == pytest.approx(days.median(), rel=1e-12)
    for severity, group in days.groupby(closed.severity):
        row = values[("mttr_days", dims(severity=severity))]
        assert row["value"] == pytest.approx(group.median(), rel=1e-12)
        assert row["denominator"] == len(group)


def test_sla_attainment(last_week, findings: pd.DataFrame) -> None:
    values, at = last_week
    f = findings[findings.severity.isin(SLA_DAYS)].copy()
    f["due"] = f.opened_at + pd.to_timedelta(f.severity.map(SLA_DAYS), unit="D")
    closed = f.closed_at.where(f.closed_at <= at)
    decided = closed.where(closed < f.due, f.due)
    f = f[(decided <= at) & (decided > at - timedelta(days=28))]
    met = (f.closed_at <= at) & (f.closed_at <= f.due)
    row = values[("sla_attainment", "{}")]
    assert (row["numerator"], row["denominator"]) == (met.sum(), len(f))
    for severity, group in met.groupby(f.severity):
        row = values[("sla_attainment", dims(severity=severity))]
        assert (row["numerator"], row["denominator"]) == (group.sum(), len(group))


def test_coverage_by_control_from_planted_truth(last_week, truth: dict) -> None:
    values, at = last_week
    uncovered = pd.DataFrame(truth["uncovered"][at.date().isoformat()], columns=["type", "name", "control"])
    for control, types in CONTROL_TYPES.items():
        in_scope = sum(truth["assets_by_type"][t] for t in types)
        gaps = (uncovered.control == control).sum()
        row = values[("coverage", dims(control=control))]
        assert (row["numerator"], row["denominator"]) == (in_scope - gaps, in_scope)
