"""coverage: share of in-scope asset × control pairs with fresh evidence (Wilson interval)."""

from __future__ import annotations

import ibis

from assay.metrics.aggregates import rate
from assay.metrics.kind import MetricContext, MetricKind
from assay.project.models import MetricBase, Project
from assay.project.references import Problems, by_problems


class CoverageMetric(MetricBase):
    """`by` may name any column of the coverage matrix (control, org, asset_type, owner_email...)."""


def _base(ctx: MetricContext, metric: CoverageMetric) -> ibis.Table | None:
    return ctx.inputs.get("coverage")


def _problems(p: Project, name: str, metric: CoverageMetric) -> Problems:
    if not p.controls:
        return [(("metrics", name), "a coverage metric needs at least one control")]
    return by_problems(p, ("metrics", name, "by"), "coverage", metric.by)


KIND = MetricKind(
    name="coverage",
    options=CoverageMetric,
    unit="ratio",
    higher_is_better=True,
    description="Share of in-scope assets with fresh evidence of the control (Wilson 95% interval)",
    base=_base,
    aggregate=lambda metric: rate(lambda t: t.covered),
    problems=_problems,
)
