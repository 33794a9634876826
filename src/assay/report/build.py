"""Build the weekly HTML report from the warehouse: one self-contained file, no network needed.

`build_report` is the only entry point: it reads aggregated numbers through `queries`, shapes
them with `view` and `charts`, and renders them with `render`. It reads nothing but warehouse
tables, so a report can be rebuilt for any engine that holds them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assay.engine import Engine
from assay.errors import AssayError
from assay.report import charts, queries, view
from assay.report.comparisons import PER_COLUMN, comparisons
from assay.report.context import ReportContext
from assay.report.render import render

__all__ = ["build_report"]


def _trend_series(engine: Engine, by_control: queries.Rows, by_severity: queries.Rows) -> queries.Rows:
    """One read for both per-control and per-severity trends, keyed by this run's dimension strings."""
    wanted = by_control + by_severity
    rows = queries.metric_series(engine, sorted({r["metric"] for r in wanted}), sorted({r["dimensions"] for r in wanted}))
    pairs = {(r["metric"], r["dimensions"]) for r in wanted}
    return [r for r in rows if (r["metric"], r["dimensions"]) in pairs]


def _chart_specs(engine: Engine, runs: list[queries.Run], overall: queries.Rows, breakdown: queries.Rows) -> dict[str, Any]:
    by_control = view.with_dimensions([r for r in breakdown if r["kind"] == "coverage"], {"control"})
    by_severity = view.with_dimensions([r for r in breakdown if r["kind"] == "open_count"], {"severity"})
    series = _trend_series(engine, by_control, by_severity)
    specs = {
        "coverage-trend": charts.coverage_trend(series, by_control, runs),
        "coverage-latest": charts.coverage_latest(by_control),
        "open-trend": charts.open_trend(series, by_severity, runs),
        "remediation-trend": charts.overall_trend(overall, runs, "duration", "days"),
        "sla-trend": charts.overall_trend(overall, runs, "sla", "ratio"),
        "findings-flow": charts.findings_flow(queries.finding_events_per_run(engine), runs),
    }
    return {name: spec for name, spec in specs.items() if spec is not None}


def build_report(engine: Engine, context: ReportContext, out_path: Path) -> Path:
    """Write the report for the latest successful run to `out_path` and return that path.

    Raises AssayError when no run has succeeded yet: there is nothing trustworthy to show.
    """
    runs = queries.successful_runs(engine)
    if not runs:
        raise AssayError("no successful run in assay_runs yet: run the project before building a report")
    latest = runs[-1]
    attempt = queries.last_attempt(engine)
    overall = queries.overall_metrics(engine)
    breakdown = queries.metric_breakdown(engine, latest.run_id, ("coverage", "open_count"))
    overdue_total, overdue = queries.overdue_findings(engine, latest.as_of)
    accounting, accounting_totals = view.accounting(queries.row_accounting(engine, latest.run_id))
    quarantined = queries.quarantine(engine, latest.run_id)
    recon = queries.reconciliation(engine)

    page = {
        "context": context,
        "latest": latest,
        "previous": runs[-2] if len(runs) > 1 else None,
        "run_count": len(runs),
        "failed_attempt": attempt if attempt.status != "success" else None,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "tiles": view.with_statistics(
            view.kpi_tiles(overall, runs, context.metrics, queries.overall_statuses(engine, latest.run_id)),
            queries.overall_trends(engine, latest.run_id),
            {r["metric"]: r["unit"] for r in overall if r["run_id"] == latest.run_id},
        ),
        "attributions": view.attributions(queries.attribution(engine, latest.run_id)),
        "frameworks": view.frameworks(queries.framework_coverage(engine, latest.run_id)),
        "metric_tables": view.metric_tables(
            queries.metric_values_of(engine, latest.run_id, [d.name for d in context.metrics]), context.metrics
        ),
        "heatmaps": view.coverage_heatmaps(breakdown),
        "uncovered": queries.uncovered_assets(engine),
        "rule_counts": view.rule_counts(queries.findings_by_rule_status(engine)),
        "overdue_total": overdue_total,
        "overdue": view.overdue_rows(overdue, latest.as_of),
        "reconciliation": recon,
        "conflicts": view.owner_conflicts(recon.conflicts) if recon else [],
        "comparisons": comparisons(engine, latest.run_id),
        "per_column": PER_COLUMN,
        "per_side": queries.TOP_N // 2,
        "checks": view.checks(queries.check_results(engine, latest.run_id)),
        "gate": queries.gate_result(engine, latest.run_id),
        "accounting": accounting,
        "accounting_totals": accounting_totals,
        "quarantine_reasons": quarantined.by_reason,
        "quarantine_sample": view.quarantine_sample(quarantined.sample),
        "schema_drift": queries.schema_drift(engine, latest.run_id, runs[-2].run_id if len(runs) > 1 else None),
        "top_n": queries.TOP_N,
        "max_orgs": view.MAX_ORGS,
    }
    html = render(page, _chart_specs(engine, runs, overall, breakdown))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path
