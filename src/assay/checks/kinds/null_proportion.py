"""null_proportion: NULL values ÷ rows."""

from __future__ import annotations

import ibis

from assay.checks.kinds._aggregate import ColumnAggregate
from assay.checks.registry import register


@register("null_proportion", "NULL values ÷ rows is outside `min`..`max` (`strict_min`, `strict_max` exclude the bound)")
class NullProportion(ColumnAggregate):
    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        return value.isnull().sum() / t.count().nullif(0)
