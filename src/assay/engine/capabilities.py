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
    nfkc: bool = False
    """Text can be put in Unicode NFKC form inside the engine (`Engine.nfkc`; a vectorized Arrow
    UDF on DuckDB and Spark, native on PostgreSQL)."""
    temp_tables: bool = False
    """Session-scoped temporary tables exist (`Engine.create_scratch`): a run's large work tables
    then stay out of the durable warehouse and are never written to its file."""


DUCKDB = Capabilities(delete_rows=True, idna=False, transactions=True, nfkc=True, temp_tables=True)
POSTGRES = Capabilities(delete_rows=True, idna=False, transactions=True, nfkc=True, temp_tables=True)
PYSPARK = Capabilities(delete_rows=False, idna=False, nfkc=True)
