"""Entity resolution of two asset inventories by `assay run`'s match passes: precision and recall
against the planted truth, time and memory.

    uv run python benchmarks/bench_match.py --rows 1000000

N assets; the CMDB lists 95% of them and the cloud inventory another 95% (5% unmatched on each
side). They share no id. The CMDB knows a serial for 70% and a MAC for 50%, the cloud a serial for
50% and a MAC for 70% (written in another notation); types are spelled differently (`Windows
Server` / `ec2-instance`); names are noisy: the cloud writes a fully qualified, upper-cased name for
half the hosts and a different name altogether (`ip-10-…`) for 15%. A further 2% of serials are
shared by two different assets (a vendor's duplicate), and 1% of names are reused by two assets,
to see the strong-key guard at work.

The project matches by serial, then MAC, then type and host name, with `serial` as a strong key.
`assay run` runs in its own process under GNU `time`; the predicted pairs (a CMDB record and a
cloud record in one golden asset) are read back from `assay_asset_sources` and scored against the
truth (the generator's asset number, carried in each record's `source_id`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_run import gib, measure  # noqa: E402

DATA = HERE / ".data"
PROJECT = """\
name: bench-match
sources:
  cmdb:
    path: cmdb.csv
    entity: asset
    columns:
      source_id: ci
      name: {from: host, normalize: hostname, options: {strip_suffixes: [corp.example]}}
      asset_type: ci_class
      serial: serial
      mac: {from: mac, normalize: mac}
  cloud:
    path: cloud.csv
    entity: asset
    columns:
      source_id: rid
      name: {from: host, normalize: hostname, options: {strip_suffixes: [corp.example]}}
      asset_type: resource_type
      serial: serial
      mac: {from: mac, normalize: mac}
reconcile:
  assets:
    sources: [cmdb, cloud]
    asset_types: {host: [windows server, linux server, ec2-instance, vm]}
    match:
      - {name: serial, keys: serial}
      - {name: mac, keys: mac}
      - {name: hostname, keys: [asset_type, name]}
    strong_keys: [serial]
"""


def generate(n: int, seed: int) -> Path:
    folder = DATA / f"match-n{n}-s{seed}"
    if (folder / "assay.yml").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    ids = np.arange(n)
    host = np.char.add("host-", ids.astype(str))
    reused = rng.random(n) < 0.01
    host[reused] = host[np.roll(ids, 1)[reused]]  # 1%: a name another asset has too
    serial = np.char.add("SN", (ids * 7919 % 10_000_019).astype(str))
    shared = rng.random(n) < 0.02
    serial[shared] = serial[np.roll(ids, 3)[shared]]  # 2%: a serial another asset has too
    mac_int = (ids * 2654435761 + 12345) % 2**40  # an odd multiplier: distinct for distinct ids
    mac = np.array([f"{m:012x}" for m in mac_int])
    in_cmdb, in_cloud = rng.random(n) >= 0.05, rng.random(n) >= 0.05
    both = in_cmdb & in_cloud

    def blank(values: np.ndarray, keep: float) -> np.ndarray:
        out = values.astype(object)
        out[rng.random(len(values)) >= keep] = None
        return out

    c = ids[in_cmdb]
    cmdb = {
        "ci": np.char.add("A-", c.astype(str)),
        "host": host[c],
        "ci_class": rng.choice(np.array(["Windows Server", "Linux Server"]), len(c)),
        "serial": blank(serial[c], 0.7),
        "mac": blank(np.array([":".join(m[i : i + 2] for i in range(0, 12, 2)) for m in mac[c]]), 0.5),
    }
    k = ids[in_cloud]
    names = host[k].astype(object)
    fq = rng.random(len(k)) < 0.5
    names[fq] = np.char.upper(np.char.add(host[k][fq], ".corp.example"))
    other = rng.random(len(k)) < 0.15
    names[other] = np.char.add("ip-10-", k[other].astype(str))
    cloud = {
        "rid": np.char.add("B-", k.astype(str)),
        "host": names,
        "resource_type": rng.choice(np.array(["ec2-instance", "vm"]), len(k)),
        "serial": blank(serial[k], 0.5),
        "mac": blank(np.array([f"{m[:4]}.{m[4:8]}.{m[8:]}" for m in mac[k]]), 0.7),
    }
    for name, cols in (("cmdb", cmdb), ("cloud", cloud)):
        pacsv.write_csv(pa.table({col: pa.array(list(v) if v.dtype == object else v) for col, v in cols.items()}), folder / f"{name}.csv")
    (folder / "truth.json").write_text(json.dumps({"assets": n, "in_both": int(both.sum())}))
    (folder / "assay.yml").write_text(PROJECT)
    return folder


def score(folder: Path) -> dict[str, float]:
    """Precision and recall of the CMDB–cloud pairs the golden assets imply."""
    con = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    pairs = """
        WITH m AS (SELECT golden_id, source, CAST(substr(source_id, 3) AS BIGINT) AS asset FROM assay_asset_sources)
        SELECT count(*) AS predicted, count(*) FILTER (WHERE a.asset = b.asset) AS correct
        FROM m a JOIN m b ON a.golden_id = b.golden_id AND a.source = 'cmdb' AND b.source = 'cloud'
    """
    predicted, correct = con.execute(pairs).fetchone()
    chained = con.execute("SELECT count(DISTINCT cluster_id) FROM assay_asset_chained").fetchone()[0]
    by_pass = dict(con.execute("SELECT match_pass, count(*) FROM assay_asset_matches GROUP BY 1").fetchall())
    timings = json.loads(con.execute("SELECT timings FROM assay_runs WHERE status = 'success' ORDER BY run_seq DESC LIMIT 1").fetchone()[0])
    con.close()
    truth = json.loads((folder / "truth.json").read_text())["in_both"]
    return {
        "predicted_pairs": predicted,
        "correct_pairs": correct,
        "true_pairs": truth,
        "precision": correct / predicted if predicted else 0.0,
        "recall": correct / truth if truth else 0.0,
        "chained_clusters": chained,
        "links_by_pass": by_pass,
        "reconcile_s": timings.get("reconcile"),
        "ingest_s": timings.get("ingest"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    folder = generate(args.rows, args.seed)
    print(f"data for {args.rows:,} assets in {folder} ({time.perf_counter() - t0:.1f} s)")
    for leftover in ("warehouse.duckdb", "warehouse.duckdb.wal", "warehouse.duckdb.published"):
        (folder / leftover).unlink(missing_ok=True)
    shutil.rmtree(folder / ".assay", ignore_errors=True)
    m = measure([sys.executable, "-m", "assay", "run", str(folder), "--as-of", "2026-11-20"])
    if m.returncode != 0:
        print(m.output)
        sys.exit(2)
    s = score(folder)
    print(f"assay run: {m.seconds:.1f} s wall, {m.cpu:.1f} s CPU, peak {gib(m.peak_bytes)}")
    print(f"stages: ingest {s['ingest_s']} s, reconcile {s['reconcile_s']} s")
    print(f"pairs: {s['predicted_pairs']:,} predicted, {s['correct_pairs']:,} correct, {s['true_pairs']:,} true")
    print(f"precision {s['precision']:.4f}, recall {s['recall']:.4f}")
    print(f"links by pass {s['links_by_pass']}; chained clusters {s['chained_clusters']:,}")


if __name__ == "__main__":
    main()
