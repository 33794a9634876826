"""All checks on one source as one aggregate query, plus bounded queries for failing rows.

Checks are grouped by their `where` filter; each group is one aggregate over the filtered source
(row predicates become flag columns, counted with `count(where=...)`), and the groups' one-row
results are cross-joined, so the engine receives a single statement however many checks pass.
Kinds that read another source or need a grouped summary run their own query (`Plan.separate`,
`Plan.summary`). Sample rows: where the engine can keep the first n rows of a group while
aggregating (capability `first_rows`), the scan notes where each failing check's first rows are
and one more query reads them all; elsewhere each failing check costs one bounded query.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.operations as ops

from assay.checks.expression import bind
from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.ingest.stage import FILE, table_name

ROW = "_row"
ORDER = "_assay_order"


@dataclass(frozen=True)
class Outcome:
    """One check's result on one run."""

    passed: bool
    failing_rows: int | None
    judged_rows: int | None
    total_rows: int
    observed: Any
    samples: list[dict[str, Any]]


@dataclass(frozen=True)
class _Planned:
    index: int
    check: CheckOptions
    table: ibis.Table
    plan: Plan


def scan_source(ctx: Context, checks: list[CheckOptions]) -> list[Outcome]:
    """Run `checks` on `ctx.source`; outcomes in the order of `checks`."""
    base = ctx.engine.table(table_name(ctx.source))
    planned: list[_Planned] = []
    groups: dict[str | None, list[int]] = {}
    for i, check in enumerate(checks):
        groups.setdefault(check.where, []).append(i)
    aggregates: list[ibis.Table] = []
    for g, (where, members) in enumerate(groups.items()):
        t = base.filter(bind(where, base)) if where else base
        group = [_Planned(i, checks[i], t, checks[i].plan(t, ctx)) for i in members]
        planned.extend(group)
        aggregates.append(_aggregate(ctx, g, t, [p for p in group if _in_scan(p.plan)]))
    values = _one_row(ctx, aggregates)
    fetched = _fetch_first_rows(ctx, base, [values[f"s{p.index}"] or [] for p in planned if f"s{p.index}" in values])
    outcomes = {p.index: _outcome(ctx, p, values, _group_of(groups, p.index), fetched) for p in planned}
    return [outcomes[i] for i in range(len(checks))]


def _key(row: dict[str, Any]) -> tuple[str, int]:
    """Where a row came from, which also orders samples: (file, line or row number)."""
    return (str(row.get(FILE, "")), int(row.get(ROW) or 0))


def _fetch_first_rows(ctx: Context, base: ibis.Table, picked: list[list[dict[str, Any]]]) -> dict[tuple[str, int], dict[str, Any]]:
    """The whole rows behind every check's sampled (file, row) pairs, in one bounded query."""
    wanted = {_key(r) for rows in picked for r in rows}
    if not wanted:
        return {}
    columns = [c for c in (FILE, ROW) if c in base.columns] + [c for c in base.columns if not c.startswith("_")]
    rows = ctx.engine.to_arrow(base.filter(base[ROW].isin(sorted({r for _, r in wanted}))).select(*columns)).to_pylist()
    return {_key(r): r for r in rows if _key(r) in wanted}


def _in_scan(plan: Plan) -> bool:
    """Whether the check is answered by the source's aggregate query (not by a query of its own)."""
    return not (plan.separate or plan.summary is not None or plan.rows is not None)


def failing_rows(p: Plan, t: ibis.Table) -> ibis.Table:
    """The failing rows of a planned check (its predicate may hold window functions, so it is
    computed as a column before filtering)."""
    if p.failing_rows is not None:
        return p.failing_rows
    if p.failing is None:
        raise ValueError("this check judges the table, not rows")
    if p.separate or not _has_window(p.failing):
        return t.filter(p.failing)
    return t.mutate(_assay_failing=p.failing).filter(ibis._["_assay_failing"]).drop("_assay_failing")


def _has_window(expr: ibis.Value) -> bool:
    return bool(expr.op().find(ops.WindowFunction))


def _group_of(groups: dict[str | None, list[int]], index: int) -> int:
    return next(g for g, members in enumerate(groups.values()) if index in members)


def _aggregate(ctx: Context, g: int, t: ibis.Table, group: list[_Planned]) -> ibis.Table:
    flags: dict[str, Any] = {}
    for p in group:
        if p.plan.failing is not None:
            flags[f"_f{p.index}"] = p.plan.failing
        if p.plan.judged is not None and p.check.mostly is not None:  # the judged rows only matter for `mostly`
            flags[f"_j{p.index}"] = p.plan.judged
    sampled = ctx.engine.capabilities.first_rows and ROW in t.columns
    if sampled and any(p.plan.failing is not None and p.check.samples for p in group):
        # One sort key for every check's samples, computed once per row: the line number, then the
        # file (by hash: a struct key costs far more), so the choice of rows is deterministic.
        file_part = (t[FILE].hash() % 1_048_576).abs() if FILE in t.columns else 0
        flags[ORDER] = t[ROW] * 1_048_576 + file_part
    m = t.mutate(**flags) if flags else t
    metrics: dict[str, Any] = {f"n{g}": m.count()}
    for p in group:
        if p.plan.failing is not None:
            metrics[f"f{p.index}"] = m.count(where=m[f"_f{p.index}"])
            if sampled and p.check.samples:
                metrics[f"s{p.index}"] = _first_rows(ctx, m, p, m[f"_f{p.index}"])
        if f"_j{p.index}" in flags:
            metrics[f"j{p.index}"] = m.count(where=m[f"_j{p.index}"])
        if p.plan.observed is not None:
            metrics[f"o{p.index}"] = _rebase(p.plan.observed, t, m)
        if p.plan.passed is not None:
            metrics[f"p{p.index}"] = _rebase(p.plan.passed, t, m)
    return m.aggregate(**metrics)


