"""Rendering results for the terminal, JSON and CSV."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.metrics.plan import Plan
from assay.run.pipeline import RunResult


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def to_json(table: pa.Table) -> str:
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def metrics_table(table: pa.Table, title: str) -> Table:
    out = Table(title=title, title_justify="left")
    for column in ("metric", "dimensions", "value", "interval", "n"):
        out.add_column(column, justify="right" if column in ("value", "n") else "left")
    for row in table.to_pylist():
        out.add_row(
            row["metric"],
            row["dimensions"] if row["dimensions"] != "{}" else "(all)",
            format_value(row["value"], row["unit"]),
            f"{row['ci_low']:.1%} – {row['ci_high']:.1%}" if row["ci_low"] is not None else "",
            "" if row["denominator"] is None else f"{row['denominator']:,.0f}",
        )
    return out


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "days":
        return f"{value:.1f} d"
    return f"{value:,.0f}"


def checks_table(table: pa.Table) -> Table:
    rows = table.to_pylist()
    out = Table(title="Checks", title_justify="left")
    out.add_column("check", no_wrap=True, min_width=max((len(r["check_id"]) for r in rows), default=5))
    for column in ("severity", "status", "failing", "rows"):
        out.add_column(column, justify="right" if column in ("failing", "rows") else "left")
    out.add_column("observed", max_width=24, overflow="ellipsis", no_wrap=True)
    for row in rows:
        style = "green" if row["status"] == "pass" else ("red" if row["severity"] == "error" else "yellow")
        failing = "" if row["failing_rows"] is None else f"{row['failing_rows']:,}"
        observed = escape(row.get("observed") or "")
        out.add_row(row["check_id"], row["severity"], f"[{style}]{row['status']}[/]", failing, f"{row['total_rows']:,}", observed)
    return out


def run_summary(console: Console, result: RunResult) -> None:
    failed = [] if result.checks is None else [r for r in result.checks.to_pylist() if r["status"] == "fail"]
    quarantined = sum(o.rows_quarantined for o in result.accounting)
    loaded = sum(o.rows_loaded for o in result.accounting)
    reused = sum(o.reused for o in result.accounting)
    console.print(
        f"run [bold]{result.run_id}[/] as of {result.as_of}: {loaded:,} rows loaded "
        f"({reused} of {len(result.accounting)} sources unchanged), {quarantined:,} quarantined, "
        f"{len(failed)} check(s) failing, {sum(result.timings.values()):.1f}s",
        soft_wrap=True,
    )
    if result.gate is not None:
        style = "green" if result.gate.certified else "red"
        console.print(f"[{style}]{escape(result.gate.summary())}[/]", soft_wrap=True, highlight=False)


def plan_text(plan: Plan, metric: str) -> str:
    """The plan as numbered lines: "fix 12 pairs on 12 assets of org Payments: coverage +1.8 pp, to 92.3%"."""
    head = f"{metric}: {plan.covered:,} of {plan.in_scope:,} pairs covered ({plan.coverage:.1%}); target {plan.target:.1%}"
    if not plan.steps:
        return head + "\nthe target is already met" if plan.reached else head + "\nnothing to fix"
    lines = [head]
    for i, step in enumerate(plan.steps, 1):
        who = f"of {plan.by} {step.group}" if step.group is not None else f"without {plan.by}"
        lines.append(
            f"{i}. fix {step.pairs:,} uncovered pairs on {step.assets:,} assets {who}: "
            f"coverage +{step.gain * 100:.1f} pp, to {step.coverage_after:.1%}"
        )
    lines.append("target reached" if plan.reached else "fixing every group still falls short of the target")
    return "\n".join(lines)
