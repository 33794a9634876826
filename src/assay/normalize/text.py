"""Names and free text: the same person or asset name typed, pasted and exported differently.

`Ｊａｎｅ  DOE`, `jane doe` and ` Jane\u00a0Doe ` become one key: Unicode NFKC (full-width
letters, ligatures, non-breaking and other compatibility spaces to their plain forms), then a
case policy, then every run of whitespace to one space, trimmed.

Case mapping does not use the engines' `LOWER`, whose Unicode tables differ (PostgreSQL follows
its locale, Java its own version): it is one `TRANSLATE` with a table generated here from
Python's `unicodedata`, so every engine maps exactly the same characters.
"""

from __future__ import annotations

import sys
from typing import Literal

import ibis

from assay.engine import Engine
from assay.normalize.portable import has_non_ascii
from assay.normalize.registry import Options, register
from assay.normalize.result import Normalized

NFKC_UNSUPPORTED = "NFKC not supported on this engine"
WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
"""What Python's `str.isspace` calls whitespace (and `str.split()` splits on)."""
_SPACE_CLASS = "[\\t\\n\\x0b\\f\\r\\x1c-\\x1f" + "".join(c for c in WHITESPACE if ord(c) > 0x1F) + "]"
"""Control characters as regex escapes (a literal vertical tab reaches Spark as `v`)."""


def _mapping(case: str) -> dict[str, str]:
    """Character → character case mapping, for every character whose mapping is one character.

    `lower`: `str.lower()`. `fold`: `str.casefold()` where that is one character, otherwise the
    `lower()` of it (Unicode *simple* case folding: `ẞ` → `ß`, `ß` stays, it does not become `ss`).
    """
    out = {}
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        lowered = c.lower()
        mapped = c.casefold() if case == "fold" and len(c.casefold()) == 1 else lowered
        if len(mapped) == 1 and mapped != c:
            out[c] = mapped
    return out


_TABLES: dict[str, tuple[str, str]] = {}


def _table(case: str) -> tuple[str, str]:
    if case not in _TABLES:
        mapping = _mapping(case)
        _TABLES[case] = ("".join(mapping), "".join(mapping.values()))
    return _TABLES[case]


class TextOptions(Options):
    case: Literal["fold", "lower", "preserve"] = "fold"
    """`fold`: simple Unicode case folding; `lower`: Python's `str.lower()`; `preserve`: no change."""


@register("text", TextOptions)
def normalize_text(value: ibis.Value, options: TextOptions, engine: Engine) -> Normalized:
    """Each column binds the text once (`Engine.let`): the case table is kilobytes long.

    The NFKC UDF is applied before binding, as Spark runs no Python UDF inside a lambda.
    """
    text = value.cast("string")
    if engine.capabilities.nfkc:
        text = engine.nfkc(text)

    def canonical(t: ibis.StringValue) -> ibis.StringValue:
        key = _canonical(t, options.case)
        # Only ASCII text is certainly already in NFKC form.
        return key if engine.capabilities.nfkc else ibis.ifelse(has_non_ascii(t), ibis.null("string"), key)

    def first_problem(t: ibis.StringValue) -> ibis.StringValue:
        checks = [(_canonical(t, options.case) == "", "empty text")]
        if not engine.capabilities.nfkc:
            checks.insert(0, (has_non_ascii(t), NFKC_UNSUPPORTED))
        return ibis.cases(*checks, else_=ibis.null("string"))

    return Normalized(
        value=engine.let(text, canonical).nullif(""),
        problem=ibis.ifelse(value.isnull(), ibis.null("string"), engine.let(text, first_problem)),
    )


def _canonical(text: ibis.StringValue, case: str) -> ibis.StringValue:
    """The case policy, then every run of whitespace to one space, trimmed ('' for blank text)."""
    if case != "preserve":
        if case == "lower":
            text = text.replace("\u0130", "i\u0307")  # the one character whose lower() is two
        # ASCII text (most of it) takes the cheap path: `LOWER` agrees on ASCII everywhere, and
        # a 1,400-character `TRANSLATE` table is rebuilt per row on DuckDB (~50 µs).
        text = ibis.ifelse(has_non_ascii(text), text.translate(*_table(case)), text.lower())
    return text.re_replace(f"^{_SPACE_CLASS}+|{_SPACE_CLASS}+$", "").re_replace(f"{_SPACE_CLASS}+", " ")
