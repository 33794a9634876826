"""column_stdev: the sample standard deviation of the non-null values."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "column_stdev",
    "the sample standard deviation of the non-null values is outside `min`..`max`",
    example="column_stdev: {column: latency_ms, max: 50}",
    failing="standard deviation 72.4",
)
class ColumnStdev(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.cast("float64").std(how="sample")  # PostgreSQL: numeric for integers
