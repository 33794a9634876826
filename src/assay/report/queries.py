"""The report's reads of the warehouse: aggregated Ibis expressions, never whole tables.

Every history table is narrowed to runs whose status is `success` (a failed run may have written
rows before failing, and on Spark those rows cannot be deleted), and every list the page shows is
capped, so the report stays a few hundred kilobytes whether a table holds a thousand rows or a
hundred million. Entity tables are optional: a project without reconciliation has none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import ibis

from assay.engine import Engine
from assay.findings.lifecycle import OPEN_STATUSES
from assay.warehouse import history
from assay.warehouse import schema as S

Rows = list[dict[str, Any]]

TOP_N = 20
"""How many rows any list on the page shows at most."""


@dataclass(frozen=True)
class Run:
    """A successful run, the unit every trend is plotted over."""

    run_id: str
    run_seq: int
    as_of: date
    as_of_at: datetime | None = None
    """The instant it was evaluated at (UTC); None for runs recorded before it was kept."""


@dataclass(frozen=True)
class Attempt:
    """The most recent run whatever its outcome, so the page can warn that it failed."""

    run_seq: int
    as_of: date
    status: str
    error: str | None


def _rows(engine: Engine, expr: ibis.Table) -> Rows:
    return engine.to_arrow(expr).to_pylist()


def _history(engine: Engine, name: str) -> ibis.Table | None:
    """A history table restricted to successful runs, or None when the stage never wrote it."""
    return history.visible(engine, name) if engine.exists(name) else None


def successful_runs(engine: Engine) -> list[Run]:
    """All successful runs in run order: one row per run, so small even after years."""
    runs = history.successful_runs(engine)
    as_of_at = runs.as_of_at if "as_of_at" in runs.columns else ibis.null("timestamp")
    expr = runs.select("run_id", "run_seq", "as_of", as_of_at=as_of_at).order_by("run_seq")
    return [Run(**row) for row in _rows(engine, expr)]


def last_attempt(engine: Engine) -> Attempt:
    runs = engine.table(S.RUNS)
    expr = runs.select("run_seq", "as_of", "status", "error").order_by(ibis.desc("run_seq")).limit(1)
    return Attempt(**_rows(engine, expr)[0])


def overall_metrics(engine: Engine) -> Rows:
    """Each metric's overall value (`dimensions == '{}'`) in every successful run."""
    mv = _history(engine, S.METRIC_VALUES)
    if mv is None:
        return []
    expr = mv.filter(mv.dimensions == "{}").select(
        "run_id", "metric", "kind", "unit", "value", "numerator", "denominator", "ci_low", "ci_high"
    )
    return _rows(engine, expr)


def overall_statuses(engine: Engine, run_id: str) -> Rows:
    """One run's target statuses of overall values (metrics with a `target` only)."""
    if not engine.exists(S.METRIC_STATUS):
        return []
    ms = engine.table(S.METRIC_STATUS)
    return _rows(engine, ms.filter(ms.run_id == run_id, ms.dimensions == "{}").select("metric", "target", "warn", "fail", "status"))


def overall_trends(engine: Engine, run_id: str) -> Rows:
    """One run's statistics of overall values: change vs the previous run, trend, anomaly."""
    if not engine.exists(S.METRIC_TRENDS):
        return []
    mt = engine.table(S.METRIC_TRENDS)
    return _rows(
        engine,
        mt.filter(mt.run_id == run_id, mt.dimensions == "{}").select(
            "metric",
            "change",
            "change_low",
            "change_high",
            "change_p",
            "within_noise",
            "runs",
            "mk_p",
            "sen_slope",
            "trend",
            "robust_z",
            "anomaly",
        ),
    )


def attribution(engine: Engine, run_id: str) -> Rows:
    """One run's change attribution, the TOP_N groups of each metric that moved it most."""
    if not engine.exists(S.METRIC_ATTRIBUTION):
        return []
    a = engine.table(S.METRIC_ATTRIBUTION)
    a = a.filter(a.run_id == run_id, a.previous_weight.notnull())
    a = a.mutate(effect=a.rate_effect + a.mix_effect)
    ranked = a.mutate(rank=ibis.row_number().over(group_by=a.metric, order_by=ibis.desc(a.effect.abs())))
    return _rows(
        engine,
        ranked.filter(ranked["rank"] < TOP_N)
        .select("metric", "dimension", "group", "previous_rate", "rate", "previous_weight", "weight", "rate_effect", "mix_effect", "effect")
        .order_by(["metric", ibis.desc(ranked.effect.abs()), "group"]),
    )


