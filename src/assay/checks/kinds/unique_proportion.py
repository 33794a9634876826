"""unique_proportion: distinct non-null values ÷ non-null values."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "unique_proportion",
    "distinct non-null values ÷ non-null values is outside `min`..`max`",
    example="unique_proportion: {column: hostname, min: 0.99}",
    failing="0.95",
)
class UniqueProportion(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.nunique() / value.count().nullif(0)
