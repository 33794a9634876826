"""Two-table compare: assay's `compare` against a hand-written DuckDB full-outer-join diff and
datacompy on Polars, on the same generated tables: time, memory, and identical counts.

    uv run python benchmarks/bench_compare.py --rows 1000000
    uv run python benchmarks/bench_compare.py --rows 10000000

The two tables (generated once per (N, seed) into benchmarks/.data/) share a key `id`; the right
one lacks 2% of the left's rows, has 4% rows of its own, and ~10% of the shared rows differ in
some column (a cost beyond the 0.01 tolerance, an owner, a CPU count, a region, a timestamp);
another 5% differ in cost within the tolerance, and 1% of owners are null on each side. The right
table's rows come in another order.

Each contestant runs in its own process under GNU `time` (wall, CPU, peak RSS) and produces the
same answers: the summary counts, the unequal count, null differences and max difference per
column, and the mismatching values and one-sided rows (assay and the hand diff write them as
tables; datacompy keeps them in its frames). assay and the hand diff start from the same DuckDB
file holding both tables (as `assay run` has them after ingest); datacompy reads the Parquet files
into Polars (its read time is included: about a tenth of its total). The script prints every
difference and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_run import gib, measure  # noqa: E402

DATA = HERE / ".data"
COLUMNS = ("host", "owner", "region", "cost", "cpu", "seen")
COST_TOL = 0.01


def generate(n: int, seed: int) -> Path:
    """Write left.parquet and right.parquet for (n, seed), and a DuckDB file holding both as sources."""
    folder = DATA / f"compare-n{n}-s{seed}"
    if (folder / "sources.duckdb").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    ids = np.arange(n, dtype=np.int64)
    regions = np.array(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1", "ap-northeast-1", "sa-east-1", "ca-central-1"])
    owners = np.array([f"user{i:05d}@acme.com" for i in range(20_000)])
    left = {
        "id": ids,
        "host": np.char.add("host-", ids.astype(str)),
        "owner": owners[rng.integers(0, len(owners), n)].astype(object),
        "region": regions[rng.integers(0, len(regions), n)],
        "cost": np.round(rng.gamma(2.0, 50.0, n), 2),
        "cpu": rng.choice(np.array([1, 2, 4, 8, 16, 32, 64]), n).astype(np.int64),
        "seen": np.datetime64("2026-01-01T00:00:00") + rng.integers(0, 300 * 86400, n).astype("timedelta64[s]"),
    }
    left["owner"][rng.random(n) < 0.01] = None

    keep = rng.random(n) >= 0.02  # 2% only on the left
    right = {k: v[keep].copy() for k, v in left.items()}
    m = len(right["id"])
    kind = rng.random(m)
    changed = kind < 0.10  # ~10% conflicting, one column each
    which = rng.integers(0, 5, m)
    right["cost"] = right["cost"] + np.where(changed & (which == 0), 1.5, 0.0) + np.where((kind >= 0.10) & (kind < 0.15), 0.004, 0.0)
    right["owner"][changed & (which == 1)] = "someone.else@acme.com"
    right["cpu"] = right["cpu"] + (changed & (which == 2))
    right["region"] = np.where(changed & (which == 3), "us-gov-west-1", right["region"])
    right["seen"] = right["seen"] + np.where(changed & (which == 4), np.timedelta64(3600, "s"), np.timedelta64(0, "s"))
    right["owner"][rng.random(m) < 0.01] = None

    extra = int(n * 0.04)  # 4% only on the right
    new_ids = np.arange(n, n + extra, dtype=np.int64)
    right_extra = {
        "id": new_ids,
        "host": np.char.add("host-", new_ids.astype(str)),
        "owner": owners[rng.integers(0, len(owners), extra)].astype(object),
        "region": regions[rng.integers(0, len(regions), extra)],
        "cost": np.round(rng.gamma(2.0, 50.0, extra), 2),
        "cpu": rng.choice(np.array([1, 2, 4, 8]), extra).astype(np.int64),
        "seen": np.datetime64("2026-01-01T00:00:00") + rng.integers(0, 300 * 86400, extra).astype("timedelta64[s]"),
    }
    order = rng.permutation(m + extra)
    right = {k: np.concatenate([right[k], right_extra[k]])[order] for k in right}
    for name, cols in (("left", left), ("right", right)):
        pq.write_table(pa.table({k: pa.array(v) for k, v in cols.items()}), folder / f"{name}.parquet")
    con = duckdb.connect(str(folder / "sources.duckdb"))
    for name in ("left", "right"):
        path = str(folder / f"{name}.parquet")
        con.execute(
            f"CREATE TABLE src_{name} AS SELECT *, '{name}.parquet' AS _file, row_number() OVER () AS _row FROM read_parquet(?)",
            [path],
        )
    con.close()
    print(f"generated {n:,} + {len(order):,} rows in {time.perf_counter() - t0:.1f} s into {folder}", flush=True)
    return folder


# --- contestants (each runs in a child process) ----------------------------------------------


def child_assay(db: Path) -> dict[str, Any]:
    from assay.engine import connect
    from assay.project.compare_models import CompareSpec
    from assay.reconcile.compare import compare_tables

    engine = connect(f"duckdb:///{db.name}", db.parent)
    spec = CompareSpec(left="left", right="right", join=["id"], tolerance={"cost": {"abs": COST_TOL}})
    result = compare_tables(engine, "bench", spec, engine.table("src_left"), engine.table("src_right"))
    engine.create_table("out_mismatches", result.mismatches)
    engine.create_table("out_unmatched", result.unmatched)
    s = result.summary
    return {
        "summary": {k: s[k] for k in ("only_left", "only_right", "in_both", "rows_equal")},
        "columns": {c["column_name"]: [c["unequal"], c["null_diff"], c["max_diff"]] for c in result.columns},
        "mismatch_rows": engine.scalar(engine.table("out_mismatches").count()),
        "unmatched_rows": engine.scalar(engine.table("out_unmatched").count()),
    }


def child_hand(db: Path) -> dict[str, Any]:
    """What a data engineer writes by hand in DuckDB for the same answers (keys known unique and non-null)."""
    con = duckdb.connect(str(db))
    eq = {c: f"coalesce(l.{c} = r.{c}, false) OR (l.{c} IS NULL AND r.{c} IS NULL)" for c in COLUMNS}
    eq["cost"] = f"coalesce(l.cost = r.cost OR abs(l.cost - r.cost) <= {COST_TOL}, false) OR (l.cost IS NULL AND r.cost IS NULL)"
    select = ", ".join(f"l.{c} AS l_{c}, r.{c} AS r_{c}, {eq[c]} AS e_{c}" for c in COLUMNS)
    con.execute(
        "CREATE TEMP TABLE diff AS SELECT coalesce(l.id, r.id) AS id, l.id IS NOT NULL AS in_l, r.id IS NOT NULL AS in_r, "
        f"{select} FROM src_left l FULL OUTER JOIN src_right r ON l.id = r.id"
    )
    both = "in_l AND in_r"
    all_eq = " AND ".join(f"e_{c}" for c in COLUMNS)
    measures = [
        "count_if(in_l AND NOT in_r)",
        "count_if(in_r AND NOT in_l)",
        f"count_if({both})",
        f"count_if({both} AND {all_eq})",
    ]
    for c in COLUMNS:
        measures += [f"count_if({both} AND NOT e_{c})", f"count_if({both} AND (l_{c} IS NULL) <> (r_{c} IS NULL))"]
        measures.append(f"max(abs(l_{c} - r_{c})) FILTER (WHERE {both})" if c in ("cost", "cpu") else "NULL")
    row = con.execute(f"SELECT {', '.join(measures)} FROM diff").fetchone()
    assert row is not None
    mism = " UNION ALL ".join(
        f"SELECT id, '{c}' AS column_name, l_{c}::VARCHAR AS left_value, r_{c}::VARCHAR AS right_value FROM diff WHERE {both} AND NOT e_{c}"
        for c in COLUMNS
    )
    con.execute(f"CREATE TABLE out_mismatches AS {mism}")
    con.execute(
        "CREATE TABLE out_unmatched AS SELECT id, 'left' AS side FROM diff WHERE in_l AND NOT in_r "
        "UNION ALL SELECT id, 'right' FROM diff WHERE in_r AND NOT in_l"
    )
    count = lambda t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: E731
    return {
        "summary": dict(zip(("only_left", "only_right", "in_both", "rows_equal"), row[:4], strict=True)),
        "columns": {c: list(row[4 + 3 * i : 7 + 3 * i]) for i, c in enumerate(COLUMNS)},
        "mismatch_rows": count("out_mismatches"),
        "unmatched_rows": count("out_unmatched"),
    }


def child_datacompy(folder: Path) -> dict[str, Any]:
    import datacompy
    import polars as pl

    left, right = pl.read_parquet(folder / "left.parquet"), pl.read_parquet(folder / "right.parquet")
    cmp = datacompy.PolarsCompare(left, right, join_columns="id", abs_tol={"cost": COST_TOL, "default": 0.0})
    stats = {c["column"]: c for c in cmp.column_stats}
    return {
        "summary": {
            "only_left": cmp.df1_unq_rows.height,
            "only_right": cmp.df2_unq_rows.height,
            "in_both": cmp.intersect_rows.height,
            "rows_equal": int(cmp.count_matching_rows()),
        },
        "columns": {
            c: [int(stats[c]["unequal_cnt"]), int(stats[c]["null_diff"]), float(stats[c]["max_diff"]) if c in ("cost", "cpu") else None]
            for c in COLUMNS
        },
        "mismatch_rows": sum(int(stats[c]["unequal_cnt"]) for c in COLUMNS),
        "unmatched_rows": cmp.df1_unq_rows.height + cmp.df2_unq_rows.height,
    }


CHILDREN = {"assay": child_assay, "hand": child_hand, "datacompy": child_datacompy}
STARTUP = {
    "assay": ("assay.engine", "assay.reconcile.compare", "ibis.backends.duckdb.converter"),
    "hand": ("duckdb",),
    "datacompy": ("datacompy", "polars"),
}
"""Libraries each child imports before its clock starts: `work s` measures the comparison, not
start-up (`ibis.backends.duckdb.converter` pulls in pandas on a first result, 0.7 s once per process)."""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def differences(name: str, expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    out = []
    for key in ("summary", "columns"):
        for field, value in expected[key].items():
            other = got[key].get(field)
            pairs = zip(value, other, strict=True) if isinstance(value, list) and isinstance(other, list) else [(value, other)]
            if not all(_same(x, y) for x, y in pairs):
                out.append(f"{name}: {key}.{field} = {other}, hand diff says {value}")
    for field in ("mismatch_rows", "unmatched_rows"):
        if got[field] != expected[field]:
            out.append(f"{name}: {field} = {got[field]}, hand diff says {expected[field]}")
    return out


def _cpu() -> float:
    """CPU seconds of this process, all threads (DuckDB's and Polars' workers included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="runs per contestant; the fastest is reported")
    parser.add_argument("--skip", nargs="*", default=[], choices=list(CHILDREN))
    parser.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        for module in STARTUP[args.child]:
            importlib.import_module(module)
        t0, c0 = time.perf_counter(), _cpu()
        answer = CHILDREN[args.child](args.path)
        print(json.dumps({**answer, "seconds": time.perf_counter() - t0, "cpu": _cpu() - c0}))
        return

    folder = generate(args.rows, args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-compare-", dir=DATA))
    answers: dict[str, dict[str, Any]] = {}
    print(f"\ncompare of {args.rows:,} rows (left) on 2 cores; fastest of {args.repeat} run(s) each")
    print(f"{'contestant':<12}{'work s':>9}{'work cpu':>10}{'process s':>11}{'cpu s':>9}{'peak':>11}")
    timings = {}
    inner: dict[str, float] = {}
    inner_cpu: dict[str, float] = {}
    try:
        for name in CHILDREN:
            if name in args.skip:
                continue
            best = None
            for _ in range(args.repeat):
                if name == "datacompy":
                    path = folder
                else:
                    path = work / f"{name}.duckdb"
                    shutil.copy(folder / "sources.duckdb", path)
                m = measure([sys.executable, __file__, "--child", name, "--path", str(path)])
                if m.returncode != 0:
                    print(m.output)
                    sys.exit(2)
                answers[name] = json.loads(m.output.strip().splitlines()[-1])
                if best is None or m.seconds < best.seconds:
                    best, inner[name], inner_cpu[name] = m, answers[name]["seconds"], answers[name]["cpu"]
                if name != "datacompy":
                    path.unlink()
            assert best is not None
            timings[name] = best
            row = f"{name:<12}{inner[name]:>9.2f}{inner_cpu[name]:>10.2f}{best.seconds:>11.2f}{best.cpu:>9.2f}{gib(best.peak_bytes):>11}"
            print(row, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("work: the comparison itself, after importing its libraries (wall, CPU); process s: the whole child process")
    for a, b in (("assay", "hand"), ("datacompy", "assay")):
        if a in timings and b in timings:
            ratios = f"{inner[a] / inner[b]:.2f}× work, {inner_cpu[a] / inner_cpu[b]:.2f}× work cpu"
            print(f"{a} / {b}: {ratios}, {timings[a].seconds / timings[b].seconds:.2f}× process")
    if "hand" in answers:
        s = answers["hand"]["summary"]
        print(f"answers: {s['only_left']:,} only left, {s['only_right']:,} only right, {s['in_both']:,} in both, {s['rows_equal']:,} equal")
        problems = [p for name in answers if name != "hand" for p in differences(name, answers["hand"], answers[name])]
        for p in problems:
            print("DIFFERENT:", p)
        if problems:
            sys.exit(1)
        print("identical counts from every contestant")


if __name__ == "__main__":
    main()
