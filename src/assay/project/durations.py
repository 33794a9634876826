"""Durations written the way people write them in config: `7d`, `36h`, `2w`, `30m`."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}
_PATTERN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
MAX_DURATION = timedelta(days=36525)
"""A hundred years: longer durations are typos, and subtracting them from a date could overflow."""
MAX_MINUTES = MAX_DURATION // timedelta(minutes=1)


def parse_duration(value: object) -> timedelta:
    """Parse `7d`-style text; refuse anything longer than MAX_DURATION so date arithmetic cannot overflow."""
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    if isinstance(value, timedelta):
        minutes = value // timedelta(minutes=1)
    else:
        match = _PATTERN.match(value) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"expected a duration like 7d, 36h, 2w or 30m, got {shown}")
        digits, unit = match.group(1), match.group(2)
        minutes = int(digits) * _UNIT_MINUTES[unit] if len(digits) <= 12 else MAX_MINUTES + 1
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValueError(f"duration {shown} is out of range: at most {MAX_DURATION.days}d (100 years)")
    return timedelta(minutes=minutes)


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for suffix, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{suffix}"
    return f"{seconds // 60}m"


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)]
