"""anomaly: a source's volume or a column's profile moved outside its usual band.

The metric (row count, null rate, distinct count or mean) is measured in the source's scan and
recorded as the check's observed value each run; the band is the median ± `k` × MAD (scaled by
1.4826, so it estimates one standard deviation for normal data) of the values recorded by the
last `runs` successful runs. Until `min_history` runs have recorded it, the check passes.
"""

from __future__ import annotations

import statistics
from typing import Any, Literal

import ibis
from pydantic import Field, model_validator

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register

MAD_TO_SIGMA = 1.4826


def robust_band(history: list[float], k: float) -> tuple[float, float, float]:
    """(median, low, high) of the values: median ± k · 1.4826 · MAD."""
    median = statistics.median(history)
    mad = statistics.median(abs(v - median) for v in history) * MAD_TO_SIGMA
    return median, median - k * mad, median + k * mad


@register(
    "anomaly",
    "`metric` (`row_count`, or `null_rate`, `distinct_count`, `mean` of `column`) is outside median ± `k`·MAD of the last `runs`"
    " runs (once `min_history` runs have recorded it)",
    example="anomaly: {metric: row_count, k: 4}",
    failing="20,000 rows after runs of 50,000 ± 300",
)
class Anomaly(CheckOptions):
    metric: Literal["row_count", "null_rate", "distinct_count", "mean"]
    column: str | None = None
    k: float = Field(default=3, gt=0)
    runs: int = Field(default=20, ge=2, le=500)
    min_history: int = Field(default=5, ge=2)

    @model_validator(mode="after")
    def _column_when_needed(self) -> Anomaly:
        if (self.metric == "row_count") != (self.column is None):
            raise ValueError("row_count takes no column; null_rate, distinct_count and mean need one")
        if self.min_history > self.runs:
            raise ValueError("min_history cannot exceed runs")
        return self

    def describe(self) -> str:
        what = self.metric.replace("_", " ") + (f" of {self.column}" if self.column else "")
        return f"{what} within median ± {self.k:g}·MAD of the last {self.runs} runs"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        from assay.checks.run import check_identity

        if self.column is None:
            value: ibis.Scalar = t.count().cast("float64")
        else:
            c = t[self.column]
            value = {
                "null_rate": c.isnull().cast("float64").mean(),
                "distinct_count": c.nunique().cast("float64"),
                "mean": c.cast("float64").mean(),
            }[self.metric]
        history = [v for v in ctx.previous_values(check_identity(ctx.source, self), self.runs) if v is not None]

        def judge(rows: list[dict[str, Any]]) -> tuple[bool, Any]:
            current = rows[0]["value"]
            if len(history) < self.min_history:
                return True, {"value": current, "history": len(history), "band": None}
            median, low, high = robust_band(history, self.k)
            ok = current is not None and low <= current <= high
            return ok, {"value": current, "history": len(history), "median": median, "band": [low, high]}

        return Plan(observed=value, judge=judge)
