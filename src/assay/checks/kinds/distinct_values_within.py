"""distinct_values_within: no distinct value lies outside `values` (one verdict per value, not per row)."""

from __future__ import annotations

from typing import Any

from assay.checks.kinds._distinct import DistinctValues
from assay.checks.registry import register


@register(
    "distinct_values_within",
    "a distinct non-null value is not in `values`",
    example="distinct_values_within: {column: env, values: [prod, dev]}",
    failing="a `test` value",
)
class DistinctValuesWithin(DistinctValues):
    def describe(self) -> str:
        return f"{self.column} takes no value outside {', '.join(map(str, self.values))}"

    def verdict(self, found: set[Any], wanted: set[Any]) -> bool:
        return found <= wanted
