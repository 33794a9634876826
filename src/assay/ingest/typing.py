"""Type and normalize text columns on the engine, naming the problem of every bad value."""

from __future__ import annotations

import ibis

from assay.engine import Engine
from assay.ingest.strict import EXPECTED, strict_cast
from assay.normalize import normalize
from assay.normalize.portable import trim
from assay.project.models import ENTITY_COLUMNS, ColumnSpec, Source

PROBLEM = "_problem"
ROW = "_row"
RAW_PREFIX = "_raw_"


def typed_with_problems(engine: Engine, raw: ibis.Table, source: Source) -> ibis.Table:
    """One row per input row: canonical typed columns, the raw text, and the first problem.

    A normalizer sees the text as read and returns its declared type; a column without one is
    cast strictly (`assay.ingest.strict`). A value that does not cast, or that its normalizer
    rejects, becomes NULL and the row gets a reason such as
    ``updated_at (last_updated): expected an ISO 8601 timestamp, got 'N/A'``; a required column
    of the entity that is empty gets ``name (hostname): required, but empty``. Raw columns whose
    names start with `_` (the row number, reader metadata) pass through.
    """
    columns: dict[str, ibis.Value] = {c: raw[c] for c in raw.columns if c.startswith("_")}
    problems: list[ibis.StringValue] = []
    required = ENTITY_COLUMNS[source.entity]
    for name, spec in source.columns.items():
        assert spec.type is not None, "ColumnSpec's validation gives every column a type"
        label = f"{name} ({spec.from_}): " if name != spec.from_ else f"{name}: "
        if _already_typed(raw[name].type(), spec.type):
            value, reason = raw[name].cast(spec.type), None
        else:
            value, reason = _typed(engine, raw[name].cast("string").nullif(""), spec, source.timezone)
        if reason is not None:
            problems.append(ibis.literal(label) + reason)
        if name in required:
            empty = value.isnull() | (trim(value) == "") if spec.type == "string" else value.isnull()
            problems.append(ibis.cases((empty, ibis.literal(f"{label}required, but empty")), else_=ibis.null("string")))
        columns[name] = value
        columns[RAW_PREFIX + name] = raw[name]
    problem = ibis.coalesce(*problems) if len(problems) > 1 else (problems[0] if problems else ibis.null("string"))
    return engine.select_once(raw, {**columns, PROBLEM: problem.cast("string")})


def _already_typed(dtype: ibis.DataType, declared: str) -> bool:
    """A file column that already holds exactly the declared kind of value (a Parquet timestamp
    without zone, date, integer or boolean) is taken as it is; anything else is read as text.
    Floats go through the text check, which rejects infinities and NaN."""
    if declared == "timestamp":
        return dtype.is_timestamp() and dtype.timezone is None
    return (declared, True) in {("date", dtype.is_date()), ("int64", dtype.is_integer()), ("boolean", dtype.is_boolean())}


def _typed(engine: Engine, text: ibis.StringValue, spec: ColumnSpec, zone: str) -> tuple[ibis.Value, ibis.StringValue | None]:
    """The column's value and the reason it is missing (NULL when the text is absent or fine)."""
    if spec.normalize:
        options = {"zone": zone, **spec.options} if spec.type == "timestamp" else spec.options
        result = normalize(spec.normalize, text, options, engine)
        return result.value, result.problem
    if spec.type == "string":
        return text, None
    assert spec.type is not None, "ColumnSpec's validation gives every column a type"
    cast = strict_cast(engine, text, spec.type, zone=zone, allow_nan=spec.allow_nan)
    reason = ibis.cases(
        (text.notnull() & ~cast.valid, ibis.literal(f"expected {EXPECTED[spec.type]}, got '") + text + "'"),
        else_=ibis.null("string"),
    )
    return cast.value, reason
