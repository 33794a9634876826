"""Timestamps: the same instant as ISO 8601 with any offset, epoch numbers, or export formats.

`2026-11-20T14:13:44+02:00`, `1795176824000` (epoch ms) and `11/20/2026 12:13:44` (UTC) are one
instant; every accepted form becomes a naive UTC timestamp (microseconds). The parse is done by
regular expressions that pick out the fields, then one safe cast of a canonical
`YYYY-MM-DD HH:MM:SS.ffffff` string, so an impossible date (`2026-02-30`) is NULL on every
engine instead of an error on some. Years run from 1900 to 2199: `infinity`, BC dates and
five-digit years are not instants a security record can carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import ibis
from pydantic import field_validator

from assay.engine import Engine
from assay.normalize.portable import quoted, trim, whole_match
from assay.normalize.registry import Options, register, register_fast
from assay.normalize.result import Fast, Normalized, problem
from assay.project.zones import canonical_zone, fixed_offset_minutes

_YEAR = "((?:19|20|21)[0-9]{2})"
_HH = "([01][0-9]|2[0-3])"
_H = "([01]?[0-9]|2[0-3])"
_MM = "([0-5][0-9])"
_ISO_DATETIME = f"{_YEAR}-([0-9]{{2}})-([0-9]{{2}})(?:[Tt ]{_HH}:{_MM}(?::{_MM}(?:[.,]([0-9]{{1,9}}))?)?)?"
_ISO_OFFSET = f"(?:([Zz])|([+-]){_HH}(?::?{_MM})?)"
ISO = f"^{_ISO_DATETIME}{_ISO_OFFSET}?$"
"""Date, optional time (minutes, seconds, fraction), optional `Z`/`±HH`/`±HHMM`/`±HH:MM`."""
US = f"^([0-9]{{1,2}})/([0-9]{{1,2}})/{_YEAR}(?:[ T]{_H}:{_MM}(?::{_MM})?)?$"
"""`11/20/2026` and `11/20/2026 14:03[:05]`: month first, or day first with `day_first`."""
MON = f"^([0-9]{{1,2}})-([A-Za-z]{{3}})-{_YEAR}(?:[ T:]{_H}:{_MM}(?::{_MM})?)?$"
"""`20-Nov-2026` and `20-Nov-2026 14:03[:05]` (English month abbreviations, any case)."""
EPOCH = "^([0-9]{1,16})(?:[.]([0-9]{1,6}))?$"
_FAST_ISO = "(?:19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,6})?"
_FAST_TAIL = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
"""The shapes exports write most (`…T14:13:44.123Z`, `…+02:00`, naive `… 14:13:44`): fixed
positions, so the fast path cuts them with substrings after one regular expression."""

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
EPOCH_DIGITS = {"s": 10, "ms": 13, "us": 16}
"""Most integer digits per unit (up to year 2286); `auto` picks the unit by this length."""


class TimestampOptions(Options):
    zone: str | None = None
    """Zone of values that carry no offset: `UTC`, a fixed `±HH:MM` or an IANA name such as
    `Europe/Berlin`; unset means the source's `timezone` (UTC by default)."""
    epoch: Literal["auto", "s", "ms", "us", "none"] = "auto"
    """Unit of bare numbers; `auto` reads ≤10 digits as s, 11–13 as ms, 14–16 as µs."""
    day_first: bool = False
    """Read `a/b/yyyy` as day/month (European exports) instead of month/day."""

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        return None if zone is None else canonical_zone(zone)


@dataclass(frozen=True)
class Parsed:
    """The UTC instant a text names, and whether the text had an accepted shape at all (a
    shaped text with a NULL instant names an impossible date such as `2026-02-30`)."""

    instant: ibis.TimestampValue
    matched: ibis.BooleanValue


