"""The aggregates kinds share: a rate with its counts, a row count, a statistic of days."""

from __future__ import annotations

from collections.abc import Callable

import ibis

from assay.metrics.kind import Aggregate


def rate(success: Callable[[ibis.Table], ibis.BooleanValue]) -> Aggregate:
    """Share of rows where `success` holds: numerator, denominator and their quotient."""

    def aggregate(t: ibis.Table) -> dict[str, ibis.Value]:
        hits = ibis.ifelse(success(t).fill_null(False), 1, 0).sum()
        n = t.count()
        return {"numerator": hits, "denominator": n, "value": hits.cast("float64") / n.nullif(0).cast("float64")}

    return aggregate


def count(t: ibis.Table) -> dict[str, ibis.Value]:
    n = t.count()
    return {"numerator": n, "denominator": ibis.null("int64"), "value": n}


STATS = ("median", "p90", "mean")


def statistic(column: str, stat: str) -> Aggregate:
    """median, p90 or mean of a numeric column; the denominator is how many rows had a value."""

    def aggregate(t: ibis.Table) -> dict[str, ibis.Value]:
        x = t[column]
        value = {"median": x.quantile(0.5), "p90": x.quantile(0.9), "mean": x.mean()}[stat]
        return {"numerator": ibis.null("float64"), "denominator": x.count(), "value": value}

    return aggregate
