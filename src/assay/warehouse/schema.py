"""Schemas of the warehouse tables: an output contract, versioned.

History tables are append-only and keyed by `run_id`; a reader keeps only rows whose run
succeeded (see `assay.warehouse.history.visible`). State tables hold the state as of the latest
successful run: each is a view over `<name>_by_run`, where a run appends its version before it
writes its marker row in `assay_runs`, so readers switch to the new state exactly when the run
becomes successful (see `assay.run.publish`).
"""

from __future__ import annotations

import ibis

SCHEMA_VERSION = 3
"""Version of the tables below; `assay.warehouse.migrations` upgrades older warehouses."""

SCHEMA = "assay_schema"
"""One row: the schema version of this warehouse and the assay version that wrote it."""

RUNS = "assay_runs"
ROW_ACCOUNTING = "assay_row_accounting"
QUARANTINE = "assay_quarantine"
CHECK_RESULTS = "assay_check_results"
GATE_RESULTS = "assay_gate_results"
METRIC_VALUES = "assay_metric_values"
METRIC_STATUS = "assay_metric_status"
METRIC_TRENDS = "assay_metric_trends"
METRIC_ATTRIBUTION = "assay_metric_attribution"
FRAMEWORK_COVERAGE = "assay_framework_coverage"
FINDING_EVENTS = "assay_finding_events"
FINDINGS = "assay_findings"
ASSETS = "assay_assets"
ASSET_SOURCES = "assay_asset_sources"
OWNER_CONFLICTS = "assay_owner_conflicts"
ONLY_IN_SOURCE = "assay_only_in_source"
COVERAGE = "assay_coverage"
ACCESS = "assay_access"
SOURCE_COLUMNS = "assay_source_columns"
ASSET_MATCHES = "assay_asset_matches"
GOLDEN_ID_EVENTS = "assay_golden_id_events"
GOLDEN_PROVENANCE = "assay_golden_provenance"
ASSET_CHAINED = "assay_asset_chained"
COMPARE_SUMMARY = "assay_compare_summary"
COMPARE_COLUMNS = "assay_compare_columns"
COMPARE_MISMATCHES = "assay_compare_mismatches"
COMPARE_UNMATCHED = "assay_compare_unmatched"

STATE_TABLES = (
    FINDINGS,
    ASSETS,
    ASSET_SOURCES,
    OWNER_CONFLICTS,
    ONLY_IN_SOURCE,
    COVERAGE,
    ACCESS,
    COMPARE_MISMATCHES,
    COMPARE_UNMATCHED,
    ASSET_MATCHES,
    ASSET_CHAINED,
    GOLDEN_PROVENANCE,
)
"""Views of the latest successful run's state, each over `by_run(name)`."""


def by_run(state_table: str) -> str:
    """The table holding a state table's versions, one per run (`run_id` column)."""
    return f"{state_table}_by_run"


SCHEMA_TABLE_SCHEMA = ibis.schema({"schema_version": "int64", "assay_version": "string", "updated_at": "timestamp"})

