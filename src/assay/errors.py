"""The one error tree of assay.

    AssayError                 everything assay raises on purpose
    ├── ConfigError            the project file is wrong (names file, line, key path)
    ├── SourceError            an input file is missing or malformed (names source and field)
    ├── EngineError            the engine URL is wrong or the engine refused a query
    ├── RunError               a run could not complete; earlier history is untouched
    ├── RunLockedError         another run of the same project holds the run lock
    └── WarehouseVersionError  the warehouse was written by a newer assay

The CLI prints these as one clear message; anything else is a bug and shows a traceback.
"""

from __future__ import annotations


class AssayError(Exception):
    """Base of every error assay raises on purpose."""


class ConfigError(AssayError):
    """A project file that does not validate."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class SourceError(AssayError):
    """An input that cannot be read as declared."""


class EngineError(AssayError):
    """An engine that cannot be reached or that rejected a query.

    `sql` holds the full text of the rejected query (the message shows an excerpt).
    """

    def __init__(self, message: str, sql: str = ""):
        self.sql = sql
        super().__init__(message)


class RunError(AssayError):
    """A run that failed; it is recorded as failed and wrote no history."""


class RunLockedError(AssayError):
    """Another run of the same project is in progress; it names the holder and since when."""


class WarehouseVersionError(AssayError):
    """The warehouse's schema is newer than this assay understands."""
