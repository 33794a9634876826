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
    mapping = {canonical: spec.from_ for canonical, spec in source.columns.items()}
    try:
        with tempfile.TemporaryDirectory(prefix="assay-read-") as scratch:
            read = _read(con, source, project_dir, relative, mapping, raw, rejects, Path(scratch))
        return FileRead(read.columns, [*_reject_nul(con, source, raw, rejects), *read.scratch])
    except SourceError as exc:
        raise SourceError(f"source {name!r}: {exc}") from None
    except duckdb.Error as exc:
        raise SourceError(f"source {name!r}: cannot read {relative} as {source.format}: {exc}") from None


def _read(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    project_dir: Path,
    relative: str,
    mapping: dict[str, str],
    raw: str,
    rejects: str,
    scratch: Path,
) -> FileRead:
    path = project_dir / relative
    if source.database is not None:
        return FileRead(read_database(con, project_dir, source.database, mapping, raw, rejects, scratch), [])
    if source.format == "csv":
        file = as_utf8(path, relative, source.csv.encoding, scratch)
        return FileRead(*read_csv_file(con, file, mapping, source.csv, raw, rejects))
    file = InputFile(path, relative)
    if source.format in ("ndjson", "json"):
        return FileRead(read_json_file(con, file, mapping, source.format == "json", raw, rejects), [])
    if source.format == "xlsx":
        return FileRead(read_excel_file(con, file, mapping, source.excel or ExcelOptions(), raw, rejects), [])
    return FileRead(read_parquet_file(con, file, mapping, raw, rejects), [])


def _reject_nul(con: duckdb.DuckDBPyConnection, source: Source, raw: str, rejects: str) -> list[str]:
    """Move records with a NUL character (U+0000) in a mapped text value to `rejects`, on every engine.

    PostgreSQL cannot store the character at all and a NUL inside a field is corruption, not data,
    so the record is quarantined with its reason everywhere rather than loaded on some engines and
    failing the run on another. Returns the scratch table `raw` now reads from, if any.
    """
    types = dict(con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{_ident(raw)}")').fetchall())
    text = [c for c in source.columns if types.get(c) == "VARCHAR"]
    if not text:
        return []
    has_nul = " OR ".join(f'strpos("{_ident(c)}", chr(0)) > 0' for c in text)
    if not con.execute(f'SELECT count(*) FROM "{_ident(raw)}" WHERE {has_nul}').fetchone()[0]:  # type: ignore[index]
        return []
    everything = f"{raw}_with_nul"
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = $name", {"name": raw}).fetchone()
    con.execute(f'ALTER {"VIEW" if kind and kind[0] == "VIEW" else "TABLE"} "{_ident(raw)}" RENAME TO "{_ident(everything)}"')
    first = "CASE " + " ".join(f'WHEN strpos("{_ident(c)}", chr(0)) > 0 THEN $l{i}' for i, c in enumerate(text)) + " END"
    labels = {f"l{i}": _label(c, source.columns[c].from_) for i, c in enumerate(text)}
    fields = ", ".join(f'$k{i}, CAST("{_ident(c)}" AS VARCHAR)' for i, c in enumerate(source.columns))
    keys = {f"k{i}": spec.from_ for i, spec in enumerate(source.columns.values())}
    record = f"CAST(json_object({fields}) AS VARCHAR)"
    con.execute(
        f'INSERT INTO "{_ident(rejects)}" SELECT CAST(_row AS BIGINT), CAST(_file AS VARCHAR), {first}, {record} '
        f'FROM "{_ident(everything)}" WHERE {has_nul}',
        labels | keys,
    )
    con.execute(f'CREATE OR REPLACE TEMP VIEW "{_ident(raw)}" AS SELECT * FROM "{_ident(everything)}" WHERE NOT ({has_nul})')
    return [everything]


def _label(canonical: str, from_: str) -> str:
    name = f"{canonical} ({from_})" if canonical != from_ else canonical
    return f"{name}: contains a NUL character (U+0000), which no text column can hold on every engine"


def _ident(name: str) -> str:
    return name.replace('"', '""')