HISTORY: dict[str, ibis.Schema] = {
    RUNS: ibis.schema(
        {
            "run_id": "string",
            "run_seq": "int64",
            "as_of": "date",
            "as_of_at": "timestamp",
            "project": "string",
            "status": "string",
            "started_at": "timestamp",
            "finished_at": "timestamp",
            "config_hash": "string",
            "engine": "string",
            "assay_version": "string",
            "ibis_version": "string",
            "schema_version": "int64",
            "timings": "string",
            "inputs": "string",
            "error": "string",
        }
    ),
    ROW_ACCOUNTING: ibis.schema(
        {
            "run_id": "string",
            "source": "string",
            "rows_read": "int64",
            "rows_loaded": "int64",
            "rows_quarantined": "int64",
        }
    ),
    QUARANTINE: ibis.schema(
        {"run_id": "string", "source": "string", "file": "string", "row_number": "int64", "reason": "string", "record": "string"}
    ),
    SOURCE_COLUMNS: ibis.schema(
        {"run_id": "string", "source": "string", "file": "string", "position": "int64", "column_name": "string", "column_type": "string"}
    ),
    CHECK_RESULTS: ibis.schema(
        {
            "run_id": "string",
            "check_id": "string",
            "source": "string",
            "kind": "string",
            "column_name": "string",
            "severity": "string",
            "status": "string",
            "failing_rows": "int64",
            "total_rows": "int64",
            "description": "string",
            "samples": "string",
            "observed": "string",
        }
    ),
    GATE_RESULTS: ibis.schema(
        {"run_id": "string", "certified": "boolean", "gated_checks": "int64", "failed_checks": "int64", "reasons": "string"}
    ),
    METRIC_VALUES: ibis.schema(
        {
            "run_id": "string",
            "as_of": "date",
            "metric": "string",
            "kind": "string",
            "dimensions": "string",
            "value": "float64",
            "numerator": "float64",
            "denominator": "float64",
            "ci_low": "float64",
            "ci_high": "float64",
            "unit": "string",
        }
    ),
    METRIC_STATUS: ibis.schema(
        {
            "run_id": "string",
            "as_of": "date",
            "metric": "string",
            "dimensions": "string",
            "value": "float64",
            "target": "float64",
            "warn": "float64",
            "fail": "float64",
            "status": "string",
        }
    ),
    METRIC_TRENDS: ibis.schema(
        {
            "run_id": "string",
            "as_of": "date",
            "metric": "string",
            "dimensions": "string",
            "value": "float64",
            "previous_value": "float64",
            "change": "float64",
            "change_low": "float64",
            "change_high": "float64",
            "change_p": "float64",
            "within_noise": "boolean",
            "runs": "int64",
            "mk_s": "float64",
            "mk_z": "float64",
            "mk_p": "float64",
            "sen_slope": "float64",
            "trend": "string",
            "robust_z": "float64",
            "anomaly": "boolean",
        }
    ),
    METRIC_ATTRIBUTION: ibis.schema(
        {
            "run_id": "string",
            "as_of": "date",
            "metric": "string",
            "dimension": "string",
            "group": "string",
            "numerator": "float64",
            "denominator": "float64",
            "previous_weight": "float64",
            "weight": "float64",
            "previous_rate": "float64",
            "rate": "float64",
            "rate_effect": "float64",
            "mix_effect": "float64",
        }
    ),
    FRAMEWORK_COVERAGE: ibis.schema(
        {
            "run_id": "string",
            "as_of": "date",
            "framework": "string",
            "framework_name": "string",
            "level": "string",
            "function": "string",
            "requirement": "string",
            "title": "string",
            "controls": "string",
            "in_scope": "int64",
            "covered": "int64",
            "coverage": "float64",
            "ci_low": "float64",
            "ci_high": "float64",
            "open_findings": "int64",
        }
    ),
    GOLDEN_ID_EVENTS: ibis.schema(
        {"run_id": "string", "golden_id": "string", "event": "string", "other_id": "string", "asset_key": "string", "records": "int64"}
    ),
    COMPARE_SUMMARY: ibis.schema(
        {
            "run_id": "string",
            "compare": "string",
            "left_source": "string",
            "right_source": "string",
            "join_columns": "string",
            "left_rows": "int64",
            "right_rows": "int64",
            "only_left": "int64",
            "only_right": "int64",
            "in_both": "int64",
            "rows_equal": "int64",
            "rows_unequal": "int64",
            "left_duplicate_rows": "int64",
            "right_duplicate_rows": "int64",
            "columns_compared": "int64",
            "columns_unequal": "int64",
            "values_unequal": "int64",
        }
    ),
    COMPARE_COLUMNS: ibis.schema(
        {
            "run_id": "string",
            "compare": "string",
            "column_name": "string",
            "left_type": "string",
            "right_type": "string",
            "abs_tol": "float64",
            "rel_tol": "float64",
            "compared_rows": "int64",
            "unequal": "int64",
            "null_diff": "int64",
            "max_diff": "float64",
            "match_rate": "float64",
        }
    ),
    FINDING_EVENTS: ibis.schema(
        {
            "run_id": "string",
            "as_of": "date",
            "fingerprint": "string",
            "rule": "string",
            "event": "string",
            "severity": "string",
        }
    ),
}

FINDINGS_SCHEMA = ibis.schema(
    {
        "fingerprint": "string",
        "rule": "string",
        "entity_key": "string",
        "severity": "string",
        "status": "string",
        "owner": "string",
        "org": "string",
        "first_seen_run": "string",
        "last_seen_run": "string",
        "first_seen_at": "date",
        "last_seen_at": "date",
        "resolved_at": "date",
        "due_at": "date",
        "details": "string",
    }
)
