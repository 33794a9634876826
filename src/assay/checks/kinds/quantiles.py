"""quantiles: chosen quantiles of a column each lie within their own bounds."""

from __future__ import annotations

import ibis
from pydantic import ConfigDict, Field

from assay.checks.kinds._values import Bounds
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


class QuantileBounds(Bounds):
    model_config = ConfigDict(extra="forbid", frozen=True)

    quantile: float = Field(ge=0, le=1)


@register(
    "quantiles",
    "a quantile in `quantiles` (each `{quantile, min, max}`) is outside its bounds (continuous quantiles, as `median`)",
    example="quantiles: {column: cvss, quantiles: [{quantile: 0.9, max: 9}]}",
    failing="90th percentile 9.8",
)
class Quantiles(CheckOptions):
    column: str
    quantiles: list[QuantileBounds] = Field(min_length=1)

    def describe(self) -> str:
        return "; ".join(f"q{q.quantile:g} of {self.column} is {q.bounds_text()}" for q in self.quantiles)

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        observed = [value.quantile(q.quantile) for q in self.quantiles]
        passed = ibis.and_(*(q.within(o).fill_null(False) for q, o in zip(self.quantiles, observed, strict=True)))
        return Plan(observed=ibis.array(observed), passed=passed)
