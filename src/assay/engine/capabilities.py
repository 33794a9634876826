"""What each backend can do natively, declared once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """Backend features that change how the engine layer compiles an operation.

    Each flag documents a real difference between engines. The engine subclasses implement the
    difference; a stage may read a flag to choose a documented fallback, never the engine's name.
    """

    try_cast: bool
    """`TRY_CAST` exists; otherwise the engine installs SQL functions that return NULL."""
    reads_files: bool
    """The backend reads Parquet itself; otherwise staged rows are bulk-copied over the wire."""
    delete_rows: bool
    """`DELETE ... WHERE` works on ordinary tables (not on Spark's file tables)."""
    idna: bool
    """Unicode host names can be converted to punycode inside the engine."""
    nfkc: bool = False
    """Text can be put in Unicode NFKC form inside the engine (`Engine.nfkc`)."""
    nfkc_udf: bool = False
    """…but only through a vectorized Python (Arrow) UDF, which costs more than a native function."""


DUCKDB = Capabilities(try_cast=True, reads_files=True, delete_rows=True, idna=False, nfkc=True, nfkc_udf=True)
POSTGRES = Capabilities(try_cast=False, reads_files=False, delete_rows=True, idna=False, nfkc=True)
PYSPARK = Capabilities(try_cast=True, reads_files=True, delete_rows=False, idna=False, nfkc=True, nfkc_udf=True)
