"""Compute every declared metric for one run as one table of rows for `assay_metric_values`.

Each metric is aggregated at every prefix of its `by` list (overall, by the first dimension,
by the first two, ...), so a tile, a breakdown and a drill-down all come from one run. A kind's
fixed dimensions (an aging bucket, a period) are part of every grouping.
"""

from __future__ import annotations

from datetime import date, datetime

import ibis

from assay.engine import Engine
from assay.engine.expressions import json_object
from assay.metrics.kind import MetricContext, MetricKind
from assay.metrics.registry import metric_kinds
from assay.metrics.stats.series import series_statistics
from assay.metrics.targets import status, thresholds
from assay.metrics.wilson import wilson_interval
from assay.project.models import MetricBase, Project
from assay.warehouse import schema as w

NOT_SET = "(not set)"
"""The group name of rows whose dimension value is missing, in the attribution."""


def metric_rows(
    engine: Engine, project: Project, inputs: dict[str, ibis.Table], as_of: datetime, findings: ibis.Table | None = None
) -> ibis.Table | None:
    """Every metric's values at the as-of instant, with targets and statuses (see `metric_history`).
    `findings` is this run's finding state with its `event` column, for the lifecycle kinds."""
    ctx = MetricContext(engine, project, as_of, inputs, findings)
    kinds = metric_kinds()
    parts = []
    for name, metric in project.metrics.items():
        kind = kinds[metric.kind]
        base = kind.base(ctx, metric)
        if base is None:
            continue
        parts.extend(_rollup(base, kind, metric, name))
    return ibis.union(*parts) if parts else None


def metric_history(engine: Engine, rows: ibis.Table, as_of: date) -> dict[str, ibis.Table]:
    """This run's rows of `assay_metric_values`, of `assay_metric_status` (metrics with a target),
    and the series statistics (`assay_metric_trends`, `assay_metric_attribution`), each computed
    into a work table so that publishing only copies rows."""
    day = ibis.literal(as_of)
    values = rows.select(*[c for c in w.HISTORY[w.METRIC_VALUES].names if c not in ("run_id", "as_of")]).mutate(as_of=day)
    statuses = rows.filter(rows.status.notnull()).select("metric", "dimensions", "value", "target", "warn", "fail", "status")
    out = {w.METRIC_VALUES: values, w.METRIC_STATUS: statuses.mutate(as_of=day)}
    for name, table in series_statistics(engine, rows, as_of).items():
        out[name] = engine.scratch(f"_work_{name}", table.mutate(as_of=day))
    return out


def _rollup(base: ibis.Table, kind: MetricKind, metric: MetricBase, name: str) -> list[ibis.Table]:
    fixed = kind.fixed_dimensions(metric)
    aggregate = kind.aggregate(metric)
    out = []
    for depth in range(len(metric.by) + 1):
        group = [*fixed, *[d for d in metric.by[:depth] if d not in fixed]]
        agg = base.group_by(group).aggregate(**aggregate(base)) if group else base.aggregate(**aggregate(base))
        dims = json_object({d: agg[d].cast("string") for d in sorted(group)})
        if kind.unit == "ratio":
            low, high = wilson_interval(agg.numerator, agg.denominator)
        else:
            low, high = ibis.null("float64"), ibis.null("float64")
        value = agg.value.cast("float64")
        attributed = kind.unit == "ratio" and depth == 1 and not fixed
        target = metric.target
        warn, fail = thresholds(target) if target else (None, None)
        out.append(
            agg.select(
                metric=ibis.literal(name),
                kind=ibis.literal(kind.name),
                dimensions=dims,
                value=value,
                numerator=agg.numerator.cast("float64"),
                denominator=agg.denominator.cast("float64"),
                ci_low=low.cast("float64"),
                ci_high=high.cast("float64"),
                unit=ibis.literal(kind.unit),
                target=ibis.literal(target.value if target else None, type="float64"),
                warn=ibis.literal(warn, type="float64"),
                fail=ibis.literal(fail, type="float64"),
                status=status(value, target, kind.higher_is_better) if target else ibis.null("string"),
                attr_dimension=ibis.literal(group[0] if attributed else None, type="string"),
                attr_group=agg[group[0]].cast("string").fill_null(NOT_SET) if attributed else ibis.null("string"),
            )
        )
    return out
