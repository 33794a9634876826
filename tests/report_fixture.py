"""A small, realistic warehouse for report tests: three successful runs and one failed run.

The failed run (seq 3) sits between the previous (seq 2) and the latest (seq 4) successful run,
so a report that forgets the `status == 'success'` filter shows its tell-tale values (12.3 %,
999 open findings, check `ghost_check_from_failed_run`, source `failed_source`). Hostile
strings sit in an org (a metric dimension), owner emails, a check id, samples and a quarantine
record, so escaping is exercised wherever untrusted text reaches the page.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from assay.engine import Engine, connect
from assay.report.context import Definition, ReportContext
from assay.warehouse import schema as S

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(1)>'
HOSTILE_ORG = f"Ops {HOSTILE_ATTR}"
HOSTILE_EMAIL = f"{HOSTILE_ATTR}@example.com"
HOSTILE_CHECK = f"cmdb.owner{HOSTILE_SCRIPT}"

ORGS = ["Finance", "Engineering", "Sales", HOSTILE_ORG]
ASSETS_PER_ORG = {"Finance": 50, "Engineering": 120, "Sales": 30, HOSTILE_ORG: 10}
CONTROLS = ["edr", "mdm", "vuln_scan"]

# (run_id, run_seq, as_of, status)
RUNS = [
    ("run-0001", 1, date(2024, 5, 6), "success"),
    ("run-0002", 2, date(2024, 5, 13), "success"),
    ("run-0003", 3, date(2024, 5, 20), "failed"),
    ("run-0004", 4, date(2024, 5, 27), "success"),
]
LATEST, PREVIOUS, FAILED = "run-0004", "run-0002", "run-0003"
AS_OF = date(2024, 5, 27)

# Covered assets per successful run, control and org (in ORGS order).
COVERED = {
    "run-0001": {"edr": [40, 100, 20, 5], "mdm": [35, 90, 18, 4], "vuln_scan": [45, 110, 25, 6]},
    "run-0002": {"edr": [44, 104, 22, 6], "mdm": [38, 96, 20, 5], "vuln_scan": [46, 112, 26, 7]},
    "run-0004": {"edr": [48, 112, 26, 8], "mdm": [41, 104, 24, 6], "vuln_scan": [47, 116, 27, 7]},
}
OPEN_BY_SEVERITY = {
    "run-0001": {"critical": 3, "high": 12, "medium": 20, "low": 10},
    "run-0002": {"critical": 2, "high": 10, "medium": 20, "low": 10},
    "run-0004": {"critical": 1, "high": 9, "medium": 18, "low": 9},
}
# (median days, items) and (met, items) per successful run
MTTR = {"run-0001": (15.0, 20), "run-0002": (12.5, 24), "run-0004": (14.0, 25)}
SLA = {"run-0001": (14, 20), "run-0002": (18, 24), "run-0004": (18, 25)}
RULES = ["edr_missing", "stale_owner", "critical_vuln_open"]


def wilson(successes: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval, as the metrics stage stores it in ci_low / ci_high."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _dims(**kv: str) -> str:
    return json.dumps(kv, sort_keys=True, separators=(",", ":"))


def _rate(run_id: str, as_of: date, metric: str, kind: str, dims: str, num: float, den: float) -> dict:
    low, high = wilson(num, den)
    return {
        "run_id": run_id,
        "as_of": as_of,
        "metric": metric,
        "kind": kind,
        "dimensions": dims,
        "value": num / den,
        "numerator": num,
        "denominator": den,
        "ci_low": low,
        "ci_high": high,
        "unit": "ratio",
    }


def _plain(run_id: str, as_of: date, metric: str, kind: str, dims: str, value: float, den: float | None, unit: str) -> dict:
    return {
        "run_id": run_id,
        "as_of": as_of,
        "metric": metric,
        "kind": kind,
        "dimensions": dims,
        "value": value,
        "numerator": None,
        "denominator": den,
        "ci_low": None,
        "ci_high": None,
        "unit": unit,
    }


def _metric_rows(run_id: str, as_of: date) -> list[dict]:
    rows = []
    covered = COVERED[run_id]
    total_assets = sum(ASSETS_PER_ORG.values())
    for control in CONTROLS:
        for org, num in zip(ORGS, covered[control], strict=True):
            rows.append(_rate(run_id, as_of, "asset_coverage", "coverage", _dims(control=control, org=org), num, ASSETS_PER_ORG[org]))
        rows.append(_rate(run_id, as_of, "asset_coverage", "coverage", _dims(control=control), sum(covered[control]), total_assets))
    all_covered = sum(sum(v) for v in covered.values())
    rows.append(_rate(run_id, as_of, "asset_coverage", "coverage", "{}", all_covered, total_assets * len(CONTROLS)))
    by_sev = OPEN_BY_SEVERITY[run_id]
    for sev, n in by_sev.items():
        rows.append(_plain(run_id, as_of, "open_findings", "open_count", _dims(severity=sev), n, None, "count"))
    rows.append(_plain(run_id, as_of, "open_findings", "open_count", "{}", sum(by_sev.values()), None, "count"))
    median, items = MTTR[run_id]
    rows.append(_plain(run_id, as_of, "time_to_remediate", "duration", "{}", median, items, "days"))
    met, n = SLA[run_id]
    rows.append(_rate(run_id, as_of, "remediation_sla", "sla", "{}", met, n))
    return rows


def _failed_run_metric_rows(as_of: date) -> list[dict]:
    """Values no correct report may show: the failed run wrote them before it failed."""
    return [
        _plain(FAILED, as_of, "asset_coverage", "coverage", "{}", 0.1234, 630, "ratio"),
        _plain(FAILED, as_of, "asset_coverage", "coverage", _dims(control="edr"), 0.1234, 210, "ratio"),
        _plain(FAILED, as_of, "open_findings", "open_count", "{}", 999, None, "count"),
        _plain(FAILED, as_of, "time_to_remediate", "duration", "{}", 99.9, 3, "days"),
        _plain(FAILED, as_of, "remediation_sla", "sla", "{}", 0.0101, 99, "ratio"),
    ]


def _check_rows(run_id: str) -> list[dict]:
    samples = json.dumps(
        [
            {"asset_key": "srv-014", "owner_email": HOSTILE_EMAIL},
            {"asset_key": "srv-027", "owner_email": None},
            {"asset_key": "lap-101", "owner_email": ""},
        ]
    )
    failing = {"run-0001": 9, "run-0002": 8, "run-0004": 7}[run_id]
    return [
        {
            "run_id": run_id,
            "check_id": HOSTILE_CHECK,
            "source": "cmdb",
            "kind": "not_null",
            "column_name": "owner_email",
            "severity": "error",
            "status": "fail",
            "failing_rows": failing,
            "total_rows": 210,
            "description": "Every asset names an owner",
            "samples": samples,
        },
        {
            "run_id": run_id,
            "check_id": "cmdb.asset_key.unique",
            "source": "cmdb",
            "kind": "unique",
            "column_name": "asset_key",
            "severity": "error",
            "status": "pass",
            "failing_rows": 0,
            "total_rows": 210,
            "description": "Asset keys are unique",
            "samples": "[]",
        },
        {
            "run_id": run_id,
            "check_id": "edr.last_seen.fresh",
            "source": "edr",
            "kind": "freshness",
            "column_name": "last_seen_at",
            "severity": "warn",
            "status": "pass",
            "failing_rows": 0,
            "total_rows": 188,
            "description": "EDR agents reported within 7 days",
            "samples": "[]",
        },
        {
            "run_id": run_id,
            "check_id": "vuln.severity.accepted",
            "source": "vuln",
            "kind": "accepted_values",
            "column_name": "severity",
            "severity": "warn",
            "status": "fail",
            "failing_rows": 3,
            "total_rows": 500,
            "description": "Severity is one of critical/high/medium/low",
            "samples": json.dumps([{"finding_id": "V-88", "severity": "urgent"}, {"finding_id": "V-91", "severity": "sev1"}]),
        },
    ]


def _accounting_rows(run_id: str) -> list[dict]:
    rows = [("cmdb", 215, 210, 5), ("edr", 190, 188, 2), ("vuln", 500, 500, 0)]
    return [{"run_id": run_id, "source": s, "rows_read": r, "rows_loaded": ld, "rows_quarantined": q} for s, r, ld, q in rows]


def _quarantine_rows(run_id: str) -> list[dict]:
    rows = [
        ("cmdb", 17, "asset_key is empty", {"asset_key": "", "name": "printer-3"}),
        ("cmdb", 42, "owner_email is not an email", {"asset_key": "srv-042", "owner_email": HOSTILE_SCRIPT}),
        ("cmdb", 88, "asset_type not recognised", {"asset_key": "x-88", "asset_type": "toaster"}),
        ("cmdb", 120, "asset_key is empty", {"asset_key": "", "name": "kiosk"}),
        ("cmdb", 171, "duplicate asset_key", {"asset_key": "srv-014"}),
        ("edr", 5, "last_seen_at is not a timestamp", {"hostname": "lap-7", "last_seen_at": "yesterday"}),
        ("edr", 61, "hostname is empty", {"hostname": ""}),
    ]
    return [{"run_id": run_id, "source": s, "row_number": n, "reason": r, "record": json.dumps(rec)} for s, n, r, rec in rows]


def _event_rows(run_id: str, as_of: date) -> list[dict]:
    counts = {
        "run-0001": {"new": 30},
        "run-0002": {"new": 8, "open": 25, "resolved": 5},
        "run-0004": {"new": 6, "reopened": 1, "open": 27, "resolved": 9},
    }[run_id]
    rows, i = [], 0
    for event, n in counts.items():
        for _ in range(n):
            rows.append(
                {
                    "run_id": run_id,
                    "as_of": as_of,
                    "fingerprint": f"fp-{run_id}-{i:03d}",
                    "rule": RULES[i % 3],
                    "event": event,
                    "severity": ["high", "medium", "low", "critical"][i % 4],
                }
            )
            i += 1
    return rows


def _findings_rows() -> list[dict]:
    """Current findings: 12 overdue open ones (one owned by a hostile address), others not."""
    rows = []
    statuses = ["open"] * 20 + ["new"] * 6 + ["reopened"] * 1 + ["resolved"] * 9
    for i, status in enumerate(statuses):
        overdue = status != "resolved" and i % 2 == 0 and i < 24
        due = AS_OF - timedelta(days=3 + i) if overdue else AS_OF + timedelta(days=10 + i)
        owner = HOSTILE_EMAIL if i == 0 else f"owner{i % 5}@example.com"
        rows.append(
            {
                "fingerprint": f"fp-{i:03d}",
                "rule": RULES[i % 3],
                "entity_key": f"srv-{i:03d}",
                "severity": ["critical", "high", "medium", "low"][i % 4],
                "status": status,
                "owner": owner,
                "org": ORGS[i % 4],
                "first_seen_run": "run-0001",
                "last_seen_run": LATEST,
                "first_seen_at": date(2024, 5, 6),
                "last_seen_at": AS_OF,
                "resolved_at": AS_OF if status == "resolved" else None,
                "due_at": due,
                "details": json.dumps({"note": HOSTILE_SCRIPT}),
            }
        )
    return rows


def _entity_tables() -> dict[str, pa.Table]:
    assets, coverage = [], []
    covered = COVERED[LATEST]
    for o, org in enumerate(ORGS):
        for k in range(ASSETS_PER_ORG[org]):
            key = f"a-{o}-{k:03d}"
            sources = ["cmdb", "edr", "vuln"][: 1 + (k % 3)]
            owner = HOSTILE_EMAIL if (o, k) == (3, 0) else f"owner{k % 7}@example.com"
            assets.append(
                {
                    "asset_key": key,
                    "asset_type": "server" if k % 2 else "laptop",
                    "name": f"host-{o}-{k}",
                    "owner_email": owner,
                    "org": org,
                    "source_count": len(sources),
                    "sources": ",".join(sources),
                }
            )
            for control in CONTROLS:
                coverage.append(
                    {
                        "asset_key": key,
                        "asset_type": "server" if k % 2 else "laptop",
                        "name": f"host-{o}-{k}",
                        "control": control,
                        "covered": k < covered[control][o],
                        "last_seen_at": datetime(2024, 5, 26) - timedelta(days=k % 40),
                        "owner_email": owner,
                        "org": org,
                    }
                )
    conflicts = [
        {"asset_key": "a-1-004", "asset_type": "server", "name": "host-1-4", "source": "cmdb", "owner_email": "ana@example.com"},
        {"asset_key": "a-1-004", "asset_type": "server", "name": "host-1-4", "source": "edr", "owner_email": HOSTILE_EMAIL},
        {"asset_key": "a-2-009", "asset_type": "laptop", "name": "host-2-9", "source": "cmdb", "owner_email": "bo@example.com"},
        {"asset_key": "a-2-009", "asset_type": "laptop", "name": "host-2-9", "source": "vuln", "owner_email": "cy@example.com"},
    ]
    return {
        S.ASSETS: pa.Table.from_pylist(assets),
        S.COVERAGE: pa.Table.from_pylist(coverage),
        S.OWNER_CONFLICTS: pa.Table.from_pylist(conflicts),
    }


def _run_row(run_id: str, seq: int, as_of: date, status: str) -> dict:
    started = datetime.combine(as_of, datetime.min.time()) + timedelta(hours=6)
    return {
        "run_id": run_id,
        "run_seq": seq,
        "as_of": as_of,
        "project": "acme-security",
        "status": status,
        "started_at": started,
        "finished_at": started + timedelta(minutes=4),
        "config_hash": "c0ffee",
        "engine": "duckdb",
        "assay_version": "0.1.0",
        "ibis_version": "12.0.0",
        "schema_version": S.SCHEMA_VERSION,
        "timings": "{}",
        "inputs": "{}",
        "error": "source edr: file missing" if status == "failed" else None,
    }


def _failed_run_leftovers(history: dict[str, list[dict]], run_id: str, as_of: date) -> None:
    """What a run that failed half-way may have appended before failing (Spark cannot delete it)."""
    history[S.METRIC_VALUES] += _failed_run_metric_rows(as_of)
    history[S.CHECK_RESULTS].append({**_check_rows(LATEST)[1], "run_id": run_id, "check_id": "ghost_check_from_failed_run"})
    history[S.ROW_ACCOUNTING].append({"run_id": run_id, "source": "failed_source", "rows_read": 1, "rows_loaded": 1, "rows_quarantined": 0})
    history[S.QUARANTINE].append({"run_id": run_id, "source": "edr", "row_number": 1, "reason": "failed-run-reason", "record": "{}"})
    history[S.FINDING_EVENTS] += [{**e, "run_id": run_id, "as_of": as_of} for e in _event_rows(LATEST, as_of)] * 10


def populate(engine: Engine, *, entity_tables: bool = True) -> None:
    """Write every history table (and, unless told otherwise, the entity tables) into `engine`."""
    history: dict[str, list[dict]] = {name: [] for name in S.HISTORY}
    for run_id, seq, as_of, status in RUNS:
        history[S.RUNS].append(_run_row(run_id, seq, as_of, status))
        if status == "failed":
            history[S.METRIC_VALUES] += _failed_run_metric_rows(as_of)
            _failed_run_leftovers(history, run_id, as_of)
            continue
        history[S.METRIC_VALUES] += _metric_rows(run_id, as_of)
        history[S.CHECK_RESULTS] += _check_rows(run_id)
        history[S.ROW_ACCOUNTING] += _accounting_rows(run_id)
        history[S.QUARANTINE] += _quarantine_rows(run_id)
        history[S.FINDING_EVENTS] += _event_rows(run_id, as_of)
    for name, rows in history.items():
        engine.load_arrow(name, pa.Table.from_pylist(rows, schema=S.HISTORY[name].to_pyarrow()))
    engine.load_arrow(S.FINDINGS, pa.Table.from_pylist(_findings_rows(), schema=S.FINDINGS_SCHEMA.to_pyarrow()))
    if entity_tables:
        for name, table in _entity_tables().items():
            engine.load_arrow(name, table)


def duckdb_warehouse(tmp_path: Path, *, entity_tables: bool = True) -> Engine:
    """An in-memory DuckDB engine holding the fixture warehouse."""
    engine = connect("duckdb://:memory:", tmp_path)
    populate(engine, entity_tables=entity_tables)
    return engine


def context() -> ReportContext:
    """The project facts a real config would provide, one definition per reported number."""
    return ReportContext(
        title="Weekly security assurance",
        project="acme-security",
        engine="duckdb",
        metrics=[
            Definition("asset_coverage", "coverage", "Share of (asset, control) pairs where the control reports the asset.", "ratio"),
            Definition("open_findings", "open_count", "Findings in status new, open or reopened at the end of the run.", "count"),
            Definition("time_to_remediate", "duration", "Median days from first seen to resolved, last 90 days.", "days"),
            Definition("remediation_sla", "sla", "Share of findings resolved before their due date.", "ratio"),
        ],
        findings_rules=[
            Definition("edr_missing", "rule", "An active asset without an EDR agent seen in 7 days."),
            Definition("stale_owner", "rule", "The owner email is not in the directory."),
            Definition("critical_vuln_open", "rule", "A critical vulnerability open past 15 days."),
        ],
        checks=[
            Definition(HOSTILE_CHECK, "not_null", "Every asset names an owner."),
            Definition("cmdb.asset_key.unique", "unique", "Asset keys are unique."),
            Definition("edr.last_seen.fresh", "freshness", "EDR agents reported within 7 days."),
            Definition("vuln.severity.accepted", "accepted_values", "Severity is one of critical/high/medium/low."),
        ],
    )
