"""DuckDB: the embedded default, a file in the project folder."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import ibis
import pyarrow.compute as pc

from assay.engine.capabilities import DUCKDB
from assay.engine.engine import Engine
from assay.errors import EngineError

_HELD_BY = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


@ibis.udf.scalar.pyarrow
def assay_nfkc(value: str) -> str:
    """DuckDB has only NFC: NFKC comes from Arrow's utf8proc, one call per batch (no per-row Python)."""
    return pc.utf8_normalize(value, "NFKC")


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
        """DuckDB eliminates common subexpressions itself; a lambda over a list costs ~10x more."""
        return body(value)

    def nfkc(self, expr: ibis.StringValue) -> ibis.StringValue:
        return assay_nfkc(expr)

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
