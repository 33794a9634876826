"""Every metric kind on a seeded random project, against pandas computing the same definition
from the raw CSV files (an independent oracle: no Ibis, no warehouse); and how the report shows
targets and table-display kinds."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assay.errors import ConfigError
from assay.report import view
from assay.report.context import Definition
from assay.workspace import Workspace
from tests.conftest import postgres_database
from tests.engine_param import ENGINES
from tests.test_report import Page

AS_OF = date(2026, 11, 20)
AT = datetime.combine(AS_OF, time.max)
SLA = {"critical": 7, "high": 30, "medium": 90, "low": 120}

PROJECT = """\
name: kinds
sources:
  findings:
    path: findings.csv
    entity: finding
    columns:
      finding_id: id
      severity: severity
      opened_at: {from: opened_at, type: timestamp}
      closed_at: {from: closed_at, type: timestamp}
      occurred_at: {from: occurred_at, type: timestamp}
      org: org
      cvss: {from: cvss, type: float64}
  reviews:
    path: reviews.csv
    entity: ticket
    columns:
      item_id: item_id
      campaign: campaign
      decided_at: {from: decided_at, type: timestamp}
      decision: decision
metrics:
  n_high: {kind: count, of: findings, where: {severity: [critical, high]}, by: [org]}
  closed_share: {kind: ratio, of: findings, where: {org: Payments}, numerator: {severity: low}}
  cvss_sum: {kind: sum, of: findings, column: cvss, by: [severity]}
  cvss_mean: {kind: mean, of: findings, column: cvss}
  cvss_p90: {kind: percentile, of: findings, column: cvss, p: 0.9, by: [org]}
  mttd: {kind: time_to_detect, of: findings, window: 28d}
  sla_closed: {kind: sla_closed, of: findings, days: {critical: 7, high: 30, medium: 90, low: 120}, window: 28d, by: [severity]}
  sla_decided: {kind: sla, of: findings, days: {critical: 7, high: 30, medium: 90, low: 120}, window: 28d}
  overdue: {kind: overdue_count, of: findings, days: {critical: 7, high: 30, medium: 90, low: 120}, by: [org]}
  aging: {kind: aging, of: findings, by: [severity]}
  flow: {kind: flow, of: findings, period: week, periods: 6}
  flow_monthly: {kind: flow, of: findings, period: month, periods: 3, by: [org]}
  completion:
    kind: review_completion
    of: reviews
    where: {campaign: q4}
    target: {value: 0.9, warn: 0.8, fail: 0.6}
  revoked: {kind: revocation_rate, of: reviews, revoke: [revoke, remove]}
  open_now: {kind: open_count, of: findings, target: {value: 100, direction: lower}}
