"""PostgreSQL: a real server; no TRY_CAST, so safe casts are small SQL functions we install."""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
import pyarrow.csv as pacsv

from assay.engine.capabilities import POSTGRES
from assay.engine.engine import Engine, builtin_function
from assay.engine.strftime import postgres_template, shape_regex
from assay.errors import RunLockedError

_SAFE_CAST_SQL_TYPES = {
    "int64": "bigint",
    "float64": "double precision",
    "timestamp": "timestamp",
    "date": "date",
    "boolean": "boolean",
}


def _dtype_key(dtype: dt.DataType) -> str:
    return "timestamp" if dtype.is_timestamp() else str(dtype.copy(nullable=True))


class PostgresEngine(Engine):
    name = "postgres"
    capabilities = POSTGRES

    def __init__(self, con: ibis.BaseBackend, display_url: str):
        super().__init__(con, display_url)
        self._casts = {}
        with self.con.begin() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
            for key, sql_type in _SAFE_CAST_SQL_TYPES.items():
                fn = f"assay_try_cast_{key}"
                cur.execute(
                    f"CREATE OR REPLACE FUNCTION {fn}(v text) RETURNS {sql_type} AS $$ "
                    f"BEGIN RETURN v::{sql_type}; EXCEPTION WHEN others THEN RETURN NULL; END; "
                    "$$ LANGUAGE plpgsql IMMUTABLE"
                )
                self._casts[key] = builtin_function(fn, (dt.string,), dt.dtype(key))
            cur.execute(
                "CREATE OR REPLACE FUNCTION assay_nfkc(v text) RETURNS text AS $$ SELECT normalize(v, NFKC) $$ LANGUAGE sql IMMUTABLE"
            )
            cur.execute(
                "CREATE OR REPLACE FUNCTION assay_try_to_timestamp(v text, f text) RETURNS timestamptz AS $$ "
                "BEGIN RETURN to_timestamp(v, f); EXCEPTION WHEN others THEN RETURN NULL; END; "
                "$$ LANGUAGE plpgsql IMMUTABLE"
            )
            cur.execute(
                "CREATE OR REPLACE FUNCTION assay_json_valid(v text) RETURNS boolean AS $$ "
                "BEGIN PERFORM v::json; RETURN v IS NOT NULL; EXCEPTION WHEN others THEN RETURN false; END; "
                "$$ LANGUAGE plpgsql IMMUTABLE"
            )
        self._md5 = builtin_function("md5", (dt.string,), dt.string)
        self._json_valid = builtin_function("assay_json_valid", (dt.string,), dt.boolean)
        self._try_timestamp = builtin_function("assay_try_to_timestamp", (dt.string, dt.string), dt.Timestamp(timezone="UTC"))
        self._nfkc = builtin_function("assay_nfkc", (dt.string,), dt.string)

    def try_cast(self, expr: ibis.Value, dtype: dt.DataType | str) -> ibis.Value:
        dtype = dt.dtype(dtype)
        key = _dtype_key(dtype)
        if key not in self._casts:
            return super().try_cast(expr, dtype)
        return self._casts[key](expr.cast("string"))

    def md5(self, expr: ibis.Value) -> ibis.Value:
        return self._md5(expr)

    def json_valid(self, expr: ibis.StringValue) -> ibis.BooleanValue:
        return ibis.ifelse(expr.isnull(), ibis.null(), self._json_valid(expr))

    def parses_as(self, expr: ibis.StringValue, strftime: str) -> ibis.BooleanValue:
        """`to_timestamp` checks field ranges but is lenient about widths and separators, so the
        text must also have the format's shape."""
        return expr.re_search(shape_regex(strftime)) & self._try_timestamp(expr, postgres_template(strftime)).notnull()

    def nfkc(self, expr: ibis.StringValue) -> ibis.StringValue:
        """Native `normalize(text, NFKC)` (PostgreSQL 13+, UTF-8 databases), via a SQL wrapper
        because the normal form is a keyword, not an argument Ibis can pass."""
        return self._nfkc(expr)

    def load_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        """COPY the rows as CSV: orders of magnitude faster than row inserts."""
        return self.load_batches(name, pa.RecordBatchReader.from_batches(data.schema, data.to_batches()))

    def load_batches(self, name: str, reader: pa.RecordBatchReader) -> ibis.Table:
        """One COPY fed batch by batch, so memory stays bounded by the batch size."""
        schema = ibis.schema({f.name: dt.dtype(f.type) for f in reader.schema})
        self.con.create_table(name, schema=schema, overwrite=True)
        columns = ", ".join('"' + c.replace('"', '""') + '"' for c in reader.schema.names)
        table = name.replace('"', '""')
        raw = self.con.con
        with raw.transaction(), raw.cursor() as cur, cur.copy(f'COPY "{table}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
            for batch in reader:
                buffer = io.BytesIO()
                pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
                copy.write(buffer.getvalue())
        return self.table(name)

    def _execute(self, sql: str) -> None:
        def run() -> None:
            with self.con.begin() as cur:
                cur.execute(sql)

        self._guard(run, None)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One server transaction; Ibis's own transaction blocks inside it become savepoints."""
        raw = self.con.con
        if raw.info.transaction_status != 0:  # an implicit read transaction is open: end it first
            raw.commit()
        with raw.transaction():
            yield

    @contextmanager
    def exclusive(self, key: str) -> Iterator[None]:
        """A session advisory lock: the server frees it when the holder's connection dies, so a
        killed run never leaves a stale lock behind."""
        raw = self.con.con
        holder = f"assay pid {os.getpid()} on {socket.gethostname()}"
        with raw.transaction(), raw.cursor() as cur:
            cur.execute("SELECT set_config('application_name', %s, false)", (holder[:63],))
            cur.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,))
            locked = cur.fetchone()[0]
            if not locked:
                cur.execute(
                    "SELECT a.application_name, a.client_addr::text, a.backend_start FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                    "AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(%s, 0) LIMIT 1",
                    (key,),
                )
                row = cur.fetchone()
        if not locked:
            who = (
                f"{row[0] or 'another session'} (from {row[1] or 'local socket'}) since {row[2]:%Y-%m-%d %H:%M:%S %Z}"
                if row
                else "another session"
            )
            raise RunLockedError(f"another run of this project is in progress on {self.display_url}: held by {who}")
        try:
            yield
        finally:
            with raw.transaction(), raw.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
