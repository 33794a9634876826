"""Durations written the way people write them in config: `7d`, `36h`, `2w`, `30m`."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PATTERN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")


def parse_duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    match = _PATTERN.match(str(value)) if isinstance(value, (str, int)) else None
    if not match:
        raise ValueError(f"expected a duration like 7d, 36h, 2w or 30m, got {value!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for suffix, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{suffix}"
    return f"{seconds // 60}m"


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)]
