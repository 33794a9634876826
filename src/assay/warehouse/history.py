"""Append-only history tables and the rule that only successful runs are visible."""

from __future__ import annotations

import ibis

from assay.engine import Engine
from assay.warehouse.schema import HISTORY, RUNS


def ensure_history(engine: Engine) -> None:
    """Create the history tables the first time a project runs on an engine."""
    for name, schema in HISTORY.items():
        if not engine.exists(name):
            engine.create_empty(name, schema)


def successful_runs(engine: Engine) -> ibis.Table:
    runs = engine.table(RUNS)
    return runs.filter(runs.status == "success")


def visible(engine: Engine, table: str) -> ibis.Table:
    """Rows of a history table that belong to successful runs (failed runs stay invisible)."""
    t = engine.table(table)
    return t.semi_join(successful_runs(engine), "run_id")


def latest_run(engine: Engine) -> dict | None:
    """The latest successful run as a dict, or None before the first one."""
    if not engine.exists(RUNS):
        return None
    rows = engine.to_arrow(successful_runs(engine).order_by(ibis.desc("run_seq")).limit(1)).to_pylist()
    return rows[0] if rows else None


def next_run_seq(engine: Engine) -> int:
    value = engine.scalar(engine.table(RUNS).run_seq.max())
    return int(value or 0) + 1
