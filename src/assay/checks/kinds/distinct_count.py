"""distinct_count: the number of distinct non-null values."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "distinct_count",
    "the number of distinct non-null values is outside `min`..`max`",
    example="distinct_count: {column: region, min: 3}",
    failing="2 distinct regions",
)
class DistinctCount(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.nunique()
