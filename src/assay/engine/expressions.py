"""Portable expression builders that several stages need (JSON text, readable keys)."""

from __future__ import annotations

import ibis


def json_string(value: ibis.Value) -> ibis.StringValue:
    """A JSON string literal for `value` (or `null`), escaped on the engine."""
    text = value.cast("string")
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = text.replace(raw, escaped)
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
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
