"""mean: average of a numeric column over the matching rows that have a value."""

from __future__ import annotations

from assay.metrics.column_stat import ColumnMetric, column_kind


class MeanMetric(ColumnMetric):
    pass


KIND = column_kind("mean", MeanMetric, "Mean of the column over the matching rows with a value")
