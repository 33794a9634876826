"""What a check kind hands the scanner: Ibis expressions, never results.

Row kinds give a failing-row predicate; aggregate kinds give an observed value and a pass
condition; both go into the source's one aggregate query (`assay.checks.scan`). Kinds that read
another source, or need a grouped summary judged in Python (a handful of rows), run their own
bounded query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ibis

from assay.engine import Engine
from assay.ingest.stage import table_name


@dataclass(frozen=True)
class Plan:
    failing: ibis.BooleanValue | None = None
    """Rows that fail (True); NULL counts as passing."""
    judged: ibis.BooleanValue | None = None
    """Rows the check judges, the denominator of `mostly` (default: every row)."""
    observed: ibis.Scalar | None = None
    """An aggregate to record as the check's observed value."""
    passed: ibis.BooleanScalar | None = None
    """The verdict, when it is not simply "no failing rows" (aggregates, freshness)."""
    summary: ibis.Table | None = None
    """A small grouped result (distinct values, a histogram) that `judge` decides on in Python."""
    judge: Callable[[list[dict[str, Any]]], tuple[bool, Any]] | None = None
    """(passed, observed value) from the summary's rows, or, without a summary, from the one row
    `[{"value": observed}]` (history-based kinds judge the scan's aggregate in Python)."""
    failing_rows: ibis.Table | None = None
    """The same failing rows as `failing`, written for a cheaper sample query (the predicate may
    need a window over the whole table; a join on the duplicated keys does not)."""
    rows: ibis.Table | None = None
    """Failing rows returned by a query of their own (the `sql` kind), counted and sampled apart."""
    separate: bool = False
    """The predicate reads another source: it is counted by its own filter query, not in the scan."""


@dataclass(frozen=True)
class Context:
    """What a kind may consult besides the checked table."""

    engine: Engine
    source: str
    as_of: datetime
    previous_rows: dict[str, int] = field(default_factory=dict)
    """Rows loaded per source by the previous successful run (for change-since kinds)."""
    history: Callable[[str, int], list[Any]] | None = None
    """Observed values of a check id in the latest n successful runs (newest first)."""

    def previous_values(self, check_id: str, n: int) -> list[Any]:
        return self.history(check_id, n) if self.history is not None else []

    def table(self, source: str) -> ibis.Table:
        """Another loaded source (declared in `references()`, so the loader has checked it exists)."""
        return self.engine.table(table_name(source))
