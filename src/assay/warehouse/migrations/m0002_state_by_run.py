"""Schema 2: state tables become views over per-run versions; ingest reuse state is rebuilt;
runs record their as-of instant; quarantined rows name their file. (`assay_source_columns`, new,
is created like any missing history table.)

Release 0.1 replaced `assay_findings` and the other state tables in place, which a crash could
leave half-written. Their current contents become the latest successful run's version in
`<name>_by_run`, and the names become views. The 0.1 ingest reuse state could pair a fingerprint
with other data, so it is dropped: the next run reads every source again.
"""

from __future__ import annotations

import ibis

from assay.engine import Engine
from assay.warehouse import schema as w
from assay.warehouse.history import latest_run, latest_state


def upgrade(engine: Engine) -> None:
    # Release 0.1 measured every run at 00:00 UTC of its date and did not record the instant:
    # `as_of_at` stays empty for those runs.
    if "as_of_at" not in engine.table(w.RUNS).columns:
        engine.add_column(w.RUNS, "as_of_at", "timestamp")
    # 0.1 numbered quarantined rows within one file per source and did not name it.
    if engine.exists(w.QUARANTINE) and "file" not in engine.table(w.QUARANTINE).columns:
        engine.add_column(w.QUARANTINE, "file", "string")
    latest = latest_run(engine)
    for name in w.STATE_TABLES:
        if not engine.exists(name):
            continue
        if latest is not None:
            current = engine.table(name).mutate(run_id=ibis.literal(latest["run_id"]))
            engine.create_table(w.by_run(name), current)
        engine.drop(name)
        if latest is not None:
            engine.replace_view(name, latest_state(engine, name))
    engine.drop("_assay_source_state")
