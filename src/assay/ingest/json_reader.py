"""NDJSON (one object per line, numbered by line) and JSON arrays (numbered by element), via DuckDB.

Each record stays one JSON text until the mapped fields are pulled out with JSON paths, so a
line that is not a JSON object is quarantined by itself and never shifts the others. A column's
`from` may name a nested field with dots (`device.hostname`).
"""

from __future__ import annotations

import duckdb

from assay.errors import SourceError
from assay.ingest.duckdb_rows import one_row
from assay.ingest.files import InputFile

_LINE_SEP = "\x1f\x1e\x1d\x1c"
_IS_OBJECT = "(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END)"
_RECORDS = "_assay_json_records"


def json_path(field: str) -> str:
    """`device.host-name` → `$."device"."host-name"`: each dotted part one (quoted) key."""
    return "$" + "".join('."' + part.replace("\\", "\\\\").replace('"', '\\"') + '"' for part in field.split("."))


def read_json_file(
    con: duckdb.DuckDBPyConnection, file: InputFile, mapping: dict[str, str], array: bool, raw: str, rejects: str
) -> list[tuple[str, str]]:
    """Create `raw` and `rejects` on `con` (see `assay.ingest.readers.read_file`); return the top-level keys and JSON types."""
    if array:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _assay_json_elements AS SELECT CAST(json AS VARCHAR) AS line "
            "FROM read_json_objects($file, format = 'array')",
            {"file": str(file.path)},
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_RECORDS} AS SELECT rowid + 1 AS _row, line FROM _assay_json_elements")
        con.execute("DROP TABLE _assay_json_elements")
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _assay_json_lines AS SELECT line FROM read_csv($file, columns = {'line': 'VARCHAR'}, "
            "header = false, delim = $sep, quote = '', escape = '', auto_detect = false, strict_mode = false)",
            {"file": str(file.path), "sep": _LINE_SEP},
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_RECORDS} AS SELECT rowid + 1 AS _row, line FROM _assay_json_lines "
            "WHERE line IS NOT NULL AND trim(line) <> ''"
        )
        con.execute("DROP TABLE _assay_json_lines")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _assay_json_objects AS SELECT _row, line FROM {_RECORDS} WHERE {_IS_OBJECT}")
    params = {f"p{i}": json_path(src) for i, src in enumerate(mapping.values())}
    if mapping:
        found = one_row(
            con,
            "SELECT count(*), "
            + ", ".join(f"bool_or(json_exists(line, $p{i}))" for i in range(len(mapping)))
            + " FROM _assay_json_objects",
            params,
        )
        missing = [f"{src!r} (for {dst})" for (dst, src), ok in zip(mapping.items(), found[1:], strict=True) if found[0] and not ok]
        if missing:
            keys = [k for k, _ in _observed(con)]
            raise SourceError(f"{file.name}: column {', '.join(missing)} not found in the file; columns found: {', '.join(keys) or 'none'}")
    selected = "".join(f', json_extract_string(line, $p{i}) AS "{_ident(dst)}"' for i, dst in enumerate(mapping))
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{_ident(raw)}" AS SELECT CAST(_row AS BIGINT) AS _row, CAST($name AS VARCHAR) AS _file{selected} '
        "FROM _assay_json_objects",
        {"name": file.name, **params},
    )
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{_ident(rejects)}" AS SELECT CAST(_row AS BIGINT) AS _row, CAST($name AS VARCHAR) AS _file, '
        f"CASE WHEN json_valid(line) THEN $shape ELSE 'malformed JSON' END AS reason, to_json({{line: line}}) AS record "
        f"FROM {_RECORDS} WHERE NOT {_IS_OBJECT}",
        {"name": file.name, "shape": "expected a JSON object per element" if array else "expected a JSON object per line"},
    )
    observed = _observed(con)
    for table in (_RECORDS, "_assay_json_objects"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return observed


def _observed(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Top-level keys in order of first appearance (then by name) with their JSON types.

    Records of one export share a handful of shapes: each record's shape is computed once
    (`json_structure`, one parse) and only the distinct shapes are taken apart, which is ~7x
    cheaper than exploding every record into its keys.
    """
    # A shape names a scalar's type as a string, an object or array by its own shape, and `{}` as "JSON".
    kind = "CASE WHEN j.type IN ('OBJECT', 'ARRAY') THEN j.type WHEN j.value ->> '$' = 'JSON' THEN 'OBJECT' ELSE j.value ->> '$' END"
    rows = con.execute(
        "WITH shapes AS (SELECT json_structure(line) AS shape, min(_row) AS first FROM _assay_json_objects GROUP BY shape) "
        f"SELECT j.key, string_agg(DISTINCT {kind}, '|' ORDER BY {kind}) "
        "FROM shapes s, json_each(s.shape) j GROUP BY j.key ORDER BY min(s.first), j.key"
    ).fetchall()
    return [(k, t) for k, t in rows]


def _ident(name: str) -> str:
    return name.replace('"', '""')