def framework_coverage(engine: Engine, run_id: str) -> Rows:
    """One run's framework roll-up; its size is the mapping's requirements and functions."""
    if not engine.exists(S.FRAMEWORK_COVERAGE):
        return []
    fc = engine.table(S.FRAMEWORK_COVERAGE)
    return _rows(
        engine,
        fc.filter(fc.run_id == run_id)
        .select(
            "framework",
            "framework_name",
            "level",
            "function",
            "requirement",
            "title",
            "controls",
            "in_scope",
            "covered",
            "coverage",
            "ci_low",
            "ci_high",
            "open_findings",
        )
        .order_by(["framework", "function", "level", "requirement"]),
    )


def metric_values_of(engine: Engine, run_id: str, metrics: list[str]) -> Rows:
    """One run's values of the named metrics, every dimension (used for table-display kinds,
    whose size is their buckets or periods times the `by` prefixes)."""
    if not metrics or not engine.exists(S.METRIC_VALUES):
        return []
    mv = engine.table(S.METRIC_VALUES)
    return _rows(engine, mv.filter(mv.run_id == run_id, mv.metric.isin(metrics)).select("metric", "dimensions", "value", "unit"))


def metric_breakdown(engine: Engine, run_id: str, kinds: tuple[str, ...]) -> Rows:
    """One run's values by dimension for the given kinds; its size is the dimension cardinality."""
    if not engine.exists(S.METRIC_VALUES):
        return []
    mv = engine.table(S.METRIC_VALUES)
    expr = mv.filter(mv.run_id == run_id, mv.kind.isin(kinds), mv.dimensions != "{}").select(
        "metric", "kind", "dimensions", "value", "numerator", "denominator", "ci_low", "ci_high"
    )
    return _rows(engine, expr)


def metric_series(engine: Engine, metrics: list[str], dimensions: list[str]) -> Rows:
    """Values of the named metrics at the named dimension strings across successful runs.

    The caller picks the dimension strings from one run's breakdown, so the filter is an exact
    match on the stored JSON text and no engine has to parse JSON.
    """
    mv = _history(engine, S.METRIC_VALUES)
    if mv is None or not metrics or not dimensions:
        return []
    expr = mv.filter(mv.metric.isin(metrics), mv.dimensions.isin(dimensions)).select(
        "run_id", "metric", "dimensions", "value", "numerator", "denominator", "ci_low", "ci_high"
    )
    return _rows(engine, expr)


def findings_by_rule_status(engine: Engine) -> Rows:
    if not engine.exists(S.FINDINGS):
        return []
    f = engine.table(S.FINDINGS)
    return _rows(engine, f.group_by("rule", "status").aggregate(n=f.count()))


def overdue_findings(engine: Engine, as_of: date) -> tuple[int, Rows]:
    """How many open findings are past due on `as_of`, and the TOP_N most overdue."""
    if not engine.exists(S.FINDINGS):
        return 0, []
    f = engine.table(S.FINDINGS)
    overdue = f.filter(f.status.isin(OPEN_STATUSES), f.due_at < ibis.literal(as_of))
    total = engine.scalar(overdue.count())
    top = (
        overdue.select("rule", "entity_key", "severity", "status", "owner", "org", "first_seen_at", "due_at")
        .order_by(["due_at", "rule", "entity_key"])
        .limit(TOP_N)
    )
    return int(total), _rows(engine, top)


def finding_events_per_run(engine: Engine) -> Rows:
    ev = _history(engine, S.FINDING_EVENTS)
    if ev is None:
        return []
    return _rows(engine, ev.group_by("run_id", "event").aggregate(n=ev.count()))


@dataclass(frozen=True)
class Reconciliation:
    """Golden-record facts; each part is None (or empty) when its table does not exist."""

    assets: int | None
    by_source_count: Rows
    conflicted_assets: int | None
    conflicts: Rows
    """Every source's owner for the first TOP_N conflicted assets, so no asset is cut in half."""


def reconciliation(engine: Engine) -> Reconciliation | None:
    has_assets, has_conflicts = engine.exists(S.ASSETS), engine.exists(S.OWNER_CONFLICTS)
    if not (has_assets or has_conflicts):
        return None
    assets, by_sources, conflicted, conflicts = None, [], None, []
    if has_assets:
        a = engine.table(S.ASSETS)
        assets = int(engine.scalar(a.count()))
        by_sources = _rows(engine, a.group_by("source_count").aggregate(n=a.count()).order_by("source_count"))
    if has_conflicts:
        c = engine.table(S.OWNER_CONFLICTS)
        conflicted = int(engine.scalar(c.asset_key.nunique()))
        first = c.select("asset_key").distinct().order_by("asset_key").limit(TOP_N)
        conflicts = _rows(
            engine,
            c.semi_join(first, "asset_key")
            .select("asset_key", "asset_type", "name", "source", "owner_email")
            .order_by(["asset_key", "source", "owner_email"]),
        )
    return Reconciliation(assets, by_sources, conflicted, conflicts)


