"""Turn query rows into what the page shows: KPI tiles, the coverage heat map, tidy tables.

Everything here is plain Python over small, already-aggregated rows, so the judgement calls
(which direction is good, what counts as overdue, which orgs fit on the page) are testable
without a browser or a warehouse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise
from typing import Any

from assay.findings.lifecycle import OPEN_STATUSES
from assay.metrics.registry import metric_kinds
from assay.report import formatting as fmt
from assay.report.context import Definition
from assay.report.queries import Rows, Run

STATUS_ORDER = ("new", "open", "reopened", "resolved")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
MAX_ORGS = 30
"""Heat-map rows; beyond this the page says how many smaller orgs it leaves out."""


NOT_SET = "(not set)"
"""How a null dimension value (an asset without an org, say) is labelled and grouped."""


def dimensions(text: str) -> dict[str, str]:
    return {k: NOT_SET if v is None else str(v) for k, v in json.loads(text).items()}


def with_dimensions(rows: Rows, keys: set[str]) -> Rows:
    """The rows broken down by exactly `keys`, each with its parsed dimensions under "dims".

    The raw `dimensions` text stays on the row: it is what later queries match exactly.
    """
    picked = []
    for row in rows:
        dims = dimensions(row["dimensions"])
        if set(dims) == keys:
            picked.append({**row, "dims": dims})
    return picked


def severity_rank(severity: str) -> tuple[int, str]:
    return (SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER), severity)


# --- KPI tiles --------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """One metric's overall value this run and how it moved since the previous run."""

    metric: str
    definition: str
    value: str
    change_text: str
    change: float | None = None
    arrow: str = ""
    tone: str = "none"
    """good / bad (depends on the kind's direction), flat, neutral (kind without a direction), none."""
    interval: str = ""
    n: str = ""
    status: str = ""
    """on track / at risk / off track against the metric's target; empty without one."""
    target: str = ""
    noise: str = ""
    """For rates: whether the change since the previous run is within noise (Newcombe interval)."""
    trend: str = ""
    """The Mann-Kendall verdict with Sen's slope, e.g. "rising 0.4 pp/week, p = 0.01"."""
    anomaly: str = ""


def _tone(change_shown: float, kind: str) -> str:
    """Which way is good comes from the kind (`assay.metrics.kinds`); a kind without a direction,
    or one this release does not know, is shown without a verdict."""
    known = metric_kinds().get(kind)
    if known is None or known.higher_is_better is None:
        return "neutral"
    return "good" if (change_shown > 0) == known.higher_is_better else "bad"


def _tile(metric: str, definition: Definition | None, now: dict[str, Any] | None, before: dict[str, Any] | None) -> Tile:
    text = definition.text if definition else ""
    if now is None:
        return Tile(metric, text, fmt.EMPTY, "no value this run")
    unit = now["unit"]
    n = f"n = {fmt.count(now['denominator'])}" if fmt.is_number(now["denominator"]) else ""
    interval = fmt.interval(now["ci_low"], now["ci_high"])
    tile = Tile(metric, text, fmt.value(now["value"], unit), "no previous value", interval=interval, n=n)
    if before is None or not (fmt.is_number(now["value"]) and fmt.is_number(before["value"])):
        return tile
    change = now["value"] - before["value"]
    scale, _ = fmt.delta_step(unit)
    shown = round(change * scale, 1)
    if shown == 0:
        return replace(tile, change=change, change_text="no change", tone="flat")
    arrow = "▲" if shown > 0 else "▼"
    return replace(tile, change=change, change_text=fmt.delta(change, unit), arrow=arrow, tone=_tone(shown, now["kind"]))


def kpi_tiles(overall: Rows, runs: list[Run], definitions: list[Definition], statuses: Rows | None = None) -> list[Tile]:
    """Defined metrics first in the project's order, then any other metric the run produced.

    A defined metric without a value this run still gets a tile: a KPI that silently vanishes
    from a weekly report is worse than one that says it has no value. Metrics shown as tables
    (a kind whose every value has a fixed dimension, such as aging buckets) get no tile.
    """
    latest = runs[-1].run_id
    previous = runs[-2].run_id if len(runs) > 1 else None
    by_key = {(r["run_id"], r["metric"]): r for r in overall}
    defined = {d.name: d for d in definitions if _display(d.kind) == "tile"}
    produced = sorted(m for (run_id, m) in by_key if run_id == latest and m not in defined)
    status = {r["metric"]: r for r in statuses or []}
    tiles = [_tile(m, defined.get(m), by_key.get((latest, m)), by_key.get((previous, m))) for m in [*defined, *produced]]
    return [_with_status(t, status.get(t.metric), by_key.get((latest, t.metric))) for t in tiles]


