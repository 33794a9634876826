"""unique: a column (or several together) identifies one row."""

from __future__ import annotations

from typing import Any, Literal

import ibis
from pydantic import Field, field_validator

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register(
    "unique",
    "two rows share the key (rows with a NULL key part are not judged)",
    shorthand="columns",
    example="unique: asset_id",
    failing="two rows with asset_id `A-1`",
)
class Unique(CheckOptions):
    columns: list[str] = Field(min_length=1)
    ignore_if: Literal["any_null", "all_null", "never"] = "any_null"
    """Rows not judged: a NULL key part (default), all key parts NULL, or none (NULLs then compare equal)."""

    @field_validator("columns", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def describe(self) -> str:
        return f"{' + '.join(self.columns)} identifies one row"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        judged = {
            "any_null": ibis.and_(*(t[c].notnull() for c in self.columns)),
            "all_null": ibis.or_(*(t[c].notnull() for c in self.columns)),
            "never": ibis.literal(True),
        }[self.ignore_if]
        # A partition holds rows with equal keys (NULLs equal), so rows that are not judged only
        # share one with rows that are not judged either; `isnull()` is never NULL, so counting it
        # counts the partition's rows.
        rows = t[self.columns[0]].isnull().count().over(ibis.window(group_by=self.columns))
        # Samples come from a join on the duplicated keys: a hash aggregate, not a second window.
        base = t.filter(judged)
        keys = base.group_by(self.columns).aggregate(_assay_rows=ibis._.count()).filter(ibis._["_assay_rows"] > 1)
        same = [base[c] == keys[c] if self.ignore_if == "any_null" else base[c].identical_to(keys[c]) for c in self.columns]
        return Plan(failing=judged & (rows > 1), judged=judged, failing_rows=base.semi_join(keys, same))
