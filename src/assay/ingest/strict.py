"""Strict casts: text becomes a typed value only when it represents one exactly.

Engines' own casts are lenient in different ways (DuckDB rounds `42.7` to the int 43 and reads
`1e309` as infinity; PostgreSQL accepts `infinity` and BC dates as timestamps), so every typed
column is first matched against the shape its type allows, then safely cast, then range-checked:
one portable Ibis implementation, identical on every engine. The text is trimmed first (see
`assay.normalize.portable.trim`), so `" 42 "` is the integer 42.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from assay.engine import Engine
from assay.normalize.portable import case_insensitive, trim
from assay.normalize.timestamp import fast_instant, parse_timestamp

INT64 = "^[+-]?[0-9]{1,19}$"
"""Decimal digits with an optional sign; the cast rejects what overflows 64 bits."""
FLOAT64 = "^[+-]?(?:[0-9]+(?:[.][0-9]*)?|[.][0-9]+)(?:[eE][+-]?[0-9]{1,4})?$"
"""Decimal or scientific notation; `inf`, `0x1F` and `1_000` are not numbers here."""
NAN = "^" + case_insensitive("nan") + "$"
FLOAT64_MAX = 1.7976931348623157e308
DATE = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"
"""A calendar date alone (years 1000-9999): no time, no offset, no BC."""
TRUE = ("true", "yes", "y", "1")
FALSE = ("false", "no", "n", "0")
BOOLEAN = "^(?:" + "|".join(case_insensitive(word) for word in (*TRUE, *FALSE)) + ")$"
"""The boolean vocabulary, in any ASCII case."""
EXPECTED = {
    "int64": "an integer",
    "float64": "a finite number",
    "boolean": "a boolean (true/false, yes/no, y/n, 1/0)",
    "date": "a date (YYYY-MM-DD)",
    "timestamp": "an ISO 8601 timestamp",
}


@dataclass(frozen=True)
class StrictValue:
    """The typed value (NULL where the text is not one) and whether the text was a valid value.

    `valid` is not `value.notnull()`: Ibis reads NaN as NULL on Spark, and an allowed NaN is valid.
    """

    value: ibis.Value
    valid: ibis.BooleanValue


def strict_fast(engine: Engine, text: ibis.StringValue, type_: str, *, zone: str = "UTC") -> tuple[ibis.BooleanValue, ibis.Value] | None:
    """For untrimmed text: whether it has a common well-formed shape, and `strict_cast`'s value for
    it, computed more cheaply (see `assay.normalize.Fast`); None where the type has no shortcut."""
    if type_ == "timestamp":
        return fast_instant(text, engine, zone=zone, iso_only=True)
    return None


def strict_cast(engine: Engine, text: ibis.StringValue, type_: str, *, zone: str = "UTC", allow_nan: bool = False) -> StrictValue:
    """Cast text to `type_` strictly; `zone` reads timestamps written without an offset."""
    text = trim(text)
    if type_ == "int64":
        value = ibis.ifelse(text.re_search(INT64), engine.try_cast(text, "int64"), ibis.null("int64"))
    elif type_ == "float64":
        number = ibis.ifelse(text.re_search(FLOAT64), engine.try_cast(text, "float64"), ibis.null("float64"))
        finite = (number.abs() <= FLOAT64_MAX).fill_null(False)
        value = ibis.ifelse(finite, number, ibis.null("float64"))
        if allow_nan:
            nan = text.re_search(NAN).fill_null(False)
            return StrictValue(ibis.ifelse(nan, engine.try_cast(ibis.literal("NaN"), "float64"), value), finite | nan)
    elif type_ == "boolean":
        word = ibis.ifelse(text.re_search(BOOLEAN), text.lower(), ibis.null("string"))
        value = ibis.cases((word.isin(TRUE), True), (word.isin(FALSE), False), else_=ibis.null("boolean"))
    elif type_ == "date":
        value = ibis.ifelse(text.re_search(DATE), engine.try_cast(text, "date"), ibis.null("date"))
    elif type_ == "timestamp":
        value = parse_timestamp(text, engine, zone=zone, iso_only=True).instant
    else:
        raise ValueError(f"no strict cast to {type_}")
    return StrictValue(value, value.notnull())