def with_statistics(tiles: list[Tile], trends: Rows, units: dict[str, str]) -> list[Tile]:
    """Add each tile's noise verdict, trend and anomaly flag from `assay_metric_trends`."""
    by_metric = {r["metric"]: r for r in trends}
    out = []
    for tile in tiles:
        r = by_metric.get(tile.metric)
        if r is None:
            out.append(tile)
            continue
        out.append(replace(tile, noise=noise_text(r), trend=trend_text(r, units.get(tile.metric, "count")), anomaly=anomaly_text(r)))
    return out


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def noise_text(r: dict[str, Any]) -> str:
    if r["within_noise"] is None:
        return ""
    interval = f"95% CI of the change {fmt.delta(r['change_low'], 'ratio')} to {fmt.delta(r['change_high'], 'ratio')}"
    if r["within_noise"]:
        return f"change within noise ({interval})"
    return (
        f"change beyond noise, {p_text(r['change_p'])} ({interval})"
        if fmt.is_number(r["change_p"])
        else f"change beyond noise ({interval})"
    )


def trend_text(r: dict[str, Any], unit: str) -> str:
    """ "rising 0.4 pp/week, p = 0.01" or "no trend (6 runs, p = 0.41)"; empty below 4 runs."""
    if r["trend"] is None:
        return ""
    if r["trend"] == "no trend":
        return f"no trend ({r['runs']} runs, {p_text(r['mk_p'])})"
    scale, suffix = fmt.delta_step(unit)
    slope = abs(r["sen_slope"] * scale) if fmt.is_number(r["sen_slope"]) else 0.0
    return f"{r['trend']} {slope:,.1f}{suffix}/week, {p_text(r['mk_p'])} ({r['runs']} runs)"


def anomaly_text(r: dict[str, Any]) -> str:
    if not r["anomaly"]:
        return ""
    return f"unusual for this series (robust z = {r['robust_z']:+.1f})".replace("-", fmt.MINUS)


@dataclass(frozen=True)
class Attribution:
    """Which groups moved one rate metric since the previous run, largest contribution first."""

    metric: str
    dimension: str
    rows: list[dict[str, str]]


def attributions(rows: Rows) -> list[Attribution]:
    out: dict[str, Attribution] = {}
    for r in rows:
        shaped = {
            "group": r["group"],
            "rate": f"{fmt.percent(r['previous_rate'])} → {fmt.percent(r['rate'])}",
            "share": f"{fmt.percent(r['previous_weight'])} → {fmt.percent(r['weight'])}",
            "rate_effect": fmt.delta(r["rate_effect"], "ratio"),
            "mix_effect": fmt.delta(r["mix_effect"], "ratio"),
            "effect": fmt.delta(r["effect"], "ratio"),
        }
        out.setdefault(r["metric"], Attribution(r["metric"], r["dimension"], [])).rows.append(shaped)
    return list(out.values())


@dataclass(frozen=True)
class Framework:
    """One framework's roll-up: per function its total row, then its requirements."""

    name: str
    rows: list[dict[str, Any]]


