"""Run every declared check and collect one result row per check for `assay_check_results`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ibis
import pyarrow as pa

from assay.checks.options import CheckOptions
from assay.checks.plan import Context
from assay.checks.scan import scan_source
from assay.engine import Engine
from assay.project.models import Project
from assay.warehouse.history import latest_run, visible
from assay.warehouse.schema import CHECK_RESULTS, HISTORY, ROW_ACCOUNTING, RUNS

_WAREHOUSE_SCHEMA = HISTORY[CHECK_RESULTS].to_pyarrow()
_RESULT_SCHEMA = _WAREHOUSE_SCHEMA.remove(_WAREHOUSE_SCHEMA.get_field_index("run_id"))  # run_id is added on publish


def check_column(check: CheckOptions) -> str:
    """The columns a check is about (its `where` columns aside), comma-separated; empty for table checks."""
    where = set()
    if check.where:
        from assay.checks.expression import columns_of

        where = set(columns_of(check.where)) - set(_own_columns(check))
    return ",".join(c for c in check.columns_read() if c not in where)


def _own_columns(check: CheckOptions) -> list[str]:
    return check.model_copy(update={"where": None}).columns_read()


def check_identity(source: str, check: CheckOptions) -> str:
    """`source.kind.column` (or `source.kind` for table checks): the id results and definitions
    share; repeats get `#2`, ..."""
    column = check_column(check).replace(",", "+")
    return f"{source}.{check.kind}.{column}" if column else f"{source}.{check.kind}"


def check_ids(project: Project) -> dict[str, list[str]]:
    """Every check's id per source, repeats numbered, in declaration order."""
    seen: Counter[str] = Counter()
    out: dict[str, list[str]] = {}
    for source, checks in project.checks.items():
        for check in checks:
            base = check_identity(source, check.spec)
            seen[base] += 1
            out.setdefault(source, []).append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return out


def previous_rows(engine: Engine) -> dict[str, int]:
    """Rows loaded per source by the latest successful run (empty before the first run)."""
    run = latest_run(engine) if engine.exists(RUNS) else None
    if run is None or not engine.exists(ROW_ACCOUNTING):
        return {}
    t = visible(engine, ROW_ACCOUNTING)
    per_source = t.filter(t.run_id == run["run_id"]).group_by("source").aggregate(rows=t.rows_loaded.sum())
    return {r["source"]: int(r["rows"]) for r in engine.to_arrow(per_source).to_pylist()}


def observed_history(engine: Engine) -> Callable[[str, int], list[Any]]:
    """A lookup of a check's observed values in the latest successful runs, newest first (a
    dict's `value` for kinds that record more than the value); one small query per call."""

    def lookup(check_id: str, n: int) -> list[Any]:
        if not (engine.exists(CHECK_RESULTS) and engine.exists(RUNS)):
            return []
        results = visible(engine, CHECK_RESULTS)
        runs = engine.table(RUNS).select("run_id", "run_seq")
        picked = results.filter(results.check_id == check_id).join(runs, "run_id").order_by(ibis.desc("run_seq")).limit(n)
        values = [json.loads(r["observed"]) for r in engine.to_arrow(picked.select("observed")).to_pylist() if r["observed"]]
        return [v.get("value") if isinstance(v, dict) else v for v in values]

    return lookup


def run_checks(engine: Engine, project: Project, as_of: datetime) -> pa.Table:
    """Results as an Arrow table in the column order of `assay_check_results` (minus run_id).

    Each source is scanned once for all its checks (`assay.checks.scan`); the results are a
    handful of rows, assembled here and written to the engine in one insert.
    """
    rows = []
    ids = check_ids(project)
    before = previous_rows(engine) if project.checks else {}
    for source, checks in project.checks.items():
        ctx = Context(engine, source, as_of, before, observed_history(engine))
        outcomes = scan_source(ctx, [c.spec for c in checks])
        for check_id, check, outcome in zip(ids[source], checks, outcomes, strict=True):
            spec = check.spec
            rows.append(
                {
                    "check_id": check_id,
                    "source": source,
                    "kind": spec.kind,
                    "column_name": check_column(spec),
                    "severity": spec.severity,
                    "status": "pass" if outcome.passed else "fail",
                    "failing_rows": outcome.failing_rows,
                    "total_rows": outcome.total_rows,
                    "description": spec.text(),
                    "samples": json.dumps(outcome.samples, default=str, ensure_ascii=False),
                    "observed": None if outcome.observed is None else json.dumps(outcome.observed, default=str, ensure_ascii=False),
                }
            )
    return pa.Table.from_pylist(rows, schema=_RESULT_SCHEMA)
