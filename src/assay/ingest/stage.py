"""Ingest one source: read, stage, type, split into loaded and quarantined rows, and count.

A source whose files and declaration are unchanged since it was last loaded is not read again:
`_assay_source_state` remembers the fingerprint each `src_<name>` table was built from, with its
row accounting, and `_quarantine_<name>` keeps its quarantined rows for the next run to record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import ibis
import pyarrow as pa

from assay.engine import Engine
from assay.engine.expressions import json_object
from assay.ingest.readers import fingerprint, read_raw, resolve_paths
from assay.ingest.typing import PROBLEM, RAW_PREFIX, ROW, typed_with_problems
from assay.project.models import Source

STATE = "_assay_source_state"
_STATE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("fingerprint", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("rows_quarantined", pa.int64()),
    ]
)


def table_name(source: str) -> str:
    """The engine table holding a source's loaded rows (read by every later stage)."""
    return f"src_{source}"


def quarantine_name(source: str) -> str:
    return f"_quarantine_{source}"


@dataclass(frozen=True)
class IngestOutcome:
    source: str
    fingerprint: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    reused: bool = False


def ingest_source(engine: Engine, project_dir: Path, name: str, source: Source) -> IngestOutcome:
    paths = resolve_paths(project_dir, name, source)
    declaration = json.dumps(source.model_dump(mode="json", by_alias=True), sort_keys=True)
    digest = hashlib.sha256(f"{fingerprint(paths)}\n{declaration}".encode()).hexdigest()
    remembered = _remembered(engine, name, digest)
    if remembered is not None:
        return remembered

    raw_read = read_raw(name, source, paths)
    raw = engine.load_arrow(f"_raw_{name}", raw_read.rows)
    staged = engine.create_table(f"_typed_{name}", typed_with_problems(engine, raw, source))
    loaded = engine.create_table(table_name(name), staged.filter(staged[PROBLEM].isnull()).select(ROW, *source.columns))
    bad = staged.filter(staged[PROBLEM].notnull())
    record = json_object({spec.from_: bad[RAW_PREFIX + col] for col, spec in source.columns.items()})
    quarantine = bad.select(row_number=bad[ROW].cast("int64"), reason=bad[PROBLEM], record=record)
    if raw_read.rejects.num_rows:
        rejects = engine.load_arrow(f"_rejects_{name}", raw_read.rejects)
        quarantine = quarantine.union(rejects.select("row_number", "reason", "record"))
    quarantine = engine.create_table(quarantine_name(name), quarantine)
    outcome = IngestOutcome(
        name,
        digest,
        raw_read.rows_read,
        int(engine.scalar(loaded.count())),
        int(engine.scalar(quarantine.count())),
    )
    for scratch in (f"_raw_{name}", f"_typed_{name}", f"_rejects_{name}"):
        engine.drop(scratch)
    _remember(engine, outcome)
    return outcome


def ingest_all(engine: Engine, project_dir: Path, sources: dict[str, Source]) -> list[IngestOutcome]:
    """Ingest every declared source, in declaration order."""
    return [ingest_source(engine, project_dir, name, source) for name, source in sources.items()]


def _remembered(engine: Engine, name: str, digest: str) -> IngestOutcome | None:
    if not (engine.exists(STATE) and engine.exists(table_name(name)) and engine.exists(quarantine_name(name))):
        return None
    state = engine.table(STATE)
    rows = engine.to_arrow(state.filter((state.source == name) & (state.fingerprint == digest))).to_pylist()
    if not rows:
        return None
    r = rows[0]
    return IngestOutcome(name, digest, r["rows_read"], r["rows_loaded"], r["rows_quarantined"], reused=True)


def _remember(engine: Engine, outcome: IngestOutcome) -> None:
    kept = []
    if engine.exists(STATE):
        state = engine.table(STATE)
        kept = engine.to_arrow(state.filter(state.source != outcome.source)).to_pylist()
    row = {k: getattr(outcome, k) for k in _STATE_SCHEMA.names}
    engine.load_arrow(STATE, pa.Table.from_pylist([*kept, row], schema=_STATE_SCHEMA))


def quarantine_rows(engine: Engine, source: str) -> ibis.Table:
    """The quarantined rows of the source's latest load: row_number, reason, record."""
    return engine.table(quarantine_name(source))
