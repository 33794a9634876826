"""CSV that is safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab / carriage return) is a formula to Excel and Sheets; a
hostile asset name could run one. Such cells get a leading apostrophe, as OWASP recommends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else neutralize(row.get(c)) for c in columns])
    return buffer.getvalue()
