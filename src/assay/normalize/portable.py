"""String building blocks that give byte-identical results on DuckDB, PostgreSQL and Spark.

The three engines use three regex dialects (RE2, PostgreSQL ARE, java.util.regex) and disagree
on details the normalizers would otherwise inherit:

* `TRIM` strips only spaces on DuckDB and PostgreSQL but all ASCII whitespace on Spark;
* `REGEXP_EXTRACT` gives '' for "no match" on DuckDB and Spark but NULL on PostgreSQL;
* Java's `$` also matches before a final newline.

Patterns in this package therefore stick to the common subset (bracket classes, `{m,n}`,
non-capturing groups, no `.`, no `\\s`/`\\d`, no look-around) and are applied to trimmed text.
"""

from __future__ import annotations

import string

import ibis

NON_ASCII = "[\u0080-\U0010ffff]"
"""A class of every code point above U+007F, written with literal characters (no escapes differ)."""

_WHITESPACE_CLASS = r"[ \t\n\r\f\x0b]"
"""ASCII whitespace, as regex escapes: a literal vertical tab would reach Spark as `'\v'`, read as `v`."""
_EDGE_WHITESPACE = f"^{_WHITESPACE_CLASS}+|{_WHITESPACE_CLASS}+$"


def trim(value: ibis.StringValue) -> ibis.StringValue:
    """Remove leading and trailing ASCII whitespace (tabs and newlines too, on every engine)."""
    return value.re_replace(_EDGE_WHITESPACE, "")


def extract(value: ibis.StringValue, pattern: str, group: int) -> ibis.StringValue:
    """Capture `group` of `pattern`, NULL where it does not match or captured nothing.

    Folding '' into NULL is what makes the result the same on all engines.
    """
    return value.re_extract(pattern, group).nullif("")


def has_non_ascii(value: ibis.StringValue) -> ibis.BooleanValue:
    return value.re_search(NON_ASCII)


def quoted(prefix: str, value: ibis.StringValue) -> ibis.StringValue:
    """A problem message naming the offending text: `prefix 'text'`."""
    return ibis.literal(f"{prefix} '") + value + ibis.literal("'")


def ascii_lower(value: ibis.StringValue) -> ibis.StringValue:
    """Lower-case A-Z only.

    `LOWER` follows each engine's Unicode tables (and PostgreSQL's locale), and some of them map
    non-ASCII letters to ASCII (KELVIN SIGN → `k`), which would let a non-ASCII name pass an ASCII
    check on one engine and fail it on another. Keys that must be ASCII are folded with this.
    """
    return value.translate(string.ascii_uppercase, string.ascii_lowercase)
