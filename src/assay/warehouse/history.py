"""Append-only history tables and the rule that only successful runs are visible."""

from __future__ import annotations

import ibis

from assay.engine import Engine
from assay.warehouse.schema import RUNS, by_run


def successful_runs(engine: Engine) -> ibis.Table:
    runs = engine.table(RUNS)
    return runs.filter(runs.status == "success")


def latest_run_ids(engine: Engine) -> ibis.Table:
    """A one-row (or empty) table: the `run_id` of the latest successful run."""
    runs = successful_runs(engine)
    return runs.filter(runs.run_seq == runs.run_seq.max()).select("run_id")


def latest_state(engine: Engine, state_table: str) -> ibis.Table:
    """A state table's version written by the latest successful run, without `run_id`: the
    definition of the `assay_findings`, `assay_assets`, … views."""
    versions = engine.table(by_run(state_table))
    return versions.semi_join(latest_run_ids(engine), "run_id").drop("run_id")


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
