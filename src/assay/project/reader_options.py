"""How a source's files are read: per-format options of `assay.yml` (`csv:`, `excel:`).

Defaults follow the standards (RFC 4180 for CSV); nothing is guessed from the data, so a file
reads the same whichever rows it happens to start with.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Encoding = Literal["utf-8", "latin-1", "windows-1252", "utf-16"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CsvOptions(_Strict):
    """RFC 4180 unless told otherwise: `,` between fields, `"` quotes, a doubled `""` escapes."""

    delimiter: str = Field(default=",", min_length=1, max_length=1)
    quote: str = Field(default='"', max_length=1)
    escape: str | None = Field(default=None, max_length=1)
    encoding: Encoding = "utf-8"
    header: bool = True
    skip_rows: int = Field(default=0, ge=0)
    comment: str | None = Field(default=None, min_length=1, max_length=1)
    null_values: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct_characters(self) -> CsvOptions:
        if self.quote and self.quote in self.delimiter:
            raise ValueError("quote and delimiter must differ")
        if self.comment and self.comment in (self.delimiter, self.quote):
            raise ValueError("comment must differ from the delimiter and the quote")
        if "\n" in self.delimiter or "\r" in self.delimiter:
            raise ValueError("the delimiter cannot contain a line break")
        return self

    @property
    def escape_char(self) -> str:
        """The escape character (the quote itself by default, as RFC 4180 doubles quotes)."""
        return self.quote if self.escape is None else self.escape


class ExcelOptions(_Strict):
    """Which sheet of a workbook holds the table (the first one by default)."""

    sheet: str | int = 0
    header_row: int = Field(default=1, ge=1)


class DatabaseSource(_Strict):
    """A table or a read-only query in a PostgreSQL or DuckDB database.

    The URL carries no password: PostgreSQL takes it from the environment (`PGPASSWORD`, or a
    `~/.pgpass` file), as every libpq client does, so the project file can be committed.
    """

    url: str = Field(pattern=r"^(postgres|postgresql|duckdb)://")
    table: str | None = Field(default=None, min_length=1)
    query: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_of_table_or_query(self) -> DatabaseSource:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of table or query")
        if self.url.startswith("postgres"):
            from urllib.parse import urlsplit

            if urlsplit(self.url).password:
                raise ValueError("the database URL must not contain a password; set PGPASSWORD in the environment")
        return self
