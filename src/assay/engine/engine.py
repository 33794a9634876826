"""The Engine base class: the small surface every stage uses to run Ibis expressions.

Backends subclass it (`duckdb_engine.py`, `postgres_engine.py`, `spark_engine.py`) and override
only what their :class:`Capabilities` say differs.
"""

from __future__ import annotations

import inspect
import logging
import os
import signal
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

FAULT_ENV = "ASSAY_FAULT_AFTER_WRITES"
"""Testing aid: the process kills itself (SIGKILL, no clean-up) when it is about to make its
Nth write, so crash tests can stop a real run at any write."""

EXCERPT_HEAD, EXCERPT_TAIL = 1200, 300
"""How much of a long text an error message shows: generated SQL runs to tens of kilobytes, and
backends quote the query, its plan or a worker's traceback (whose last line names the cause)."""


def excerpt(text: str) -> str:
    """The start and end of `text`, saying how much was left out and where to see it."""
    if len(text) <= EXCERPT_HEAD + EXCERPT_TAIL:
        return text
    left_out = len(text) - EXCERPT_HEAD - EXCERPT_TAIL
    return f"{text[:EXCERPT_HEAD]}\n… [{left_out:,} characters left out; --debug shows all] …\n{text[-EXCERPT_TAIL:]}"


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
    read_only: bool = False
    """Connected to a read-only copy of the warehouse (see `DuckDBEngine`): fine for reports, not for runs."""

    def __init__(self, con: ibis.BaseBackend, display_url: str):
        self.con = con
        self.display_url = display_url
        self._writes = 0
        self._fault_after = int(os.environ.get(FAULT_ENV, "0") or 0)

    # --- tables -------------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        return self.con.table(name)

    def exists(self, name: str) -> bool:
        return name in self.con.list_tables()

    def create_table(self, name: str, obj: ibis.Table | pa.Table) -> ibis.Table:
        """Create or replace `name` from an expression or an Arrow table."""
        if isinstance(obj, pa.Table):
            return self.load_arrow(name, obj)
        self._write()
        self._guard(lambda: self.con.create_table(name, obj, overwrite=True), obj)
        return self.table(name)

    def scratch(self, name: str, expr: ibis.Table) -> ibis.Table:
        """Compute `expr` once into a table of this session only, for a result that several queries
        read (writing a large intermediate to the warehouse costs more than computing it); it
        vanishes with the connection and is not a warehouse write. `drop` removes it."""
        # Dropped first rather than `overwrite=True`: Ibis overwrites a temporary table by copying it.
        self.drop(name)
        self._guard(lambda: self.con.create_table(name, expr, temp=True), expr)
        return self.table(name)

    def create_empty(self, name: str, schema: ibis.Schema) -> None:
        self._write()
        self._guard(lambda: self.con.create_table(name, schema=schema, overwrite=False), None)

    def insert(self, name: str, obj: ibis.Table) -> None:
        """Append rows, casting them to the target's schema so every engine stores the same types."""
        target = self.table(name).schema()
        aligned = obj.select([obj[c].cast(t).name(c) for c, t in target.items()])
        self._write()
        self._guard(lambda: self.con.insert(name, aligned), aligned)

    def drop(self, name: str) -> None:
        """Drop `name` whether it is a table or a view (`src_<source>` was a table in older warehouses)."""
        if not self.exists(name):
            return
        self._write()
        try:
            self.con.drop_table(name, force=True)
        except Exception:  # noqa: BLE001 - each backend raises its own type for "that is a view"
            self.con.drop_view(name, force=True)

    def replace_view(self, name: str, expr: ibis.Table) -> ibis.Table:
        """(Re)define `name` as a view of `expr`, replacing a table or a view of that name; the view
        persists, so other processes (readers, the next run) see it."""
        self.drop(name)
        self._write()
        self._create_view(name, expr)
        return self.table(name)

    def _create_view(self, name: str, expr: ibis.Table) -> None:
        self._guard(lambda: self.con.create_view(name, expr, overwrite=True), expr)

    def keep_runs(self, name: str, keep: ibis.Table) -> None:
        """Delete the rows of `name` whose `run_id` is not in `keep` (an expression over stored tables).

        Only where the backend can delete; elsewhere the rows stay and readers, who only ever see
        rows of successful runs, never see them.
        """
        if not (self.capabilities.delete_rows and self.exists(name)):
            return
        self._write()
        kept = self.con.compile(keep.select("run_id"))
        self._execute(f'DELETE FROM "{_ident(name)}" WHERE run_id NOT IN ({kept})')

    def add_column(self, table: str, column: str, dtype: dt.DataType | str) -> None:
        """Add a nullable column (warehouse migrations)."""
        self._write()
        sql_type = self.con.compiler.type_mapper.from_ibis(dt.dtype(dtype)).sql(self.con.dialect)
        self._execute(f'ALTER TABLE "{_ident(table)}" ADD COLUMN "{_ident(column)}" {sql_type}')

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write inside commits together or not at all, where the backend has transactions.

        Without them (Spark) the writes happen one by one, and the run publishes by a final marker
        instead; callers do not need to know which.
        """
        yield

    def published(self) -> None:
        """Called after a run is published: engines that serve readers from a copy refresh it."""

    @contextmanager
    def exclusive(self, key: str) -> Iterator[None]:
        """Hold a lock named `key` on the server for the block, where the engine is a shared server.

        Embedded and local engines rely on the project's lock file (`assay.run.lock`).
        """
        yield

    def _execute(self, sql: str) -> None:
        """Run one statement built by the engine layer from quoted identifiers and compiled Ibis."""
        self._guard(lambda: self.con.raw_sql(sql), None)

    def _write(self) -> None:
        self._writes += 1
        if self._fault_after and self._writes >= self._fault_after:
            os.kill(os.getpid(), signal.SIGKILL)

    # --- moving data ----------------------------------------------------------------------
    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        return self._guard(lambda: self.con.to_pyarrow(expr), expr)

    def scalar(self, expr: ibis.Scalar) -> Any:
        value = self._guard(lambda: self.con.to_pyarrow(expr), expr)
        return value.as_py() if hasattr(value, "as_py") else value

    def load_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        """Bulk-load an Arrow table with the backend's fastest path."""
        self._write()
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

    def local_to_utc(self, local: ibis.TimestampValue, zone: str) -> ibis.TimestampValue:
        """The naive UTC instant of wall-clock time `local` in the IANA `zone`, read as Python's
        zoneinfo reads it with `fold=0`.

        A wall time skipped by a spring-forward gap takes the offset in force before the gap
        (02:30 in Berlin on 29 March 2026 is 01:30 UTC); one that occurs twice at a fall-back is its
        first occurrence (02:30 on 25 October 2026 is 00:30 UTC). The engines agree on gaps but
        not on overlaps (ICU and PostgreSQL take the later occurrence, Java the earlier), so the
        native answer is corrected here, once: the offset in force 14 hours earlier (before any
        transition near this wall time) gives the first occurrence, kept when it maps back to
        `local`. Assumes no zone changes offset twice within a day, which holds for the IANA
        database since 1970.
        """
        native = self._wall_to_utc(local, zone)
        probe = (local - ibis.interval(hours=14)).truncate("m")
        offset_seconds = (self._utc_to_wall(probe, zone).epoch_seconds() - probe.epoch_seconds()).cast("int64")
        first = local - offset_seconds.as_interval("s")
        return ibis.ifelse((self._utc_to_wall(first, zone) == local) & (first < native), first, native)

    def _wall_to_utc(self, local: ibis.TimestampValue, zone: str) -> ibis.TimestampValue:
        """The engine's own wall-time → UTC conversion (`timezone()`, shared by DuckDB's ICU and
        PostgreSQL; both keep a naive timestamp's meaning independent of the session zone)."""
        return _timezone_to_naive(ibis.literal("UTC"), _timezone_of_naive(ibis.literal(zone), local))

    def _utc_to_wall(self, utc: ibis.TimestampValue, zone: str) -> ibis.TimestampValue:
        """The wall-clock time in `zone` at naive UTC instant `utc` (never ambiguous)."""
        return _timezone_to_naive(ibis.literal(zone), _timezone_of_naive(ibis.literal("UTC"), utc))

    def md5(self, expr: ibis.Value) -> ibis.Value:
        """Hex MD5 of a string: identical on every engine, used for stable fingerprints."""
        return expr.hexdigest("md5")

    def first_rows(self, value: ibis.StructValue, key: ibis.Value, n: int, where: ibis.BooleanValue) -> ibis.ArrayValue:
        """An aggregate: the `n` values with the smallest `key` among rows where `where` holds;
        only engines declaring `first_rows` implement it."""
        raise NotImplementedError(f"{self.name} does not declare the first_rows capability")

    def json_valid(self, expr: ibis.StringValue) -> ibis.BooleanValue:
        """True where the text parses as JSON (any JSON value), NULL where it is NULL."""
        return _json_valid(expr)

    def parses_as(self, expr: ibis.StringValue, strftime: str) -> ibis.BooleanValue:
        """True where the text is a date-time written in the C `strftime` format (`%Y-%m-%d`)."""
        return _try_strptime(expr, strftime).notnull()

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
            message = f"{self.name} rejected a query: {type(exc).__name__}: {excerpt(str(exc))}"
            if sql:
                message += f"\nSQL ({len(sql):,} characters):\n{excerpt(sql)}"
            raise EngineError(message, sql) from exc

    def close(self) -> None:
        self.con.disconnect()

    # --- normalization hooks (see assay.normalize) ------------------------------------------
    def idna_to_ascii(self, expr: ibis.StringValue) -> ibis.StringValue:
        """Punycode each label of a lower-cased host name; only engines declaring `idna` implement it."""
        raise NotImplementedError(f"{self.name} does not declare the idna capability")

    def regex_groups(self, text: ibis.StringValue, pattern: str, count: int) -> list[ibis.StringValue]:
        """Capture groups 1..`count` of `pattern` in `text`, NULL where it does not match or a
        group captured nothing. Engines that capture every group in one pass override this."""
        return [text.re_extract(pattern, i).nullif("") for i in range(1, count + 1)]

    def select_once(self, table: ibis.Table, values: dict[str, ibis.Value]) -> ibis.Table:
        """`table.select(**values)`; engines whose `regex_groups` yields a value referenced many
        times compute it once per row here (see the DuckDB engine)."""
        return table.select(**values)

    def let(self, value: ibis.Value, body: Callable[[ibis.Value], ibis.StringValue]) -> ibis.StringValue:
        """`body(value)` with `value` evaluated once (see `assay.engine.expressions.bind`); engines
        whose optimizer eliminates common subexpressions inline it, which is cheaper."""
        return bind(value, body)

    def nfkc(self, expr: ibis.StringValue) -> ibis.StringValue:
        """Unicode NFKC form of a string; only engines declaring `nfkc` implement it."""
        raise NotImplementedError(f"{self.name} does not declare the nfkc capability")


