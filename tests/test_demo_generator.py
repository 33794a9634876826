"""The demo generator's planted truths must be what an honest reading of its files concludes.

Each truth is recomputed here from the files alone with DuckDB SQL, applying only the documented
normalization (trim, lower-case, drop one trailing dot, drop `.corp.acme.com`/`.acme.internal`),
so a generator bug cannot hide behind shared code.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from duckdb.sqltypes import TIMESTAMP, VARCHAR

from assay.demo.generator import DemoManifest, generate
from assay.errors import AssayError

SIZES = {"small": {"assets": 800, "weeks": 3}, "default": {}}

NORMALIZE = r"""
CREATE MACRO norm(x) AS regexp_replace(
    regexp_replace(lower(trim(x)), '\.$', ''), '\.(corp\.acme\.com|acme\.internal)$', '')
"""
APPLIES = (
    "VALUES ('edr', 'host'), ('dlp_scan', 'bucket'), ('dlp_scan', 'database'), "
    "('secret_scan', 'repository'), ('logging', 'host'), ('logging', 'bucket'), ('logging', 'database')"
)


@pytest.fixture(scope="module", params=list(SIZES))
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoManifest, dict]:
    manifest = generate(tmp_path_factory.mktemp(request.param), **SIZES[request.param])
    return manifest, json.loads(manifest.truth_path.read_text())


@pytest.fixture(scope="module")
def db(demo: tuple[DemoManifest, dict]) -> duckdb.DuckDBPyConnection:
    """The files as a pipeline would load them, with unreadable rows quarantined.

    Zoned times are read by Python (`datetime.fromisoformat`, `zoneinfo`), not by the engine's
    time-zone code, and stored as naive UTC.
    """
    manifest, _ = demo
    data = manifest.data_dir
    con = duckdb.connect()
    con.execute(NORMALIZE)
    con.create_function("iso_utc", _iso_utc, [VARCHAR], TIMESTAMP, null_handling="special")
    con.create_function("new_york_utc", _new_york_utc, [VARCHAR], TIMESTAMP, null_handling="special")
    for stem, path in {
        "cmdb": data / "cmdb_assets.csv",
        "tickets": data / "tickets.csv",
        "hr": data / "hr_roster.csv",
        "secret": data / "telemetry" / "secret_scans.csv",
    }.items():
        con.execute(
            f"CREATE TABLE {stem} AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true, delim=',', quote='\"', escape='\"')"
        )
    for stem, path in {
        "cloud": data / "cloud_assets.parquet",
        "findings": data / "findings.parquet",
        "dlp": data / "telemetry" / "dlp_scans.parquet",
        "logs": data / "telemetry" / "log_sources.parquet",
    }.items():
        con.execute(f"CREATE TABLE {stem} AS SELECT * FROM read_parquet('{path}')")
    for stem, path in {
        "agent": data / "agent_inventory.ndjson",
        "grants": data / "access_grants.ndjson",
        "edr": data / "telemetry" / "edr_heartbeats.ndjson",
    }.items():
        con.register(f"{stem}_lines", pa.Table.from_pylist(_json_lines(path)))
        con.execute(f"CREATE TABLE {stem} AS SELECT * FROM {stem}_lines")

    con.execute("""
        CREATE TABLE inventory AS
        SELECT 'cmdb_assets' AS source, ci_class AS type, norm(name) AS name, lower(trim(owner)) AS owner
        FROM cmdb WHERE TRY_CAST(last_updated AS TIMESTAMP) IS NOT NULL
        UNION ALL SELECT 'cloud_assets', resource_type, norm(resource_name), lower(trim(owner_tag)) FROM cloud
        UNION ALL SELECT 'agent_inventory', kind, norm(fqdn), lower(trim(owner)) FROM agent
    """)
    con.execute("CREATE TABLE assets AS SELECT DISTINCT type, name FROM inventory")
    con.execute("""
        CREATE TABLE observations AS
        SELECT 'edr' AS control, norm(hostname) AS name, iso_utc(seen_at) AS seen FROM edr
        UNION ALL SELECT 'dlp_scan', norm(target), make_timestamp(scanned_at * 1000) FROM dlp
        UNION ALL SELECT 'secret_scan', norm(repository), new_york_utc(scan_time) FROM secret
        UNION ALL SELECT 'logging', norm(source_host), reported_at FROM logs
    """)
    return con


def _iso_utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def _new_york_utc(text: str | None) -> datetime | None:
    """A naive New York wall time as UTC (fold=0, the documented reading); None if not a time."""
    try:
        local = datetime.fromisoformat(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return local.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC).replace(tzinfo=None)


def _end_of(as_of: str) -> str:
    """SQL for the last microsecond of an as-of date: `--as-of DATE` runs through its end."""
    return f"(DATE '{as_of}' + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND)"


def _json_lines(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[list]:
    return [list(row) for row in con.sql(sql).fetchall()]


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", assets=800, weeks=3)
    second = generate(tmp_path / "b", assets=800, weeks=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 13
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert first.as_of_dates == second.as_of_dates
    other = generate(tmp_path / "c", assets=800, weeks=3, seed=8)
    assert other.truth_path.read_bytes() != first.truth_path.read_bytes()


def test_too_small_an_organization_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AssayError):
        generate(tmp_path, assets=10)


def test_manifest_dates_end_at_end_weekly(demo: tuple[DemoManifest, dict]) -> None:
    manifest, truth = demo
    dates = manifest.as_of_dates
    assert dates[-1] == date(2026, 11, 20)
    assert all(b - a == timedelta(days=7) for a, b in pairwise(dates))
    assert truth["as_of_dates"] == [d.isoformat() for d in dates]
    assert manifest.truth_path == manifest.data_dir.parent / "truth" / "planted.json"


def test_row_counts_match_the_files(demo: tuple[DemoManifest, dict]) -> None:
    manifest, truth = demo
    counted = {}
    for path in manifest.data_dir.rglob("*.*"):
        if path.suffix == ".parquet":
            counted[path.stem] = pq.read_metadata(path).num_rows
        else:
            lines = path.read_text().splitlines()
            counted[path.stem] = len(lines) - (path.suffix == ".csv")
    assert counted == truth["rows"]


def test_quarantined_rows_are_the_planted_ones(demo: tuple[DemoManifest, dict], db: duckdb.DuckDBPyConnection) -> None:
    manifest, truth = demo
    broken_agent = truth["rows"]["agent_inventory"] - len(_json_lines(manifest.data_dir / "agent_inventory.ndjson"))
    assert {
        "cmdb_assets": db.sql("SELECT count(*) FROM cmdb WHERE TRY_CAST(last_updated AS TIMESTAMP) IS NULL").fetchone()[0],
        "agent_inventory": broken_agent,
        "secret_scans": db.sql("SELECT count(*) FROM secret WHERE new_york_utc(scan_time) IS NULL").fetchone()[0],
    } == truth["quarantined_rows"]
    descriptions = {r[0] for r in db.sql("SELECT DISTINCT description FROM cmdb").fetchall()}
    assert {'<script>alert("x")</script>', '=HYPERLINK("http://evil")', "Robert'); DROP TABLE assets;--"} <= descriptions


def test_names_normalize_to_the_golden_assets(demo: tuple[DemoManifest, dict], db: duckdb.DuckDBPyConnection) -> None:
    _, truth = demo
    by_type = dict(db.sql("SELECT type, count(*) FROM assets GROUP BY type").fetchall())
    assert by_type == truth["assets_by_type"]
    assert sum(by_type.values()) == truth["asset_count"]
    assert db.sql("SELECT count(*) FROM assets WHERE NOT regexp_full_match(name, '[a-z0-9-]+')").fetchone()[0] == 0
    assert db.sql("SELECT count(DISTINCT name) FROM assets").fetchone()[0] == truth["asset_count"]
    shadow = db.sql("SELECT count(*) FROM observations WHERE name NOT IN (SELECT name FROM assets)").fetchone()[0]
    assert shadow == 50


def test_source_overlap_and_owner_conflicts(demo: tuple[DemoManifest, dict], db: duckdb.DuckDBPyConnection) -> None:
    _, truth = demo
    only = dict(
        db.sql("""
        SELECT any_value(source), count(*) FROM (
            SELECT type, name, any_value(source) AS source FROM inventory GROUP BY ALL HAVING count(*) = 1
        ) GROUP BY source
    """).fetchall()
    )
    assert only == truth["only_in_source"]
    conflicts = _rows(
        db,
        """
        SELECT type, name FROM inventory WHERE owner IS NOT NULL
        GROUP BY ALL HAVING count(DISTINCT owner) > 1 ORDER BY ALL
    """,
    )
    assert conflicts == truth["owner_conflicts"]
    assert conflicts, "some owners must disagree"


def test_uncovered_pairs_every_week(demo: tuple[DemoManifest, dict], db: duckdb.DuckDBPyConnection) -> None:
    _, truth = demo
    twice = db.sql(f"""
        SELECT count(*) FROM (
            SELECT control, name, floor((epoch(seen) - epoch(DATE '{truth["as_of_dates"][0]}' + INTERVAL 1 DAY)) / (7 * 86400))
            FROM observations WHERE seen IS NOT NULL AND name IN (SELECT name FROM assets)
            GROUP BY ALL HAVING count(*) > 1
        )
    """).fetchone()[0]
    assert twice == 0
    for as_of in truth["as_of_dates"]:
        uncovered = _rows(
            db,
            f"""
            SELECT a.type, a.name, c.control
            FROM assets a JOIN ({APPLIES}) AS c(control, type) ON a.type = c.type
            WHERE NOT EXISTS (
                SELECT 1 FROM observations o
                WHERE o.control = c.control AND o.name = a.name
                  AND o.seen > {_end_of(as_of)} - INTERVAL 7 DAY AND o.seen <= {_end_of(as_of)}
            )
            ORDER BY ALL
        """,
        )
        assert uncovered == truth["uncovered"][as_of], as_of


def test_leavers_with_access_every_week(demo: tuple[DemoManifest, dict], db: duckdb.DuckDBPyConnection) -> None:
    _, truth = demo
    db.execute("""
        CREATE OR REPLACE TEMP VIEW access AS
        SELECT lower(trim(principal)) AS email, system, role,
               CAST(granted_at AS TIMESTAMP) AS granted, CAST(revoked_at AS TIMESTAMP) AS revoked
        FROM grants
    """)
    db.execute("""
        CREATE OR REPLACE TEMP VIEW people AS
        SELECT lower(work_email) AS email, CAST(termination_date AS DATE) AS left_on, status FROM hr
    """)
    assert db.sql("SELECT count(*) FROM people WHERE (left_on IS NULL) != (status = 'active')").fetchone()[0] == 0
    assert db.sql("SELECT count(*) - count(DISTINCT email) FROM people").fetchone()[0] == 0
    assert db.sql("SELECT count(*) - count(DISTINCT (email, system, role)) FROM access").fetchone()[0] == 0
    for as_of in truth["as_of_dates"]:
        holders = _rows(
            db,
            f"""
            SELECT a.email, a.system, a.role FROM access a JOIN people p USING (email)
            WHERE p.left_on <= DATE '{as_of}' AND a.granted <= {_end_of(as_of)}
              AND (a.revoked IS NULL OR a.revoked > {_end_of(as_of)})
            ORDER BY ALL
        """,
        )
        assert holders == truth["leavers_with_access"][as_of], as_of
    assert truth["leavers_with_access"][truth["as_of_dates"][-1]], "someone must keep access"


def test_orphans(demo: tuple[DemoManifest, dict], db: duckdb.DuckDBPyConnection) -> None:
    _, truth = demo
    tickets = _rows(db, "SELECT ticket_key FROM tickets ANTI JOIN findings ON finding_ref = finding_id ORDER BY 1")
    assert [t for (t,) in tickets] == truth["orphan_tickets"]
    assert len(truth["orphan_tickets"]) == 4
    accounts = _rows(
        db,
        """
        SELECT DISTINCT lower(trim(principal)) AS email FROM grants
        WHERE email NOT IN (SELECT lower(work_email) FROM hr) ORDER BY 1
    """,
    )
    assert [a for (a,) in accounts] == truth["orphan_accounts"]
    assert len(truth["orphan_accounts"]) == 20
