"""Remediation planning: the shortest list of groups whose fixing brings coverage to a target.

Fixing a group (an org, an owner, an asset type, a control) covers its uncovered asset-control
pairs, raising coverage by (its uncovered pairs) ÷ (pairs in scope). Gains add up and do not
interact, so taking groups largest gain first reaches the target with the fewest groups. The
ranking and running totals are one windowed query over the latest coverage table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ibis

from assay.engine import Engine
from assay.errors import AssayError
from assay.warehouse import schema as w


@dataclass(frozen=True)
class Step:
    """Fix `pairs` uncovered pairs on `assets` assets of one group: coverage rises by `gain`."""

    group: str | None
    pairs: int
    assets: int
    gain: float
    coverage_after: float


@dataclass(frozen=True)
class Plan:
    by: str
    target: float
    covered: int
    in_scope: int
    steps: list[Step]

    @property
    def coverage(self) -> float:
        return self.covered / self.in_scope if self.in_scope else math.nan

    @property
    def reached(self) -> bool:
        """Whether fixing every listed group reaches the target (False when even all of them fall short)."""
        final = self.steps[-1].coverage_after if self.steps else self.coverage
        return final >= self.target


def coverage_plan(engine: Engine, by: str, target: float) -> Plan:
    """The plan on the latest run's `assay_coverage`, grouping uncovered pairs by column `by`."""
    if not engine.exists(w.COVERAGE):
        raise AssayError("no coverage table in the warehouse: the project needs controls and a successful run")
    cov = engine.table(w.COVERAGE)
    if by not in cov.columns:
        raise AssayError(f"assay_coverage has no column {by!r}; its columns: {', '.join(cov.columns)}")
    if not 0 < target <= 1:
        raise AssayError(f"a coverage target is a share between 0 and 1, got {target}")
    totals = engine.to_arrow(cov.aggregate(in_scope=cov.count(), covered=cov.covered.sum().cast("int64"))).to_pylist()[0]
    in_scope, covered = int(totals["in_scope"]), int(totals["covered"] or 0)
    needed = math.ceil(round(target * in_scope, 9)) - covered
    if in_scope == 0 or needed <= 0:
        return Plan(by, target, covered, in_scope, [])
    gaps = cov.filter(~cov.covered)
    groups = gaps.group_by(group=gaps[by].cast("string")).aggregate(pairs=gaps.count(), assets=gaps.asset_key.nunique())
    order = [ibis.desc("pairs"), ibis.asc("group")]
    running = groups.mutate(before=groups.pairs.sum().over(ibis.window(order_by=order, rows=(None, -1))).fill_null(0))
    chosen = running.filter(running.before < needed).order_by(order)
    steps, done = [], covered
    for row in engine.to_arrow(chosen).to_pylist():
        done += int(row["pairs"])
        steps.append(Step(row["group"], int(row["pairs"]), int(row["assets"]), row["pairs"] / in_scope, done / in_scope))
    return Plan(by, target, covered, in_scope, steps)
