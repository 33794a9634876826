"""column_sum: the sum of the non-null values."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "column_sum",
    "the sum of the non-null values is outside `min`..`max`",
    example="column_sum: {column: amount, min: 0}",
    failing="sum −12.5",
)
class ColumnSum(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.sum()
