"""`assay run` against a hand-written DuckDB pipeline on the same organization: time, memory, answers.

    uv run python benchmarks/bench_run.py --rows 1000000
    uv run python benchmarks/bench_run.py --rows 1000000 --engine postgres://postgres@127.0.0.1:5432/postgres
    uv run python benchmarks/bench_run.py --rows 1000000 --engine pyspark

The organization is generated once per (N, seed) into benchmarks/.data/ (git-ignored). The hand
pipeline (benchmarks/hand_pipeline.py) and `assay run` each run in their own process under GNU
`time`, which reports its wall time, CPU time (user + system) and peak resident memory. For every input
file, assay's ingest of that one source is also timed against DuckDB reading the file into a table
(`CREATE TABLE AS SELECT * FROM read_csv/read_parquet/read_json`), each in its own process too.

assay's answers are read back from its warehouse (assay_metric_values of the latest successful run,
assay_only_in_source, assay_access, assay_findings) and compared with the hand pipeline's; the
script prints every difference and exits 1 if there is any (2 if assay itself fails).
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import resource
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
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)
READERS = {"csv": "read_csv", "parquet": "read_parquet", "ndjson": "read_json"}


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall clock
    cpu: float  # user + system, all threads: less disturbed than wall time by other work on the machine
    peak_bytes: int
    returncode: int
    output: str


def measure(cmd: list[str]) -> Measured:
    """Run `cmd` under GNU time: its wall time, CPU time and peak RSS.

    Not `os.wait4` from here: on Linux a child's ru_maxrss starts from the RSS of the process
    it was forked from, so every child of a grown benchmark process would report at least that;
    `time` is small and forks the command itself.
    """
    with tempfile.NamedTemporaryFile("r") as stats, tempfile.TemporaryFile() as out:
        proc = subprocess.run([TIME, "-f", "%e %U %S %M", "-o", stats.name, *cmd], stdout=out, stderr=subprocess.STDOUT, check=False)
        wall, user, system, peak_kb = stats.read().split()[-4:]
        out.seek(0)
        text = out.read().decode(errors="replace")
    return Measured(float(wall), float(user) + float(system), int(peak_kb) * 1024, proc.returncode, text)


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
    """A new sibling folder sharing `project`'s data (a symlink) with another project file; removed by main()."""
    folder = Path(tempfile.mkdtemp(prefix=f"{project.name}-variant-", dir=project.parent))
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
    """In a child process: load one source into a fresh DuckDB file, print the wall and CPU seconds it took.

    DuckDB's Python client imports pandas on the first query with parameters (seconds on a busy
    machine); both sides pay it before the clock starts, so the figures are the load alone.
    """
    import duckdb

    duckdb.connect().execute("SELECT $x", {"x": 1}).close()
    if kind == "assay":
        from assay.engine import connect
        from assay.ingest.stage import ingest_source
        from assay.project.load import load_project

        model, _ = load_project(project)
        engine = connect(f"duckdb:///{database}", project)
        start, cpu = time.perf_counter(), _cpu()
        ingest_source(engine, project, source, model.sources[source])
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        engine.close()
    else:
        rel = FILES[source]
        reader = READERS[Path(rel).suffix.lstrip(".")]
        con = duckdb.connect(str(database))
        start, cpu = time.perf_counter(), _cpu()
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}($path)", {"path": str(project / rel)})
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        con.close()
    print(json.dumps({"seconds": seconds, "cpu": cpu}))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest_compare(project: Path, work: Path) -> Iterator[tuple[str, dict[str, tuple[Measured, dict]]]]:
    """Per source: for assay and for DuckDB, the child's measurement and the load's own wall/CPU seconds."""
    for source in FILES:
        timed = {}
        for kind in ("assay", "duckdb"):
            database = work / f"ingest-{kind}-{source}.duckdb"
            m = measure([sys.executable, __file__, "--ingest-child", kind, str(project), source, str(database)])
            if m.returncode != 0:
                raise SystemExit(f"ingest of {source} by {kind} failed:\n{m.output}")
            timed[kind] = (m, json.loads(m.output.strip().splitlines()[-1]))
            database.unlink(missing_ok=True)
        yield source, timed


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

    if not Path(TIME).is_file():
        raise SystemExit(f"bench_run measures with GNU time at {TIME}: install it (apt-get install time)")
    as_of = DEFAULT_AS_OF
    project = organization(args.rows, args.seed)
    if args.assay_yml:
        project = variant(project, args.assay_yml)
        atexit.register(shutil.rmtree, project, ignore_errors=True)
    size = sum(p.stat().st_size for p in (project / "data").iterdir())
    print(f"organization: {args.rows:,} assets, {size / 1e9:.2f} GB raw, as of {as_of}, engine {args.engine}", flush=True)
    with tempfile.TemporaryDirectory(prefix="assay-bench-", dir=DATA) as tmp:
        work = Path(tmp)
        hand_m, hand = hand_answers(project, as_of, work)
        print(f"{'':28} {'wall s':>8} {'CPU s':>8} {'peak':>10}")
        print(f"{'hand pipeline (DuckDB SQL)':28} {hand_m.seconds:8.1f} {hand_m.cpu:8.1f} {gib(hand_m.peak_bytes):>10}", flush=True)
        with fresh_engine(args.engine, project, work) as url:
            assay_m = measure([sys.executable, "-m", "assay", "run", str(project), "--as-of", as_of.isoformat(), "--engine", url])
            label = f"assay run ({args.engine.split(':')[0]})"
            print(f"{label:28} {assay_m.seconds:8.1f} {assay_m.cpu:8.1f} {gib(assay_m.peak_bytes):>10}", flush=True)
            if assay_m.returncode != 0:
                print(assay_m.output)
                sys.exit(2)
            got = assay_answers(url, project)
        ratios = (assay_m.seconds / hand_m.seconds, assay_m.cpu / hand_m.cpu, assay_m.peak_bytes / hand_m.peak_bytes)
        print(f"{'ratio assay / hand':28} {ratios[0]:7.2f}x {ratios[1]:7.2f}x {ratios[2]:9.2f}x")
        if not args.skip_ingest and args.engine == "duckdb":
            print("\ningest of one file into a fresh DuckDB file: the load's wall and CPU seconds, the process's peak RSS")
            header = f"{'source':14} {'MB':>6} | {'assay wall':>10} {'CPU':>7} {'peak':>9} | {'duckdb wall':>11} {'CPU':>7} {'peak':>9}"
            print(f"{header} | ratio wall  CPU")
            for source, timed in ingest_compare(project, work):
                (am, a), (dm, d) = timed["assay"], timed["duckdb"]
                mb = (project / FILES[source]).stat().st_size / 1e6
                print(
                    f"{source:14} {mb:6.0f} | {a['seconds']:10.2f} {a['cpu']:7.2f} {gib(am.peak_bytes):>9} | "
                    f"{d['seconds']:11.2f} {d['cpu']:7.2f} {gib(dm.peak_bytes):>9} | "
                    f"{a['seconds'] / d['seconds']:9.2f}x {a['cpu'] / d['cpu']:4.2f}x",
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
