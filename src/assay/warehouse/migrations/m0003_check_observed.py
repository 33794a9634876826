"""Schema 3: check results record the observed value of aggregate and table checks (`observed`)."""

from __future__ import annotations

from assay.engine import Engine
from assay.warehouse import schema as w


def upgrade(engine: Engine) -> None:
    if engine.exists(w.CHECK_RESULTS) and "observed" not in engine.table(w.CHECK_RESULTS).columns:
        engine.add_column(w.CHECK_RESULTS, "observed", "string")