def frameworks(rows: Rows) -> list[Framework]:
    """Functions in name order, each followed by its requirements; every row shaped for a table
    line with a heat colour, so the page reads like the coverage heat map."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        shaped = {
            **r,
            "rate": fmt.percent(r["coverage"]),
            "interval": fmt.interval(r["ci_low"], r["ci_high"]),
            "colour": heat_colour(r["coverage"]) if fmt.is_number(r["coverage"]) else "transparent",
        }
        out.setdefault(r["framework_name"] or r["framework"], []).append(shaped)
    shaped_frameworks = []
    for name, mine in out.items():
        functions = sorted({r["function"] for r in mine})
        ordered = []
        for function in functions:
            ordered += [r for r in mine if r["function"] == function and r["level"] == "function"]
            ordered += sorted(
                (r for r in mine if r["function"] == function and r["level"] == "requirement"), key=lambda r: r["requirement"]
            )
        shaped_frameworks.append(Framework(name, ordered))
    return shaped_frameworks


def _display(kind: str) -> str:
    known = metric_kinds().get(kind)
    return known.display if known is not None else "tile"


def _with_status(tile: Tile, status: dict[str, Any] | None, now: dict[str, Any] | None) -> Tile:
    if status is None or now is None:
        return tile
    return replace(tile, status=status["status"] or "", target=f"target {fmt.value(status['target'], now['unit'])}")


# --- metrics shown as tables (aging buckets, flow per period) ------------------------------


@dataclass(frozen=True)
class MetricTable:
    """One table-display metric this run, by its fixed dimensions only: one row per key, and
    one column per `measure` when the kind has measures (flow), else one value column."""

    metric: str
    definition: str
    key_names: list[str]
    columns: list[str]
    rows: list[tuple[list[str], list[str]]]


def _natural(text: str) -> tuple[int, int, str]:
    """Buckets and periods in reading order: `0-30` < `31-60` < `>90`, ISO dates as text."""
    digits = "".join(c for c in text.split("-")[0] if c.isdigit())
    if text.startswith(">"):
        return (1, 0, text)
    return (0, int(digits) if digits and not text[:4].isdigit() else 0, text)


def metric_tables(rows: Rows, definitions: list[Definition]) -> list[MetricTable]:
    """`rows` are this run's values of table-display metrics; each metric's table uses the rows
    with the fewest dimensions (its fixed ones), the prefixes of `by` being drill-downs."""
    out = []
    for d in definitions:
        if _display(d.kind) != "table":
            continue
        mine = [{**r, "dims": dimensions(r["dimensions"])} for r in rows if r["metric"] == d.name]
        if not mine:
            continue
        fewest = min(len(r["dims"]) for r in mine)
        mine = [r for r in mine if len(r["dims"]) == fewest]
        keys = sorted(k for k in mine[0]["dims"] if k != "measure")
        measures = sorted({r["dims"]["measure"] for r in mine if "measure" in r["dims"]})
        columns = measures or ["value"]
        cells: dict[tuple[str, ...], dict[str, str]] = {}
        unit = mine[0]["unit"]
        for r in mine:
            key = tuple(r["dims"][k] for k in keys)
            cells.setdefault(key, {})[r["dims"].get("measure", "value")] = fmt.value(r["value"], unit)
        ordered = sorted(cells, key=lambda k: [_natural(part) for part in k])
        table_rows = [(list(k), [cells[k].get(c, fmt.count(0)) for c in columns]) for k in ordered]
        out.append(MetricTable(d.name, d.text, keys, columns, table_rows))
    return out


# --- coverage heat map ------------------------------------------------------------------

_RAMP = ((0.0, (236, 190, 180)), (0.7, (245, 222, 170)), (0.9, (226, 236, 200)), (1.0, (184, 221, 196)))
"""Muted red → amber → green; most of the range is spent above 70 %, where coverage lives."""


def heat_colour(rate: float) -> str:
    """The cell colour for a rate, interpolated within its segment of the ramp (clamped to 0–1)."""
    rate = min(1.0, max(0.0, rate))
    (lo, c0), (hi, c1) = next(pair for pair in pairwise(_RAMP) if rate <= pair[1][0])
    t = (rate - lo) / (hi - lo)
    r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(c0, c1, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def ramp_css() -> str:
    """The heat-map ramp as CSS gradient stops, for the legend under the table."""
    return ", ".join(f"rgb{colour} {stop * 100:.0f}%" for stop, colour in _RAMP)


@dataclass(frozen=True)
class Cell:
    text: str
    n: str
    title: str
    colour: str


@dataclass(frozen=True)
class Heatmap:
    """One coverage metric by org (rows) and control (columns), with an all-orgs row."""

    metric: str
    controls: list[str]
    rows: list[tuple[str, list[Cell | None]]]
    total: list[Cell | None]
    hidden_orgs: int


def _cell(row: dict[str, Any], where: str) -> Cell:
    ci = fmt.interval(row["ci_low"], row["ci_high"])
    title = f"{where}: {fmt.percent(row['value'])} ({fmt.count(row['numerator'])} of {fmt.count(row['denominator'])})"
    return Cell(
        fmt.percent(row["value"]),
        fmt.count(row["denominator"]),
        f"{title}, {ci}" if ci else title,
        heat_colour(row["value"]) if fmt.is_number(row["value"]) else "transparent",
    )


def coverage_heatmaps(breakdown: Rows) -> list[Heatmap]:
    coverage = [r for r in breakdown if r["kind"] == "coverage"]
    cells = with_dimensions(coverage, {"control", "org"})
    totals = with_dimensions(coverage, {"control"})
    maps = []
    for metric in sorted({r["metric"] for r in cells}):
        mine = [r for r in cells if r["metric"] == metric]
        controls = sorted({r["dims"]["control"] for r in mine})
        size: dict[str, float] = {}
        for r in mine:
            size[r["dims"]["org"]] = size.get(r["dims"]["org"], 0.0) + (r["denominator"] or 0.0)
        orgs = sorted(size, key=lambda o: (-size[o], o))
        at = {(r["dims"]["org"], r["dims"]["control"]): r for r in mine}
        total_at = {r["dims"]["control"]: r for r in totals if r["metric"] == metric}
        rows = [(org, [_cell(at[org, c], f"{org} · {c}") if (org, c) in at else None for c in controls]) for org in orgs[:MAX_ORGS]]
        total = [_cell(total_at[c], f"All orgs · {c}") if c in total_at else None for c in controls]
        maps.append(Heatmap(metric, controls, rows, total, max(0, len(orgs) - MAX_ORGS)))
    return maps


# --- findings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleCounts:
    statuses: list[str]
    rows: list[tuple[str, list[int], int]]
    """(rule, count per status, open total) sorted by open total, largest first."""


def rule_counts(rows: Rows) -> RuleCounts:
    extra = sorted({r["status"] for r in rows} - set(STATUS_ORDER))
    statuses = [*STATUS_ORDER, *extra]
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["rule"], {})[r["status"]] = int(r["n"])
    table = []
    for rule, by_status in counts.items():
        open_total = sum(by_status.get(s, 0) for s in OPEN_STATUSES)
        table.append((rule, [by_status.get(s, 0) for s in statuses], open_total))
    table.sort(key=lambda t: (-t[2], t[0]))
    return RuleCounts(statuses, table)


def overdue_rows(rows: Rows, as_of: date) -> Rows:
    return [{**r, "days_overdue": (as_of - r["due_at"]).days} for r in rows]


def owner_conflicts(rows: Rows) -> Rows:
    """One entry per asset listing each source's owner, in the order the query returned them."""
    assets: dict[str, dict[str, Any]] = {}
    for r in rows:
        first = {"asset_key": r["asset_key"], "name": r["name"], "asset_type": r["asset_type"], "owners": []}
        assets.setdefault(r["asset_key"], first)["owners"].append((r["source"], r["owner_email"]))
    return list(assets.values())


