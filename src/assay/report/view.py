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
from assay.report import formatting as fmt
from assay.report.context import Definition
from assay.report.queries import Rows, Run

HIGHER_IS_BETTER = {"coverage": True, "sla": True, "open_count": False, "duration": False}
"""Which way is good for each metric kind; a kind not listed is shown without a verdict."""

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


def _tone(change_shown: float, kind: str) -> str:
    if kind not in HIGHER_IS_BETTER:
        return "neutral"
    return "good" if (change_shown > 0) == HIGHER_IS_BETTER[kind] else "bad"


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


def kpi_tiles(overall: Rows, runs: list[Run], definitions: list[Definition]) -> list[Tile]:
    """Defined metrics first in the project's order, then any other metric the run produced.

    A defined metric without a value this run still gets a tile: a KPI that silently vanishes
    from a weekly report is worse than one that says it has no value.
    """
    latest = runs[-1].run_id
    previous = runs[-2].run_id if len(runs) > 1 else None
    by_key = {(r["run_id"], r["metric"]): r for r in overall}
    defined = {d.name: d for d in definitions}
    produced = sorted(m for (run_id, m) in by_key if run_id == latest and m not in defined)
    return [_tile(m, defined.get(m), by_key.get((latest, m)), by_key.get((previous, m))) for m in [*defined, *produced]]


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
