"""Great Expectations' own expectation test cases, run through assay's check kinds.

The whole suite on DuckDB (and on PostgreSQL, marked) must have no failing mapped case and at
least 550 of its 663 cases mapped; Spark runs a representative subset (one expectation per
family of kinds), as Spark jobs cost seconds each.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))
import gx_runner

pytestmark = pytest.mark.skipif(not gx_runner.SUITE.exists(), reason=f"GX suite not found at {gx_runner.SUITE}")

SPARK_SUBSET = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_be_json_parseable",
    "expect_column_values_to_match_strftime_format",
    "expect_compound_columns_to_be_unique",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_mean_to_be_between",
    "expect_column_distinct_values_to_equal_set",
    "expect_table_row_count_to_be_between",
}


def _totals(tallies: dict[str, gx_runner.Tally]) -> dict[str, int]:
    return {
        "cases": sum(t.passed + t.failed + t.skipped + t.not_mapped for t in tallies.values()),
        "passed": sum(t.passed for t in tallies.values()),
        "failed": sum(t.failed for t in tallies.values()),
        "not_mapped": sum(t.not_mapped for t in tallies.values()),
    }


def _failures(tallies: dict[str, gx_runner.Tally]) -> list[str]:
    return [f"{t.expectation}: {f}" for t in tallies.values() for f in t.failures]


def test_whole_suite_on_duckdb() -> None:
    tallies = gx_runner.run_suite("duckdb:///gx.duckdb")
    totals = _totals(tallies)
    assert _failures(tallies) == []
    assert totals["cases"] == 663
    assert totals["cases"] - totals["not_mapped"] >= 550
    assert totals["passed"] >= 400


@pytest.mark.postgres
def test_whole_suite_on_postgres(pg_url: str) -> None:
    tallies = gx_runner.run_suite(pg_url)
    assert _failures(tallies) == []
    assert _totals(tallies)["passed"] >= 420  # PostgreSQL also runs GX's `only_for: postgresql` cases


@pytest.mark.spark
def test_representative_subset_on_spark(spark_dir: Path) -> None:
    os.chdir(spark_dir)
    tallies = gx_runner.run_suite("pyspark://local[2]", only=SPARK_SUBSET)
    assert _failures(tallies) == []
    assert set(tallies) == SPARK_SUBSET
    assert _totals(tallies)["passed"] >= 80
