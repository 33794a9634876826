"""Option types several kinds share: literal values and inclusive/exclusive bounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
from pydantic import BaseModel, model_validator

Value = bool | int | float | datetime | date | str
"""A literal in the project file: YAML gives numbers, dates and timestamps their own types."""


class Bounds(BaseModel):
    """`min` / `max` (either may be left out, not both), inclusive unless `strict_min` / `strict_max`."""

    min: Value | None = None
    max: Value | None = None
    strict_min: bool = False
    strict_max: bool = False

    @model_validator(mode="after")
    def _one_bound(self) -> Any:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and _comparable(self.min, self.max) and self.min > self.max:  # type: ignore[operator]
            raise ValueError(f"min {self.min!r} is greater than max {self.max!r}")
        return self

    def within(self, value: Any) -> Any:
        """True where `value` lies within the bounds; NULL where it is NULL."""
        checks = []
        if self.min is not None:
            checks.append(value > self.min if self.strict_min else value >= self.min)
        if self.max is not None:
            checks.append(value < self.max if self.strict_max else value <= self.max)
        return ibis.and_(*checks)

    def bounds_text(self) -> str:
        low = f"{'>' if self.strict_min else '≥'} {self.min}" if self.min is not None else ""
        high = f"{'<' if self.strict_max else '≤'} {self.max}" if self.max is not None else ""
        return " and ".join(p for p in (low, high) if p)


def _comparable(a: Any, b: Any) -> bool:
    return type(a) is type(b) or (isinstance(a, int | float) and isinstance(b, int | float))


def literal_like(value: Any, column: ibis.Value) -> Any:
    """`value` as a literal of the column's type where the YAML type differs (a date bound on a timestamp column)."""
    if isinstance(value, date) and not isinstance(value, datetime) and column.type().is_timestamp():
        return ibis.literal(datetime(value.year, value.month, value.day))
    if isinstance(value, str) and (column.type().is_temporal()):
        return ibis.literal(value).cast(column.type())
    return value
