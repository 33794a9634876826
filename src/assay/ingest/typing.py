"""Type and normalize text columns on the engine, naming the problem of every bad value."""

from __future__ import annotations

import ibis

from assay.engine import Engine
from assay.normalize import normalize
from assay.project.models import Source

PROBLEM = "_problem"
ROW = "_row"
RAW_PREFIX = "_raw_"


def typed_with_problems(engine: Engine, raw: ibis.Table, source: Source) -> ibis.Table:
    """One row per input row: canonical typed columns, the raw text, and the first problem.

    A value that does not cast, or that its normalizer rejects, becomes NULL and the row gets a
    reason such as ``updated_at (last_updated): expected timestamp, got 'N/A'``.
    """
    columns: dict[str, ibis.Value] = {ROW: raw[ROW]}
    problems: list[ibis.StringValue] = []
    for name, spec in source.columns.items():
        text = raw[name].nullif("")
        label = f"{name} ({spec.from_}): " if name != spec.from_ else f"{name}: "
        value: ibis.Value = text
        if spec.type != "string":
            value = engine.try_cast(text, spec.type)
            problems.append(
                ibis.cases(
                    (text.notnull() & value.isnull(), ibis.literal(f"{label}expected {spec.type}, got '") + text + "'"),
                    else_=ibis.null("string"),
                )
            )
        if spec.normalize:
            result = normalize(spec.normalize, value, spec.options, engine)
            problems.append(ibis.literal(label) + result.problem)
            value = result.value
        columns[name] = value
        columns[RAW_PREFIX + name] = raw[name]
    problem = ibis.coalesce(*problems) if len(problems) > 1 else (problems[0] if problems else ibis.null("string"))
    return raw.select(**columns, **{PROBLEM: problem.cast("string")})