def _sample_columns(t: ibis.Table, check: CheckOptions) -> list[str]:
    """Where the row came from, the columns the check reads, then the rest of the row."""
    ordered = (FILE, ROW, *check.columns_read(), *(c for c in t.columns if not c.startswith("_")))
    return [c for c in dict.fromkeys(ordered) if c in t.columns]


def _checked_first(row: dict[str, Any], check: CheckOptions) -> dict[str, Any]:
    order = [FILE, ROW, *check.columns_read(), *row]
    return {c: row[c] for c in dict.fromkeys(order) if c in row}


def _first_rows(ctx: Context, m: ibis.Table, p: _Planned, flag: ibis.BooleanValue) -> ibis.ArrayValue:
    """Where the check's first failing rows are (by `_row`, files apart), kept while the scan
    aggregates; the rows themselves are read afterwards, for all checks at once."""
    where = [c for c in (FILE, ROW) if c in m.columns]
    return ctx.engine.first_rows(ibis.struct({c: m[c] for c in where}), m[ORDER], p.check.samples, flag)


def _rebase(expr: Any, t: ibis.Table, m: ibis.Table) -> Any:
    """`expr`, written over `t`, as the same expression over `m` (`t` plus flag columns): Ibis
    re-points column references itself but not whole-table reductions such as `t.count()`."""
    return expr.op().replace({t.op(): m.op()}).to_expr() if m is not t else expr


def _one_row(ctx: Context, aggregates: list[ibis.Table]) -> dict[str, Any]:
    if not aggregates:
        return {}
    joined = functools.reduce(lambda a, b: a.cross_join(b), aggregates)
    return ctx.engine.to_arrow(joined).to_pylist()[0]


def _outcome(ctx: Context, p: _Planned, values: dict[str, Any], group: int, fetched: dict[tuple[str, int], dict[str, Any]]) -> Outcome:
    plan, i = p.plan, p.index
    total = int(values.get(f"n{group}") or 0) if values else int(ctx.engine.scalar(p.table.count()))
    failing = judged = None
    observed: Any = None
    if plan.rows is not None:
        failing = int(ctx.engine.scalar(plan.rows.count()))
        samples = ctx.engine.to_arrow(plan.rows.limit(p.check.samples)).to_pylist() if failing and p.check.samples else []
        return Outcome(failing == 0, failing, None, total, None, samples)
    if plan.summary is not None and plan.judge is not None:
        passed, observed = plan.judge(ctx.engine.to_arrow(plan.summary).to_pylist())
        return Outcome(passed, None, None, total, observed, [])
    if plan.separate:
        if plan.failing is not None:
            failing = int(ctx.engine.scalar(p.table.filter(plan.failing).count()))
        if plan.judged is not None and p.check.mostly is not None:
            judged = int(ctx.engine.scalar(p.table.filter(plan.judged).count()))
        observed = ctx.engine.scalar(plan.observed) if plan.observed is not None else None
        verdict = ctx.engine.scalar(plan.passed) if plan.passed is not None else None
    else:
        # Spark counts with a filter as SUM(CASE ...), NULL over no rows
        failing = int(values[f"f{i}"] or 0) if plan.failing is not None else None
        judged = int(values[f"j{i}"] or 0) if f"j{i}" in values else None
        observed = values.get(f"o{i}")
        verdict = values.get(f"p{i}") if plan.passed is not None else None
    if plan.judge is not None:
        passed, observed = plan.judge([{"value": observed}])
    elif plan.passed is not None:
        passed = bool(verdict)
    else:
        passed = _rows_pass(failing or 0, judged if judged is not None else total, p.check.mostly)
    if f"s{i}" in values:
        keys = sorted(_key(r) for r in values[f"s{i}"] or [])
        samples = [_checked_first(fetched[k], p.check) for k in keys if k in fetched]
    else:
        samples = _samples(ctx, p) if failing and p.check.samples else []
    return Outcome(passed, failing, judged, total, observed, samples)


def _rows_pass(failing: int, judged: int, mostly: float | None) -> bool:
    """Without `mostly` any failing row fails the check; with it, the passing share of the judged
    rows must reach `mostly` (no judged rows: nothing failed)."""
    if mostly is None or judged == 0:
        return failing == 0
    return (judged - failing) / judged >= mostly


def _samples(ctx: Context, p: _Planned) -> list[dict[str, Any]]:
    rows = failing_rows(p.plan, p.table)
    keep = _sample_columns(rows, p.check)
    picked = rows.select(*keep).order_by([c for c in (FILE, ROW) if c in keep] or keep[:1]).limit(p.check.samples)
    return ctx.engine.to_arrow(picked).to_pylist()
