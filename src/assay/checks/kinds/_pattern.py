"""Shared by the regex and like kinds: one pattern or a list, matched any/all."""

from __future__ import annotations

import re
from typing import Any, Literal

import ibis
from pydantic import BaseModel, Field, field_validator


class Patterns(BaseModel):
    pattern: list[str] = Field(min_length=1)
    """One pattern or a list of them."""
    match: Literal["any", "all"] = "any"
    """With several patterns: a value must match any of them (default) or all of them."""

    @field_validator("pattern", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def combine(self, tests: list[ibis.BooleanValue]) -> ibis.BooleanValue:
        return ibis.or_(*tests) if self.match == "any" else ibis.and_(*tests)


class RegexPatterns(Patterns):
    """Patterns that are regular expressions: each must compile, or the project file is refused."""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for p in value:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"{p!r} is not a regular expression: {exc}") from None
        return value
