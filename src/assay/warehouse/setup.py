"""Bring a warehouse to this release's schema before a run, and clear what a dead run left.

A fresh warehouse gets every history table; an older one is migrated step by step
(`assay.warehouse.migrations`); a newer one is refused, because this release would misread it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import ibis

import assay
from assay.engine import Engine
from assay.errors import WarehouseVersionError
from assay.warehouse import schema as w
from assay.warehouse.history import latest_run_ids, successful_runs
from assay.warehouse.migrations import MIGRATIONS

SCRATCH_PREFIXES = ("_work_", "_typed_", "_raw_", "_rejects_", "_assay_staged_")
"""Tables a run creates for itself and drops when it ends; a killed run leaves them behind."""


def stored_version(engine: Engine) -> int | None:
    """The warehouse's schema version; None when nothing was ever written.

    Release 0.1 (schema 1) had no `assay_schema` table: its `assay_runs` alone marks it.
    """
    if engine.exists(w.SCHEMA):
        return int(engine.scalar(engine.table(w.SCHEMA).schema_version.max()))
    return 1 if engine.exists(w.RUNS) else None


def prepare_warehouse(engine: Engine) -> None:
    """Create, check or migrate the warehouse so this release can write a run to it."""
    version = stored_version(engine)
    if version is not None and version > w.SCHEMA_VERSION:
        raise WarehouseVersionError(
            f"the warehouse at {engine.display_url} has schema version {version}, written by a newer assay; "
            f"this assay {assay.__version__} understands up to version {w.SCHEMA_VERSION}: upgrade assay"
        )
    with engine.transaction():
        for step in range(version or w.SCHEMA_VERSION, w.SCHEMA_VERSION):
            MIGRATIONS[step + 1](engine)
        for name, schema in w.HISTORY.items():
            if not engine.exists(name):
                engine.create_empty(name, schema)
        if version != w.SCHEMA_VERSION:
            row = {
                "schema_version": w.SCHEMA_VERSION,
                "assay_version": assay.__version__,
                "updated_at": datetime.now(UTC).replace(tzinfo=None),
            }
            engine.create_table(w.SCHEMA, ibis.memtable([row], schema=w.SCHEMA_TABLE_SCHEMA))


def clear_dead_runs(engine: Engine) -> None:
    """Remove the traces of runs that never published: scratch tables, and history rows or state
    versions without a successful run (only where the engine can delete; readers skip them anyway)."""
    for name in engine.con.list_tables():
        if name.startswith(SCRATCH_PREFIXES):
            engine.drop(name)
    succeeded = successful_runs(engine).select("run_id")
    for name in w.HISTORY:
        if name != w.RUNS:
            engine.keep_runs(name, succeeded)
    for name in w.STATE_TABLES:
        engine.keep_runs(w.by_run(name), latest_run_ids(engine))
