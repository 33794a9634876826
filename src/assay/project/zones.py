"""Time zones a project may name: `UTC`, a fixed offset (`+02:00`), or an IANA name (`Europe/Berlin`).

Names are checked against Python's IANA database when the project loads, so a typo fails
`assay validate` instead of turning every value into a quarantined row at run time.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

_FIXED = re.compile(r"([+-])([01][0-9]|2[0-3]):([0-5][0-9])")


@cache
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


def canonical_zone(zone: str) -> str:
    """`UTC` for UTC in any spelling, else the fixed offset or IANA name unchanged; ValueError if unknown."""
    if zone.upper() in ("UTC", "Z", "+00:00", "-00:00"):
        return "UTC"
    if _FIXED.fullmatch(zone) or zone in _iana_names():
        return zone
    raise ValueError(f"time zone {zone!r} is not UTC, a fixed offset like +02:00, or an IANA name like Europe/Berlin")


def fixed_offset_minutes(zone: str) -> int | None:
    """Minutes east of UTC for `UTC` or a fixed offset; None for an IANA zone (its offset varies)."""
    if zone == "UTC":
        return 0
    match = _FIXED.fullmatch(zone)
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return sign * (int(match.group(2)) * 60 + int(match.group(3)))
