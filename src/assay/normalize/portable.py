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

import ibis

NON_ASCII = "[\u0080-\U0010ffff]"
"""A class of every code point above U+007F, written with literal characters (no escapes differ)."""

EDGE_SPACE = "[ \\t\\n\\r\\f\\x0b\u0085\u2028\u2029]"
"""What `trim` removes: ASCII whitespace (as regex escapes: a literal vertical tab reaches Spark as
`'\\v'`, read as `v`) plus Java's other line terminators, so that no trimmed text ends in one and
Java's `$` (which also matches before a final line terminator) behaves like RE2's and PostgreSQL's."""
_EDGE_WHITESPACE = f"^{EDGE_SPACE}+|{EDGE_SPACE}+$"


def trim(value: ibis.StringValue) -> ibis.StringValue:
    """Remove leading and trailing whitespace (see `EDGE_SPACE`) identically on every engine."""
    return value.re_replace(_EDGE_WHITESPACE, "")


def whole_match(value: ibis.StringValue, body: str) -> ibis.BooleanValue:
    """Whether all of untrimmed `value` matches `body` (a pattern without anchors and without `#`).

    A sentinel after the text stands in for the end anchor: Java's `$` also matches before a final
    line terminator, so `^body$` would accept `web-01\n` on Spark, where untrimmed text is tested.
    """
    return (value + "#").re_search(f"^(?:{body})#$")


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


def case_insensitive(literal: str) -> str:
    """A regex matching `literal` in any ASCII case (`a.b` → `[aA][.][bB]`).

    Lets a pattern match before lower-casing: `LOWER` follows each engine's Unicode tables (and
    PostgreSQL's locale) and even maps some non-ASCII letters to ASCII (KELVIN SIGN → `k`), so
    ASCII-only keys are matched and checked on the original text and lower-cased last.
    """
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else f"[{c}]" if c == "." else c for c in literal)
