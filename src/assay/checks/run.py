"""Run every declared check and collect one result row per check."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import pyarrow as pa

from assay.checks.kinds import plan_check
from assay.engine import Engine
from assay.ingest.stage import table_name
from assay.project.models import Project
from assay.warehouse.schema import CHECK_RESULTS, HISTORY

SAMPLE_ROWS = 5
_WAREHOUSE_SCHEMA = HISTORY[CHECK_RESULTS].to_pyarrow()
_RESULT_SCHEMA = _WAREHOUSE_SCHEMA.remove(_WAREHOUSE_SCHEMA.get_field_index("run_id"))  # run_id is added on publish


def run_checks(engine: Engine, project: Project, as_of: datetime) -> pa.Table:
    """Results as an Arrow table in the column order of `assay_check_results` (minus run_id).

    Each check costs two small queries (count, samples); results are a handful of rows, so
    they are assembled here and written to the engine in one insert.
    """
    rows = []
    seen: Counter[str] = Counter()
    for source, checks in project.checks.items():
        total = int(engine.scalar(engine.table(table_name(source)).count()))
        for check in checks:
            plan = plan_check(engine, source, check, as_of)
            seen[plan.check_id] += 1
            check_id = plan.check_id if seen[plan.check_id] == 1 else f"{plan.check_id}#{seen[plan.check_id]}"
            failing = int(engine.scalar(plan.failing.count()))
            failed = bool(engine.scalar(plan.stale)) if plan.stale is not None else failing > 0
            samples = engine.to_arrow(plan.failing.order_by("_row").drop("_row").limit(SAMPLE_ROWS)).to_pylist() if failing else []
            rows.append(
                {
                    "check_id": check_id,
                    "source": source,
                    "kind": plan.kind,
                    "column_name": plan.column,
                    "severity": plan.severity,
                    "status": "fail" if failed else "pass",
                    "failing_rows": failing,
                    "total_rows": total,
                    "description": plan.description,
                    "samples": json.dumps(samples, default=str, ensure_ascii=False),
                }
            )
    return pa.Table.from_pylist(rows, schema=_RESULT_SCHEMA)
