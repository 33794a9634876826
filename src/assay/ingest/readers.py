"""Read CSV, Parquet and NDJSON files as text columns, keeping structurally broken rows.

An embedded DuckDB does the file reading for every engine: it is fast, set-based and reports
CSV rows it cannot split. Values stay text here; typing happens on the engine so that a value
that cannot be typed is quarantined with its reason instead of failing the load.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from assay.errors import SourceError
from assay.project.models import Source

_IS_OBJECT = "(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END)"
_UNIT_SEPARATOR = "\x1f"  # cannot appear unescaped in valid JSON, so each line stays one field


@dataclass(frozen=True)
class RawRead:
    """Mapped columns as text plus `_row`, and the rows that could not even be split."""

    rows: pa.Table
    rejects: pa.Table  # row_number, reason, record

    @property
    def rows_read(self) -> int:
        return self.rows.num_rows + self.rejects.num_rows


def resolve_paths(project_dir: Path, name: str, source: Source) -> list[Path]:
    pattern = str(project_dir / source.path)
    paths = sorted(Path(p) for p in glob.glob(pattern)) if glob.has_magic(pattern) else [Path(pattern)]
    missing = [p for p in paths if not p.is_file()]
    if not paths or missing:
        raise SourceError(f"source {name!r}: no file at {source.path!r} (looked for {missing[0] if missing else pattern})")
    return paths


def fingerprint(paths: list[Path]) -> str:
    """SHA-256 over the files' bytes: the run records exactly which inputs it saw."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def read_raw(name: str, source: Source, paths: list[Path]) -> RawRead:
    """Read the mapped columns of `source` as text, named by their canonical names."""
    mapping = {canonical: spec.from_ for canonical, spec in source.columns.items()}
    files = [str(p) for p in paths]
    con = duckdb.connect()
    try:
        if source.format == "ndjson":
            return _read_ndjson(con, name, files, mapping)
        return _read_tabular(con, name, source.format or "csv", files, mapping)
    except duckdb.Error as exc:
        raise SourceError(f"source {name!r}: cannot read {source.path!r} as {source.format}: {exc}") from None
    finally:
        con.close()


def _read_tabular(con: duckdb.DuckDBPyConnection, name: str, fmt: str, files: list[str], mapping: dict[str, str]) -> RawRead:
    if fmt == "csv":
        relation = con.sql(
            "SELECT * FROM read_csv($files, all_varchar = true, header = true, store_rejects = true)",
            params={"files": files},
        )
    else:
        relation = con.sql("SELECT * FROM read_parquet($files, union_by_name = true)", params={"files": files})
    present = relation.columns
    _require_columns(name, mapping, present)
    con.register("_assay_source", relation)
    selected = ", ".join(f'CAST("{_ident(src)}" AS VARCHAR) AS "{_ident(dst)}"' for dst, src in mapping.items())
    con.execute(f"CREATE TEMP TABLE _records AS SELECT row_number() OVER () AS _ord, {selected} FROM _assay_source")
    if fmt != "csv":
        rows = con.sql("SELECT _ord AS _row, * EXCLUDE (_ord) FROM _records ORDER BY _ord").to_arrow_table()
        return RawRead(_as_table(rows), _empty_rejects())
    # Rows are numbered by their line in the file (header = line 1). DuckDB numbers rejected
    # lines itself; a kept record's line is its ordinal plus the header plus the rejected lines
    # before it, and rejected line i precedes kept record k when fewer than k records were kept
    # before it (one line per record assumed).
    con.execute("CREATE TEMP TABLE _rejected AS SELECT line - 1 - row_number() OVER (ORDER BY line) AS kept_before FROM reject_errors")
    rows = con.sql(
        "SELECT _ord + 1 + (SELECT count(*) FROM _rejected WHERE kept_before < _ord) AS _row, * EXCLUDE (_ord) FROM _records ORDER BY _ord"
    ).to_arrow_table()
    rejects = con.sql(
        "SELECT CAST(line AS BIGINT) AS row_number, 'malformed CSV row: ' || error_message AS reason, "
        "to_json({line: csv_line}) AS record FROM reject_errors ORDER BY line"
    ).to_arrow_table()
    return RawRead(_as_table(rows), _as_table(rejects))


def _read_ndjson(con: duckdb.DuckDBPyConnection, name: str, files: list[str], mapping: dict[str, str]) -> RawRead:
    con.execute(
        "CREATE TEMP TABLE _lines AS SELECT row_number() OVER () AS _row, line FROM read_csv($files, "
        "columns = {'line': 'VARCHAR'}, header = false, delim = $sep, quote = '', escape = '', "
        "auto_detect = false, store_rejects = true)",
        {"files": files, "sep": _UNIT_SEPARATOR},
    )
    con.execute(f"CREATE TEMP TABLE _objects AS SELECT _row, line FROM _lines WHERE line IS NOT NULL AND trim(line) <> '' AND {_IS_OBJECT}")
    paths = {dst: '$."' + src.replace('"', '\\"') + '"' for dst, src in mapping.items()}
    present = [
        src
        for dst, src in mapping.items()
        if con.execute("SELECT count(*) FROM _objects WHERE json_exists(line, $p)", {"p": paths[dst]}).fetchone()[0]
    ]
    _require_columns(name, mapping, present, empty=con.execute("SELECT count(*) = 0 FROM _objects").fetchone()[0])
    params = {f"p{i}": paths[dst] for i, dst in enumerate(mapping)}
    selected = ", ".join(f'json_extract_string(line, $p{i}) AS "{_ident(dst)}"' for i, dst in enumerate(mapping))
    rows = con.sql(f"SELECT _row, {selected} FROM _objects ORDER BY _row", params=params).to_arrow_table()
    rejects = con.sql(
        "SELECT _row AS row_number, CASE WHEN json_valid(line) THEN 'expected a JSON object per line' "
        "ELSE 'malformed JSON' END AS reason, to_json({line: line}) AS record FROM _lines "
        f"WHERE line IS NOT NULL AND trim(line) <> '' AND NOT {_IS_OBJECT} "
        "UNION ALL SELECT CAST(line AS BIGINT), 'malformed line: ' || error_message, to_json({line: csv_line}) "
        "FROM reject_errors ORDER BY 1"
    ).to_arrow_table()
    return RawRead(_as_table(rows), _as_table(rejects))


def _require_columns(name: str, mapping: dict[str, str], present: list[str], empty: bool = False) -> None:
    if empty:
        return
    missing = [f"{src!r} (for {dst})" for dst, src in mapping.items() if src not in present]
    if missing:
        found = ", ".join(present) if present else "none"
        raise SourceError(f"source {name!r}: column {', '.join(missing)} not found in the file; columns found: {found}")


def _ident(name: str) -> str:
    return name.replace('"', '""')


def _empty_rejects() -> pa.Table:
    return pa.table({"row_number": pa.array([], pa.int64()), "reason": pa.array([], pa.string()), "record": pa.array([], pa.string())})


def _as_table(data: pa.Table | pa.RecordBatchReader) -> pa.Table:
    table = data.read_all() if isinstance(data, pa.RecordBatchReader) else data
    return table.cast(
        pa.schema(
            [
                pa.field(f.name, pa.string() if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) else f.type)
                for f in table.schema
            ]
        )
    )
