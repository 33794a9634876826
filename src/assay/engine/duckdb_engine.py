"""DuckDB: the embedded default, a file in the project folder."""

from __future__ import annotations

import functools
import inspect
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import pyarrow.compute as pc

from assay.engine.capabilities import DUCKDB
from assay.engine.engine import Engine
from assay.errors import EngineError

_HELD_BY = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


@ibis.udf.scalar.pyarrow
def assay_nfkc(value: str) -> str:
    """DuckDB has only NFC: NFKC comes from Arrow's utf8proc, one call per batch (no per-row Python)."""
    return pc.utf8_normalize(value, "NFKC")


@functools.cache
def _regex_groups_udf(count: int) -> Callable[..., ibis.Value]:
    """DuckDB's `regexp_extract(text, pattern, names)`: every group in one pass, as a struct
    (one function per group count, since the struct's fields are part of the type)."""
    struct = dt.Struct({f"g{i}": dt.string for i in range(1, count + 1)})

    @ibis.udf.scalar.builtin(name="regexp_extract", signature=((dt.string, dt.string, dt.Array(dt.string)), struct))
    def groups(text: str, pattern: str, names: list[str]) -> dict:  # type: ignore[empty-body]
        ...

    return groups


@ibis.udf.scalar.builtin(name="coalesce")
def _once(value: str) -> str:  # type: ignore[empty-body]
    """`COALESCE(x)` is `x`: a marker for a value `select_once` computes once per row."""
    ...


def _hoisted(node: ops.Node) -> bool:
    return isinstance(node, ops.ScalarUDF) and node.__func_name__ in ("regexp_extract", "coalesce")


@functools.cache
def _arg_min_n(value: dt.DataType, key: dt.DataType) -> Callable[..., ibis.Value]:
    def _fn(*values): ...

    # Ibis names the arguments from the signature (see `builtin_function`).
    _fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(f"arg{i}", inspect.Parameter.POSITIONAL_OR_KEYWORD) for i in range(3)]
    )
    return ibis.udf.agg.builtin(name="arg_min", signature=((value, key, dt.int64), dt.Array(value)))(_fn)


def snapshot_path(path: Path) -> Path:
    """The read-only copy of a warehouse file as of its latest successful run."""
    return path.with_name(path.name + ".published")


class DuckDBEngine(Engine):
    """DuckDB allows one process to open a file for writing, and while it does, no other process
    may open it at all. So that reports and the dashboard keep working while a run writes, each
    successful run leaves a read-only copy beside the file (`<file>.published`), and a process that
    finds the file locked reads that copy: exactly the last successful run, never a partial one.
    """

    name = "duckdb"
    capabilities = DUCKDB

    def __init__(self, con: ibis.BaseBackend, display_url: str, path: Path | None = None, read_only: bool = False):
        super().__init__(con, display_url)
        self.path = path
        self.read_only = read_only

    @classmethod
    def open(cls, path: Path, display_url: str) -> DuckDBEngine:
        """Open the warehouse file, or its published copy when a run holds the file."""
        try:
            return cls(ibis.duckdb.connect(str(path)), display_url, path)
        except duckdb.IOException as exc:
            held = _HELD_BY.search(str(exc))
            if held is None:
                raise
            copy = snapshot_path(path)
            if not copy.exists():
                raise EngineError(
                    f"the warehouse {path.name} is in use by process {held.group(2)} ({held.group(1)}), "
                    "probably a run; DuckDB lets one process open it, and no successful run has been published yet"
                ) from None
            return cls(ibis.duckdb.connect(str(copy), read_only=True), f"{display_url} (published copy; a run is writing)", path, True)

    def published(self) -> None:
        """Refresh the read-only copy after a successful run (atomic rename: a reader of the old copy
        keeps reading it)."""
        if self.path is None or self.read_only:
            return
        self.con.raw_sql("CHECKPOINT")
        target = snapshot_path(self.path)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(self.path, partial)
        os.replace(partial, target)

    def let(self, value: ibis.Value, body: Callable[[ibis.Value], ibis.StringValue]) -> ibis.StringValue:
        """A lambda over a list costs ~10x more here; a text value is marked instead, and
        `select_once` computes it once (DuckDB shares common subexpressions, but not inside CASE)."""
        return body(_once(value) if value.type().is_string() else value)

    def regex_groups(self, text: ibis.StringValue, pattern: str, count: int) -> list[ibis.StringValue]:
        """One regex pass for all groups (a struct); `select_once` keeps it to one per row."""
        names = [f"g{i}" for i in range(1, count + 1)]
        groups = _regex_groups_udf(count)(text, pattern, ibis.literal(names, type="array<string>"))
        return [groups[name].nullif("") for name in names]

    def select_once(self, table: ibis.Table, values: dict[str, ibis.Value]) -> ibis.Table:
        """Compute each distinct `regex_groups` struct and `let` value in an inner projection, then `values` over it.

        DuckDB does not share common subexpressions inside CASE branches, where the parsers
        read their groups, so an inline struct would be recomputed per reference (measured: a
        timestamp column 12x slower); a column of a subquery is computed once.
        """
        found = list(dict.fromkeys(n for v in values.values() for n in v.op().find(_hoisted)))
        if not found:
            return table.select(**values)
        inner = table.mutate(**{f"_assay_groups_{i}": node.to_expr() for i, node in enumerate(found)})
        hoisted = {node: ops.Field(inner.op(), f"_assay_groups_{i}") for i, node in enumerate(found)}
        base = table.op()

        def rebase(node: ops.Node, kwargs: dict | None) -> ops.Node:
            if node in hoisted:
                return hoisted[node]
            if isinstance(node, ops.Field) and node.rel == base:
                return ops.Field(inner.op(), node.name)
            return node.__recreate__(kwargs) if kwargs else node

        return inner.select(**{name: value.op().replace(rebase).to_expr() for name, value in values.items()})

    def nfkc(self, expr: ibis.StringValue) -> ibis.StringValue:
        return assay_nfkc(expr)

    def first_rows(self, value: ibis.StructValue, key: ibis.Value, n: int, where: ibis.BooleanValue) -> ibis.ArrayValue:
        """`arg_min(value, key, n)`: a bounded top-n kept while aggregating, not a sort."""
        return _arg_min_n(value.type(), key.type())(value, key, n, where=where)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """DuckDB's transactions cover DDL too: a replaced table and the run marker commit as one."""
        raw = self.con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")

    @contextmanager
    def file_reader(self, outputs: Sequence[str]) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse connection itself: files are read straight into warehouse tables."""
        yield self.con.con
