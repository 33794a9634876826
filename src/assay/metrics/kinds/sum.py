"""sum: total of a numeric column over the rows that match `where`."""

from __future__ import annotations

from assay.metrics.column_stat import ColumnMetric, column_kind


class SumMetric(ColumnMetric):
    pass


KIND = column_kind("sum", SumMetric, "Sum of the column over the matching rows")