def _ident(name: str) -> str:
    return name.replace('"', '""')


def builtin_function(fn_name: str, args: tuple[dt.DataType, ...], returns: dt.DataType) -> Callable[..., ibis.Value]:
    """Declare a SQL function that exists in the backend so Ibis can call it."""

    def _fn(*values): ...

    # Ibis names the arguments from inspect.signature, which honours `__signature__` (PEP 362);
    # typeshed does not declare that attribute on functions.
    _fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(f"arg{i}", inspect.Parameter.POSITIONAL_OR_KEYWORD) for i in range(len(args))]
    )
    return ibis.udf.scalar.builtin(name=fn_name, signature=(args, returns))(_fn)


_TIMESTAMPTZ = dt.Timestamp(timezone="UTC")
_timezone_of_naive = builtin_function("timezone", (dt.string, dt.timestamp), _TIMESTAMPTZ)
"""`timezone(zone, timestamp)`: the instant at which the wall clock in `zone` shows the value."""
_timezone_to_naive = builtin_function("timezone", (dt.string, _TIMESTAMPTZ), dt.timestamp)
"""`timezone(zone, timestamptz)`: the wall-clock time in `zone` at the instant."""
_json_valid = builtin_function("json_valid", (dt.string,), dt.boolean)
_try_strptime = builtin_function("try_strptime", (dt.string, dt.string), dt.timestamp)
