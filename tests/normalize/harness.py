"""Run a normalizer over a batch of Python values on one engine, in one query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import ibis
import pyarrow as pa

from assay.engine import Engine
from assay.normalize import normalize


def run(
    engine: Engine, name: str, values: Sequence[object], options: Sequence[dict], dtype: str = "string"
) -> list[list[tuple[object, str | None]]]:
    """Normalize `values` under each options set in ONE query; per options set, (value, problem) rows."""

    def pair(opts: dict) -> Callable[[ibis.Value], tuple[ibis.Value, ...]]:
        def build(source: ibis.Value) -> tuple[ibis.Value, ...]:
            result = normalize(name, source, opts, engine)
            return result.value, result.problem

        return build

    rows = evaluate(engine, values, [pair(opts) for opts in options], dtype)
    return [[(_naive_utc(v), p) for v, p in column] for column in rows]


def evaluate(
    engine: Engine, values: Sequence[object], builders: Sequence[Callable[[ibis.Value], tuple[ibis.Value, ...]]], dtype: str = "string"
) -> list[list[tuple[object, ...]]]:
    """Apply each builder (source column → tuple of expressions) to `values` in ONE query.

    NULLs travel as a flag column because Ibis' Spark memtables turn NULL strings into 'NaN'.
    """
    data = pa.table(
        {
            "id": pa.array(range(len(values)), pa.int64()),
            "is_null": pa.array([v is None for v in values]),
            "raw": pa.array([_placeholder(v, dtype) for v in values], type=ibis.dtype(dtype).to_pyarrow()),
        }
    )
    t = ibis.memtable(data)
    source = ibis.ifelse(t.is_null, ibis.null(dtype), t.raw)
    columns, widths = {}, []
    as_text = set()
    for i, build in enumerate(builders):
        exprs = build(source)
        widths.append(len(exprs))
        for j, e in enumerate(exprs):
            if engine.name == "pyspark" and e.type().is_timestamp():
                # Spark hands results over through pandas, whose nanosecond timestamps end in
                # 2262; text keeps every instant the normalizer can produce.
                as_text.add(f"c{i}_{j}")
                e = e.cast("string")
            columns[f"c{i}_{j}"] = e
    rows = engine.to_arrow(t.select("id", **columns).order_by("id")).to_pylist()
    for row in rows:
        for key in as_text:
            row[key] = None if row[key] is None else datetime.fromisoformat(row[key])
    return [[tuple(row[f"c{i}_{j}"] for j in range(w)) for row in rows] for i, w in enumerate(widths)]


def _naive_utc(value: object) -> object:
    """Spark returns session-zone (UTC) aware timestamps; the contract is naive UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _placeholder(value: object, dtype: str) -> object:
    if value is not None:
        return value
    return "" if dtype == "string" else 0


def mismatches(values: Sequence[object], got: list, expected: list) -> list[tuple[object, object, object]]:
    """(input, engine, reference) for every row that differs: the readable failure report."""
    return [(v, g, e) for v, g, e in zip(values, got, expected, strict=True) if g != e]
