"""The value every normalizer returns: a canonical key plus the reason it could not be made."""

from __future__ import annotations

from collections.abc import Callable
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


@dataclass(frozen=True)
class Fast:
    """A cheap evaluation of a normalizer that is exact on the rows it accepts.

    Most values in an export share one well-formed shape (`2026-11-20T14:13:44+02:00`, a lower-case
    host name). For rows where `ok` holds (never NULL), `value` and its problem equal what the full
    normalizer gives; the ingest stage sends only the other rows through the full normalizer. The
    property tests hold every fast path to the plain-Python reference on the rows it accepts.
    """

    ok: ibis.BooleanValue
    value: ibis.Value
    problem_of: Callable[[ibis.Value], ibis.StringValue] | None = None
    """The problem given the computed value (engines would compute `value` again inside the
    problem's `CASE`; ingest passes the stored column instead); None: never a problem."""


def problem(source: ibis.Value, *checks: tuple[ibis.BooleanValue, ibis.StringValue | str]) -> ibis.StringValue:
    """The first failing check's message; NULL where `source` is NULL or every check passes.

    Normalizers gate their value with a cheap condition equivalent to "no check fails" rather
    than with this expression: engines without common-subexpression elimination would otherwise
    evaluate every check twice.
    """
    no_problem = ibis.null("string")
    return ibis.cases((source.isnull(), no_problem), *checks, else_=no_problem)
