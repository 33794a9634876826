"""What each backend can do natively, declared once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """Backend features that change how the engine layer compiles an operation.

    Differences with one portable answer (safe casts, bulk loading) are simply implemented by the
    engine subclasses; a flag exists where a stage must choose a documented fallback, so it reads
    the flag, never the engine's name.
    """

    delete_rows: bool
    """`DELETE ... WHERE` works on ordinary tables (not on Spark's file tables)."""
    idna: bool
    """Unicode host names can be converted to punycode inside the engine."""
    transactions: bool = False
    """Several writes (DDL included) can be committed or rolled back as one; where not, runs are
    published by a final marker that every reader filters on (see `assay.run.publish`)."""
    first_rows: bool = False
    """An aggregate can keep the first n rows by a key (`Engine.first_rows`, DuckDB's `arg_min(x, key, n)`),
    so a check's sample rows come out of its source's one scan instead of a query of their own."""
    nfkc: bool = False
    """Text can be put in Unicode NFKC form inside the engine (`Engine.nfkc`; a vectorized Arrow
    UDF on DuckDB and Spark, native on PostgreSQL)."""


DUCKDB = Capabilities(delete_rows=True, idna=False, transactions=True, nfkc=True, first_rows=True)
POSTGRES = Capabilities(delete_rows=True, idna=False, transactions=True, nfkc=True)
PYSPARK = Capabilities(delete_rows=False, idna=False, nfkc=True)
