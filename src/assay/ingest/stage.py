"""Ingest one source: read, stage, type, split into loaded and quarantined rows, and count."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ibis

from assay.engine import Engine
from assay.engine.expressions import json_object
from assay.ingest.readers import fingerprint, read_raw, resolve_paths
from assay.ingest.typing import PROBLEM, RAW_PREFIX, ROW, typed_with_problems
from assay.project.models import Source


def table_name(source: str) -> str:
    """The engine table holding a source's loaded rows (read by every later stage)."""
    return f"src_{source}"


@dataclass(frozen=True)
class IngestOutcome:
    source: str
    fingerprint: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    quarantine: ibis.Table  # row_number, reason, record


def ingest_source(engine: Engine, project_dir: Path, name: str, source: Source) -> IngestOutcome:
    paths = resolve_paths(project_dir, name, source)
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
    quarantine = engine.create_table(f"_quarantine_{name}", quarantine)
    rows_loaded = int(engine.scalar(loaded.count()))
    rows_quarantined = int(engine.scalar(quarantine.count()))
    engine.drop(f"_raw_{name}")
    return IngestOutcome(name, fingerprint(paths), raw_read.rows_read, rows_loaded, rows_quarantined, quarantine)
