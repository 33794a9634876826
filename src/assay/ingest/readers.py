"""Read one input file into a raw text table on a DuckDB connection, keeping broken records apart.

DuckDB is the file parser for every engine: on DuckDB it reads straight into the warehouse; other
engines receive the parsed tables in bounded Arrow batches (`Engine.file_reader`). So the same
broken file is quarantined the same way everywhere. The result honours the typing step's
contract: `raw` has `_row` (line for CSV/NDJSON, row index for Parquet, JSON arrays and Excel),
`_file` (path relative to the project) and one text column per canonical name; `rejects` has
`_row, _file, reason, record` for records that could not even be split into fields.
"""

from __future__ import annotations

import glob
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assay.errors import SourceError
from assay.ingest.columnar_reader import read_excel_file, read_parquet_file
from assay.ingest.csv_reader import read_csv_file
from assay.ingest.database_reader import read_database
from assay.ingest.files import InputFile, as_utf8
from assay.ingest.json_reader import read_json_file
from assay.project.models import Source
from assay.project.paths import PathRefused, confine
from assay.project.reader_options import ExcelOptions


@dataclass(frozen=True)
class FileRead:
    """The file's columns and types as found (for schema drift), and the scratch tables `raw`
    still depends on, to drop once it has been used."""

    columns: list[tuple[str, str]]
    scratch: list[str]


def resolve_paths(project_dir: Path, name: str, source: Source, data_roots: Sequence[str] = ()) -> list[Path]:
    """The files a source reads now, each confined to the project folder and declared data roots
    (checked again here, not only at validation: a link may have changed since)."""
    if source.path is None:
        raise SourceError(f"source {name!r} reads a database, not files")
    try:
        confined = confine(project_dir, source.path, data_roots)
    except PathRefused as exc:
        raise SourceError(f"source {name!r}: path refused: {exc}") from None
    if any(isinstance(p, str) for p in confined):
        raise SourceError(f"source {name!r}: {source.path!r} is a URI; files are read by DuckDB here, which reads local paths only")
    pattern = str(project_dir / source.path)
    paths = sorted(Path(p) for p in glob.glob(pattern)) if glob.has_magic(pattern) else [Path(pattern)]
    missing = [p for p in paths if not p.is_file()]
    if not paths or missing:
        raise SourceError(f"source {name!r}: no file at {source.path!r} (looked for {missing[0] if missing else pattern})")
    return paths


def read_file(
    con: duckdb.DuckDBPyConnection, name: str, source: Source, project_dir: Path, relative: str, raw: str, rejects: str
) -> FileRead:
    """Create `raw` and `rejects` for one file (`relative` to `project_dir`) or the database of source `name`."""
    path = project_dir / relative
    mapping = {canonical: spec.from_ for canonical, spec in source.columns.items()}
    try:
        with tempfile.TemporaryDirectory(prefix="assay-read-") as scratch:
            if source.database is not None:
                return FileRead(read_database(con, project_dir, source.database, mapping, raw, rejects, Path(scratch)), [])
            if source.format == "csv":
                file = as_utf8(path, relative, source.csv.encoding, Path(scratch))
                return FileRead(*read_csv_file(con, file, mapping, source.csv, raw, rejects))
            file = InputFile(path, relative)
            if source.format in ("ndjson", "json"):
                return FileRead(read_json_file(con, file, mapping, source.format == "json", raw, rejects), [])
            if source.format == "xlsx":
                return FileRead(read_excel_file(con, file, mapping, source.excel or ExcelOptions(), raw, rejects), [])
            return FileRead(read_parquet_file(con, file, mapping, raw, rejects), [])
    except SourceError as exc:
        raise SourceError(f"source {name!r}: {exc}") from None
    except duckdb.Error as exc:
        raise SourceError(f"source {name!r}: cannot read {relative} as {source.format}: {exc}") from None
