"""Shared by the column-aggregate kinds: an aggregate of one column checked against bounds."""

from __future__ import annotations

import ibis

from assay.checks.kinds._values import Bounds, literal_like
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan


class ColumnAggregate(CheckOptions, Bounds):
    """Subclasses define `aggregate`, a function of the column (and of the table, for shares of rows)."""

    column: str

    def aggregate(self, value: ibis.Column, t: ibis.Table) -> ibis.Scalar:
        raise NotImplementedError

    def describe(self) -> str:
        return f"{type(self).kind.replace('_', ' ')} of {self.column} is {self.bounds_text()}"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        observed = self.aggregate(t[self.column], t)
        bounds = self.model_copy(update={"min": _lit(self.min, observed), "max": _lit(self.max, observed)})
        return Plan(observed=observed, passed=bounds.within(observed).fill_null(False))


def _lit(bound: object, value: ibis.Value) -> object:
    return None if bound is None else literal_like(bound, value)
