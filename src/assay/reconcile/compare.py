"""Two sources compared column by column, with datacompy's semantics, as set-based queries.

The rules are datacompy's (`datacompy.Compare`), so its users get the numbers they expect:

- rows join on the join columns; two null keys match each other (pandas' merge does the same);
- when either side repeats a key, rows are matched by their order within the key (datacompy's
  `generate_id_within_group`); here "order" is the source's file and row number, so it is stable;
- numeric values a (left) and b (right) are equal when |a − b| ≤ abs + rel·|b| (`numpy.isclose`);
- two nulls are equal, a null and a value are not (`nulls_equal: false` makes nulls never equal);
- `ignore_spaces` trims text in compared and join columns, `ignore_case` lower-cases compared
  text only (datacompy leaves join columns' case alone).

Everything runs in the engine: one full outer join materialized as a work table, one aggregation
for every count, and the mismatching and unmatched rows selected from the work table for the
warehouse. Only the per-column figures (one row per column) come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa

from assay.engine import Engine
from assay.errors import AssayError
from assay.ingest.stage import table_name
from assay.project.compare_models import CompareSpec, compared_columns
from assay.warehouse import schema as w

NULL_KEY = "<null>"
"""How a null join value is written in the `key` column of the result tables."""
KEY_SEPARATOR = "|"
ROW_ORDER = ("_file", "_row")
"""Columns every loaded source has (see `assay.ingest.stage`): the order rows are matched in within a key."""

MISMATCH_SCHEMA = ibis.schema(
    {
        "compare": "string",
        "key": "string",
        "key_index": "int64",
        "column_name": "string",
        "left_value": "string",
        "right_value": "string",
        "difference": "float64",
    }
)


@dataclass
class CompareResults:
    """This run's compare rows, by warehouse table: history tables and state versions for `publish`."""

    history: dict[str, ibis.Table] = field(default_factory=dict)
    state: dict[str, ibis.Table] = field(default_factory=dict)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)


def run_compares(engine: Engine, compares: dict[str, CompareSpec]) -> CompareResults:
    """Run every declared comparison on the loaded sources (`src_<name>`)."""
    results = CompareResults()
    mismatches, unmatched = [], []
    for name, spec in compares.items():
        outcome = compare_tables(engine, name, spec, engine.table(table_name(spec.left)), engine.table(table_name(spec.right)))
        results.summaries.append(outcome.summary)
        results.columns.extend(outcome.columns)
        mismatches.append(outcome.mismatches)
        unmatched.append(outcome.unmatched)
    if not compares:
        return results
    results.history[w.COMPARE_SUMMARY] = ibis.memtable(_arrow(results.summaries, w.COMPARE_SUMMARY))
    results.history[w.COMPARE_COLUMNS] = ibis.memtable(_arrow(results.columns, w.COMPARE_COLUMNS))
    results.state[w.COMPARE_MISMATCHES] = ibis.union(*mismatches) if len(mismatches) > 1 else mismatches[0]
    results.state[w.COMPARE_UNMATCHED] = ibis.union(*unmatched) if len(unmatched) > 1 else unmatched[0]
    return results


@dataclass(frozen=True)
class TableComparison:
    """One comparison's figures (plain dicts, shaped like the warehouse rows) and its row tables."""

    summary: dict[str, Any]
    columns: list[dict[str, Any]]
    mismatches: ibis.Table
    unmatched: ibis.Table


