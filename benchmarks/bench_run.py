"""`assay run` against a hand-written DuckDB pipeline on the same organization: time, memory, answers.

    uv run python benchmarks/bench_run.py --rows 1000000
    uv run python benchmarks/bench_run.py --rows 1000000 --engine postgres://postgres@127.0.0.1:5432/postgres
    uv run python benchmarks/bench_run.py --rows 1000000 --engine pyspark

The organization is generated once per (N, seed) into benchmarks/.data/ (git-ignored). The hand
pipeline (benchmarks/hand_pipeline.py) and `assay run` each run in their own process, so the peak
resident memory of each is measured alone (`os.wait4` returns the child's rusage). For every input
file, assay's ingest of that one source is also timed against DuckDB reading the file into a table
(`CREATE TABLE AS SELECT * FROM read_csv/read_parquet/read_json`), each in its own process too.

assay's answers are read back from its warehouse (assay_metric_values of the latest successful run,
assay_only_in_source, assay_access, assay_findings) and compared with the hand pipeline's; the
script prints every difference and exits 1 if there is any (2 if assay itself fails).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from hand_pipeline import canonical_dimensions  # noqa: E402
from org_generator import DEFAULT_AS_OF, FILES, generate  # noqa: E402

DATA = HERE / ".data"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
Answer = tuple[str, str, str]  # (answer, dimensions, field)
READERS = {"csv": "read_csv", "parquet": "read_parquet", "ndjson": "read_json"}


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_bytes: int
    returncode: int
    output: str


def measure(cmd: list[str], cwd: Path | None = None) -> Measured:
    """Run `cmd`, returning its wall time and the peak RSS of the process (and waited children)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return Measured(seconds, usage.ru_maxrss * 1024, proc.returncode, text)


def organization(n: int, seed: int) -> Path:
    """The generated organization for (N, seed), written on first use."""
    folder = DATA / f"org-n{n}-s{seed}"
    if not (folder / "org.json").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        generate(folder, n, seed)
        size = sum(p.stat().st_size for p in (folder / "data").iterdir())
        print(f"generated {n:,} assets in {time.perf_counter() - start:.1f} s: {size / 1e9:.2f} GB in {folder}", flush=True)
    return folder


def variant(project: Path, assay_yml: Path) -> Path:
    """A sibling folder sharing `project`'s data (a symlink) with another project file."""
    folder = project.with_name(f"{project.name}-variant")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "data").symlink_to(project.resolve() / "data")
    shutil.copy(project / "org.json", folder / "org.json")
    shutil.copy(assay_yml, folder / "assay.yml")
    print(f"assay runs with {assay_yml} (a variant of the generated project file)")
    return folder


@contextmanager
def fresh_engine(kind: str, project: Path, work: Path) -> Iterator[str]:
    """An engine URL with nothing in it yet, removed again afterwards where it lives outside `work`."""
    if kind.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"assay_bench_{uuid.uuid4().hex[:8]}"
        admin = kind.replace("postgres://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
        try:
            yield kind.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with psycopg.connect(admin, autocommit=True) as con:
                con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    elif kind == "pyspark":
        shutil.rmtree(project / ".assay", ignore_errors=True)
        yield "pyspark://local[2]"
    else:
        yield f"duckdb:///{work / 'warehouse.duckdb'}"


def assay_answers(url: str, project: Path) -> dict[Answer, float | None]:
    """The answers of assay's latest successful run, in the hand pipeline's shape."""
    from assay.engine import connect

    engine = connect(url, project)
    try:

        def rows(name: str) -> list[dict]:
            return engine.to_arrow(engine.table(name)).to_pylist()

        runs = [r for r in rows("assay_runs") if r["status"] == "success"]
        run_id = max(runs, key=lambda r: r["run_seq"])["run_id"]
        out: dict[Answer, float | None] = {}
        for r in rows("assay_metric_values"):
            if r["run_id"] == run_id:
                for field in ("numerator", "denominator", "value"):
                    out[(r["metric"], canonical_dimensions(r["dimensions"]), field)] = r[field]
        for table, answer, column in (
            ("assay_only_in_source", "only_in_source", "source"),
            ("assay_access", "active_grants", "person_status"),
        ):
            for r in rows(table):
                key = (answer, canonical_dimensions(json.dumps({column: r[column]})), "count")
                out[key] = (out.get(key) or 0) + 1
        for r in rows("assay_findings"):
            if r["status"] != "resolved":
                key = ("open_findings_by_rule", canonical_dimensions(json.dumps({"rule": r["rule"]})), "count")
                out[key] = (out.get(key) or 0) + 1
        return out
    finally:
        engine.close()


def differences(hand: dict[Answer, float | None], assay: dict[Answer, float | None]) -> list[str]:
    """Every answer the hand pipeline gives that assay gives differently, and every group only assay has."""
    problems = []
    for key, want in sorted(hand.items()):
        got = assay.get(key)
        same = (want is None and got is None) or (
            want is not None and got is not None and math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-9)
        )
        if not same:
            delta = f" (assay - hand = {float(got) - want:+g})" if want is not None and got is not None else ""
            problems.append(f"{key[0]} {key[1]} {key[2]}: hand {want}, assay {got}{delta}")
    hand_groups = {(a, d) for a, d, _ in hand}
    for a, d in sorted({(a, d) for a, d, _ in assay} - hand_groups):
        problems.append(f"{a} {d}: only assay has this group")
    return problems


