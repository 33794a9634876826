"""The Engine base class: the small surface every stage uses to run Ibis expressions.

Backends subclass it (`duckdb_engine.py`, `postgres_engine.py`, `spark_engine.py`) and override
only what their :class:`Capabilities` say differs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa

from assay.engine.capabilities import Capabilities
from assay.engine.expressions import bind
from assay.errors import EngineError

log = logging.getLogger("assay.engine")

FILE_BATCH_ROWS = 100_000
"""Rows per Arrow batch when parsed files move to an engine other than DuckDB (bounds memory)."""


class Engine:
    """A connected backend plus the capability-driven helpers stages need.

    Stages build expressions against `Engine.table(...)` and hand them back to
    `create_table`, `insert` or `to_arrow`; failures come back as `EngineError` carrying the SQL,
    so a bad query is diagnosable without a debugger.
    """

    name: str = ""
    capabilities: Capabilities

    def __init__(self, con: ibis.BaseBackend, display_url: str):
        self.con = con
        self.display_url = display_url

    # --- tables -------------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def exists(self, name: str) -> bool:
        return name in self.con.list_tables()

    def create_table(self, name: str, obj: ibis.Table | pa.Table) -> ibis.Table:
        """Create or replace `name` from an expression or an Arrow table."""
        if isinstance(obj, pa.Table):
            return self.load_arrow(name, obj)
        self._guard(lambda: self.con.create_table(name, obj, overwrite=True), obj)
        return self.table(name)

    def create_empty(self, name: str, schema: ibis.Schema) -> None:
        self._guard(lambda: self.con.create_table(name, schema=schema, overwrite=False), None)

    def insert(self, name: str, obj: ibis.Table) -> None:
        """Append rows, casting them to the target's schema so every engine stores the same types."""
        target = self.table(name).schema()
        aligned = obj.select([obj[c].cast(t).name(c) for c, t in target.items()])
        self._guard(lambda: self.con.insert(name, aligned), aligned)

    def drop(self, name: str) -> None:
        """Drop `name` whether it is a table or a view (`src_<source>` was a table in older warehouses)."""
        if not self.exists(name):
            return
        try:
            self.con.drop_table(name, force=True)
        except Exception:  # noqa: BLE001 - each backend raises its own type for "that is a view"
            self.con.drop_view(name, force=True)

    def replace_view(self, name: str, expr: ibis.Table) -> ibis.Table:
        """(Re)define `name` as a view of `expr`, replacing a table or a view of that name."""
        self.drop(name)
        self._guard(lambda: self.con.create_view(name, expr, overwrite=True), expr)
        return self.table(name)

    def delete_run(self, name: str, run_id: str) -> None:
        """Remove a failed run's rows from a history table where the backend can delete.

        Readers only ever see rows of successful runs, so a backend without DELETE stays correct.
        """
        if self.capabilities.delete_rows and self.exists(name):
            self._delete_where_run(name, run_id)

    def _delete_where_run(self, name: str, run_id: str) -> None:
        raise NotImplementedError

    # --- moving data ----------------------------------------------------------------------
    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        return self._guard(lambda: self.con.to_pyarrow(expr), expr)

    def scalar(self, expr: ibis.Scalar) -> Any:
        value = self._guard(lambda: self.con.to_pyarrow(expr), expr)
        return value.as_py() if hasattr(value, "as_py") else value

    def load_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        """Bulk-load an Arrow table with the backend's fastest path."""
        self._guard(lambda: self.con.create_table(name, data, overwrite=True), None)
        return self.table(name)

    @contextmanager
    def file_reader(self, outputs: Sequence[str]) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection to parse input files on; the tables named in `outputs` end up on this engine.

        DuckDB is the file parser for every engine (RFC 4180, line numbers, rejects), so a broken
        file is quarantined identically everywhere. Here it runs in memory and each output table
        is streamed to the engine in bounded batches; the DuckDB engine reads into itself.
        """
        con = duckdb.connect()
        try:
            yield con
            for name in outputs:
                reader = con.execute(f'SELECT * FROM "{name}"').to_arrow_reader(FILE_BATCH_ROWS)
                self.load_batches(name, reader)
        finally:
            con.close()

    def load_batches(self, name: str, reader: pa.RecordBatchReader) -> ibis.Table:
        """Create `name` from a stream of Arrow batches; engines override this to keep memory bounded."""
        return self.load_arrow(name, reader.read_all())

    # --- portable expressions -------------------------------------------------------------
    def try_cast(self, expr: ibis.Value, dtype: dt.DataType | str) -> ibis.Value:
        """Cast text to `dtype`, giving NULL where the text is not a valid value."""
        return expr.try_cast(dt.dtype(dtype))

    def md5(self, expr: ibis.Value) -> ibis.Value:
        """Hex MD5 of a string: identical on every engine, used for stable fingerprints."""
        return expr.hexdigest("md5")

    # --- internals ------------------------------------------------------------------------
    def _guard(self, action: Callable[[], Any], expr: ibis.Expr | None) -> Any:
        try:
            return action()
        except EngineError:
            raise
        except Exception as exc:  # backends raise their own types; we attach the SQL
            sql = ""
            if expr is not None:
                try:
                    sql = str(self.con.compile(expr))
                except Exception:  # noqa: BLE001 - the SQL is a diagnostic extra
                    sql = "<could not compile>"
            log.debug("query failed on %s: %s\n%s", self.name, exc, sql)
            raise EngineError(f"{self.name} rejected a query: {type(exc).__name__}: {exc}\nSQL:\n{sql}") from exc

    def close(self) -> None:
        self.con.disconnect()

    # --- normalization hooks (see assay.normalize) ------------------------------------------
    def idna_to_ascii(self, expr: ibis.StringValue) -> ibis.StringValue:
        """Punycode each label of a lower-cased host name; only engines declaring `idna` implement it."""
        raise NotImplementedError(f"{self.name} does not declare the idna capability")

    def let(self, value: ibis.Value, body: Callable[[ibis.Value], ibis.StringValue]) -> ibis.StringValue:
        """`body(value)` with `value` evaluated once (see `assay.engine.expressions.bind`); engines
        whose optimizer eliminates common subexpressions inline it, which is cheaper."""
        return bind(value, body)

    def nfkc(self, expr: ibis.StringValue) -> ibis.StringValue:
        """Unicode NFKC form of a string; only engines declaring `nfkc` implement it."""
        raise NotImplementedError(f"{self.name} does not declare the nfkc capability")


def builtin_function(fn_name: str, args: tuple[dt.DataType, ...], returns: dt.DataType) -> Callable[..., ibis.Value]:
    """Declare a SQL function that exists in the backend so Ibis can call it."""

    @ibis.udf.scalar.builtin(name=fn_name, signature=(args, returns))
    def _fn(*values): ...

    return _fn
