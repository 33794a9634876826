"""Eight checks on one table: assay's one-scan checks, one hand-written DuckDB query, Great Expectations.

    uv run python benchmarks/bench_checks.py --rows 1000000 10000000
    uv run --group bench python benchmarks/bench_checks.py --rows 1000000 --gx   # also GX 1.24 (pandas)

The table (ids, hosts, owners, severities, CVSS scores, codes) is generated once per size into
benchmarks/.data/ with planted faults. The checks: not null ×2, unique, in set, between, regex,
row count, max. Each contestant runs in its own process under GNU `time` (wall, CPU, peak
memory) after loading the Parquet file into its engine (DuckDB table / pandas DataFrame); the
check time is measured inside the process around the checks alone. The three must agree on
every failing count (and the observed row count and maximum); the script exits 1 if not.
Each contestant first runs one trivial query, so one-off imports stay out of the check time, and
reports the fastest of BENCH_REPEAT (default 3) timings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
TIME = "/usr/bin/time"
SEVERITIES = ["critical", "high", "medium", "low"]
CHECKS = [
    {"not_null": "host"},
    {"not_null": "owner"},
    {"unique": "id"},
    {"accepted_values": {"column": "severity", "values": SEVERITIES}},
    {"between": {"column": "cvss", "min": 0, "max": 10}},
    {"regex": {"column": "code", "pattern": "^[A-Z]{2}-[0-9]{4}$"}},
    {"row_count": {"min": 1}},
    {"column_max": {"column": "cvss", "max": 10}},
]
NAMES = ["not_null.host", "not_null.owner", "unique.id", "in_set.severity", "between.cvss", "regex.code", "row_count", "max.cvss"]


def table(rows: int) -> Path:
    """The benchmark table for `rows`, generated on first use (about 0.1% faulty values per check)."""
    path = DATA / f"checks-{rows}.parquet"
    if path.exists():
        return path
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    DATA.mkdir(exist_ok=True)
    rng = np.random.default_rng(7)
    ids = np.arange(rows)
    ids[rng.choice(rows, rows // 1000, replace=False)] = 0  # planted duplicates of id 0
    host = pa.array([f"h{i}" for i in range(rows)]).to_numpy(zero_copy_only=False)
    host_null = rng.random(rows) < 0.001
    owner_null = rng.random(rows) < 0.002
    severity = np.array([*SEVERITIES, "urgent"])[np.where(rng.random(rows) < 0.001, 4, rng.integers(0, 4, rows))]
    cvss = np.round(rng.uniform(0, 10, rows), 1)
    cvss[rng.random(rows) < 0.001] = 11.5
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    code = np.char.add(np.char.add(letters[rng.integers(0, 26, rows)], letters[rng.integers(0, 26, rows)]), "-")
    code = np.char.add(code, np.char.zfill(rng.integers(0, 10000, rows).astype(str), 4))
    code[rng.random(rows) < 0.001] = "bad"
    data = pa.table(
        {
            "_row": pa.array(np.arange(2, rows + 2)),
            "_file": pa.array(np.full(rows, "bench.csv")),
            "id": pa.array([f"A-{i}" for i in ids]),
            "host": pa.array(host, mask=host_null),
            "owner": pa.array(np.char.add("u", np.arange(rows).astype(str)), mask=owner_null),
            "severity": pa.array(severity),
            "cvss": pa.array(cvss),
            "code": pa.array(code),
        }
    )
    pq.write_table(data, path)
    return path


REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def best_of(action: Callable[[], T]) -> tuple[float, T]:
    """The fastest of REPEAT timings (the machine is shared: the minimum is the least disturbed) and a result."""
    times, result = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    assert result is not None
    return min(times), result


def run_assay(path: Path) -> dict[str, Any]:
    from datetime import datetime

    from assay.checks.plan import Context
    from assay.checks.registry import lookup
    from assay.checks.scan import scan_source
    from assay.engine import connect

    with tempfile.TemporaryDirectory() as tmp:
        engine = connect("duckdb:///bench.duckdb", Path(tmp))
        engine.con.raw_sql(f"CREATE TABLE src_bench AS SELECT * FROM read_parquet('{path}')")
        checks = [
            lookup(kind).model_validate(opts if isinstance(opts, dict) else {lookup(kind).shorthand: opts})
            for c in CHECKS
            for kind, opts in c.items()
        ]
        engine.scalar(engine.table("src_bench").count())  # warm-up: Ibis loads its result converters (and pandas) on first use
        seconds, outcomes = best_of(lambda: scan_source(Context(engine, "bench", datetime(2026, 1, 1)), checks))
        engine.close()
    counts = [o.failing_rows for o in outcomes]
    counts[6], counts[7] = outcomes[6].observed, outcomes[7].observed
    return {"seconds": seconds, "counts": counts}


HAND_SQL = """
SELECT count(*) FILTER (WHERE host IS NULL),
       count(*) FILTER (WHERE owner IS NULL),
       count(*) FILTER (WHERE id IS NOT NULL AND n_id > 1),
       count(*) FILTER (WHERE severity NOT IN ('critical', 'high', 'medium', 'low')),
       count(*) FILTER (WHERE cvss < 0 OR cvss > 10),
       count(*) FILTER (WHERE NOT regexp_matches(code, '^[A-Z]{2}-[0-9]{4}$')),
       count(*),
       max(cvss)
