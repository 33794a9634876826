"""Run Great Expectations' own expectation test cases against assay's check kinds.

Each GX expectation is mapped to an assay check kind (`MAPPINGS`); each case's data is loaded on
the engine as a source, the check runs through the same scan as `assay run`
(`assay.checks.scan.scan_source`), and the verdict, the unexpected values and row positions, and
the observed value are compared with GX's expected output. Cases GX marks `only_for` another
backend or `suppress_test_for` this one are skipped, as GX's own runner does.

    python conformance/gx_runner.py [--engine duckdb|postgres://...|pyspark] [--only EXPECTATION] [-v]

Prints one line per expectation (passed / failed / skipped / not mapped, with the reason) and
the totals; exits 1 when a mapped case fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from assay.checks.expression import ExpressionError
from assay.checks.plan import Context
from assay.checks.registry import lookup
from assay.checks.scan import Outcome, scan_source
from assay.engine import Engine, connect
from assay.errors import EngineError
from assay.ingest.stage import table_name


def _find_suite() -> Path:
    """`shared/conformance/great_expectations` beside the checkout or one of its parents (a git
    worktree sits deeper); ASSAY_GX_SUITE overrides."""
    if os.environ.get("ASSAY_GX_SUITE"):
        return Path(os.environ["ASSAY_GX_SUITE"])
    here = Path(__file__).resolve().parent
    for folder in here.parents:
        candidate = folder / "shared" / "conformance" / "great_expectations"
        if candidate.exists():
            return candidate
    return here.parents[1] / "shared" / "conformance" / "great_expectations"


SUITE = _find_suite()
AS_OF = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
ENGINE_TAGS = {"duckdb": {"duckdb", "sqlalchemy"}, "postgres": {"postgresql", "sqlalchemy"}, "pyspark": {"spark"}}
"""The GX backend names each engine answers to in `only_for` / `suppress_test_for`."""


class NotMapped(Exception):
    """This expectation (or this use of it) has no assay kind; the message says why."""


class Refused(Exception):
    """The mapping itself rejects the arguments (as GX raises for them)."""


Mapping = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]


def _common(args: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"samples": 1000}
    if "mostly" in args:
        out["mostly"] = args["mostly"]
    if args.get("row_condition"):
        parser = args.get("condition_parser")
        if parser != "pandas":
            raise Refused(f"condition_parser {parser!r} is not supported")
        out["where"] = pandas_condition(args["row_condition"])
    return out


def pandas_condition(text: str) -> str:
    """A GX pandas-style row condition (`x == 1 & y != "a"`) as an assay `where` expression:
    `&`/`|` become AND/OR (pandas gives them lower precedence than comparisons), strings use
    single quotes."""
    parts = [f"({p.strip()})" for p in re.split(r"\s*&\s*", text)]
    joined = " and ".join(" or ".join(f"({q.strip()})" for q in p[1:-1].split("|")) for p in parts)
    return joined.replace('"', "'")


def _bounds(args: dict[str, Any]) -> dict[str, Any]:
    out = {k2: args[k] for k, k2 in (("min_value", "min"), ("max_value", "max")) if args.get(k) is not None}
    out.update({k: args[k] for k in ("strict_min", "strict_max") if k in args})
    return out


def _col(kind: str, **extra: Callable[[dict[str, Any]], Any]) -> Mapping:
    def mapping(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        options = {"column": args["column"], **_common(args)}
        options.update({k: f(args) for k, f in extra.items()})
        return kind, options

    return mapping


def _aggregate(kind: str) -> Mapping:
    def mapping(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return kind, {"column": args["column"], **_bounds(args)}

    return mapping


def _patterns(kind: str, key: str) -> Mapping:
    def mapping(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        options = {"column": args["column"], "pattern": args[key], **_common(args)}
        if "match_on" in args:
            options["match"] = args["match_on"]
        return kind, options

    return mapping


def _pair(op: Callable[[dict[str, Any]], str]) -> Mapping:
    ignore = {"both_values_are_missing": "both_null", "either_value_is_missing": "either_null", "neither": "never"}

    def mapping(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "column_pair", {
            "column_a": args["column_A"],
            "op": op(args),
            "column_b": args["column_B"],
            "ignore_if": ignore[args.get("ignore_row_if", "both_values_are_missing")],
            **_common(args),
        }

    return mapping


def _value_set(args: dict[str, Any]) -> list[Any]:
    """GX's value_set without NULLs (a NULL member matches nothing in SQL); a missing set is an error."""
    if args.get("value_set") is None:
        raise Refused("value_set is required")
    return [v for v in args["value_set"] if v is not None]


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _pair_in_set(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    a, b = args["column_A"], args["column_B"]
    pairs = " or ".join(f"coalesce({a} = {_literal(x)} and {b} = {_literal(y)}, false)" for x, y in args["value_pairs_set"])
    ignore = args.get("ignore_row_if", "both_values_are_missing")
    skip = {"both_values_are_missing": f"({a} is null and {b} is null)", "either_value_is_missing": f"({a} is null or {b} is null)"}
    return "expression", {"expression": f"{skip[ignore]} or {pairs}" if ignore in skip else pairs, **_common(args)}


def _multicolumn_sum(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cols = args["column_list"]
    ignore = args.get("ignore_row_if", "all_values_are_missing")
    total = " + ".join(f"coalesce({c}, 0)" for c in cols)
    skipped = {"all_values_are_missing": " and ", "any_value_is_missing": " or "}
    if ignore not in skipped:
        raise NotMapped(f"ignore_row_if {ignore!r}")
    nulls = skipped[ignore].join(f"{c} is null" for c in cols)
    return "expression", {"expression": f"({nulls}) or {total} = {_literal(args['sum_total'])}", **_common(args)}


def _unique_within_record(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ignore = args.get("ignore_row_if", "all_values_are_missing")
    return "unique_within_row", {
        "columns": args["column_list"],
        "ignore_if": {"all_values_are_missing": "all_null", "any_value_is_missing": "any_null", "never": "never"}[ignore],
        **_common(args),
    }


def _compound_unique(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ignore = args.get("ignore_row_if", "all_values_are_missing")
    return "unique", {
        "columns": args["column_list"],
        "ignore_if": {"all_values_are_missing": "all_null", "any_value_is_missing": "any_null", "never": "never"}[ignore],
        **_common(args),
    }


_GX_TYPES = {
    "int64": {"int", "int64", "Int64", "INTEGER", "BIGINT", "IntegerType", "LongType", "SMALLINT", "INT", "Int64Dtype", "int32"},
    "float64": {"float", "float64", "FLOAT", "DOUBLE", "DOUBLE_PRECISION", "DoubleType", "FloatType", "NUMERIC", "REAL", "float32"},
    "string": {"str", "string", "TEXT", "VARCHAR", "StringType", "CHAR", "object"},
    "boolean": {"bool", "boolean", "BOOLEAN", "BooleanType"},
    "date": {"date", "DATE", "DateType"},
    "timestamp": {"datetime64", "datetime64[ns]", "TIMESTAMP", "TimestampType", "datetime", "timestamp"},
}


def _assay_type(name: str) -> str:
    for ours, names in _GX_TYPES.items():
        if name in names:
            return ours
    raise NotMapped(f"GX type name {name!r} has no assay column type")


def _column_type(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    names = args["type_list"] if "type_list" in args else [args["type_"]]
    if names is None:
        raise NotMapped("type_list is null (any type)")
    types = []
    for n in names:
        try:
            types.append(_assay_type(n))
        except NotMapped:
            continue  # a type name of another backend never matches here, as in GX
    return "column_type", {"column": args["column"], "types": types, **_common(args)}


def _column_exists(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if "column_index" in args:
        return "columns_contain", {"columns": [args["column"]], "position": args["column_index"] + 1}
    return "columns_contain", {"columns": [args["column"]]}


def _quantiles(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ranges = args["quantile_ranges"]
    rows = []
    for q, (low, high) in zip(ranges["quantiles"], ranges["value_ranges"], strict=True):
        rows.append({"quantile": q, **({"min": low} if low is not None else {}), **({"max": high} if high is not None else {})})
    return "quantiles", {"column": args["column"], "quantiles": rows}


def _kl_divergence(args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if args.get("partition_object") is None:
        raise NotMapped("no partition_object: GX profiles the column instead of checking it")
    options = {"column": args["column"], "reference": args["partition_object"], "max": args.get("threshold")}
    options.update({k: args[k] for k in ("tail_weight_holdout", "internal_weight_holdout") if k in args})
    return "kl_divergence", options


MAPPINGS: dict[str, Mapping] = {
    "expect_column_kl_divergence_to_be_less_than": _kl_divergence,
    "expect_column_values_to_not_be_null": _col("not_null"),
    "expect_column_values_to_be_null": _col("null"),
    "expect_column_values_to_be_unique": lambda a: ("unique", {"columns": [a["column"]], **_common(a)}),
    "expect_compound_columns_to_be_unique": _compound_unique,
    "expect_select_column_values_to_be_unique_within_record": _unique_within_record,
    "expect_column_values_to_be_in_set": _col("accepted_values", values=lambda a: a["value_set"]),
    "expect_column_values_to_not_be_in_set": _col("rejected_values", values=lambda a: _value_set(a)),
    "expect_column_values_to_be_between": lambda a: ("between", {"column": a["column"], **_bounds(a), **_common(a)}),
    "expect_column_values_to_be_increasing": _col("increasing", strict=lambda a: bool(a.get("strictly"))),
    "expect_column_values_to_be_decreasing": _col("decreasing", strict=lambda a: bool(a.get("strictly"))),
    "expect_column_values_to_match_regex": _patterns("regex", "regex"),
    "expect_column_values_to_match_regex_list": _patterns("regex", "regex_list"),
    "expect_column_values_to_not_match_regex": _patterns("not_regex", "regex"),
    "expect_column_values_to_not_match_regex_list": _patterns("not_regex", "regex_list"),
    "expect_column_values_to_match_like_pattern": _patterns("like", "like_pattern"),
    "expect_column_values_to_match_like_pattern_list": _patterns("like", "like_pattern_list"),
    "expect_column_values_to_not_match_like_pattern": _patterns("not_like", "like_pattern"),
    "expect_column_values_to_not_match_like_pattern_list": _patterns("not_like", "like_pattern_list"),
    "expect_column_value_lengths_to_be_between": lambda a: ("length_between", {"column": a["column"], **_bounds(a), **_common(a)}),
    "expect_column_value_lengths_to_equal": _col("length_equal", value=lambda a: a["value"]),
    "expect_column_values_to_be_json_parseable": _col("json_parseable"),
    "expect_column_values_to_match_strftime_format": _col("datetime_format", format=lambda a: a["strftime_format"]),
    "expect_column_value_z_scores_to_be_less_than": _col(
        "z_score", max=lambda a: a["threshold"], double_sided=lambda a: a.get("double_sided", True)
    ),
    "expect_column_values_to_be_of_type": _column_type,
    "expect_column_values_to_be_in_type_list": _column_type,
    "expect_column_pair_values_a_to_be_greater_than_b": _pair(lambda a: ">=" if a.get("or_equal") else ">"),
    "expect_column_pair_values_to_be_equal": _pair(lambda a: "=="),
    "expect_column_pair_values_to_be_in_set": _pair_in_set,
    "expect_multicolumn_sum_to_equal": _multicolumn_sum,
    "expect_column_min_to_be_between": _aggregate("column_min"),
    "expect_column_max_to_be_between": _aggregate("column_max"),
    "expect_column_mean_to_be_between": _aggregate("column_mean"),
    "expect_column_median_to_be_between": _aggregate("column_median"),
    "expect_column_sum_to_be_between": _aggregate("column_sum"),
    "expect_column_stdev_to_be_between": _aggregate("column_stdev"),
    "expect_column_unique_value_count_to_be_between": _aggregate("distinct_count"),
    "expect_column_proportion_of_unique_values_to_be_between": _aggregate("unique_proportion"),
    "expect_column_quantile_values_to_be_between": _quantiles,
    "expect_column_distinct_values_to_be_in_set": lambda a: (
        "distinct_values_within",
        {"column": a["column"], "values": _nullable("value_set", "value_set null (any value): no check to run")(a)},
    ),
    "expect_column_distinct_values_to_contain_set": lambda a: (
        "distinct_values_contain",
        {"column": a["column"], "values": a["value_set"]},
    ),
    "expect_column_distinct_values_to_equal_set": lambda a: ("distinct_values_equal", {"column": a["column"], "values": a["value_set"]}),
    "expect_column_most_common_value_to_be_in_set": lambda a: (
        "most_common_value",
        {"column": a["column"], "values": a["value_set"], "ties_okay": bool(a.get("ties_okay"))},
    ),
    "unexpected_rows_expectation": lambda a: ("sql", {"query": a["unexpected_rows_query"].replace("{batch}", "gx")}),
    "expect_table_row_count_to_be_between": lambda a: ("row_count", _bounds(a)),
    "expect_table_row_count_to_equal": lambda a: ("row_count", {"min": a["value"], "max": a["value"]}),
    "expect_table_row_count_to_equal_other_table": lambda a: ("row_count_equal", {"to": _source(a["other_table_name"])}),
    "expect_table_column_count_to_be_between": lambda a: ("column_count", _bounds(a)),
    "expect_table_column_count_to_equal": lambda a: ("column_count", {"min": a["value"], "max": a["value"]}),
    "expect_table_columns_to_match_ordered_list": lambda a: (
        "columns_match",
        {"columns": _nullable("column_list", "column_list null: no check to run")(a), "ordered": True},
    ),
    "expect_table_columns_to_match_set": lambda a: (
        "columns_match" if a.get("exact_match", True) else "columns_contain",
        {"columns": _nullable("column_set", "column_set null: no check to run")(a)},
    ),
    "expect_column_to_exist": _column_exists,
}

NOT_MAPPED: dict[str, str] = {
    "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than": "distribution test: no assay kind yet",
    "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than": "distribution test: no assay kind yet",
    "expect_column_chisquare_test_p_value_to_be_greater_than": "distribution test: no assay kind yet",
    "expect_column_pair_cramers_phi_value_to_be_less_than": "distribution test: no assay kind yet",
    "expect_column_values_to_be_dateutil_parseable": "dateutil's free-form parsing has no engine equivalent",
    "expect_column_values_to_match_json_schema": "JSON Schema validation has no engine equivalent",
    "expect_this_test_to_be_suppressed": "a GX runner self-test, not an expectation",
}


DIVERGENCES: dict[str, str] = {
    "negative_test_with_max_lt_min": "assay refuses min > max when the project loads; GX runs it and fails every row",
    "raise_valueerror_with_both_max_and_min_are_missing": "assay's aggregate kinds accept no bounds (they then record the observed value)",
    "error_on_string-to-int_comparisons": "the column is declared INTEGER, so assay compares numbers; GX raises from its pandas type check",
    "positive_test__exact_min_and_max_sqlalchemy": "bounds equal to the exact stdev: DuckDB's stddev_samp differs in the last bit",
}
"""Cases where assay differs from GX on purpose, by title."""


def _nullable(key: str, reason: str) -> Callable[[dict[str, Any]], Any]:
    def value(args: dict[str, Any]) -> Any:
        if args.get(key) is None:
            raise NotMapped(reason)
        return args[key]

    return value


def _source(name: str) -> str:
    return re.sub(r"\W", "_", name).lower()


# --- loading a case's data ----------------------------------------------------------------
_SQL_TYPES = {
    "INTEGER": pa.int64(),
    "BIGINT": pa.int64(),
    "SMALLINT": pa.int64(),
    "NUMERIC": pa.float64(),
    "DOUBLE_PRECISION": pa.float64(),
    "FLOAT": pa.float64(),
    "TEXT": pa.string(),
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "IntegerType": pa.int64(),
    "LongType": pa.int64(),
    "FloatType": pa.float64(),
    "DoubleType": pa.float64(),
    "StringType": pa.string(),
    "BooleanType": pa.bool_(),
    "DateType": pa.date32(),
    "TimestampType": pa.timestamp("us"),
}


def arrow_table(data: dict[str, list[Any]], schemas: dict[str, Any] | None) -> pa.Table:
    """The case's data with `_row` (1-based, `pk_index` + 1) and `_file`; column types from the
    PostgreSQL schema GX gives (else Spark's), else inferred from the JSON values."""
    declared = {}
    for backend in ("postgresql", "spark"):
        if schemas and isinstance(schemas.get(backend), dict):
            declared = schemas[backend]
            break
    columns = {}
    for name, values in data.items():
        wanted = _SQL_TYPES.get(str(declared.get(name, "")).split("(")[0])
        columns[name] = _array(values, wanted)
    n = len(next(iter(data.values()))) if data else 0
    columns["_row"] = pa.array(range(1, n + 1), pa.int64())
    columns["_file"] = pa.array(["gx.json"] * n, pa.string())
    return pa.table(columns)


def _array(values: list[Any], wanted: pa.DataType | None) -> pa.Array:
    present = [v for v in values if v is not None]
    if wanted is None:
        if not present:  # GX's empty columns are compared with numbers
            wanted = pa.float64()
        elif present and all(isinstance(v, bool) for v in present):
            wanted = pa.bool_()
        elif present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            wanted = pa.int64()
        elif present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
            wanted = pa.float64()
        else:
            wanted = pa.string()
    if pa.types.is_string(wanted):
        return pa.array([None if v is None else (v if isinstance(v, str) else json.dumps(v)) for v in values], pa.string())
    if pa.types.is_timestamp(wanted) or pa.types.is_date(wanted):
        import pandas as pd  # the suite writes dates as '3/1/2016' too; pandas reads them as GX does

        parsed = pd.to_datetime(pd.Series(values, dtype="object"), format="mixed")
        return pa.array(parsed, pa.timestamp("us")).cast(wanted)
    try:
        return pa.array(values, wanted)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers written as text in the JSON
        return pa.array([None if v is None else str(v) for v in values], pa.string()).cast(wanted)


# --- comparing --------------------------------------------------------------------------------
def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return round(float(value), 9)
    if isinstance(value, datetime | date):
        return value.isoformat().replace("T", " ")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?", value):
        return value.replace("T", " ")
    if isinstance(value, dict):
        return tuple(sorted((k, _norm(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_norm(v) for v in value)
    return value


def _close(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=max(tolerance, 1e-9), abs_tol=max(tolerance, 1e-9))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y, tolerance) for x, y in zip(a, b, strict=True))
    return _norm(a) == _norm(b)


def compare(kind: str, options: dict[str, Any], outcome: Outcome, expected: dict[str, Any], tolerance: float) -> list[str]:
    """Differences between an outcome and GX's expected `out`, as readable lines (empty: agrees)."""
    problems = []
    if "success" in expected and outcome.passed != expected["success"]:
        problems.append(f"success {outcome.passed}, GX expects {expected['success']} (observed {outcome.observed!r})")
    columns = [c for c in options.get("columns", [options.get("column")]) if c] if "column_a" not in options else []
    if "unexpected_index_list" in expected and expected["unexpected_index_list"] is not None:
        want = sorted(_index(e) for e in expected["unexpected_index_list"])
        got = sorted(s["_row"] - 1 for s in outcome.samples)
        if want != got:
            problems.append(f"unexpected rows {got}, GX expects {want}")
    if "unexpected_list" in expected and len(columns) == 1 and kind not in ("column_type",):
        want = sorted(map(_norm, expected["unexpected_list"]), key=repr)
        got = sorted((_norm(s.get(columns[0])) for s in outcome.samples), key=repr)
        if want != got:
            problems.append(f"unexpected values {got}, GX expects {want}")
    elif "unexpected_list" in expected and outcome.failing_rows is not None:
        if len(expected["unexpected_list"]) != outcome.failing_rows:
            problems.append(f"{outcome.failing_rows} unexpected rows, GX expects {len(expected['unexpected_list'])}")
    if kind == "sql" and isinstance(expected.get("observed_value"), str):  # GX words it: "1 unexpected row"
        if int(expected["observed_value"].split()[0]) != outcome.failing_rows:
            problems.append(f"{outcome.failing_rows} unexpected rows, GX expects {expected['observed_value']!r}")
    elif "observed_value" in expected:
        want = expected["observed_value"]
        got = outcome.observed
        if isinstance(want, dict) and "values" in want:
            want = want["values"]
        if isinstance(want, dict) and "self" in want:
            want = [want["self"], want["other"]]
        if kind.startswith("distinct_values") or (kind in ("columns_match", "columns_contain") and not options.get("ordered")):
            want, got = sorted(map(_norm, want or []), key=repr), sorted(map(_norm, got or []), key=repr)
        if kind == "most_common_value":
            want = sorted(map(_norm, want), key=repr)
        if not _close(got, want, tolerance):
            problems.append(f"observed {got!r}, GX expects {want!r}")
    return problems


def _index(entry: Any) -> int:
    return int(entry["pk_index"]) if isinstance(entry, dict) else int(entry)


# --- running -------------------------------------------------------------------------------------
@dataclass
class Tally:
    expectation: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    not_mapped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def cases(suite: Path = SUITE) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(expectation, dataset, test) for every case of the suite, in file order."""
    for path in sorted(suite.glob("*/*.json")):
        spec = json.loads(path.read_text())
        for dataset in spec["datasets"]:
            for test in dataset["tests"]:
                yield spec["expectation_type"], dataset, test


def skip_reason(dataset: dict[str, Any], test: dict[str, Any], tags: set[str]) -> str | None:
    for scope in (dataset, test):
        only = scope.get("only_for")
        if only and not tags & set(only):
            return f"only_for {','.join(only)}"
        suppressed = scope.get("suppress_test_for")
        if suppressed and tags & set(suppressed):
            return f"suppress_test_for {','.join(sorted(tags & set(suppressed)))}"
    return None


def load_dataset(engine: Engine, dataset: dict[str, Any]) -> None:
    """The dataset as source `gx` (and, for multi-table cases, one source per named table)."""
    data = dataset["data"]
    if isinstance(data, list):
        for i, table in enumerate(data):
            arrow = arrow_table(table["data"], dataset.get("schemas"))
            if i == 0:
                engine.load_arrow(table_name("gx"), arrow)
            engine.load_arrow(table_name(_source(table["dataset_name"])), arrow)
    else:
        engine.load_arrow(table_name("gx"), arrow_table(data, dataset.get("schemas")))


def run_case(engine: Engine, expectation: str, test: dict[str, Any]) -> tuple[str, str]:
    """("pass" | "fail" | "not_mapped", detail) for one case whose data is loaded."""
    expected = test.get("out", {})
    wants_error = bool(test.get("error") or "traceback_substring" in expected)
    try:
        if "$PARAMETER" in json.dumps(test["in"]):
            raise NotMapped("GX evaluation parameters ($PARAMETER)")
        if test["title"] in DIVERGENCES:
            raise NotMapped(DIVERGENCES[test["title"]])
        kind, options = MAPPINGS[expectation](test["in"])
        check = lookup(kind).model_validate(options)
        outcome = scan_source(Context(engine, "gx", AS_OF), [check])[0]
    except NotMapped as exc:
        return "not_mapped", str(exc)
    except (Refused, ValidationError, ExpressionError, EngineError, NotImplementedError, KeyError, TypeError, ValueError) as exc:
        if wants_error:
            return "pass", ""
        return "fail", f"refused: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    if wants_error:
        return "fail", "GX expects an error; assay accepted the check"
    problems = compare(kind, options, outcome, expected, float(test.get("tolerance") or 0))
    return ("fail", "; ".join(problems)) if problems else ("pass", "")


def run_suite(engine_url: str, only: set[str] | None = None, titles: set[str] | None = None) -> dict[str, Tally]:
    """Run the suite (or the expectations in `only`) on a fresh engine; tallies by expectation."""
    tags = ENGINE_TAGS[_engine_kind(engine_url)]
    tallies: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = connect(engine_url, Path(tmp))
        try:
            loaded: int | None = None
            for expectation, dataset, test in cases():
                if only and expectation not in only:
                    continue
                if titles and test["title"] not in titles:
                    continue
                tally = tallies.setdefault(expectation, Tally(expectation))
                if expectation not in MAPPINGS:
                    tally.not_mapped += 1
                    tally.reasons[NOT_MAPPED.get(expectation, "no mapping")] += 1
                    continue
                reason = skip_reason(dataset, test, tags)
                if reason:
                    tally.skipped += 1
                    tally.reasons[reason] += 1
                    continue
                if loaded != id(dataset):
                    load_dataset(engine, dataset)
                    loaded = id(dataset)
                verdict, detail = run_case(engine, expectation, test)
                if verdict == "pass":
                    tally.passed += 1
                elif verdict == "not_mapped":
                    tally.not_mapped += 1
                    tally.reasons[detail] += 1
                else:
                    tally.failed += 1
                    tally.failures.append(f"{test['title']}: {detail}")
        finally:
            engine.close()
    return tallies


def _engine_kind(url: str) -> str:
    scheme = url.split(":", 1)[0].lower()
    return "postgres" if scheme in ("postgres", "postgresql") else scheme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="duckdb:///gx.duckdb", help="engine URL (default: a DuckDB file in a temporary folder)")
    parser.add_argument("--only", action="append", help="run only this expectation (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failing case")
    args = parser.parse_args(argv)
    tallies = run_suite(args.engine, set(args.only) if args.only else None)
    total = Counter[str]()
    for t in sorted(tallies.values(), key=lambda t: t.expectation):
        total.update({"passed": t.passed, "failed": t.failed, "skipped": t.skipped, "not mapped": t.not_mapped})
        reasons = "; ".join(f"{r} ×{n}" for r, n in t.reasons.most_common())
        counts = f"passed {t.passed:>3}  failed {t.failed:>3}  skipped {t.skipped:>3}  not mapped {t.not_mapped:>3}"
        print(f"{t.expectation:<75} {counts}  {reasons}")
        if args.verbose or t.failed:
            for f in t.failures:
                print(f"    FAIL {f}")
    cases_total = sum(total.values())
    mapped = cases_total - total["not mapped"]
    print(
        f"\n{cases_total} cases: {mapped} mapped ({total['passed']} passed, {total['failed']} failed, "
        f"{total['skipped']} skipped by GX's backend markers), {total['not mapped']} not mapped"
    )
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
