"""The report's "Table comparisons" section: each `compare:` of the latest run, its columns and
the first mismatching and unmatched rows.

Reads only the compare warehouse tables (none of them exists before a project declares a
comparison), narrowed to the latest successful run and capped at `TOP_N` rows per comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from assay.engine import Engine
from assay.report.queries import TOP_N, Rows
from assay.warehouse import history
from assay.warehouse import schema as S

PER_COLUMN = 5
"""Unequal values shown per compared column."""


@dataclass(frozen=True)
class Comparison:
    """One comparison as the page shows it."""

    summary: dict[str, Any]
    columns: Rows
    mismatches: Rows
    unmatched: Rows


def comparisons(engine: Engine, run_id: str) -> list[Comparison]:
    """The latest run's comparisons in name order; empty when the project declares none."""
    if not engine.exists(S.COMPARE_SUMMARY):
        return []
    summaries = _rows(engine, _of_run(engine, S.COMPARE_SUMMARY, run_id).order_by("compare"))
    if not summaries:
        return []
    columns = _rows(engine, _of_run(engine, S.COMPARE_COLUMNS, run_id).order_by(["compare", ibis.desc("unequal"), "column_name"]))
    mismatches = _first(engine, S.COMPARE_MISMATCHES, ["column_name"], ["key", "key_index"], PER_COLUMN)
    unmatched = _first(engine, S.COMPARE_UNMATCHED, ["side"], ["key", "key_index"], TOP_N // 2)
    return [
        Comparison(
            s,
            [c for c in columns if c["compare"] == s["compare"]],
            [m for m in mismatches if m["compare"] == s["compare"]],
            [u for u in unmatched if u["compare"] == s["compare"]],
        )
        for s in summaries
    ]


def _of_run(engine: Engine, name: str, run_id: str) -> ibis.Table:
    t = history.visible(engine, name)
    return t.filter(t.run_id == run_id)


def _first(engine: Engine, state_table: str, by: list[str], order: list[str], n: int) -> Rows:
    """The first `n` rows of each comparison and `by` group in a state table (it is as large as the
    differences), so every column (or side) with differences shows some."""
    if not engine.exists(state_table):
        return []
    t = engine.table(state_table)
    rank = ibis.row_number().over(group_by=[t.compare, *[t[c] for c in by]], order_by=[t[c] for c in order])
    return _rows(engine, t.mutate(_rank=rank).filter(ibis._._rank < n).drop("_rank").order_by(["compare", *by, *order]))


def _rows(engine: Engine, expr: ibis.Table) -> Rows:
    return engine.to_arrow(expr).to_pylist()
