"""Portable expression builders that several stages need (JSON text, readable keys)."""

from __future__ import annotations

import json
from collections.abc import Callable

import ibis

# Control characters some engine cannot take as a SQL literal: U+0000 cannot be written in one,
# and Spark reads the `\a \v \f` escapes that SQLGlot writes as the letters `a v f`. Those are
# matched by a regular expression (`\x07`) instead, which every engine's regex engine reads alike.
_BY_REGEX = (0x00, 0x07, 0x0B, 0x0C)
# Backslash first, so the escapes added after it are not escaped again.
_JSON_ESCAPES: tuple[tuple[str, str], ...] = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    *((chr(c), f"\\u{c:04x}") for c in range(1, 0x20) if chr(c) not in "\n\r\t" and c not in _BY_REGEX),
)


def json_string(value: ibis.Value) -> ibis.StringValue:
    """A JSON string literal for `value` (or `null`), escaped on the engine: every control
    character becomes an escape, so the text parses with any JSON reader."""
    text = value.cast("string")
    for raw, escaped in _JSON_ESCAPES:
        text = text.replace(raw, escaped)
    for code in _BY_REGEX:
        # In the replacement, `\\` is one literal backslash on DuckDB (RE2), PostgreSQL and Spark (Java).
        text = text.re_replace(f"\\x{code:02x}", f"\\\\u{code:04x}")
    return ibis.cases((value.isnull(), ibis.literal("null")), else_=ibis.literal('"') + text + '"')


def json_object(fields: dict[str, ibis.Value]) -> ibis.StringValue:
    """A JSON object of text values, keys in the given order; built in SQL, so set-based."""
    if not fields:
        return ibis.literal("{}")
    parts: list[ibis.StringValue] = []
    for i, (key, value) in enumerate(fields.items()):
        prefix = ("{" if i == 0 else ",") + _json_key(key) + ":"
        parts.append(ibis.literal(prefix) + json_string(value))
    out = parts[0]
    for part in parts[1:]:
        out = out + part
    return out + "}"


def _json_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def bind(value: ibis.Value, body: Callable[[ibis.Value], ibis.StringValue]) -> ibis.StringValue:
    """`body(value)` with `value` computed once: a `let` for SQL, which has none.

    Every reference to an expression repeats it in the query text; an expression that refers to a
    large one a dozen times (and nests) grows the query to megabytes. Mapping a lambda over a
    one-element array binds the value to the lambda's parameter on all three engines; the string
    result comes back with `array_to_string` (a NULL result gives `''`, folded back to NULL;
    `body` must therefore never produce `''`). Array indexing is avoided: Ibis compiles `[0]`
    inside PostgreSQL's `ARRAY(SELECT …)` to the wrong subscript.
    """
    return ibis.array([value]).map(body).join("").nullif("")
