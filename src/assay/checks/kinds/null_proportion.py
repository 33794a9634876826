"""null_proportion: NULL values ÷ rows."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register(
    "null_proportion",
    "NULL values ÷ rows is outside `min`..`max`",
    example="null_proportion: {column: owner_email, max: 0.05}",
    failing="8% empty",
)
class NullProportion(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.isnull().sum() / t.count().nullif(0)
