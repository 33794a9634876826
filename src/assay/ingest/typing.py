"""Type and normalize text columns on the engine, naming the problem of every bad value."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable

import ibis

from assay.engine import Engine
from assay.ingest.strict import EXPECTED, strict_cast, strict_fast
from assay.normalize import Fast, fast_path, normalize
from assay.normalize.portable import trim
from assay.project.models import ENTITY_COLUMNS, ColumnSpec, Source

PROBLEM = "_problem"
_FAST_PREFIX = "_assay_fast_"
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

    Rows whose every column has a well-formed shape with a fast path (`assay.normalize.Fast`) are
    typed by those; the rest by the full parsers. Both give the same values and problems.
    """
    shortcuts = _fast_columns(engine, raw, source)
    if not shortcuts:
        return _typed_rows(engine, raw, source, {})
    ok = functools.reduce(operator.and_, [f.ok for f in shortcuts.values()])
    return _typed_rows(engine, raw.filter(ok), source, shortcuts).union(_typed_rows(engine, raw.filter(~ok), source, {}))


def _typed_rows(engine: Engine, raw: ibis.Table, source: Source, shortcuts: dict[str, Fast]) -> ibis.Table:
    """Typed columns and the problem; columns in `shortcuts` by their fast path (rows known to fit it)."""
    columns: dict[str, ibis.Value] = {c: raw[c] for c in raw.columns if c.startswith("_")}
    problems: list[ibis.StringValue] = []
    required = ENTITY_COLUMNS[source.entity]
    if shortcuts:
        # Fast values become columns first, so that problems and checks read them instead of
        # computing them again inside their CASEs.
        raw = raw.mutate(**{_FAST_PREFIX + name: f.value for name, f in shortcuts.items()})
    for name, spec in source.columns.items():
        assert spec.type is not None, "ColumnSpec's validation gives every column a type"
        label = f"{name} ({spec.from_}): " if name != spec.from_ else f"{name}: "
        if name in shortcuts:
            value = raw[_FAST_PREFIX + name]
            problem_of = shortcuts[name].problem_of
            reason = None if problem_of is None else problem_of(value)
        elif _already_typed(raw[name].type(), spec.type):
            value, reason = raw[name].cast(spec.type), None
        else:
            value, reason = _typed(engine, _text(raw, name), spec, source.timezone)
        if reason is not None:
            problems.append(ibis.literal(label) + reason)
        if name in required:
            empty = value.isnull() | (trim(value) == "") if spec.type == "string" else value.isnull()
            problems.append(ibis.cases((empty, ibis.literal(f"{label}required, but empty")), else_=ibis.null("string")))
        columns[name] = value
        columns[RAW_PREFIX + name] = raw[name]
    problem = ibis.coalesce(*problems) if len(problems) > 1 else (problems[0] if problems else ibis.null("string"))
    return engine.select_once(raw, {**columns, PROBLEM: problem.cast("string")})


def _text(raw: ibis.Table, name: str) -> ibis.StringValue:
    return raw[name].cast("string").nullif("")


def _fast_columns(engine: Engine, raw: ibis.Table, source: Source) -> dict[str, Fast]:
    """The columns that have a fast path for their text, by canonical name."""
    out = {}
    for name, spec in source.columns.items():
        if _already_typed(raw[name].type(), spec.type or "string"):
            continue
        text = _text(raw, name)
        if spec.normalize:
            fast = fast_path(spec.normalize, text, _options(spec, source.timezone), engine)
        elif spec.type is not None and (found := strict_fast(engine, text, spec.type, zone=source.timezone)) is not None:
            ok, value = found
            expected = ibis.literal(f"expected {EXPECTED[spec.type]}, got '") + text + "'"
            fast = Fast(ok, value, functools.partial(_expected_unless_valid, expected))
        else:
            fast = None
        if fast is not None:
            # An absent value is NULL with no problem on every path: it never needs the full parser.
            absent = text.isnull()
            problem_of = fast.problem_of
            out[name] = Fast(
                absent | fast.ok,
                ibis.ifelse(absent, ibis.null(fast.value.type()), fast.value),
                None if problem_of is None else functools.partial(_unless_absent, absent, problem_of),
            )
    return out


def _unless_absent(absent: ibis.BooleanValue, problem_of: Callable[[ibis.Value], ibis.StringValue], value: ibis.Value) -> ibis.StringValue:
    return ibis.ifelse(absent, ibis.null("string"), problem_of(value))


def _expected_unless_valid(expected: ibis.StringValue, value: ibis.Value) -> ibis.StringValue:
    return ibis.ifelse(value.isnull(), expected, ibis.null("string"))


def _options(spec: ColumnSpec, zone: str) -> dict:
    return {"zone": zone, **spec.options} if spec.type == "timestamp" else spec.options


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
        result = normalize(spec.normalize, text, _options(spec, zone), engine)
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
