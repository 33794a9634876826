"""The options every check kind shares, and the base its own options model extends."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    import ibis

    from assay.checks.plan import Context, Plan


class CheckOptions(BaseModel):
    """Options of one check. Subclasses add the kind's own keys and implement `plan` and `describe`.

    `kind` is set by `assay.checks.registry.register`; the project file writes it as the key of a
    one-key mapping (`- not_null: column`), which is what discriminates the models.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str] = ""
    shorthand: ClassVar[str | None] = None
    """The option a bare value fills (`- not_null: owner` sets `column`); None: a mapping is required."""
    fails_when: ClassVar[str] = ""
    """One line for the docs table: when a check of this kind fails."""
    example: ClassVar[str] = ""
    failing: ClassVar[str] = ""

    severity: Literal["error", "warn"] = "error"
    description: str = ""
    mostly: float | None = Field(default=None, gt=0, le=1)
    """Pass when at least this fraction of the judged rows passes (row kinds only)."""
    where: str | None = Field(default=None, min_length=1)
    """A row filter on the source's columns, applied before the check (see `assay.checks.expression`)."""
    samples: int = Field(default=5, ge=0, le=1000)
    """How many failing rows to keep, with their file and row number."""

    @field_validator("where")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        if value is not None:
            from assay.checks.expression import parse

            parse(value)
        return value

    def columns_read(self) -> list[str]:
        """Columns of the checked source this check reads (the loader checks they exist)."""
        found: list[str] = []
        for name in ("column", "column_a", "column_b", "columns", "order_by"):
            value = getattr(self, name, None)
            found.extend([value] if isinstance(value, str) else list(value or []))
        found = [c for c in found if not c.startswith("_")]  # `_row`: the file order, not a column
        if self.where:
            from assay.checks.expression import columns_of

            found.extend(columns_of(self.where))
        return list(dict.fromkeys(found))

    def references(self) -> list[tuple[str, str | None]]:
        """Other sources this check reads, as (source, column or None); the loader checks they exist."""
        return []

    def describe(self) -> str:
        """The default description, shown when the project file gives none."""
        raise NotImplementedError

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        """The check as Ibis expressions over `t` (the source, already filtered by `where`)."""
        raise NotImplementedError

    def text(self) -> str:
        return self.description or self.describe()
