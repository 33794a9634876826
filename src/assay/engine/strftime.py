"""C `strftime` formats (what `datetime_format` checks take) in each engine's own notation.

DuckDB parses strftime formats natively; Spark takes Java DateTimeFormatter patterns; PostgreSQL
takes its `to_timestamp` template, which is lenient about separators and widths, so there the
text must also match the shape regex first.
"""

from __future__ import annotations

import re

# directive -> (Java pattern, PostgreSQL template, shape regex)
DIRECTIVES: dict[str, tuple[str, str, str]] = {
    "Y": ("yyyy", "YYYY", r"\d{4}"),
    "y": ("yy", "YY", r"\d{2}"),
    "m": ("M", "MM", r"\d{1,2}"),
    "d": ("d", "DD", r"\d{1,2}"),
    "H": ("H", "HH24", r"\d{1,2}"),
    "I": ("h", "HH12", r"\d{1,2}"),
    "M": ("m", "MI", r"\d{1,2}"),
    "S": ("s", "SS", r"\d{1,2}"),
    "f": ("SSSSSS", "US", r"\d{1,6}"),
    "p": ("a", "AM", r"(?:AM|PM|am|pm)"),
    "b": ("MMM", "Mon", r"[A-Za-z]{3}"),
    "B": ("MMMM", "FMMonth", r"[A-Za-z]+"),
    "a": ("EEE", "Dy", r"[A-Za-z]{3}"),
    "A": ("EEEE", "FMDay", r"[A-Za-z]+"),
    "j": ("D", "DDD", r"\d{1,3}"),
    "z": ("Z", "OF", r"[+-]\d{2}:?\d{2}"),
    "%": ("%", "%", "%"),
}


def _parts(strftime: str) -> list[tuple[str, str]]:
    """("directive", letter) and ("literal", text) pieces; a ValueError names an unknown directive."""
    parts: list[tuple[str, str]] = []
    i = 0
    while i < len(strftime):
        if strftime[i] == "%":
            letter = strftime[i + 1 : i + 2]
            if letter not in DIRECTIVES:
                raise ValueError(f"unsupported strftime directive %{letter} in {strftime!r}; supported: %{', %'.join(DIRECTIVES)}")
            parts.append(("directive", letter))
            i += 2
        else:
            parts.append(("literal", strftime[i]))
            i += 1
    return parts


def check_format(strftime: str) -> str:
    """The format, or a ValueError when a directive is not one assay can translate."""
    _parts(strftime)
    return strftime


def java_pattern(strftime: str) -> str:
    out = []
    for kind, text in _parts(strftime):
        if kind == "directive":
            out.append(DIRECTIVES[text][0])
        else:
            out.append(f"'{text}'" if text.isalpha() else ("''" if text == "'" else text))
    return "".join(out)


def postgres_template(strftime: str) -> str:
    out = []
    for kind, text in _parts(strftime):
        out.append(DIRECTIVES[text][1] if kind == "directive" else (f'"{text}"' if text.isalpha() else text))
    return "".join(out)


def shape_regex(strftime: str) -> str:
    """An anchored regex of the text's shape (digits and widths), for engines with lenient parsers."""
    return "^" + "".join(DIRECTIVES[t][2] if k == "directive" else re.escape(t) for k, t in _parts(strftime)) + "$"
