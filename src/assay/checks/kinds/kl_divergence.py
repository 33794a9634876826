"""kl_divergence: the column's distribution has not drifted from a reference distribution.

The reference is categorical (`values` with `weights`) or a histogram (`bins` edges with
`weights`, optional `tail_weights` below the first and above the last edge). The engine counts
the rows per value or bin (one small grouped query); the divergence D(observed ‖ reference) is
computed from those few counts. Holdouts give unseen values or tails some reference weight so
the divergence stays finite, with Great Expectations' semantics.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import ibis
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assay.checks.kinds._values import Value
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    values: list[Value] | None = None
    bins: list[float] | None = None
    weights: list[float] = Field(min_length=1)
    tail_weights: list[float] | None = Field(default=None, min_length=2, max_length=2)

    @model_validator(mode="after")
    def _shape(self) -> Reference:
        if (self.values is None) == (self.bins is None):
            raise ValueError("give values (categorical) or bins (a histogram), not both")
        if any(w < 0 for w in self.weights):
            raise ValueError("weights cannot be negative")
        total = sum(self.weights) + sum(self.tail_weights or [])
        if not math.isclose(total, 1, abs_tol=1e-6):
            raise ValueError(f"weights (and tail_weights) must add up to 1, not {total:g}")
        if self.values is not None:
            if len(self.values) != len(self.weights) or self.tail_weights is not None:
                raise ValueError("a categorical reference has one weight per value and no tail_weights")
        elif self.bins is not None:
            if len(self.bins) != len(self.weights) + 1 or any(a >= b for a, b in itertools.pairwise(self.bins)):
                raise ValueError("bins are increasing edges, one more than the weights")
            if self.tail_weights is not None and (math.isinf(self.bins[0]) or math.isinf(self.bins[-1])):
                raise ValueError("tail_weights need finite end bins")
        return self


def divergence(observed: list[float], expected: list[float]) -> float | None:
    """D(p ‖ q) in nats, both normalized; None when infinite (p > 0 where q = 0) or undefined."""
    p_total, q_total = sum(observed), sum(expected)
    if p_total <= 0 or q_total <= 0:
        return None
    d = 0.0
    for p, q in zip(observed, expected, strict=True):
        if p > 0:
            if q <= 0:
                return None
            d += (p / p_total) * math.log((p / p_total) / (q / q_total))
    return d


@register(
    "kl_divergence",
    "the Kullback-Leibler divergence of the column's distribution from `reference` ({`values`, `weights`} or"
    " {`bins`, `weights`, `tail_weights`}) exceeds `max`, or is infinite",
)
class KlDivergence(CheckOptions):
    column: str
    reference: Reference
    max: float | None = Field(default=None, ge=0)
    """None: only record the divergence."""
    tail_weight_holdout: float = Field(default=0, ge=0, le=1)
    """Reference weight given to values outside it (categorical) or beyond the end bins."""
    internal_weight_holdout: float = Field(default=0, ge=0, le=1)
    """Reference weight shared by the empty bins of a histogram."""

    @model_validator(mode="after")
    def _holdouts(self) -> KlDivergence:
        r = self.reference
        if self.tail_weight_holdout and r.tail_weights is not None:
            raise ValueError("tail_weight_holdout cannot be combined with tail_weights")
        if r.values is not None and self.internal_weight_holdout:
            raise ValueError("internal_weight_holdout applies to histograms, not categories")
        if r.bins is not None and self.tail_weight_holdout and math.isinf(r.bins[0]) and math.isinf(r.bins[-1]):
            raise ValueError("tail_weight_holdout needs at least one finite end bin")
        return self

    def describe(self) -> str:
        if self.max is None:
            return f"KL divergence of {self.column} from the reference"
        return f"distribution of {self.column} within KL {self.max:g} of the reference"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column]
        present = t.filter(value.notnull())
        if self.reference.values is not None:
            summary = present.group_by(value=present[self.column]).aggregate(n=ibis._.count())
            return Plan(summary=summary, judge=self._judge_categories)
        bins = self.reference.bins or []
        v = present[self.column].cast("float64")
        counts: dict[str, Any] = {"below": present.count(where=v < bins[0]), "above": present.count(where=v > bins[-1])}
        for i, (low, high) in enumerate(itertools.pairwise(bins)):
            last = i == len(bins) - 2
            inside = [] if math.isinf(low) else [v >= low]
            if not math.isinf(high):  # numpy's histogram: half-open bins, the last one closed
                inside.append(v <= high if last else v < high)
            counts[f"b{i}"] = present.count(where=ibis.and_(*inside)) if inside else present.count()
        return Plan(summary=present.aggregate(n=present.count(), **counts), judge=self._judge_histogram)

    def _verdict(self, d: float | None) -> tuple[bool, Any]:
        ok = True if self.max is None else (d is not None and d <= self.max)
        return ok, d

    def _judge_categories(self, rows: list[dict[str, Any]]) -> tuple[bool, Any]:
        r = self.reference
        found = {row["value"]: row["n"] for row in rows}
        expected = dict(zip(r.values or [], r.weights, strict=True))
        keys = list(dict.fromkeys([*expected, *found]))
        unseen = [k for k in keys if k not in expected]
        scale = 1 - self.tail_weight_holdout if unseen else 1
        q = [expected[k] * scale if k in expected else self.tail_weight_holdout / len(unseen) for k in keys]
        return self._verdict(divergence([float(found.get(k, 0)) for k in keys], q))

    def _judge_histogram(self, rows: list[dict[str, Any]]) -> tuple[bool, Any]:
        r, row = self.reference, rows[0]
        bins = r.bins or []
        n = row["n"] or 0
        hist = [row[f"b{i}"] for i in range(len(bins) - 1)]
        weights = [w * (1 - self.tail_weight_holdout - self.internal_weight_holdout) for w in r.weights]
        empty = [i for i, w in enumerate(weights) if w == 0]
        if self.internal_weight_holdout and empty:
            for i in empty:
                weights[i] = self.internal_weight_holdout / len(empty)
        low_inf, high_inf = math.isinf(bins[0]), math.isinf(bins[-1])
        if low_inf and high_inf:
            q, p = weights, hist
        elif low_inf:
            q, p = [*weights, self.tail_weight_holdout], [*hist, row["above"]]
        elif high_inf:
            q, p = [self.tail_weight_holdout, *weights], [row["below"], *hist]
        else:
            tails = r.tail_weights or [self.tail_weight_holdout / 2] * 2
            q, p = [tails[0], *weights, tails[1]], [row["below"], *hist, row["above"]]
        if n == 0:
            return self._verdict(None)
        return self._verdict(divergence([float(x) for x in p], q))
