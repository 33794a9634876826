"""column_max: the largest non-null value."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "column_max",
    "the largest non-null value is outside `min`..`max`",
    example="column_max: {column: cvss, max: 10}",
    failing="largest cvss 11",
)
class ColumnMax(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.max()
