"""time_to_detect: days from when a problem began (`start`, default `occurred_at`) to when it was
detected (`end`, default `opened_at`), for findings detected in the window; mean by default
(mean time to detect)."""

from __future__ import annotations

from typing import Literal

from assay.metrics.aggregates import statistic
from assay.metrics.kind import MetricKind
from assay.metrics.kinds.duration import ended_in_window, window_problems
from assay.metrics.options import Windowed


class TimeToDetectMetric(Windowed):
    start: str = "occurred_at"
    end: str = "opened_at"
    stat: Literal["median", "p90", "mean"] = "mean"


KIND = MetricKind(
    name="time_to_detect",
    options=TimeToDetectMetric,
    unit="days",
    higher_is_better=False,
    description="Mean days from when a problem began to when it was detected, for findings detected in the window",
    base=ended_in_window,
    aggregate=lambda metric: statistic("days", metric.stat),
    problems=window_problems,
)
