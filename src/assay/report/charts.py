"""Chart specifications: the data and colours of every chart, as plain JSON for the page script.

The page script only maps a spec onto Chart.js, so every decision about what is plotted, in
which order and colour, and what a tooltip says lives here, where it is tested. A chart without
data is left out and the page says so instead of drawing empty axes.
"""

from __future__ import annotations

from typing import Any

from assay.report import formatting as fmt
from assay.report.queries import Rows, Run
from assay.report.view import severity_rank

Spec = dict[str, Any]

SERIES = ("#2f5d8a", "#2a8c82", "#b7832f", "#7a5c99", "#b0533c", "#5b7553", "#8a6d5a", "#4f8fb8")
SEVERITY = {"critical": "#7d2a2a", "high": "#c0553a", "medium": "#d9a441", "low": "#8da7bd", "info": "#c3cad2"}
EVENTS = {"new": "#c0553a", "reopened": "#d9a441", "resolved": "#2a8c82"}
FALLBACK = "#8b95a1"


def run_labels(runs: list[Run]) -> list[str]:
    """Runs by as-of date, with the run number added where two runs share a date."""
    dates = [r.as_of.isoformat() for r in runs]
    return [d if dates.count(d) == 1 else f"{d} #{r.run_seq}" for d, r in zip(dates, runs, strict=True)]


def _detail(row: dict[str, Any], unit: str) -> str:
    parts = []
    if fmt.is_number(row.get("numerator")) and fmt.is_number(row.get("denominator")):
        parts.append(f"{fmt.count(row['numerator'])} of {fmt.count(row['denominator'])}")
    elif unit == "days" and fmt.is_number(row.get("denominator")):
        parts.append(f"n = {fmt.count(row['denominator'])}")
    ci = fmt.interval(row.get("ci_low"), row.get("ci_high"))
    return " · ".join([*parts, ci] if ci else parts)


def _number(value: float | None) -> float | None:
    return value if fmt.is_number(value) else None


def _series(label: str, colour: str, points: dict[str, dict[str, Any]], runs: list[Run], unit: str) -> dict[str, Any]:
    """One dataset over all runs; a run without a value is a gap (null), not a zero."""
    rows = [points.get(r.run_id) for r in runs]
    return {
        "label": label,
        "colour": colour,
        "data": [_number(p["value"]) if p else None for p in rows],
        "detail": [_detail(p, unit) if p else "" for p in rows],
    }


def _line(runs: list[Run], datasets: list[dict[str, Any]], unit: str) -> Spec | None:
    if not datasets:
        return None
    return {"type": "line", "unit": unit, "labels": run_labels(runs), "datasets": datasets}


def _label(metric: str, part: str, metrics: set[str]) -> str:
    return part if len(metrics) == 1 else f"{metric} · {part}"


def _by_run(rows: Rows) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(metric, dimensions text) → run_id → row."""
    out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for r in rows:
        out.setdefault((r["metric"], r["dimensions"]), {})[r["run_id"]] = r
    return out


def coverage_trend(series: Rows, by_control: Rows, runs: list[Run]) -> Spec | None:
    """Coverage by control over runs: one line per control the latest run reports."""
    points = _by_run(series)
    metrics = {r["metric"] for r in by_control}
    ordered = sorted(by_control, key=lambda r: (r["metric"], r["dims"]["control"]))
    datasets = [
        _series(
            _label(r["metric"], r["dims"]["control"], metrics),
            SERIES[i % len(SERIES)],
            points.get((r["metric"], r["dimensions"]), {}),
            runs,
            "ratio",
        )
        for i, r in enumerate(ordered)
    ]
    return _line(runs, datasets, "ratio")


def coverage_latest(by_control: Rows) -> Spec | None:
    """This run's coverage per control as horizontal bars, lowest first: the gaps lead."""
    if not by_control:
        return None
    metrics = {r["metric"] for r in by_control}
    ordered = sorted(by_control, key=lambda r: (r["value"] if fmt.is_number(r["value"]) else -1.0, r["dims"]["control"]))
    return {
        "type": "bar",
        "unit": "ratio",
        "horizontal": True,
        "labels": [_label(r["metric"], r["dims"]["control"], metrics) for r in ordered],
        "datasets": [
            {
                "label": "Coverage",
                "colour": SERIES[0],
                "data": [_number(r["value"]) for r in ordered],
                "detail": [_detail(r, "ratio") for r in ordered],
            }
        ],
    }


def open_trend(series: Rows, by_severity: Rows, runs: list[Run]) -> Spec | None:
    """Open findings stacked by severity; several open-count metrics get one stack each."""
    if not by_severity:
        return None
    points = _by_run(series)
    metrics = {r["metric"] for r in by_severity}
    ordered = sorted(by_severity, key=lambda r: (r["metric"], severity_rank(r["dims"]["severity"])))
    datasets = []
    for r in ordered:
        sev = r["dims"]["severity"]
        ds = _series(
            _label(r["metric"], sev, metrics), SEVERITY.get(sev, FALLBACK), points.get((r["metric"], r["dimensions"]), {}), runs, "count"
        )
        datasets.append({**ds, "stack": r["metric"]})
    return {"type": "bar", "unit": "count", "stacked": True, "labels": run_labels(runs), "datasets": datasets}


def overall_trend(overall: Rows, runs: list[Run], kind: str, unit: str) -> Spec | None:
    """The overall value of every metric of one kind, e.g. median days to remediate."""
    points: dict[str, dict[str, dict[str, Any]]] = {}
    for r in overall:
        if r["kind"] == kind:
            points.setdefault(r["metric"], {})[r["run_id"]] = r
    datasets = [_series(m, SERIES[i % len(SERIES)], points[m], runs, unit) for i, m in enumerate(sorted(points))]
    return _line(runs, datasets, unit)


def findings_flow(events: Rows, runs: list[Run]) -> Spec | None:
    """Findings opened, reopened and resolved in each run: is the backlog being worked down?"""
    if not events:
        return None
    counts = {(r["run_id"], r["event"]): int(r["n"]) for r in events}
    datasets = [
        {"label": event, "colour": colour, "data": [counts.get((r.run_id, event), 0) for r in runs], "detail": ["" for _ in runs]}
        for event, colour in EVENTS.items()
    ]
    return {"type": "bar", "unit": "count", "labels": run_labels(runs), "datasets": datasets}
