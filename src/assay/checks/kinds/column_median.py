"""column_median: the median of the non-null values (interpolated between the two middle values)."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "column_median",
    "the median of the non-null values is outside `min`..`max`",
    example="column_median: {column: days_open, max: 14}",
    failing="median 20",
)
class ColumnMedian(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.median()
