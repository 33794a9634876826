"""distinct_values_contain: every one of `values` occurs (all severities present, every region reporting)."""

from __future__ import annotations

from typing import Any

from assay.checks.kinds._distinct import DistinctValues
from assay.checks.registry import register


@register(
    "distinct_values_contain",
    "a value of `values` never occurs",
    example="distinct_values_contain: {column: severity, values: [critical, high]}",
    failing="no `critical` row",
)
class DistinctValuesContain(DistinctValues):
    def describe(self) -> str:
        return f"{self.column} takes each of {', '.join(map(str, self.values))}"

    def verdict(self, found: set[Any], wanted: set[Any]) -> bool:
        return wanted <= found