# --- data quality -----------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    """Up to five failing rows as a small table; `raw` keeps text that is not a JSON list of objects."""

    columns: list[str]
    rows: list[list[str]]
    raw: str


def _clip(text: str, limit: int) -> str:
    """Long free text (a sample value, a quarantined record) is cut so one row cannot flood the page."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell_text(value: Any) -> str:
    return _clip(value if isinstance(value, str) else json.dumps(value), 120)


def samples(text: str | None) -> Samples:
    if not text:
        return Samples([], [], "")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return Samples([], [], text)
    if not isinstance(parsed, list) or not all(isinstance(r, dict) for r in parsed):
        return Samples([], [], text)
    columns = list(dict.fromkeys(k for r in parsed for k in r))
    return Samples(columns, [[_cell_text(r.get(c)) for c in columns] for r in parsed], "")


def checks(rows: Rows) -> Rows:
    """Failures first, errors before warnings, so the page opens on what blocks trust."""

    def order(r: dict[str, Any]) -> tuple[bool, bool, str]:
        return (r["status"] != "fail", r["severity"] != "error", r["check_id"])

    shaped = []
    for r in sorted(rows, key=order):
        total = r["total_rows"] or 0
        if r["failing_rows"] is None:  # aggregate and table checks judge a value, not rows
            failing = f"observed {r.get('observed') or '—'}"
        else:
            rate = f" ({fmt.percent(r['failing_rows'] / total)})" if total and r["failing_rows"] else ""
            failing = f"{fmt.count(r['failing_rows'])} of {fmt.count(total)}{rate}"
        shaped.append({**r, "failing": failing, "sample_table": samples(r["samples"])})
    return shaped


def accounting(rows: Rows) -> tuple[Rows, dict[str, Any]]:
    """Per-source rows with a flag saying whether read = loaded + quarantined, and the totals."""
    shaped = [{**r, "balanced": r["rows_read"] == r["rows_loaded"] + r["rows_quarantined"]} for r in rows]
    totals = {k: sum(r[k] for r in rows) for k in ("rows_read", "rows_loaded", "rows_quarantined")}
    totals["balanced"] = all(r["balanced"] for r in shaped)
    return shaped, totals


def quarantine_sample(rows: Rows) -> Rows:
    return [{**r, "record": _clip(r["record"] or "", 240)} for r in rows]
