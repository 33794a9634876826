"""A table or read-only query in a PostgreSQL or DuckDB database, read as text, numbered by row.

PostgreSQL sends the rows with `COPY … TO STDOUT` (CSV) inside a read-only transaction, streamed
to a scratch file that DuckDB then parses; a DuckDB database is opened read-only and its rows
stream in as Arrow batches. Either way no row is handled in Python, and the query cannot write.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from assay.errors import SourceError
from assay.project.reader_options import DatabaseSource

_SCAN = "_assay_db_scan"
_BATCH_ROWS = 100_000


def describe(db: DatabaseSource) -> str:
    """How quarantined rows name the source (`_file`): the table, or `query`."""
    return f"table {db.table}" if db.table else "query"


def read_database(
    con: duckdb.DuckDBPyConnection, project_dir: Path, db: DatabaseSource, mapping: dict[str, str], raw: str, rejects: str, scratch: Path
) -> list[tuple[str, str]]:
    """Create `raw` (`_row` = row number from 1) and an empty `rejects` on `con`; return the columns and types."""
    if db.url.startswith("duckdb://"):
        columns = _from_duckdb(con, project_dir, db)
    else:
        columns = _from_postgres(con, db, scratch)
    names = [n for n, _ in columns]
    missing = [f"{src!r} (for {dst})" for dst, src in mapping.items() if src not in names]
    if missing:
        raise SourceError(f"{describe(db)}: column {', '.join(missing)} not found; columns found: {', '.join(names) or 'none'}")
    selected = "".join(f', CAST("{_ident(src)}" AS VARCHAR) AS "{_ident(dst)}"' for dst, src in mapping.items())
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{_ident(raw)}" AS SELECT CAST(rowid + 1 AS BIGINT) AS _row, CAST($name AS VARCHAR) AS _file'
        f"{selected} FROM {_SCAN}",
        {"name": describe(db)},
    )
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{_ident(rejects)}" AS SELECT CAST(NULL AS BIGINT) AS _row, CAST(NULL AS VARCHAR) AS _file, '
        "CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS record WHERE false"
    )
    con.execute(f"DROP TABLE {_SCAN}")
    return columns


def _from_duckdb(con: duckdb.DuckDBPyConnection, project_dir: Path, db: DatabaseSource) -> list[tuple[str, str]]:
    location = db.url.removeprefix("duckdb://")
    path = Path(location[1:]) if location.startswith("//") else project_dir / location.lstrip("/")
    if not path.is_file():
        raise SourceError(f"no DuckDB database at {path}")
    source = duckdb.connect(str(path), read_only=True)
    try:
        relation = source.sql(db.query) if db.query else source.table(f'"{_ident(db.table or "")}"')
        columns = [(n, str(t)) for n, t in zip(relation.columns, relation.types, strict=True)]
        batches = relation.to_arrow_reader(_BATCH_ROWS)
        con.register("_assay_db_batches", batches)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_SCAN} AS SELECT * FROM _assay_db_batches")
        con.unregister("_assay_db_batches")
    except duckdb.Error as exc:
        raise SourceError(f"{describe(db)}: {exc}") from None
    finally:
        source.close()
    return columns


def _from_postgres(con: duckdb.DuckDBPyConnection, db: DatabaseSource, scratch: Path) -> list[tuple[str, str]]:
    selection: sql.Composable
    if db.query:
        selection = sql.SQL(db.query.strip().rstrip(";"))  # the declared query is the source
    else:
        selection = sql.SQL("SELECT * FROM {}").format(sql.Identifier(*(db.table or "").split(".")))
    out = scratch / "rows.csv"
    try:
        with psycopg.connect(db.url.replace("postgres://", "postgresql://", 1)) as pg:
            pg.read_only = True
            with pg.cursor() as cur:
                cur.execute(sql.SQL("SELECT * FROM ({}) AS q LIMIT 0").format(selection))
                columns = [(c.name, c.type_display) for c in cur.description or []]
                with out.open("wb") as fh, cur.copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(selection)) as copy:
                    for block in copy:
                        fh.write(block)
    except psycopg.Error as exc:
        raise SourceError(f"{describe(db)}: {str(exc).strip()}") from None
    spec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(columns))) + "}"
    renamed = ", ".join(f'c{i} AS "{_ident(name)}"' for i, (name, _) in enumerate(columns))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SCAN} AS SELECT {renamed} FROM read_csv($file, columns = {spec}, header = false, "
        "quote = '\"', escape = '\"', delim = ',', auto_detect = false, strict_mode = true, allow_quoted_nulls = false)",
        {"file": str(out)},
    )
    return columns


def _ident(name: str) -> str:
    return name.replace('"', '""')
