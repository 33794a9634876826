"""The as-of instant a run is evaluated at: the end of a UTC day, or an exact instant.

People read "as of 20 November" as "through the end of 20 November", so a date means its last
microsecond in UTC (2026-11-20T23:59:59.999999): everything stamped that day counts, nothing of
the 21st does. An ISO instant with an offset (`2026-11-20T15:00:00+01:00`) is taken exactly.
Instants are naive UTC, like every stored timestamp.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from assay.errors import AssayError

AsOf = date | datetime
"""A date (its end, UTC) or an aware instant."""


def parse_as_of(text: str) -> AsOf:
    """`YYYY-MM-DD`, or an ISO 8601 instant with an offset or `Z`; AssayError otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise AssayError(f"--as-of expects a date (YYYY-MM-DD) or an instant with an offset (2026-11-20T15:00:00+01:00), got {text!r}")
    return instant


def as_of_instant(as_of: AsOf) -> datetime:
    """The naive UTC instant a run is evaluated at."""
    if isinstance(as_of, datetime):
        if as_of.tzinfo is None:
            raise AssayError(f"as-of instant {as_of.isoformat()} has no offset; give one (Z for UTC)")
        return as_of.astimezone(UTC).replace(tzinfo=None)
    return datetime.combine(as_of, time.max)