def hand_answers(project: Path, as_of: date, work: Path) -> tuple[Measured, dict[Answer, float | None]]:
    out = work / "hand.json"
    m = measure([sys.executable, str(HERE / "hand_pipeline.py"), str(project), "--as-of", as_of.isoformat(), "--out", str(out)])
    if m.returncode != 0:
        raise SystemExit(f"hand pipeline failed:\n{m.output}")
    answers = json.loads(out.read_text())["answers"]
    return m, {(a, d, f): v for a, d, f, v in answers}


def ingest_child(kind: str, project: Path, source: str, database: Path) -> None:
    """In a child process: load one source into a fresh DuckDB file, print the seconds it took."""
    if kind == "assay":
        from assay.engine import connect
        from assay.ingest.stage import ingest_source
        from assay.project.load import load_project

        model, _ = load_project(project)
        engine = connect(f"duckdb:///{database}", project)
        start = time.perf_counter()
        ingest_source(engine, project, source, model.sources[source])
        seconds = time.perf_counter() - start
        engine.close()
    else:
        import duckdb

        rel = FILES[source]
        reader = READERS[Path(rel).suffix.lstrip(".")]
        con = duckdb.connect(str(database))
        start = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}($path)", {"path": str(project / rel)})
        seconds = time.perf_counter() - start
        con.close()
    print(json.dumps({"seconds": seconds}))


def ingest_compare(project: Path, work: Path) -> list[tuple[str, Measured, float, Measured, float]]:
    rows = []
    for source in FILES:
        timed = []
        for kind in ("assay", "duckdb"):
            database = work / f"ingest-{kind}-{source}.duckdb"
            m = measure([sys.executable, __file__, "--ingest-child", kind, str(project), source, str(database)])
            if m.returncode != 0:
                raise SystemExit(f"ingest of {source} by {kind} failed:\n{m.output}")
            timed += [m, json.loads(m.output.strip().splitlines()[-1])["seconds"]]
            database.unlink(missing_ok=True)
        rows.append((source, *timed))
    return rows


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="number of assets N")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", default="duckdb", help="duckdb (default), a postgres:// admin URL, or pyspark")
    parser.add_argument("--assay-yml", type=Path, help="run assay with this project file instead of the generated one (same data)")
    parser.add_argument("--skip-ingest", action="store_true", help="skip the per-file ingest comparison")
    parser.add_argument("--ingest-child", nargs=4, metavar=("KIND", "PROJECT", "SOURCE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_child:
        kind, project, source, database = args.ingest_child
        ingest_child(kind, Path(project), source, Path(database))
        return

    as_of = DEFAULT_AS_OF
    project = organization(args.rows, args.seed)
    if args.assay_yml:
        project = variant(project, args.assay_yml)
    size = sum(p.stat().st_size for p in (project / "data").iterdir())
    print(f"organization: {args.rows:,} assets, {size / 1e9:.2f} GB raw, as of {as_of}, engine {args.engine}", flush=True)
    with tempfile.TemporaryDirectory(prefix="assay-bench-", dir=DATA) as tmp:
        work = Path(tmp)
        hand_m, hand = hand_answers(project, as_of, work)
        print(f"hand pipeline (DuckDB SQL): {hand_m.seconds:8.1f} s  peak {gib(hand_m.peak_bytes)}", flush=True)
        with fresh_engine(args.engine, project, work) as url:
            assay_m = measure([sys.executable, "-m", "assay", "run", str(project), "--as-of", as_of.isoformat(), "--engine", url])
            print(f"assay run ({args.engine}):{'':>6} {assay_m.seconds:8.1f} s  peak {gib(assay_m.peak_bytes)}", flush=True)
            if assay_m.returncode != 0:
                print(assay_m.output)
                sys.exit(2)
            got = assay_answers(url, project)
        ratio_t, ratio_m = assay_m.seconds / hand_m.seconds, assay_m.peak_bytes / hand_m.peak_bytes
        print(f"ratio assay / hand: time {ratio_t:.2f}x, peak memory {ratio_m:.2f}x")
        if not args.skip_ingest and args.engine == "duckdb":
            print("\ningest, one file into a fresh DuckDB file (seconds of the load itself; peak RSS of the process)")
            print(f"{'source':14} {'MB':>8} {'assay s':>9} {'peak':>10} {'duckdb s':>9} {'peak':>10} {'ratio':>6}")
            for source, am, a_s, dm, d_s in ingest_compare(project, work):
                mb = (project / FILES[source]).stat().st_size / 1e6
                print(
                    f"{source:14} {mb:8.0f} {a_s:9.2f} {gib(am.peak_bytes):>10} {d_s:9.2f} {gib(dm.peak_bytes):>10} {a_s / d_s:5.2f}x",
                    flush=True,
                )
    problems = differences(hand, got)
    if problems:
        print(f"\n{len(problems)} answers differ between assay and the hand pipeline:")
        print("\n".join(problems))
        sys.exit(1)
    print(f"\nall {len(hand)} answers agree")


if __name__ == "__main__":
    main()
