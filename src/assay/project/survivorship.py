"""Survivorship rules: which record's value a golden field takes.

Written per field under `reconcile.assets.survivorship`, either as a list of sources (source
priority, the original form) or as `{rule: …}`; kept apart from `models.py` as one small section.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

RULES = ("source_priority", "most_recent", "most_frequent", "most_complete")


class Survivorship(BaseModel):
    """One field's rule. Ties go to source priority (`sources`, default the reconcile order),
    then to the smaller value, so the choice never depends on row order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: Literal["source_priority", "most_recent", "most_frequent", "most_complete"] = "source_priority"
    sources: list[str] | None = None
    by: str | None = None
    """For `most_recent`: the timestamp (or date) column that says how recent a record is."""

    @model_validator(mode="before")
    @classmethod
    def _list_is_priority(cls, value: Any) -> Any:
        return {"rule": "source_priority", "sources": value} if isinstance(value, list) else value

    @model_validator(mode="after")
    def _by_for_recent(self) -> Survivorship:
        if (self.rule == "most_recent") != (self.by is not None):
            raise ValueError("most_recent needs `by` (a timestamp column), and only most_recent takes it")
        return self
