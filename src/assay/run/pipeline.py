"""Execute a project at one as-of instant: ingest → reconcile → checks → findings → metrics → publish.

Every stage computes into work tables; only `publish` touches history, all at once (see
`assay.run.publish`), and a failure anywhere records the run as failed and changes nothing else.
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
from pathlib import Path

import ibis
import pyarrow as pa

import assay
from assay.checks.gate import GateVerdict, evaluate_gate
from assay.checks.run import run_checks
from assay.engine import Engine
from assay.errors import AssayError, RunError, RunLockedError
from assay.findings.detect import detections
from assay.findings.inputs.base import BuildContext
from assay.findings.inputs.registry import build_inputs, finding_inputs
from assay.findings.lifecycle import empty_state, next_state
from assay.ingest.stage import IngestOutcome, ingest_all, quarantine_rows, source_columns
from assay.metrics.compute import metric_history, metric_rows
from assay.metrics.frameworks import framework_rollup
from assay.project.models import Project
from assay.reconcile.assets import reconcile_assets
from assay.reconcile.compare import run_compares
from assay.run.as_of import AsOf, as_of_instant
from assay.run.lock import run_lock
from assay.run.publish import publish
from assay.secrets import redact
from assay.warehouse import schema as w
from assay.warehouse.history import latest_run, next_run_seq
from assay.warehouse.setup import SCRATCH_PREFIXES, clear_dead_runs, prepare_warehouse

STAGES = ("ingest", "reconcile", "checks", "findings", "metrics", "publish")
StageCallback = Callable[[str], None]


@dataclass
class RunResult:
    run_id: str
    run_seq: int
    as_of: date
    """The UTC date of `as_of_at`: findings history and metric values are kept by date."""
    as_of_at: datetime
    """The instant every window, status and clock is measured at (naive UTC)."""
    status: str
    timings: dict[str, float] = field(default_factory=dict)
    accounting: list[IngestOutcome] = field(default_factory=list)
    checks: pa.Table | None = None
    gate: GateVerdict | None = None


def config_hash(project: Project) -> str:
    canonical = json.dumps(project.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_project(
    engine: Engine, project: Project, project_dir: Path, as_of: AsOf, on_stage: StageCallback | None = None, require_gate: bool = False
) -> RunResult:
    """Run the whole flow at the as-of instant (a date means its end, UTC: see `assay.run.as_of`);
    raise RunError (after recording the failed run) if any stage fails.

    One run per project at a time (`assay.run.lock`); the warehouse is migrated and cleared of a
    killed run's leftovers first, so the run starts from exactly the last successful state.
    With `require_gate`, a run whose quality gate fails stops after the checks and is recorded
    as failed, publishing nothing.
    """
    if engine.read_only:
        raise RunLockedError(f"cannot run: {engine.display_url} is open read-only because another process holds the warehouse")
    at = as_of_instant(as_of)
    with run_lock(engine, project.name, project_dir):
        prepare_warehouse(engine)
        clear_dead_runs(engine)
        latest = latest_run(engine)
        latest_at = None if latest is None else (latest.get("as_of_at") or as_of_instant(latest["as_of"]))
        if latest_at is not None and at < latest_at:
            raise AssayError(
                f"as-of {at.isoformat()}Z is before the latest successful run's as-of {latest_at.isoformat()}Z: findings "
                "history is built in time order, so runs must not go back in time (re-running the same date is fine)"
            )
        try:
            result = _run(engine, project, project_dir, at, on_stage, require_gate)
        finally:
            _drop_work_tables(engine)
        engine.published()
        return result


def _run(
    engine: Engine, project: Project, project_dir: Path, at: datetime, on_stage: StageCallback | None, require_gate: bool
) -> RunResult:
    seq = next_run_seq(engine)
    result = RunResult(f"{at:%Y%m%d}-{seq:04d}-{uuid.uuid4().hex[:6]}", seq, at.date(), at, "running")
    as_of = result.as_of
    started = datetime.now(UTC).replace(tzinfo=None)

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        if on_stage:
            on_stage(name)
        t0 = time.perf_counter()
        yield
        result.timings[name] = round(time.perf_counter() - t0, 3)

    try:
        with stage("ingest"):
            result.accounting = ingest_all(engine, project_dir, project.sources, project.data_roots)
        with stage("reconcile"):
            assets = reconcile_assets(engine, project.reconcile.assets, project.sources, result.run_seq) if project.reconcile else None
            inputs = build_inputs(BuildContext(engine, project, at, assets.golden if assets else None))
            compared = run_compares(engine, project.compare)
        with stage("checks"):
            result.checks = run_checks(engine, project, at)
            result.gate = evaluate_gate(project.gate, result.checks)
            if require_gate and not result.gate.certified:
                raise AssayError(f"quality gate failed (--require-gate): {result.gate.summary()}")
        with stage("findings"):
            previous = engine.table(w.FINDINGS) if engine.exists(w.FINDINGS) else empty_state()
            detected = detections(engine, project.findings, inputs, at)
            state = engine.scratch("_work_findings", next_state(previous, detected, result.run_id, as_of))
        with stage("metrics"):
            metrics = metric_rows(engine, project, inputs, at, state)
            metrics = engine.scratch("_work_metrics", metrics) if metrics is not None else None
            metric_tables = metric_history(engine, metrics, result.as_of) if metrics is not None else {}
            rollup = framework_rollup(project, project_dir, inputs.get("coverage"), state, result.as_of)
            if rollup is not None:
                metric_tables[w.FRAMEWORK_COVERAGE] = engine.scratch("_work_framework_coverage", rollup)
        with stage("publish"):
            result.status = "success"
            history, current = _results(engine, result, metric_tables, state, assets is not None, inputs)
            history |= compared.history
            current |= compared.state
            if assets is not None:
                history[w.GOLDEN_ID_EVENTS] = assets.id_events
                current[w.GOLDEN_PROVENANCE] = assets.provenance
            if assets is not None and assets.clusters is not None:
                current |= {w.ASSET_MATCHES: assets.clusters.links, w.ASSET_CHAINED: assets.clusters.chained}
            publish(engine, _run_row(engine, project, result, started, error=None), history, current)
        return result
    except Exception as exc:
        result.status = "failed"
        message = redact(str(exc) if isinstance(exc, AssayError) else f"{type(exc).__name__}: {exc}")
        engine.insert(w.RUNS, ibis.memtable([_run_row(engine, project, result, started, error=message)], schema=w.HISTORY[w.RUNS]))
        raise RunError(f"run {result.run_id} (as of {as_of}) failed in stage {_failed_stage(result)}: {message}") from exc


def _failed_stage(result: RunResult) -> str:
    return next((s for s in STAGES if s not in result.timings), "publish")


def _results(
    engine: Engine,
    result: RunResult,
    metric_tables: dict[str, ibis.Table],
    state: ibis.Table,
    has_assets: bool,
    inputs: dict[str, ibis.Table],
) -> tuple[dict[str, ibis.Table], dict[str, ibis.Table]]:
    """This run's history rows and state versions by warehouse table, for `publish`."""
    accounting = pa.Table.from_pylist(
        [
            {"source": o.source, "rows_read": o.rows_read, "rows_loaded": o.rows_loaded, "rows_quarantined": o.rows_quarantined}
            for o in result.accounting
        ]
    )
    history: dict[str, ibis.Table] = {w.ROW_ACCOUNTING: ibis.memtable(accounting)}
    quarantined = [quarantine_rows(engine, o.source).mutate(source=ibis.literal(o.source)) for o in result.accounting if o.rows_quarantined]
    if quarantined:
        history[w.QUARANTINE] = ibis.union(*quarantined)
    history[w.SOURCE_COLUMNS] = ibis.memtable(source_columns(result.accounting))
    if result.checks is not None and result.checks.num_rows:
        history[w.CHECK_RESULTS] = ibis.memtable(result.checks)
    if result.gate is not None:
        history[w.GATE_RESULTS] = ibis.memtable(pa.Table.from_pylist([result.gate.row()]))
    history |= metric_tables
    events = state.filter(state.event.notnull())
    history[w.FINDING_EVENTS] = events.select("fingerprint", "rule", "event", "severity", as_of=ibis.literal(result.as_of))
    current = {w.FINDINGS: state.drop("event")}
    if has_assets:
        current |= {
            w.ASSETS: engine.table("_work_assets"),
            w.ASSET_SOURCES: engine.table("_work_asset_sources"),
            w.OWNER_CONFLICTS: engine.table("_work_owner_conflicts"),
            w.ONLY_IN_SOURCE: engine.table("_work_only_in_source"),
        }
    for name, table in inputs.items():
        current[finding_inputs()[name].table] = table
    return history, current


def _run_row(engine: Engine, project: Project, result: RunResult, started: datetime, error: str | None) -> dict:
    return {
        "run_id": result.run_id,
        "run_seq": result.run_seq,
        "as_of": result.as_of,
        "as_of_at": result.as_of_at,
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


def _drop_work_tables(engine: Engine) -> None:
    """Remove this run's work tables (a killed run's are removed by the next one)."""
    for name in engine.con.list_tables():
        if name.startswith(SCRATCH_PREFIXES):
            engine.drop(name)