def parse_timestamp(
    text: ibis.StringValue, engine: Engine, *, zone: str = "UTC", epoch: str = "none", day_first: bool = False, iso_only: bool = False
) -> Parsed:
    """Parse trimmed text to a naive UTC timestamp: the one parser behind `type: timestamp` and the
    `timestamp` normalizer. An offset in the text wins; otherwise the wall time is read in `zone`
    (see `Engine.local_to_utc` for daylight-saving gaps and overlaps); `iso_only` accepts ISO 8601
    alone, the export formats are for the normalizer."""
    fields = [_iso(text, engine)] if iso_only else [_iso(text, engine), _us(text, engine, day_first), _mon(text, engine)]

    def first(i: int) -> ibis.Value:
        return ibis.coalesce(*[f[i] for f in fields]) if len(fields) > 1 else fields[0][i]

    y, mo, d, h, mi, s, frac, offset = (first(i) for i in range(8))
    date = y + "-" + _two(mo) + "-" + _two(d)
    time = _two(h.fill_null("0")) + ":" + mi.fill_null("00") + ":" + s.fill_null("00") + "." + _six(frac)
    local = engine.try_cast(date + " " + time, "timestamp")
    fixed = fixed_offset_minutes(zone)
    if fixed is not None:
        parsed = local - offset.fill_null(fixed).as_interval("m")
    else:
        # COALESCE, not CASE: DuckDB shares the large `local` expression between its arguments
        # but evaluates it anew in each CASE branch (measured: 6x slower with CASE).
        parsed = ibis.coalesce(local - offset.as_interval("m"), engine.local_to_utc(local, zone))
    matched = y.notnull()
    if epoch != "none":
        stamp = _epoch(text, engine, epoch)
        parsed = ibis.coalesce(stamp, parsed)
        matched = matched | stamp.notnull()
    return Parsed(parsed, matched)


def fast_instant(
    text: ibis.StringValue, engine: Engine, *, zone: str = "UTC", epoch: str = "none", iso_only: bool = False
) -> tuple[ibis.BooleanValue, ibis.TimestampValue]:
    """`parse_timestamp`'s result for untrimmed text of a common shape (ISO with seconds and `Z`,
    `±HH:MM` or, in a fixed zone, no offset; with an epoch unit, digits only), and whether the
    text has such a shape.

    The canonical string handed to the cast is built exactly as `parse_timestamp` builds it, so
    an impossible date is NULL here too.
    """
    n = text.length()
    fixed = fixed_offset_minutes(zone)
    iso = whole_match(text, _FAST_ISO + (f"{_FAST_TAIL}?" if fixed is not None else _FAST_TAIL))
    # The shape is known to match, so single characters tell the tail apart (a sign six from the
    # end can only be an offset's: the date's dashes are further left), and the cast reads the
    # rest as it stands: `T` or space, 0–6 fraction digits, as in the canonical string.
    zulu = text.endswith("Z")
    tail = text.right(6)
    offset = tail.left(1).isin(["+", "-"])
    local = engine.try_cast(ibis.cases((zulu, text.left(n - 1)), (offset, text.left(n - 6)), else_=text), "timestamp")
    sign = ibis.ifelse(tail.left(1) == "-", -1, 1)
    minutes = ibis.cases((zulu, 0), (offset, sign * (tail.substr(1, 2).cast("int64") * 60 + tail.right(2).cast("int64"))), else_=fixed or 0)
    instant = local - minutes.as_interval("m")
    if epoch == "none" or iso_only:
        return iso.fill_null(False), ibis.ifelse(iso, instant, ibis.null("timestamp"))
    digits = whole_match(text, f"[0-9]{{1,{EPOCH_DIGITS.get(epoch, EPOCH_DIGITS['us'])}}}")
    stamp = _epoch_stamp(text, ibis.null("string"), epoch)
    return (iso | digits).fill_null(False), ibis.cases((iso, instant), (digits, stamp), else_=ibis.null("timestamp"))


@register("timestamp", TimestampOptions, produces="timestamp")
def normalize_timestamp(value: ibis.Value, options: TimestampOptions, engine: Engine) -> Normalized:
    if value.type().is_timestamp():
        return Normalized(value, ibis.null("string"))
    text = trim(value.cast("string"))
    parsed = parse_timestamp(text, engine, zone=options.zone or "UTC", epoch=options.epoch, day_first=options.day_first)
    reason = problem(
        value,
        (text == "", "empty timestamp"),
        (~parsed.matched, quoted("unparseable timestamp", text)),
        (parsed.instant.isnull(), quoted("invalid date", text)),
    )
    return Normalized(parsed.instant, reason)