def compare_tables(engine: Engine, name: str, spec: CompareSpec, left: ibis.Table, right: ibis.Table) -> TableComparison:
    """Compare `left` with `right` as `spec` says; both need the `_file` and `_row` columns.

    The join first runs without an order column. When no key repeats on both sides, that is
    already datacompy's answer, and the counts prove it: a repeated key that meets a partner
    multiplies rows, so the joined row counts exceed the inputs'. Only then is the join redone
    with the order within each key (a window per side), the costly part of datacompy's rule.
    """
    columns = compared_columns(spec, _canonical(left), _canonical(right))
    keys_l, keys_r = _keys(spec, left), _keys(spec, right)
    (rows_l, nulls_l), (rows_r, nulls_r) = _sizes(engine, left, keys_l), _sizes(engine, right, keys_r)
    null_keys = bool(nulls_l or nulls_r)

    work = _pairs(engine, name, spec, columns, (left, keys_l), (right, keys_r), null_keys, ordered=False)
    summary, per_column = _figures(engine, name, spec, columns, work, left, right)
    ordered = summary["left_rows"] != rows_l or summary["right_rows"] != rows_r
    if ordered:
        work = _pairs(engine, name, spec, columns, (left, keys_l), (right, keys_r), null_keys, ordered=True)
        summary, per_column = _figures(engine, name, spec, columns, work, left, right)
        summary["left_duplicate_rows"] = _repeated(engine, left.select(**{f"k{i}": k for i, k in enumerate(keys_l)}))
        summary["right_duplicate_rows"] = _repeated(engine, right.select(**{f"k{i}": k for i, k in enumerate(keys_r)}))
    else:
        # Repeated keys, if any, have no partner: they are all among the one-sided rows.
        key_columns = [f"k{i}" for i in range(len(spec.join))]
        summary["left_duplicate_rows"] = _repeated(engine, work.filter(work.in_left & ~work.in_right).select(*key_columns))
        summary["right_duplicate_rows"] = _repeated(engine, work.filter(work.in_right & ~work.in_left).select(*key_columns))
    key = _key_text(work, len(spec.join))
    return TableComparison(summary, per_column, _mismatches(name, columns, work, key), _unmatched(name, spec, work, key, ordered))


def _pairs(
    engine: Engine,
    name: str,
    spec: CompareSpec,
    columns: list[str],
    left: tuple[ibis.Table, list[ibis.Value]],
    right: tuple[ibis.Table, list[ibis.Value]],
    null_keys: bool,
    ordered: bool,
) -> ibis.Table:
    """The full outer join, one row per pair or one-sided row, with each column's verdict; a work table."""
    sides = []
    for prefix, (t, keys) in (("l", left), ("r", right)):
        values: dict[str, ibis.Value] = {f"_{prefix}k{i}": k for i, k in enumerate(keys)}
        values |= {f"_{prefix}v{j}": t[c] for j, c in enumerate(columns)}
        values |= {f"_{prefix}_file": t._file.cast("string"), f"_{prefix}_row": t._row.cast("int64"), f"_{prefix}_in": ibis.literal(True)}
        if ordered:
            window = ibis.window(group_by=keys, order_by=[t[c] for c in ROW_ORDER])
            values[f"_{prefix}_ix"] = ibis.row_number().over(window).cast("int64")  # 0 for a key's first row
        sides.append(t.select(**values))
    lt, rt = sides
    on = [_same_key(lt[f"_lk{i}"], rt[f"_rk{i}"], null_keys) for i in range(len(spec.join))]
    if ordered:
        on.append(lt._l_ix == rt._r_ix)
    joined = lt.outer_join(rt, on)

    out: dict[str, ibis.Value] = {f"k{i}": joined[f"_lk{i}"].coalesce(joined[f"_rk{i}"]) for i in range(len(spec.join))}
    out |= {
        "key_index": joined._l_ix.coalesce(joined._r_ix) if ordered else ibis.literal(0, "int64"),
        "in_left": joined._l_in.fill_null(False),
        "in_right": joined._r_in.fill_null(False),
        "l_file": joined._l_file,
        "l_row": joined._l_row,
        "r_file": joined._r_file,
        "r_row": joined._r_row,
    }
    all_equal: ibis.BooleanValue = ibis.literal(True)
    for j, column in enumerate(columns):
        a, b = joined[f"_lv{j}"], joined[f"_rv{j}"]
        out[f"l{j}"], out[f"r{j}"] = a, b
        out[f"eq{j}"] = values_equal(spec, column, a, b)
        all_equal = all_equal & out[f"eq{j}"]
    return engine.scratch(f"_work_compare_{name}", joined.select(**out, all_equal=all_equal))


def _sizes(engine: Engine, t: ibis.Table, keys: list[ibis.Value]) -> tuple[int, int]:
    """Rows of one side, and rows with a null in some join column (one scan, no hashing)."""
    null_key: ibis.BooleanValue = ibis.literal(False)
    for k in keys:
        null_key = null_key | k.isnull()
    row = engine.to_arrow(t.aggregate(n=t.count(), nulls=t.count(where=null_key))).to_pylist()[0]
    return int(row["n"]), int(row["nulls"])