"""


@pytest.fixture(scope="module", params=ENGINES)
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """The project run once per engine (PostgreSQL and Spark when their marks are selected)."""
    rng = np.random.default_rng(7)
    n = 600
    opened = pd.Timestamp(AT) - pd.to_timedelta(rng.uniform(0, 200, n), unit="D")
    opened = opened.floor("s")
    lag = pd.to_timedelta(rng.exponential(25, n), unit="D").round("s")
    closed = (opened + lag).where(rng.uniform(size=n) < 0.7)
    closed = closed.where(closed <= pd.Timestamp(AT) + pd.Timedelta(days=5))  # a few close after as-of
    findings = pd.DataFrame(
        {
            "id": [f"F{i}" for i in range(n)],
            "severity": rng.choice(list(SLA), n),
            "opened_at": opened,
            "closed_at": closed,
            "occurred_at": opened - pd.to_timedelta(rng.uniform(0, 20, n), unit="D").round("s"),
            "org": rng.choice(["Payments", "Retail", "Platform"], n),
            "cvss": rng.uniform(0, 10, n).round(1),
        }
    )
    findings.loc[::17, "cvss"] = np.nan
    m = 300
    decided = (pd.Timestamp(AT) - pd.to_timedelta(rng.uniform(-10, 30, m), unit="D")).floor("s").where(rng.uniform(size=m) < 0.85)
    reviews = pd.DataFrame(
        {
            "item_id": [f"R{i}" for i in range(m)],
            "campaign": rng.choice(["q3", "q4"], m),
            "decided_at": decided,
            "decision": np.where(decided.isna(), "", rng.choice(["keep", "revoke", "remove"], m)),
        }
    )
    folder = tmp_path_factory.mktemp("kinds")
    (folder / "assay.yml").write_text(PROJECT)
    fmt = "%Y-%m-%dT%H:%M:%S"
    findings.to_csv(folder / "findings.csv", index=False, date_format=fmt)
    reviews.to_csv(folder / "reviews.csv", index=False, date_format=fmt)
    databases = postgres_database() if request.param == "postgres" else None
    url = {"duckdb": None, "pyspark": f"pyspark://local[2]?database=assay_{folder.name.replace('-', '_')}"}.get(request.param)
    if databases is not None:
        url = next(databases)
    ws = Workspace.open(folder, url)
    run = ws.run(AS_OF)
    values = {(r["metric"], r["dimensions"]): r for r in ws.metrics().to_pylist()}
    t = ws.engine.table("assay_metric_status")
    statuses = {(r["metric"], r["dimensions"]): r for r in ws.engine.to_arrow(t.filter(t.run_id == run.run_id)).to_pylist()}
    ws.close()
    yield {"values": values, "statuses": statuses}, findings, reviews, str(folder)
    if databases is not None:
        next(databases, None)


def dims(**kv: str) -> str:
    return json.dumps(kv, separators=(",", ":"), sort_keys=True) if kv else "{}"


def value(data: tuple, metric: str, **kv: str) -> float:
    return data[0]["values"][(metric, dims(**kv))]["value"]


def days(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 86400


def is_open(f: pd.DataFrame, at: datetime) -> pd.Series:
    return (f.opened_at <= at) & (f.closed_at.isna() | (f.closed_at > at))


def test_count_and_ratio_with_filters(data) -> None:
    _, f, _, _ = data
    high = f[f.severity.isin(["critical", "high"])]
    assert value(data, "n_high") == len(high)
    for org, n in high.groupby("org").size().items():
        assert value(data, "n_high", org=org) == n
    pay = f[f.org == "Payments"]
    row = data[0]["values"][("closed_share", "{}")]
    assert (row["numerator"], row["denominator"]) == ((pay.severity == "low").sum(), len(pay))
    assert row["value"] == pytest.approx((pay.severity == "low").mean(), rel=1e-12)
    assert row["ci_low"] < row["value"] < row["ci_high"]


def test_sum_mean_percentile(data) -> None:
    _, f, _, _ = data
    for sev, group in f.groupby("severity"):
        assert value(data, "cvss_sum", severity=sev) == pytest.approx(group.cvss.sum(), rel=1e-12)
    assert value(data, "cvss_mean") == pytest.approx(f.cvss.mean(), rel=1e-12)
    for org, group in f.groupby("org"):
        # pandas' default quantile interpolation is linear, the continuous percentile
        assert value(data, "cvss_p90", org=org) == pytest.approx(group.cvss.quantile(0.9), rel=1e-12)


def test_mean_time_to_detect(data) -> None:
    _, f, _, _ = data
    detected = f[(f.opened_at <= AT) & (f.opened_at > AT - timedelta(days=28))]
    assert value(data, "mttd") == pytest.approx(days(detected.opened_at - detected.occurred_at).mean(), rel=1e-12)


def due(f: pd.DataFrame) -> pd.Series:
    return f.opened_at + pd.to_timedelta(f.severity.map(SLA), unit="D")


def test_sla_both_definitions(data) -> None:
    _, f, _, _ = data
    window = AT - timedelta(days=28)
    closed = f[(f.closed_at <= AT) & (f.closed_at > window)]
    met = closed.closed_at <= due(closed)
    assert value(data, "sla_closed") == pytest.approx(met.mean(), rel=1e-12)
    for sev, group in met.groupby(closed.severity):
        assert value(data, "sla_closed", severity=sev) == pytest.approx(group.mean(), rel=1e-12)
    # decided: closed before due (met) or due while still open (missed), decided in the window
    closed_by = f.closed_at.where(f.closed_at <= AT)
    decided_at = pd.concat([closed_by.fillna(due(f)), due(f)], axis=1).min(axis=1)
    decided = f[(decided_at <= AT) & (decided_at > window)]
    met_d = (closed_by[decided.index] <= due(decided)).fillna(False)
    row = data[0]["values"][("sla_decided", "{}")]
    assert (row["numerator"], row["denominator"]) == (met_d.sum(), len(decided))
    assert 0 < row["numerator"] < row["denominator"]


def test_overdue_count(data) -> None:
    _, f, _, _ = data
    overdue = f[is_open(f, AT) & (due(f) < AT)]
    assert value(data, "overdue") == len(overdue)
    for org, n in overdue.groupby("org").size().items():
        assert value(data, "overdue", org=org) == n


def test_aging_buckets(data) -> None:
    _, f, _, _ = data
    open_ = f[is_open(f, AT)]
    age = np.floor(days(pd.Timestamp(AT) - open_.opened_at))
    bucket = pd.cut(age, [-1, 30, 60, 90, np.inf], labels=["0-30", "31-60", "61-90", ">90"])
    for (label, sev), n in open_.groupby([bucket, open_.severity], observed=True).size().items():
        assert value(data, "aging", age_bucket=label, severity=sev) == n
    for label, n in bucket.value_counts().items():
        assert value(data, "aging", age_bucket=label) == n
    assert ("aging", "{}") not in data[0]["values"]  # the bucket is always a dimension


def test_flow_per_week_adds_up(data) -> None:
    _, f, _, _ = data
    monday = AS_OF - timedelta(days=AS_OF.weekday())
    starts = [monday - timedelta(weeks=k) for k in range(5, -1, -1)]
    backlog_before = is_open(f, datetime.combine(starts[0], time()) - timedelta(microseconds=1)).sum()
    for first in starts:
        lo = datetime.combine(first, time()) - timedelta(microseconds=1)
        hi = min(datetime.combine(first + timedelta(weeks=1), time()) - timedelta(microseconds=1), AT)
        opened = ((f.opened_at > lo) & (f.opened_at <= hi)).sum()
        closed = ((f.closed_at > lo) & (f.closed_at <= hi)).sum()
        backlog = is_open(f, hi).sum()
        got = {
            m: data[0]["values"].get(("flow", dims(measure=m, period=first.isoformat())), {"value": 0})["value"]
            for m in ("opened", "closed", "backlog")
        }
        assert got == {"opened": opened, "closed": closed, "backlog": backlog}, first
        assert backlog == backlog_before + opened - closed  # the burn-down identity
        backlog_before = backlog


def test_flow_per_month_by_org(data) -> None:
    _, f, _, _ = data
    for org, group in f.groupby("org"):
        opened = ((group.opened_at >= datetime(2026, 11, 1)) & (group.opened_at <= AT)).sum()
        assert value(data, "flow_monthly", measure="opened", org=org, period="2026-11-01") == opened
        assert (
            value(data, "flow_monthly", measure="backlog", org=org, period="2026-09-01")
            == is_open(group, datetime(2026, 10, 1) - timedelta(microseconds=1)).sum()
        )


def test_access_review_rates_and_target_status(data) -> None:
    _, _, r, _ = data
    q4 = r[r.campaign == "q4"]
    done = (q4.decided_at <= AT).fillna(False)
    rate = done.mean()
    assert value(data, "completion") == pytest.approx(rate, rel=1e-12)
    decided = r[r.decided_at <= AT]
    assert value(data, "revoked") == pytest.approx(decided.decision.isin(["revoke", "remove"]).mean(), rel=1e-12)
    expected = "on track" if rate >= 0.8 else ("off track" if rate < 0.6 else "at risk")
    status = data[0]["statuses"][("completion", "{}")]
    assert (status["status"], status["target"], status["warn"], status["fail"]) == (expected, 0.9, 0.8, 0.6)
    open_now = data[0]["statuses"][("open_now", "{}")]
    assert open_now["status"] == ("on track" if open_now["value"] <= 100 else "off track")
    assert ("revoked", "{}") not in data[0]["statuses"]  # no target, no status row


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (
            "{kind: sum, of: findings, column: severity}",
            "metrics.bad.column: column 'severity' of 'findings' is string, expected int64 or float64",
        ),
        ("{kind: count, of: findings, where: {org: 3}}", "metrics.bad.where.org: expected text, got 3 (int)"),
        ("{kind: ratio, of: findings, numerator: {colour: red}}", "metrics.bad.numerator.colour: findings has no column 'colour'"),
        ("{kind: count, of: nowhere}", "metrics.bad.of: unknown source or finding input 'nowhere'"),
        ("{kind: aging, of: findings, buckets: [30, 20]}", "metrics.bad.buckets: buckets must be increasing"),
        ("{kind: count, of: findings, target: 3}", "metrics.bad.target: this kind has no direction"),
        ("{kind: coverage, target: 3}", "a coverage metric needs at least one control"),
        (
            "{kind: sla_closed, of: findings, days: {high: 3}, target: {value: 0.9, warn: 0.95}}",
            "metrics.bad.target: warn must be at most the target value 0.9",
        ),
        ("{kind: open_count, of: findings, target: {value: 5, fail: 2}}", "metrics.bad.target: fail must be at least warn 5.0"),
        ("{kind: flow, of: findings, period: day}", "metrics.bad.period: Input should be 'week' or 'month', got 'day'"),
    ],
)
def test_metric_options_are_checked(tmp_path: Path, metric: str, message: str) -> None:
    (tmp_path / "assay.yml").write_text(PROJECT.split("metrics:")[0] + f"metrics:\n  bad: {metric}\n")
    (tmp_path / "findings.csv").write_text("id\n")
    (tmp_path / "reviews.csv").write_text("item_id\n")
    with pytest.raises(ConfigError) as err:
        Workspace.open(tmp_path)
    assert message in str(err.value)


def test_the_oracle_sees_enough_rows(data) -> None:
    """Guards the other tests against passing on empty groups."""
    values = data[0]["values"]
    assert values[("flow", dims(measure="backlog", period=(AS_OF - timedelta(days=AS_OF.weekday())).isoformat()))]["value"] > 50
    assert values[("aging", dims(age_bucket=">90"))]["value"] > 10
    assert values[("overdue", "{}")]["value"] > 10
    assert 0 < values[("completion", "{}")]["value"] < 1


# --- the report -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(data: tuple, tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, str]:
    folder = tmp_path_factory.mktemp("kinds-report")
    source = Path(data[3])
    for name in ("assay.yml", "findings.csv", "reviews.csv"):
        shutil.copy(source / name, folder / name)
    ws = Workspace.open(folder)
    ws.run(AS_OF)
    out = ws.report(folder / "report.html")
    ws.close()
    html = out.read_text()
    return Page(html), html


def test_tiles_carry_the_target_status(page, data) -> None:
    parsed, _ = page
    completion = data[0]["statuses"][("completion", "{}")]["status"]
    assert f"{completion} target 90.0%" in parsed.tile("completion")
    assert "target 100" in parsed.tile("open_now")
    assert "target" not in parsed.tile("revoked")


def test_aging_and_flow_are_tables_not_tiles(page, data) -> None:
    parsed, _html = page
    assert "aging" not in parsed.tiles and "flow" not in parsed.tiles
    text = " ".join(" ".join(parsed.sections["metric-tables"]).split())
    over_90 = int(data[0]["values"][("aging", '{"age_bucket":">90"}')]["value"])
    assert "0-30" in text and f">90 {over_90}" in text
    assert text.index("0-30") < text.index("31-60") < text.index("61-90") < text.index(">90")
    assert "Period backlog closed opened" in text


def test_metric_tables_pivot_measures() -> None:
    rows = [
        {"metric": "f", "dimensions": '{"measure":"opened","period":"2026-11-09"}', "value": 3.0, "unit": "count"},
        {"metric": "f", "dimensions": '{"measure":"backlog","period":"2026-11-09"}', "value": 9.0, "unit": "count"},
        {"metric": "f", "dimensions": '{"measure":"opened","period":"2026-11-02"}', "value": 1.0, "unit": "count"},
        {"metric": "f", "dimensions": '{"measure":"opened","org":"A","period":"2026-11-02"}', "value": 1.0, "unit": "count"},
    ]
    [table] = view.metric_tables(rows, [Definition("f", "flow", "text")])
    assert table.key_names == ["period"] and table.columns == ["backlog", "opened"]
    assert table.rows == [(["2026-11-02"], ["0", "1"]), (["2026-11-09"], ["9", "3"])]


def test_reopen_rate_reads_the_lifecycle(tmp_path: Path) -> None:
    from tests.tiny import write_tiny

    scans = [("web-1", "2026-11-04T10:00:00Z"), ("web-2", "2026-11-04T10:00:00Z"), ("web-2", "2026-11-13T10:00:00Z")]
    project = write_tiny(tmp_path / "p", scans)
    text = (project / "assay.yml").read_text()
    (project / "assay.yml").write_text(text.replace("metrics:\n", "metrics:\n  reopened: {kind: reopen_rate, by: [rule]}\n"))
    ws = Workspace.open(project)
    got = []
    for day in (date(2026, 11, 1), date(2026, 11, 5), date(2026, 11, 14)):
        ws.run(day)
        got.append({r["dimensions"]: r for r in ws.metrics().to_pylist() if r["metric"] == "reopened"})
    ws.close()
    # 1 Nov: three hosts uncovered, none ever resolved: no rows to rate
    assert got[0]["{}"]["denominator"] == 0
    # 5 Nov: web-1 and web-2 covered, their findings resolved, none back yet
    assert (got[1]["{}"]["numerator"], got[1]["{}"]["denominator"]) == (0, 2)
    # 14 Nov: web-1's evidence is 10 days old (freshness 7d): reopened; web-2 scanned again on 13 Nov
    assert (got[2]["{}"]["numerator"], got[2]["{}"]["denominator"]) == (1, 2)
    assert got[2][dims(rule="uncovered")]["value"] == 0.5


def test_reopen_rate_names_unknown_rules(tmp_path: Path) -> None:
    from tests.tiny import write_tiny

    project = write_tiny(tmp_path / "p", [])
    text = (project / "assay.yml").read_text()
    (project / "assay.yml").write_text(text.replace("metrics:\n", "metrics:\n  r: {kind: reopen_rate, rules: [uncoverd], by: [org]}\n"))
    with pytest.raises(ConfigError) as err:
        Workspace.open(project)
    assert "metrics.r.rules.0: unknown finding rule 'uncoverd'; declared: uncovered" in str(err.value)
    assert "metrics.r.by.0: a reopen rate can be broken down by rule or severity, not 'org'" in str(err.value)
