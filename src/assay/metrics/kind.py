"""What a metric kind declares, and what its base table is built from.

A kind is one module in `assay.metrics.kinds` that defines `KIND`: its options model, the base
table it aggregates, the aggregate, the unit, which direction is good, a default description and
how the report shows it. `assay.metrics.compute` rolls any kind up the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import ibis

from assay.engine import Engine
from assay.ingest.stage import table_name
from assay.project.models import MetricBase, Project
from assay.project.references import Problems

Aggregate = Callable[[ibis.Table], dict[str, ibis.Value]]
"""Group aggregates `value`, `numerator` and `denominator` of one group of base rows."""

Unit = Literal["ratio", "count", "days", "amount"]


@dataclass(frozen=True)
class MetricContext:
    """What a base table may read: loaded sources, finding inputs built this run, the instant,
    and this run's finding state (with the `event` each finding had in this run)."""

    engine: Engine
    project: Project
    as_of: datetime
    inputs: dict[str, ibis.Table]
    findings: ibis.Table | None = None

    def table(self, name: str) -> ibis.Table | None:
        """A source's loaded rows, or a finding input (None when this project does not build it)."""
        if name in self.project.sources:
            return self.engine.table(table_name(name))
        return self.inputs.get(name)


def no_fixed_dimensions(options: Any) -> list[str]:
    return []


@dataclass(frozen=True)
class MetricKind:
    """One metric kind. `base` gives the rows to aggregate (None: nothing to measure this run);
    `fixed_dimensions` are columns of the base that every value is broken down by (an aging
    bucket, a period), ahead of the prefixes of `by`. `display` is `tile` (one headline value with
    its change) or `table` (a small table of the fixed dimensions)."""

    name: str
    options: type[MetricBase]
    unit: Unit
    higher_is_better: bool | None
    description: str
    base: Callable[[MetricContext, Any], ibis.Table | None]
    aggregate: Callable[[Any], Aggregate]
    problems: Callable[[Project, str, Any], Problems]
    fixed_dimensions: Callable[[Any], list[str]] = no_fixed_dimensions
    display: Literal["tile", "table"] = "tile"