def _repeated(engine: Engine, keys: ibis.Table) -> int:
    """Rows whose key (all columns of `keys`) occurs more than once."""
    groups = keys.group_by(keys.columns).aggregate(n=keys.count())
    return int(engine.scalar(groups.n.sum(where=groups.n > 1)) or 0)


def _key_text(work: ibis.Table, parts: int) -> ibis.StringValue:
    """The join values as one text: `|`-separated, a null written `<null>`."""
    text = ibis.literal("")
    for i in range(parts):
        text = text + ("" if i == 0 else KEY_SEPARATOR) + work[f"k{i}"].cast("string").fill_null(NULL_KEY)
    return text


def _same_key(a: ibis.Value, b: ibis.Value, null_keys: bool) -> ibis.BooleanValue:
    """Join condition for one key column; with null keys about, null matches null.

    `IS NOT DISTINCT FROM` would say the same, but PostgreSQL cannot run a full join on it, so
    nulls are swapped for a filler of the column's type and the null flags must agree as well:
    two equalities, which every engine hash-joins.
    """
    if not null_keys:
        return a == b
    return (a.isnull() == b.isnull()) & (a.fill_null(_filler(a.type())) == b.fill_null(_filler(b.type())))


def _filler(dtype: dt.DataType) -> ibis.Value:
    if dtype.is_string():
        return ibis.literal("")
    if dtype.is_numeric():
        return ibis.literal(0).cast(dtype)
    if dtype.is_boolean():
        return ibis.literal(False)
    if dtype.is_date():
        return ibis.literal(date(1970, 1, 1))
    if dtype.is_timestamp():
        return ibis.literal(datetime(1970, 1, 1)).cast(dtype)
    raise AssayError(f"cannot join on a column of type {dtype}")


def values_equal(spec: CompareSpec, column: str, a: ibis.Value, b: ibis.Value) -> ibis.BooleanValue:
    """datacompy's `columns_equal` for one pair of columns: never null."""
    ta, tb = a.type(), b.type()
    if ta.is_numeric() and tb.is_numeric():
        tol = spec.tolerance_of(column)
        same: ibis.BooleanValue = a == b
        if tol.abs or tol.rel or ta.is_floating() or tb.is_floating():
            fa, fb = a.cast("float64"), b.cast("float64")
            # `a == b` first: infinities equal themselves, as in numpy.isclose.
            same = same | ((fa - fb).abs() <= tol.abs + tol.rel * fb.abs())
    elif ta.is_string() and tb.is_string():
        same = _text(spec, a, case=True) == _text(spec, b, case=True)
    else:
        same = a == b
    both_null = a.isnull() & b.isnull()
    return same.fill_null(False) | (both_null & ibis.literal(spec.nulls_equal))


def _text(spec: CompareSpec, value: ibis.Value, case: bool) -> ibis.Value:
    if not value.type().is_string():
        return value
    if spec.ignore_spaces:
        value = value.strip()
    if case and spec.ignore_case:
        value = value.lower()
    return value


def _keys(spec: CompareSpec, t: ibis.Table) -> list[ibis.Value]:
    return [_text(spec, t[c], case=False) for c in spec.join]


def _canonical(t: ibis.Table) -> list[str]:
    return [c for c in t.columns if not c.startswith("_")]


