"""The value every normalizer returns: a canonical key plus the reason it could not be made."""

from __future__ import annotations

from dataclasses import dataclass

import ibis


@dataclass(frozen=True)
class Normalized:
    """A canonical column and, beside it, why a row has none.

    The ingest stage keeps `value` as the join key and quarantines rows whose `problem` is set,
    so an invalid input is never silently joined (or silently dropped). A NULL input gives NULL
    in both columns: absence is not a problem.
    """

    value: ibis.Value
    problem: ibis.StringValue


def problem(source: ibis.Value, *checks: tuple[ibis.BooleanValue, ibis.StringValue | str]) -> ibis.StringValue:
    """The first failing check's message; NULL where `source` is NULL or every check passes.

    Normalizers gate their value with a cheap condition equivalent to "no check fails" rather
    than with this expression: engines without common-subexpression elimination would otherwise
    evaluate every check twice.
    """
    no_problem = ibis.null("string")
    return ibis.cases((source.isnull(), no_problem), *checks, else_=no_problem)
