"""column_mean: the mean of the non-null values."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "column_mean",
    "the mean of the non-null values is outside `min`..`max`",
    example="column_mean: {column: days_open, max: 30}",
    failing="mean 41.5",
)
class ColumnMean(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.cast("float64").mean()  # PostgreSQL averages integers as numeric