def _figures(
    engine: Engine, name: str, spec: CompareSpec, columns: list[str], work: ibis.Table, left: ibis.Table, right: ibis.Table
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    both = work.in_left & work.in_right
    measures: dict[str, ibis.Value] = {
        "left_rows": work.in_left.sum(),
        "right_rows": work.in_right.sum(),
        "only_left": (work.in_left & ~work.in_right).sum(),
        "only_right": (work.in_right & ~work.in_left).sum(),
        "in_both": both.sum(),
        "rows_equal": (both & work.all_equal).sum(),
    }
    for j in range(len(columns)):
        a, b = work[f"l{j}"], work[f"r{j}"]
        measures[f"unequal{j}"] = (both & ~work[f"eq{j}"]).sum()
        measures[f"null_diff{j}"] = (both & (a.isnull() != b.isnull())).sum()
        if a.type().is_numeric() and b.type().is_numeric():
            measures[f"max_diff{j}"] = (a.cast("float64") - b.cast("float64")).abs().max(where=both)
    row = engine.to_arrow(work.aggregate(**measures)).to_pylist()[0]
    figures = {k: (v if v is not None or k.startswith("max_diff") else 0) for k, v in row.items()}

    per_column: list[dict[str, Any]] = []
    for j, column in enumerate(columns):
        tol = spec.tolerance_of(column)
        compared = int(figures["in_both"])
        unequal = int(figures[f"unequal{j}"])
        per_column.append(
            {
                "compare": name,
                "column_name": column,
                "left_type": str(left[column].type()),
                "right_type": str(right[column].type()),
                "abs_tol": float(tol.abs),
                "rel_tol": float(tol.rel),
                "compared_rows": compared,
                "unequal": unequal,
                "null_diff": int(figures[f"null_diff{j}"]),
                "max_diff": figures.get(f"max_diff{j}"),
                "match_rate": (compared - unequal) / compared if compared else 0.0,
            }
        )
    in_both, rows_equal = int(figures["in_both"]), int(figures["rows_equal"])
    summary = {
        "compare": name,
        "left_source": spec.left,
        "right_source": spec.right,
        "join_columns": ",".join(spec.join),
        "left_rows": int(figures["left_rows"]),
        "right_rows": int(figures["right_rows"]),
        "only_left": int(figures["only_left"]),
        "only_right": int(figures["only_right"]),
        "in_both": in_both,
        "rows_equal": rows_equal,
        "rows_unequal": in_both - rows_equal,
        "columns_compared": len(columns),
        "columns_unequal": sum(1 for c in per_column if int(c["unequal"]) > 0),
        "values_unequal": sum(int(c["unequal"]) for c in per_column),
    }
    return summary, per_column


def _mismatches(name: str, columns: list[str], work: ibis.Table, key: ibis.StringValue) -> ibis.Table:
    """Every (row, column) pair that compares unequal, with both values as text."""
    both = work.in_left & work.in_right
    parts = []
    for j, column in enumerate(columns):
        numeric = work[f"l{j}"].type().is_numeric() and work[f"r{j}"].type().is_numeric()
        rows = work.filter(both & ~work[f"eq{j}"])
        parts.append(
            rows.select(
                compare=ibis.literal(name),
                key=key,
                key_index=rows.key_index,
                column_name=ibis.literal(column),
                left_value=rows[f"l{j}"].cast("string"),
                right_value=rows[f"r{j}"].cast("string"),
                difference=(rows[f"l{j}"].cast("float64") - rows[f"r{j}"].cast("float64")).abs() if numeric else ibis.null("float64"),
            )
        )
    if not parts:
        return ibis.memtable(MISMATCH_SCHEMA.to_pyarrow().empty_table())
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def _unmatched(name: str, spec: CompareSpec, work: ibis.Table, key: ibis.StringValue, ordered: bool) -> ibis.Table:
    """Rows found on one side only, with the file and row they came from.

    Without the order column (`ordered` false) a repeated key has no partner, so all its rows are
    here, and their order within the key is numbered among them alone.
    """
    parts = []
    sides = (("left", spec.left, work.in_left, work.in_right), ("right", spec.right, work.in_right, work.in_left))
    keys = [c for c in work.columns if c.startswith("k") and c[1:].isdigit()]
    for side, source, present, absent in sides:
        rows = work.filter(present & ~absent)
        if not ordered:
            order = ibis.window(group_by=[rows[k] for k in keys], order_by=[rows[f"{side[0]}_file"], rows[f"{side[0]}_row"]])
            rows = rows.mutate(key_index=ibis.row_number().over(order).cast("int64"))
        parts.append(
            rows.select(
                compare=ibis.literal(name),
                side=ibis.literal(side),
                source=ibis.literal(source),
                key=key,
                key_index=rows.key_index,
                file=rows[f"{side[0]}_file"],
                row_number=rows[f"{side[0]}_row"],
            )
        )
    return ibis.union(*parts)


def _arrow(rows: list[dict[str, Any]], table: str) -> pa.Table:
    schema = w.HISTORY[table]
    return pa.Table.from_pylist(rows, schema=ibis.schema({n: t for n, t in schema.items() if n != "run_id"}).to_pyarrow())