@dataclass(frozen=True)
class Uncovered:
    """Per control, how many in-scope assets it misses, with the first TOP_N to chase."""

    by_control: Rows
    sample: Rows


def uncovered_assets(engine: Engine) -> Uncovered | None:
    if not engine.exists(S.COVERAGE):
        return None
    cov = engine.table(S.COVERAGE)
    by_control = cov.group_by("control").aggregate(assets=cov.count(), uncovered=cov.count(where=~cov.covered)).order_by("control")
    missing = cov.filter(~cov.covered)
    sample = (
        missing.select("control", "asset_key", "asset_type", "name", "owner_email", "org", "last_seen_at")
        .order_by(["control", "org", "name", "asset_key"])
        .limit(TOP_N)
    )
    return Uncovered(_rows(engine, by_control), _rows(engine, sample))


def check_results(engine: Engine, run_id: str) -> Rows:
    """One run's check results; their number is set by the project's config, not by data size."""
    if not engine.exists(S.CHECK_RESULTS):
        return []
    c = engine.table(S.CHECK_RESULTS)
    return _rows(
        engine,
        c.filter(c.run_id == run_id).select(
            "check_id",
            "source",
            "kind",
            "column_name",
            "severity",
            "status",
            "failing_rows",
            "total_rows",
            "description",
            "samples",
            "observed",
        ),
    )


def gate_result(engine: Engine, run_id: str) -> dict[str, Any] | None:
    """The run's quality-gate verdict (None for runs made before the gate was recorded)."""
    if not engine.exists(S.GATE_RESULTS):
        return None
    g = engine.table(S.GATE_RESULTS)
    rows = _rows(engine, g.filter(g.run_id == run_id).select("certified", "gated_checks", "failed_checks", "reasons"))
    if not rows:
        return None
    return {**rows[0], "reasons": json.loads(rows[0]["reasons"] or "[]")}


def row_accounting(engine: Engine, run_id: str) -> Rows:
    if not engine.exists(S.ROW_ACCOUNTING):
        return []
    ra = engine.table(S.ROW_ACCOUNTING)
    return _rows(
        engine,
        ra.filter(ra.run_id == run_id).select("source", "rows_read", "rows_loaded", "rows_quarantined").order_by("source"),
    )


@dataclass(frozen=True)
class Quarantine:
    """Why rows were set aside in one run: counts by reason and the first TOP_N rows."""

    by_reason: Rows
    sample: Rows


def quarantine(engine: Engine, run_id: str) -> Quarantine:
    if not engine.exists(S.QUARANTINE):
        return Quarantine([], [])
    q = engine.table(S.QUARANTINE)
    q = q.filter(q.run_id == run_id)
    by_reason = q.group_by("source", "reason").aggregate(n=q.count()).order_by([ibis.desc("n"), "source", "reason"]).limit(TOP_N)
    sample = q.select("source", "file", "row_number", "reason", "record").order_by(["source", "file", "row_number"]).limit(TOP_N)
    return Quarantine(_rows(engine, by_reason), _rows(engine, sample))


def schema_drift(engine: Engine, run_id: str, previous_run_id: str | None) -> Rows:
    """Columns added, removed or retyped in each source since the previous successful run.

    A source's column type is the one its files showed (files that disagree show as `A|B`).
    """
    if previous_run_id is None or not engine.exists(S.SOURCE_COLUMNS):
        return []
    sc = engine.table(S.SOURCE_COLUMNS)

    def columns_of(run: str) -> ibis.Table:
        t = sc.filter(sc.run_id == run)
        return t.group_by("source", "column_name").aggregate(column_type=t.column_type.collect(distinct=True).sort().join("|"))

    now, before = columns_of(run_id), columns_of(previous_run_id)
    joined = now.outer_join(before, ["source", "column_name"], lname="", rname="{name}_before")
    rows = joined.select(
        source=ibis.coalesce(joined.source, joined.source_before),
        column_name=ibis.coalesce(joined.column_name, joined.column_name_before),
        before=joined.column_type_before,
        after=joined.column_type,
    )
    change = ibis.cases(
        (rows.before.isnull(), "added"), (rows.after.isnull(), "removed"), (rows.before != rows.after, "retyped"), else_=ibis.null("string")
    )
    rows = rows.mutate(change=change)
    return _rows(engine, rows.filter(rows.change.notnull()).order_by(["source", "change", "column_name"]))
