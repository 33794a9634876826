"""distinct_values_equal: the set of distinct values is exactly `values`."""

from __future__ import annotations

from typing import Any

from assay.checks.kinds._distinct import DistinctValues
from assay.checks.registry import register


@register(
    "distinct_values_equal",
    "the distinct non-null values are not exactly `values`",
    example="distinct_values_equal: {column: env, values: [prod, dev]}",
    failing="values prod, dev, test",
)
class DistinctValuesEqual(DistinctValues):
    def describe(self) -> str:
        return f"{self.column} takes exactly the values {', '.join(map(str, self.values))}"

    def verdict(self, found: set[Any], wanted: set[Any]) -> bool:
        return found == wanted
