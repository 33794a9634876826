"""percentile: a quantile of a numeric column (continuous, linear interpolation between ranks)."""

from __future__ import annotations

from pydantic import Field

from assay.metrics.column_stat import ColumnMetric, column_kind


class PercentileMetric(ColumnMetric):
    p: float = Field(gt=0, lt=1)
    """Which quantile, e.g. 0.9 for the 90th percentile."""


KIND = column_kind("percentile", PercentileMetric, "Percentile p of the column over the matching rows with a value")
