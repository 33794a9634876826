"""Parquet files and Excel sheets: typed columns rendered as text, numbered by row index.

A zoned timestamp is an instant; DuckDB renders one as text in its session time zone, which
defaults to the host's `TZ`. It is therefore rendered in UTC with an explicit `Z`, so the same
file gives the same text on every host and the typing step gets the instant.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from assay.errors import SourceError
from assay.ingest.files import InputFile
from assay.project.reader_options import ExcelOptions

_SCAN = "_assay_columnar_scan"


def read_parquet_file(
    con: duckdb.DuckDBPyConnection, file: InputFile, mapping: dict[str, str], raw: str, rejects: str
) -> list[tuple[str, str]]:
    """Create `raw` (row index from 1) and an empty `rejects` on `con`; return the file's columns and types."""
    scan = "(SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _assay_index FROM read_parquet($file, file_row_number = true))"
    return _as_text(con, file, mapping, raw, rejects, scan, {"file": str(file.path)})


def read_excel_file(
    con: duckdb.DuckDBPyConnection, file: InputFile, mapping: dict[str, str], opts: ExcelOptions, raw: str, rejects: str
) -> list[tuple[str, str]]:
    """One sheet read by fastexcel (Rust, straight to Arrow); `_row` is the sheet's row number."""
    import fastexcel

    try:
        sheet = fastexcel.read_excel(str(Path(file.path))).load_sheet(opts.sheet, header_row=opts.header_row - 1)
    except (fastexcel.FastExcelError, OSError) as exc:
        raise SourceError(f"{file.name}: cannot read sheet {opts.sheet!r}: {exc}") from None
    names = [c.name for c in sheet.available_columns()]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourceError(f"{file.name}: duplicate column names in the header: {', '.join(repr(d) for d in dupes)}")
    table = sheet.to_arrow()
    table = table.append_column("_assay_index", pa.array(np.arange(table.num_rows, dtype=np.int64) + 1 + opts.header_row))
    con.register("_assay_excel_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_SCAN} AS SELECT * FROM _assay_excel_arrow")
    con.unregister("_assay_excel_arrow")
    observed = _as_text(con, file, mapping, raw, rejects, _SCAN, {})
    con.execute(f"DROP TABLE {_SCAN}")
    return observed


def _as_text(
    con: duckdb.DuckDBPyConnection, file: InputFile, mapping: dict[str, str], raw: str, rejects: str, scan: str, params: dict
) -> list[tuple[str, str]]:
    relation = con.sql(f"SELECT * FROM {scan}", params=params)
    types = {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True) if name != "_assay_index"}
    missing = [f"{src!r} (for {dst})" for dst, src in mapping.items() if src.split(".")[0] not in types]
    if missing:
        raise SourceError(f"{file.name}: column {', '.join(missing)} not found in the file; columns found: {', '.join(types) or 'none'}")
    selected = "".join(f', {_text(src, types.get(src, ""))} AS "{_ident(dst)}"' for dst, src in mapping.items())
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{_ident(raw)}" AS SELECT CAST(_assay_index AS BIGINT) AS _row, '
        f"CAST($name AS VARCHAR) AS _file{selected} FROM {scan}",
        {"name": file.name, **params},
    )
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{_ident(rejects)}" AS SELECT CAST(NULL AS BIGINT) AS _row, CAST(NULL AS VARCHAR) AS _file, '
        "CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS record WHERE false"
    )
    return list(types.items())


def _text(src: str, kind: str) -> str:
    column = ".".join(f'"{_ident(part)}"' for part in src.split("."))
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f"strftime(timezone('UTC', {column}), '%Y-%m-%dT%H:%M:%S.%fZ')"
    return f"CAST({column} AS VARCHAR)"


def _ident(name: str) -> str:
    return name.replace('"', '""')
