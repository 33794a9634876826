"""Option types several kinds share: literal values and inclusive/exclusive bounds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
from pydantic import BaseModel, model_validator

Value = bool | int | float | datetime | date | str
"""A literal in the project file: YAML gives numbers, dates and timestamps their own types."""


class Bounds(BaseModel):
    """`min` / `max`, inclusive unless `strict_min` / `strict_max`; a bound left out is no limit
    (with neither, the check only records the observed value)."""

    min: Value | None = None
    max: Value | None = None
    strict_min: bool = False
    strict_max: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Any:
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
        return ibis.and_(*checks) if checks else ibis.literal(True)

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


def require_comparable(column: ibis.Value, name: str, bounds: list[Any]) -> None:
    """A ValueError when a bound cannot be compared with the column (a number against text)."""
    dtype = column.type()
    for bound in bounds:
        if bound is None:
            continue
        number = isinstance(bound, int | float) and not isinstance(bound, bool)
        temporal = isinstance(bound, date | datetime) or (isinstance(bound, str) and dtype.is_temporal())
        if (
            (dtype.is_numeric() and not number)
            or (dtype.is_temporal() and not temporal)
            or (dtype.is_string() and not isinstance(bound, str))
        ):
            raise ValueError(f"column {name!r} holds {dtype} values and cannot be compared with {bound!r} ({type(bound).__name__})")


def require_text(column: ibis.Value, name: str, kind: str) -> None:
    """A ValueError when a kind that reads text is pointed at a column of another type."""
    if not column.type().is_string():
        raise ValueError(f"{kind} reads text, and column {name!r} holds {column.type()} values")


class RowBounds(Bounds):
    """Bounds for kinds that judge each row: at least one bound is required."""

    @model_validator(mode="after")
    def _some_bound(self) -> Any:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self
