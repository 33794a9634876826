"""Ingest of one large CSV into the DuckDB warehouse, as a ratio to DuckDB loading it by hand.

    uv run python benchmarks/bench_ingest.py --rows 2000000

The baseline is the plain `CREATE TABLE t AS SELECT * FROM read_csv(file)` into a fresh DuckDB
file. assay does more on the same file: RFC 4180 parsing with rejects, a line number for every
record, typing and quarantine (the same column types DuckDB's sniffer picks for the baseline; no
value is rejected), the per-file loaded and quarantined tables and `src_<name>`. Both write to a database file in the same folder; best of
`--repeat` runs, each into a fresh database.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from assay.engine import connect
from assay.ingest.stage import ingest_source
from assay.project.models import Source

COLUMNS = ("asset_id", "hostname", "org", "owner_email", "updated_at", "score", "asset_type", "serial")
TYPES = {"updated_at": "timestamp", "score": "int64"}  # the types DuckDB's sniffer gives the baseline


def write_csv(path: Path, rows: int) -> None:
    duckdb.connect().execute(
        "COPY (SELECT 'a-' || i AS asset_id, 'host-' || i || '.corp.example.com' AS hostname, "
        "['Eng, Platform', 'IT', 'Finance'][i % 3 + 1] AS org, 'user' || (i % 1000) || '@example.com' AS owner_email, "
        "strftime(TIMESTAMP '2026-01-01' + to_seconds(i % 86400), '%Y-%m-%d %H:%M:%S') AS updated_at, (i * 7) % 100 AS score, "
        "'server' AS asset_type, md5(i::VARCHAR) AS serial FROM range($rows) t(i)) TO '" + str(path).replace("'", "''") + "' (HEADER)",
        {"rows": rows},
    )


def baseline(folder: Path, csv: Path) -> float:
    db = folder / "baseline.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    t0 = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv($f)", {"f": str(csv)})
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def assay_ingest(folder: Path, csv: Path) -> float:
    db = folder / "assay.duckdb"
    db.unlink(missing_ok=True)
    engine = connect(f"duckdb:///{db}", folder)
    columns = {c: {"from": c, "type": TYPES.get(c, "string")} for c in COLUMNS}
    source = Source.model_validate({"path": csv.name, "entity": "ticket", "columns": columns})
    t0 = time.perf_counter()
    outcome = ingest_source(engine, folder, "assets", source)
    elapsed = time.perf_counter() - t0
    assert outcome.rows_loaded == outcome.rows_read
    engine.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / "assets.csv"
        write_csv(csv, args.rows)
        base = min(baseline(folder, csv) for _ in range(args.repeat))
        ours = min(assay_ingest(folder, csv) for _ in range(args.repeat))
    print(f"rows={args.rows:,} duckdb_ctas={base:.3f}s assay_ingest={ours:.3f}s ratio={ours / base:.2f}x")


if __name__ == "__main__":
    main()
