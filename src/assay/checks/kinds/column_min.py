"""column_min: the smallest non-null value."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "column_min",
    "the smallest non-null value is outside `min`..`max`",
    example="column_min: {column: cvss, min: 0}",
    failing="smallest cvss −1",
)
class ColumnMin(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.min()
