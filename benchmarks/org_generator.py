"""Write a synthetic organization at N assets, plus the `assay.yml` that monitors it.

    uv run python benchmarks/org_generator.py --rows 1000000 --out /tmp/org-1m

Everything is generated inside DuckDB (`COPY (SELECT ... FROM range(N)) TO ...`), so 10M assets
take minutes, not hours; values come from `hash(row, seed, salt)`, so a seed gives the same files
with the same DuckDB version (pinned in uv.lock).

The data is messy where real programs are messy, and the mess is what the benchmark's oracle
(benchmarks/hand_pipeline.py) must see through:

* two inventories, a CMDB export (CSV) and a cloud inventory (Parquet), each missing 2.5% of the
  assets the other has; hostnames differ in case and trailing dots; the cloud side names another
  org for 2% of the shared assets (survivorship prefers the CMDB);
* DLP scan events as NDJSON, ~2.5 per asset, `ts` in epoch milliseconds;
* EDR check-ins as CSV, ~1.5 per asset, local times with a `+02:00` offset;
* findings as CSV, ~0.8 per asset, severities spelled several ways (`CRIT`, `Sev2`, `Moderate` ...);
* an HR roster (one person per ten assets, 8% leavers) and access grants, ~1.2 per asset, 1% held
  by accounts nobody on the roster owns.

Rows are planted right around the as-of boundary so that wrong time handling changes answers:
evidence at 23:30Z on the as-of day (counts), at 00:00Z the next day (does not), at the start of
the freshness window (counts) and one millisecond / second before it (does not); EDR ones are
written in +02:00, so a reader that drops the offset moves them across the boundary. Findings
opened or closed, grants granted or revoked, and people leaving on the as-of day are planted too.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

import duckdb

DEFAULT_AS_OF = date(2026, 11, 20)
FILES = {
    "cmdb_assets": "data/cmdb_assets.csv",
    "cloud_assets": "data/cloud_assets.parquet",
    "dlp_events": "data/dlp_events.ndjson",
    "edr_checkins": "data/edr_checkins.csv",
    "findings": "data/findings.csv",
    "hr_roster": "data/hr_roster.csv",
    "access_grants": "data/access_grants.csv",
}

# Macros shared by every file. `getvariable` carries the seed, N, the number of people and the
# as-of date, so no value is pasted into SQL text.
_MACROS = """
CREATE MACRO rnd(k, salt, m) AS CAST(hash(k, getvariable('seed'), salt) % CAST(m AS UBIGINT) AS BIGINT);
CREATE MACRO asset_type(i) AS ['host', 'host', 'host', 'bucket', 'database'][i % 5 + 1];
CREATE MACRO asset_name(i) AS ['host', 'host', 'host', 'bkt', 'db'][i % 5 + 1] || '-' || i || '.corp.example.com';
CREATE MACRO org(i) AS 'org-' || lpad(CAST(rnd(i, 1, 12) AS VARCHAR), 2, '0');
CREATE MACRO messy_host(name, k) AS CASE k % 6 WHEN 0 THEN upper(name) WHEN 1 THEN name || '.'
    WHEN 2 THEN upper(name) || '.' ELSE name END;
CREATE MACRO person_email(p) AS 'person' || p || '@example.com';
CREATE MACRO messy_email(email, k) AS CASE k % 4 WHEN 0 THEN upper(email)
    WHEN 1 THEN replace(email, 'person', 'Person') ELSE email END;