@register_fast("timestamp")
def fast_timestamp(text: ibis.StringValue, options: TimestampOptions, engine: Engine) -> Fast | None:
    ok, instant = fast_instant(text, engine, zone=options.zone or "UTC", epoch=options.epoch)
    return Fast(ok, instant, lambda value: ibis.ifelse(value.isnull(), quoted("invalid date", text), ibis.null("string")))


def _two(digits: ibis.StringValue) -> ibis.StringValue:
    """Zero-pad to two digits; `RIGHT` references its argument once, where `LPAD` compiles (on
    DuckDB) to a `CASE` that repeats it three times."""
    return ("0" + digits).right(2)


def _six(fraction: ibis.StringValue) -> ibis.StringValue:
    """A fraction of a second as exactly six digits (truncated, not rounded, like Python's)."""
    return (fraction.fill_null("") + "000000").substr(0, 6)


def _iso(text: ibis.StringValue, engine: Engine) -> list[ibis.Value]:
    """All fields from one match of the whole pattern. The offset counts only after a time: in a
    bare date, `-20` or a trailing `Z` does not make the day's wall clock an instant."""
    y, mo, d, h, mi, s, frac, zulu, sign, off_h, off_m = engine.regex_groups(text, ISO, 11)
    minutes = off_h.cast("int64") * 60 + off_m.fill_null("0").cast("int64")
    offset = ibis.cases(
        (h.isnull(), ibis.null("int64")), (zulu.notnull(), 0), (sign == "-", -minutes), (sign == "+", minutes), else_=ibis.null("int64")
    )
    return [y, mo, d, h, mi, s, frac, offset]


def _us(text: ibis.StringValue, engine: Engine, day_first: bool) -> list[ibis.Value]:
    first, second, year, h, mi, s = engine.regex_groups(text, US, 6)
    month, day = (second, first) if day_first else (first, second)
    return [year, month, day, h, mi, s, ibis.null("string"), ibis.null("int64")]


def _mon(text: ibis.StringValue, engine: Engine) -> list[ibis.Value]:
    day, name, year, h, mi, s = engine.regex_groups(text, MON, 6)
    month = name.lower().substitute({m: f"{i:02d}" for i, m in enumerate(MONTHS, 1)}, else_=ibis.null("string"))
    return [ibis.ifelse(month.notnull(), year, ibis.null("string")), month, day, h, mi, s, ibis.null("string"), ibis.null("int64")]


def _epoch(text: ibis.StringValue, engine: Engine, unit: str) -> ibis.TimestampValue:
    digits, fraction = engine.regex_groups(text, EPOCH, 2)
    return _epoch_stamp(digits, fraction, unit)


def _epoch_stamp(digits: ibis.StringValue, fraction: ibis.StringValue, unit: str) -> ibis.TimestampValue:
    """Whole seconds come from the digit string and sub-seconds from integer remainders: never a
    floating-point division (PostgreSQL's would lose microseconds beyond 2^53)."""
    n = digits.length()
    if unit == "auto":
        chosen = ibis.cases((n <= 10, "s"), (n <= 13, "ms"), (n <= 16, "us"), else_=ibis.null("string"))
        usable = fraction.isnull() | (n <= 10)
    else:
        chosen = ibis.literal(unit)
        usable = (n <= EPOCH_DIGITS[unit]) & (fraction.isnull() | (chosen == "s"))
    number = digits.cast("int64")

    def whole(places: int) -> ibis.IntegerValue:
        """The digits before the last `places`: string slicing, exact at any length."""
        return ibis.ifelse(n > places, digits.substr(0, n - places), ibis.literal("0")).cast("int64")

    seconds = ibis.cases((chosen == "s", number), (chosen == "ms", whole(3)), else_=whole(6))
    micros = ibis.cases(
        (chosen == "s", _six(fraction).cast("int64")),
        (chosen == "ms", (number % 1000) * 1000),
        else_=number % 1_000_000,
    )
    stamp = ibis.timestamp("1970-01-01 00:00:00") + seconds.as_interval("s") + micros.as_interval("us")
    return ibis.ifelse(digits.notnull() & usable & chosen.notnull(), stamp, ibis.null("timestamp"))
