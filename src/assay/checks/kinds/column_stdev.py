"""column_stdev: the sample standard deviation of the non-null values."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "column_stdev",
    "the sample standard deviation of the non-null values is outside `min`..`max` (`strict_min`, `strict_max` exclude the bound)",
)
class ColumnStdev(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.std(how="sample")