CREATE MACRO day0() AS CAST(getvariable('as_of') AS TIMESTAMP);
CREATE MACRO plus_s(ts, s) AS ts + to_seconds(CAST(s AS BIGINT));
-- in-scope assets whose only evidence is one planted boundary row (kind 0-3) or none (kind 4)
CREATE MACRO boundary_asset(i) AS (i // 5) % 50 = 0;
CREATE MACRO boundary_kind(i) AS (i // 250) % 5;
-- the m-th block of five assets, skipping boundary blocks
CREATE MACRO regular_block(m) AS m + CASE WHEN m % 50 = 0 THEN 1 ELSE 0 END;
"""

_CMDB = """
SELECT 'CI' || i AS ci_id, messy_host(asset_name(i), rnd(i, 3, 6)) AS host_name, asset_type(i) AS ci_class,
       messy_email('owner' || rnd(i, 2, getvariable('people')) || '@example.com', i) AS owner, org(i) AS business_unit
FROM range(getvariable('n')) t(i) WHERE i % 40 <> 0
"""

_CLOUD = """
SELECT 'r-' || i AS resource_id, messy_host(asset_name(i), rnd(i, 4, 6)) AS resource_name, asset_type(i) AS resource_type,
       'owner' || rnd(i, 2, getvariable('people')) || '@example.com' AS owner_tag,
       CASE WHEN i % 50 = 7 THEN 'org-cloud' ELSE org(i) END AS org_tag
FROM range(getvariable('n')) t(i) WHERE i % 40 <> 1
"""

_DLP = """
WITH regular AS (
    SELECT k, 5 * regular_block(rnd(k, 10, (getvariable('n') + 4) // 5)) + 3 + k % 2 AS i,
           epoch_ms(day0()) + 3 * 86400000 - 1 - rnd(k, 11, 21 * 86400000) AS ts
    FROM range(CAST(getvariable('n') * 5 // 2 AS BIGINT)) t(k)
), boundary AS (
    SELECT i, i AS k, epoch_ms(day0()) + [86400000 - 1800000, 86400000, -6 * 86400000, -6 * 86400000 - 1][boundary_kind(i) + 1] AS ts
    FROM range(getvariable('n')) t(i) WHERE i % 5 >= 3 AND boundary_asset(i) AND boundary_kind(i) < 4
)
SELECT CASE WHEN k % 100 = 99 THEN 'ghost-' || k || '.example.com' ELSE messy_host(asset_name(i), k) END AS asset,
       ts, 'pii' AS policy
FROM (SELECT * FROM regular WHERE i < getvariable('n') UNION ALL SELECT k, i, ts FROM boundary)
"""

_EDR = """
WITH regular AS (
    SELECT k, 5 * regular_block(rnd(k, 12, (getvariable('n') + 4) // 5)) + k % 3 AS i,
           plus_s(day0(), 2 * 86400 - rnd(k, 13, 17 * 86400)) AS utc
    FROM range(CAST(getvariable('n') * 3 // 2 AS BIGINT)) t(k)
), boundary AS (
    SELECT i AS k, i, plus_s(day0(), [86400 - 1800, 86400, -6 * 86400, -6 * 86400 - 1][boundary_kind(i) + 1]) AS utc
    FROM range(getvariable('n')) t(i) WHERE i % 5 < 3 AND boundary_asset(i) AND boundary_kind(i) < 4
)
SELECT messy_host(asset_name(i), k + 3) AS device, strftime(utc + INTERVAL 2 HOUR, '%Y-%m-%dT%H:%M:%S') || '+02:00' AS checkin,
       'ok' AS sensor_state
FROM (SELECT * FROM regular WHERE i < getvariable('n') UNION ALL SELECT * FROM boundary)
"""

_FINDINGS = """
WITH base AS (
    SELECT j, rnd(j, 20, getvariable('n')) AS i, rnd(j, 21, 100) AS sev_roll, rnd(j, 22, 4) AS spelling,
           CASE j % 500 WHEN 1 THEN plus_s(day0(), 20 * 3600) WHEN 2 THEN plus_s(day0(), -30 * 86400)
                        WHEN 3 THEN plus_s(day0(), -200 * 86400) ELSE plus_s(day0(), 11 * 86400 - rnd(j, 23, 400 * 86400)) END AS opened,
           CASE j % 500 WHEN 1 THEN NULL WHEN 2 THEN NULL WHEN 3 THEN NULL
                        ELSE CASE WHEN rnd(j, 24, 100) < 55 THEN 3600 + rnd(j, 25, 200 * 86400) END END AS closes_after
    FROM range(CAST(getvariable('n') * 4 // 5 AS BIGINT)) t(j)
)
SELECT 'F' || j AS finding_id, messy_host(asset_name(i), j) AS asset,
       CASE WHEN sev_roll < 10 THEN ['Critical', 'CRIT', ' critical', 'Sev1'][spelling + 1]
            WHEN sev_roll < 35 THEN ['High', 'HIGH', 'hi', 'Sev2'][spelling + 1]
            WHEN sev_roll < 70 THEN ['Medium', 'Moderate', 'med', 'sev3'][spelling + 1]
            WHEN sev_roll < 95 THEN ['Low', 'LOW ', 'minor', 'Sev4'][spelling + 1]
            ELSE ['Info', 'Informational', 'info', 'INFO'][spelling + 1] END AS severity,
       strftime(opened, '%Y-%m-%dT%H:%M:%SZ') AS opened_at,
       strftime(CASE WHEN j % 500 = 2 THEN plus_s(day0(), 21 * 3600) ELSE plus_s(opened, closes_after) END,
                '%Y-%m-%dT%H:%M:%SZ') AS closed_at
FROM base
"""

_HR = """
WITH people AS (
    SELECT p, CASE p % 200 WHEN 1 THEN CAST(getvariable('as_of') AS DATE) WHEN 2 THEN CAST(getvariable('as_of') AS DATE) + 1
                           ELSE CASE WHEN rnd(p, 30, 100) < 8
                                     THEN CAST(getvariable('as_of') AS DATE) + 30 - CAST(rnd(p, 31, 230) AS INTEGER) END
                           END AS leaves
    FROM range(getvariable('people')) t(p)
)
SELECT 'E' || p AS employee_id, messy_email(person_email(p), p // 3) AS work_email, org(p) AS department,
       CASE WHEN leaves IS NULL THEN 'active' ELSE 'terminated' END AS status, leaves AS termination_date
FROM people
"""

_GRANTS = """
WITH base AS (
    SELECT g, rnd(g, 40, 100) = 0 AS unknown, rnd(g, 42, getvariable('people')) AS p, rnd(g, 44, 3) AS role_no,
           CASE g % 500 WHEN 1 THEN plus_s(day0(), 18 * 3600) WHEN 2 THEN plus_s(day0(), -100 * 86400)
                        ELSE plus_s(day0(), 10 * 86400 - rnd(g, 45, 800 * 86400)) END AS granted
    FROM range(CAST(getvariable('n') * 6 // 5 AS BIGINT)) t(g)
)
SELECT 'G' || g AS grant_id,
       CASE WHEN unknown THEN 'contractor' || rnd(g, 41, getvariable('people') // 10 + 1) || '@example.com'
            ELSE messy_email(person_email(p), g) END AS principal,
       'sys-' || rnd(g, 43, 20) AS system, ['read', 'write', 'admin'][role_no + 1] AS role,
       CASE WHEN role_no = 2 THEN 'true' ELSE 'false' END AS privileged,
       strftime(granted, '%Y-%m-%d %H:%M:%S') AS granted_at,
       strftime(CASE WHEN g % 500 = 2 THEN plus_s(day0(), 12 * 3600)
                     WHEN g % 500 <> 1 AND rnd(g, 46, 100) < 20 THEN plus_s(granted, rnd(g, 47, 400 * 86400)) END,
                '%Y-%m-%d %H:%M:%S') AS revoked_at
FROM base
"""

PROJECT_YML = """\
# A synthetic organization for the benchmark (benchmarks/org_generator.py); the same answers are
# computed by hand in benchmarks/hand_pipeline.py.
name: bench-org
engine: duckdb:///warehouse.duckdb

sources:
  cmdb_assets:
    path: data/cmdb_assets.csv
    entity: asset
    columns:
      source_id: ci_id
      name: {from: host_name, normalize: hostname}
      asset_type: ci_class
      owner_email: {from: owner, normalize: email}
      org: business_unit
  cloud_assets:
    path: data/cloud_assets.parquet
    entity: asset
    columns:
      source_id: resource_id
      name: {from: resource_name, normalize: hostname}
      asset_type: resource_type
      owner_email: {from: owner_tag, normalize: email}
      org: org_tag
  dlp_events:
    path: data/dlp_events.ndjson
    entity: observation
    columns:
      name: {from: asset, normalize: hostname}
      observed_at: {from: ts, normalize: timestamp, options: {epoch: ms}}
  edr_checkins:
    path: data/edr_checkins.csv
    entity: observation
    columns:
      name: {from: device, normalize: hostname}
      observed_at: {from: checkin, normalize: timestamp}
  findings:
    path: data/findings.csv
    entity: finding
    columns:
      finding_id: finding_id
      asset: {from: asset, normalize: hostname}
      severity: {from: severity, normalize: severity}
      opened_at: {from: opened_at, normalize: timestamp}
      closed_at: {from: closed_at, normalize: timestamp}
  hr_roster:
    path: data/hr_roster.csv
    entity: person
    columns:
      employee_id: employee_id
      email: {from: work_email, normalize: email}
      org: department
      status: status
      termination_date: {from: termination_date, type: date}
  access_grants:
    path: data/access_grants.csv
    entity: grant
    columns:
      grant_id: grant_id
      email: {from: principal, normalize: email}
      system: system
      role: role
      privileged: {from: privileged, type: boolean}
      granted_at: {from: granted_at, type: timestamp}
      revoked_at: {from: revoked_at, type: timestamp}

reconcile:
  assets:
    sources: [cmdb_assets, cloud_assets]
    survivorship:
      owner_email: [cmdb_assets, cloud_assets]
      org: [cmdb_assets, cloud_assets]

controls:
  dlp_scan:
    applies_to: {asset_type: [bucket, database]}
    evidence: dlp_events
    freshness: 7d
  edr:
    applies_to: {asset_type: [host]}
    evidence: edr_checkins
    freshness: 7d

access:
  grants: access_grants
  people: hr_roster

metrics:
  coverage:
    kind: coverage
    by: [control, org]
  open_findings:
    kind: open_count
    of: findings
    by: [severity]
  mttr_days:
    kind: duration
    of: findings
    start: opened_at
    end: closed_at
    stat: median
    by: [severity]
  sla_attainment:
    kind: sla
    of: findings
    days: {critical: 7, high: 30, medium: 90, low: 120}
    by: [severity]

findings:
  uncovered_asset:
    from: coverage
    where: {covered: false}
    owner: owner_email
    severity: medium
    sla: 14d
  terminated_with_access:
    from: access
    where: {person_status: terminated}
    owner: email
    severity: high
    sla: 3d
  orphaned_account:
    from: access
    where: {person_known: false}
    owner: email
    severity: medium
    sla: 14d
"""


def people_for(n: int) -> int:
    return max(50, n // 10)


def generate(out: Path, n: int, seed: int = 7, as_of: date = DEFAULT_AS_OF, threads: int = 2) -> dict[str, float]:
    """Write the data files, `assay.yml` and `org.json` (N, seed, as-of) into `out`; return seconds per file."""
    (out / "data").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": threads, "preserve_insertion_order": False})
    timings: dict[str, float] = {}
    try:
        for name, value in {"seed": seed, "n": n, "people": people_for(n), "as_of": as_of}.items():
            con.execute(f"SET VARIABLE {name} = $value", {"value": value})
        con.execute(_MACROS)
        queries = {
            "cmdb_assets": (_CMDB, "(FORMAT csv, HEADER true)"),
            "cloud_assets": (_CLOUD, "(FORMAT parquet)"),
            "dlp_events": (_DLP, "(FORMAT json)"),
            "edr_checkins": (_EDR, "(FORMAT csv, HEADER true)"),
            "findings": (_FINDINGS, "(FORMAT csv, HEADER true)"),
            "hr_roster": (_HR, "(FORMAT csv, HEADER true)"),
            "access_grants": (_GRANTS, "(FORMAT csv, HEADER true)"),
        }
        for name, (query, options) in queries.items():
            start = time.perf_counter()
            con.execute(f"COPY ({query}) TO $path {options}", {"path": str(out / FILES[name])})
            timings[name] = time.perf_counter() - start
    finally:
        con.close()
    (out / "assay.yml").write_text(PROJECT_YML)
    (out / "org.json").write_text(json.dumps({"n": n, "seed": seed, "as_of": as_of.isoformat(), "files": FILES}, indent=2))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="number of assets N")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the project into")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF)
    args = parser.parse_args()
    timings = generate(args.out, args.rows, args.seed, args.as_of)
    for name, seconds in timings.items():
        size = (args.out / FILES[name]).stat().st_size
        print(f"{name:14} {seconds:8.1f} s {size / 1e6:10.1f} MB")
    print(f"{'total':14} {sum(timings.values()):8.1f} s")


if __name__ == "__main__":
    main()
