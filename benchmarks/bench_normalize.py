"""Cost of each normalizer on DuckDB, as a ratio to merely reading the column.

    uv run python benchmarks/bench_normalize.py --rows 10000000

For every kind, N messy values are generated inside DuckDB, then two queries are timed (best of
`--repeat`): reading the column (`max(v)`), and normalizing it (`max(value), count(problem)`),
so both scan the same data and the ratio is the price of normalization alone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import ibis

from assay.engine import Engine, connect
from assay.normalize import normalize

GENERATORS: dict[str, tuple[str, dict]] = {
    "hostname": (
        "'WEB-' || (i % 5000) || ['.CORP.ACME.COM.', '.corp.acme.com', '', ' .acme.internal', '..bad'][i % 5 + 1]",
        {"strip_suffixes": ["corp.acme.com", "acme.internal"]},
    ),
    "email": ("' Jane.Doe' || (i % 10000) || ['+okta', '', '@'][i % 3 + 1] || '@Acme.CO.UK '", {"strip_plus_tag": True}),
    "mac": ("[printf('%012X', i), printf('%02x:%02x:%02x:%02x:%02x:%02x', i%256, 1, 2, 3, 4, i%7), 'zz'][i % 3 + 1]", {}),
    "severity": ("['CRIT', 'P0', 'Sev1', '5', 'High', ' medium ', 'low', 'Informational', 'bogus'][i % 9 + 1]", {}),
    "status": ("['Open', 'In Progress', 'in_progress', 'Closed', 'Risk Accepted', 'FP', 'nope'][i % 7 + 1]", {}),
    "timestamp": (
        "[strftime(TIMESTAMP '2026-01-01' + to_seconds(i), '%Y-%m-%dT%H:%M:%S+02:00'),"
        " CAST(1795176824000 + i AS VARCHAR),"
        " strftime(TIMESTAMP '2026-01-01' + to_seconds(i), '%m/%d/%Y %H:%M'),"
        " strftime(TIMESTAMP '2026-01-01' + to_seconds(i), '%d-%b-%Y'), '2026-02-30'][i % 5 + 1]",
        {},
    ),
    "ip": (
        "[(i % 256) || '.' || (i // 256 % 256) || '.0' || (i % 7) || '.' || (i % 200),"
        " '2001:0DB8:0000:0000:' || printf('%x', i % 65536) || ':0:0:1', '::ffff:10.0.' || (i % 256) || '.1',"
        " 'fe80::' || printf('%x', i % 65536), '999.1.1.1'][i % 5 + 1]",
        {},
    ),
    "cloud_id": (
        "['ARN:AWS:S3:::Bucket-' || (i % 5000), ' arn:aws:iam::' || printf('%012d', i % 1000) || ':role/Admin',"
        " '//Compute.googleapis.com/projects/p' || (i % 100) || '/zones/z/instances/vm-' || i || '/',"
        " '/SUBSCRIPTIONS/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/RG' || (i % 50)"
        " || '/providers/Microsoft.Compute/virtualMachines/VM' || i, 'arn:aws:s3', 's3://bucket'][i % 6 + 1]",
        {},
    ),
    "text": ("['  Jane' || chr(160) || 'DOE ' || (i % 1000), 'Ｊａｎｅ  Doe', 'Straße\t' || (i % 100), 'plain ascii name'][i % 4 + 1]", {}),
}


def _best(engine: Engine, expr: ibis.Expr, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        engine.to_arrow(expr)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(GENERATORS))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        engine = connect("duckdb://:memory:", Path(tmp))
        raw = engine.con.con
        print(f"{'normalizer':<10} {'rows':>12} {'read s':>8} {'normalize s':>12} {'ratio':>7} {'problems':>9}")
        for kind in args.only:
            sql, options = GENERATORS[kind]
            raw.execute(f"CREATE OR REPLACE TABLE bench_{kind} AS SELECT {sql} AS v FROM range({args.rows}) t(i)")
            t = engine.table(f"bench_{kind}")
            result = normalize(kind, t.v, options, engine)
            read = t.aggregate(m=t.v.max())
            normalized = t.aggregate(m=result.value.max(), p=result.problem.count())
            t_read = _best(engine, read, args.repeat)
            t_norm = _best(engine, normalized, args.repeat)
            problems = engine.to_arrow(normalized)["p"][0].as_py()
            print(f"{kind:<10} {args.rows:>12,} {t_read:>8.3f} {t_norm:>12.3f} {t_norm / t_read:>6.1f}x {problems:>9,}")
            raw.execute(f"DROP TABLE bench_{kind}")


if __name__ == "__main__":
    main()
