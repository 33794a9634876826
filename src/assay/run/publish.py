"""Make a run's results visible all at once, or not at all.

Readers see exactly the successful runs: history rows are filtered on `assay_runs.status =
'success'`, and state tables are views of the latest successful run's version. Publishing
therefore writes everything keyed by the run id first and the run's `success` row last. Where the
engine has transactions (DuckDB, PostgreSQL) all of it commits as one, so even a reader of the raw
tables never sees a partial run; where it has none (Spark) the final row is the marker, and a run
killed before it left only rows that no reader shows and the next run clears where it can.
"""

from __future__ import annotations

from typing import Any

import ibis

from assay.engine import Engine
from assay.warehouse import schema as w
from assay.warehouse.history import latest_run_ids, latest_state


def publish(engine: Engine, run_row: dict[str, Any], history: dict[str, ibis.Table], state: dict[str, ibis.Table]) -> None:
    """Append `history` rows and `state` versions for the run, then its success marker."""
    run = ibis.literal(run_row["run_id"])
    with engine.transaction():
        for name, rows in history.items():
            engine.insert(name, rows.mutate(run_id=run))
        for name, rows in state.items():
            _add_version(engine, name, rows.mutate(run_id=run))
        engine.insert(w.RUNS, ibis.memtable([run_row], schema=w.HISTORY[w.RUNS]))
        for name in state:
            engine.keep_runs(w.by_run(name), latest_run_ids(engine))


def _add_version(engine: Engine, name: str, rows: ibis.Table) -> None:
    table = w.by_run(name)
    if engine.exists(table) and _same_columns(engine.table(table).schema(), rows.schema()):
        engine.insert(table, rows)
        return
    # First run, or the project changed the table's columns (a new inventory adds an `in_<source>`
    # column): start the versions over; older ones are superseded by this run anyway.
    engine.drop(name)
    engine.create_table(table, rows)
    engine.replace_view(name, latest_state(engine, name))


def _same_columns(a: ibis.Schema, b: ibis.Schema) -> bool:
    return {n: t.copy(nullable=True) for n, t in a.items()} == {n: t.copy(nullable=True) for n, t in b.items()}
