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


def checked(source: ibis.Value, value: ibis.Value, *checks: tuple[ibis.BooleanValue, ibis.StringValue | str]) -> Normalized:
    """Attach the first failing check's message as the problem and blank the value where it fails.

    Checks are (failed?, message) pairs evaluated in order, after the rule that a NULL `source`
    has no problem; a NULL condition counts as passing.
    """
    reason = problem(source, *checks)
    keep = source.notnull() & reason.isnull()
    return Normalized(value=ibis.ifelse(keep, value, ibis.null(value.type())), problem=reason)


def problem(source: ibis.Value, *checks: tuple[ibis.BooleanValue, ibis.StringValue | str]) -> ibis.StringValue:
    """The first failing check's message; NULL where `source` is NULL or every check passes.

    Normalizers whose value is already NULL exactly when a check fails use this alone, so the
    value does not have to embed (and re-evaluate) the whole problem expression.
    """
    no_problem = ibis.null("string")
    return ibis.cases((source.isnull(), no_problem), *checks, else_=no_problem)