FROM (SELECT *, count(*) OVER (PARTITION BY id) AS n_id FROM bench)
"""


def run_hand(path: Path) -> dict[str, Any]:
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "hand.duckdb"))
        con.execute(f"CREATE TABLE bench AS SELECT * FROM read_parquet('{path}')")
        con.execute("SELECT count(*) FROM bench").fetchone()
        seconds, row = best_of(lambda: con.execute(HAND_SQL).fetchone())
        con.close()
    assert row is not None
    return {"seconds": seconds, "counts": list(row)}


def run_gx(path: Path) -> dict[str, Any]:
    import great_expectations as gx
    import pandas as pd

    frame = pd.read_parquet(path)
    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("bench").add_dataframe_asset("t").add_batch_definition_whole_dataframe("all")
    expectations = [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="host"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="owner"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="id"),
        gx.expectations.ExpectColumnValuesToBeInSet(column="severity", value_set=SEVERITIES),
        gx.expectations.ExpectColumnValuesToBeBetween(column="cvss", min_value=0, max_value=10),
        gx.expectations.ExpectColumnValuesToMatchRegex(column="code", regex="^[A-Z]{2}-[0-9]{4}$"),
        gx.expectations.ExpectTableRowCountToBeBetween(min_value=1),
        gx.expectations.ExpectColumnMaxToBeBetween(column="cvss", max_value=10),
    ]
    suite = context.suites.add(gx.ExpectationSuite(name="bench", expectations=expectations))
    seconds, result = best_of(lambda: batch.get_batch(batch_parameters={"dataframe": frame}).validate(suite, result_format="SUMMARY"))
    by_position = {}
    for r in result.results:
        position = next(i for i, e in enumerate(expectations) if e.id == r.expectation_config.id)
        by_position[position] = r.result.get("unexpected_count", r.result.get("observed_value"))
    return {"seconds": seconds, "counts": [by_position[i] for i in range(len(expectations))]}


CONTESTANTS = {"assay": run_assay, "hand": run_hand, "gx": run_gx}


def measure(contestant: str, path: Path) -> dict[str, Any]:
    """Run one contestant in its own process under GNU time; its answer plus wall time and peak memory."""
    with tempfile.NamedTemporaryFile("r") as stats:
        cmd = [sys.executable, __file__, "--contestant", contestant, "--path", str(path)]
        proc = subprocess.run([TIME, "-f", "%e %M", "-o", stats.name, *cmd], capture_output=True, text=True, check=False)
        wall, peak_kb = stats.read().split()[-2:]
    if proc.returncode:
        raise SystemExit(f"{contestant} failed:\n{proc.stdout}\n{proc.stderr}")
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**answer, "process_seconds": float(wall), "peak_mib": int(peak_kb) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timings per contestant; the fastest counts")
    parser.add_argument("--gx", action="store_true", help="also run Great Expectations (pandas) at sizes up to --gx-max-rows")
    parser.add_argument("--gx-max-rows", type=int, default=1_000_000)
    parser.add_argument("--contestant", choices=sorted(CONTESTANTS), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["BENCH_REPEAT"] = str(args.repeat)
    if args.contestant:
        print(json.dumps(CONTESTANTS[args.contestant](args.path), default=float))
        return 0
    disagree = False
    for rows in args.rows:
        path = table(rows)
        names = ["hand", "assay"] + (["gx"] if args.gx and rows <= args.gx_max_rows else [])
        results = {name: measure(name, path) for name in names}
        print(f"\n{rows:,} rows, 8 checks")
        for name, r in results.items():
            ratio = r["seconds"] / results["hand"]["seconds"]
            process = f"process {r['process_seconds']:6.1f} s   peak {r['peak_mib']:7.0f} MiB"
            print(f"  {name:<6} checks {r['seconds']:7.3f} s ({ratio:5.2f}× hand)   {process}")
        if "gx" in results:
            print(f"  assay is {results['gx']['seconds'] / results['assay']['seconds']:.1f}× faster than GX on the checks")
        reference = results["hand"]["counts"]
        for name, r in results.items():
            for check, want, got in zip(NAMES, reference, r["counts"], strict=True):
                if abs(float(got) - float(want)) > 1e-9:
                    disagree = True
                    print(f"  DIFFERENCE {name} {check}: {got} (hand: {want})")
        print("  failing counts: " + ", ".join(f"{n}={c}" for n, c in zip(NAMES, reference, strict=True)))
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
