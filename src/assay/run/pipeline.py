"""Execute a project for one as-of date: ingest → reconcile → checks → metrics → findings → publish.

Every stage computes into work tables; only `publish` touches history, and a failure anywhere
removes this run's rows again and records the run as failed, so earlier history stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as day_start
from pathlib import Path

import ibis
import pyarrow as pa

import assay
from assay.checks.run import run_checks
from assay.engine import Engine
from assay.errors import AssayError, RunError
from assay.findings.detect import detections
from assay.findings.lifecycle import empty_state, next_state
from assay.ingest.stage import IngestOutcome, ingest_all, quarantine_rows, source_columns
from assay.metrics.compute import metric_rows
from assay.project.models import Project
from assay.reconcile.access import access_table
from assay.reconcile.assets import reconcile_assets
from assay.reconcile.coverage import coverage_matrix
from assay.warehouse import schema as w
from assay.warehouse.history import ensure_history, latest_run, next_run_seq

STAGES = ("ingest", "reconcile", "checks", "metrics", "findings", "publish")
StageCallback = Callable[[str], None]


@dataclass
class RunResult:
    run_id: str
    run_seq: int
    as_of: date
    status: str
    timings: dict[str, float] = field(default_factory=dict)
    accounting: list[IngestOutcome] = field(default_factory=list)
    checks: pa.Table | None = None


def config_hash(project: Project) -> str:
    canonical = json.dumps(project.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_project(engine: Engine, project: Project, project_dir: Path, as_of: date, on_stage: StageCallback | None = None) -> RunResult:
    """Run the whole flow; raise RunError (after recording the failed run) if any stage fails."""
    ensure_history(engine)
    latest = latest_run(engine)
    if latest is not None and as_of < latest["as_of"]:
        raise AssayError(
            f"as-of {as_of} is before the latest successful run's as-of {latest['as_of']}: findings history "
            "is built in date order, so runs must not go back in time (re-running the same date is fine)"
        )
    seq = next_run_seq(engine)
    result = RunResult(f"{as_of:%Y%m%d}-{seq:04d}-{uuid.uuid4().hex[:6]}", seq, as_of, "running")
    started = datetime.now(UTC).replace(tzinfo=None)
    at = datetime.combine(as_of, day_start())

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        if on_stage:
            on_stage(name)
        t0 = time.perf_counter()
        yield
        result.timings[name] = round(time.perf_counter() - t0, 3)

    try:
        with stage("ingest"):
            result.accounting = ingest_all(engine, project_dir, project.sources)
        inputs: dict[str, ibis.Table] = {}
        with stage("reconcile"):
            assets = reconcile_assets(engine, project.reconcile.assets, project.sources) if project.reconcile else None
            if assets is not None and project.controls:
                inputs["coverage"] = engine.create_table("_work_coverage", coverage_matrix(engine, assets.golden, project.controls, at))
            if project.access:
                inputs["access"] = engine.create_table("_work_access", access_table(engine, project.access, project.sources, at))
        with stage("checks"):
            result.checks = run_checks(engine, project, at)
        with stage("metrics"):
            metrics = metric_rows(engine, project, inputs.get("coverage"), at)
            metrics = engine.create_table("_work_metrics", metrics) if metrics is not None else None
        with stage("findings"):
            previous = engine.table(w.FINDINGS) if engine.exists(w.FINDINGS) else empty_state()
            detected = detections(engine, project.findings, inputs, as_of)
            state = engine.create_table("_work_findings", next_state(previous, detected, result.run_id, as_of))
        with stage("publish"):
            _publish(engine, result, metrics, state, assets is not None, inputs)
        result.status = "success"
        _record_run(engine, project, result, started, error=None)
        return result
    except Exception as exc:
        for table in w.HISTORY:
            if table != w.RUNS:
                engine.delete_run(table, result.run_id)
        result.status = "failed"
        message = str(exc) if isinstance(exc, AssayError) else f"{type(exc).__name__}: {exc}"
        _record_run(engine, project, result, started, error=message)
        raise RunError(f"run {result.run_id} (as of {as_of}) failed in stage {_failed_stage(result)}: {message}") from exc
    finally:
        _drop_work_tables(engine)


def _failed_stage(result: RunResult) -> str:
    return next((s for s in STAGES if s not in result.timings), "publish")


def _publish(
    engine: Engine, result: RunResult, metrics: ibis.Table | None, state: ibis.Table, has_assets: bool, inputs: dict[str, ibis.Table]
) -> None:
    run = ibis.literal(result.run_id)
    accounting = pa.Table.from_pylist(
        [
            {"source": o.source, "rows_read": o.rows_read, "rows_loaded": o.rows_loaded, "rows_quarantined": o.rows_quarantined}
            for o in result.accounting
        ]
    )
    engine.insert(w.ROW_ACCOUNTING, ibis.memtable(accounting).mutate(run_id=run))
    for o in result.accounting:
        if o.rows_quarantined:
            engine.insert(w.QUARANTINE, quarantine_rows(engine, o.source).mutate(run_id=run, source=ibis.literal(o.source)))
    engine.insert(w.SOURCE_COLUMNS, ibis.memtable(source_columns(result.accounting)).mutate(run_id=run))
    if result.checks is not None and result.checks.num_rows:
        engine.insert(w.CHECK_RESULTS, ibis.memtable(result.checks).mutate(run_id=run))
    if metrics is not None:
        engine.insert(w.METRIC_VALUES, metrics.mutate(run_id=run, as_of=ibis.literal(result.as_of)))
    events = state.filter(state.event.notnull())
    engine.insert(w.FINDING_EVENTS, events.select("fingerprint", "rule", "event", "severity", run_id=run, as_of=ibis.literal(result.as_of)))
    engine.create_table(w.FINDINGS, state.drop("event"))
    if has_assets:
        engine.create_table(w.ASSETS, engine.table("_work_assets"))
        engine.create_table(w.ASSET_SOURCES, engine.table("_work_asset_sources"))
        engine.create_table(w.OWNER_CONFLICTS, engine.table("_work_owner_conflicts"))
        engine.create_table(w.ONLY_IN_SOURCE, engine.table("_work_only_in_source"))
    if "coverage" in inputs:
        engine.create_table(w.COVERAGE, inputs["coverage"])
    if "access" in inputs:
        engine.create_table(w.ACCESS, inputs["access"])


def _record_run(engine: Engine, project: Project, result: RunResult, started: datetime, error: str | None) -> None:
    row = {
        "run_id": result.run_id,
        "run_seq": result.run_seq,
        "as_of": result.as_of,
        "project": project.name,
        "status": result.status,
        "started_at": started,
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
        "config_hash": config_hash(project),
        "engine": engine.display_url,
        "assay_version": assay.__version__,
        "ibis_version": ibis.__version__,
        "schema_version": w.SCHEMA_VERSION,
        "timings": json.dumps(result.timings),
        "inputs": json.dumps({o.source: o.fingerprint for o in result.accounting}),
        "error": error,
    }
    engine.insert(w.RUNS, ibis.memtable([row], schema=w.HISTORY[w.RUNS]))


def _drop_work_tables(engine: Engine) -> None:
    """Remove this run's work tables, and ingest scratch tables an interrupted ingest left behind."""
    for name in engine.con.list_tables():
        if name.startswith(("_work_", "_typed_", "_raw_", "_rejects_")):
            engine.drop(name)
