"""The benchmark's oracle and speed baseline: the organization's answers in hand-written DuckDB SQL.

    uv run python benchmarks/hand_pipeline.py /tmp/org-1m --as-of 2026-11-20 --out answers.json

Written from the intended semantics, not from assay's code, straight from the raw files:

* `--as-of D` means the end of day D in UTC: everything up to D 23:59:59.999999Z counts;
* timestamps with an offset are converted to UTC; epoch values are milliseconds;
* hostnames compare after trimming, dropping one trailing dot and lower-casing; emails after
  trimming and lower-casing; severities through the spelling table below;
* coverage: an in-scope asset is covered when it has evidence with observed_at in
  (as_of - 7 days, as_of]; the golden org is the CMDB's, else the cloud inventory's;
* open findings: opened_at <= as_of and (closed_at is null or closed_at > as_of);
* days to remediate: (closed_at - opened_at) in days over findings closed by as_of, median;
* SLA attainment: a finding's outcome is decided when it closes (met if by its due time) or at its
  due time if still open (missed); decided ones by as_of count (met / decided);
* access: grants with granted_at <= as_of and not revoked by then, joined to the roster by email; a
  person is a leaver from the start of their termination date.

Answers are rows `(answer, dimensions, field, value)` (see `ANSWER_COLUMNS`), the shape
benchmarks/bench_run.py also reads out of assay's warehouse.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import duckdb

ANSWER_COLUMNS = ("answer", "dimensions", "field", "value")
SLA_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 120}
SEVERITY_SPELLINGS = {
    "critical": ["critical", "crit", "sev1"],
    "high": ["high", "hi", "sev2"],
    "medium": ["medium", "moderate", "med", "sev3"],
    "low": ["low", "minor", "sev4"],
    "info": ["info", "informational"],
}
FRESHNESS = timedelta(days=7)

_SETUP = """
CREATE MACRO drop_dot(t) AS CASE WHEN ends_with(t, '.') THEN substr(t, 1, length(t) - 1) ELSE t END;
CREATE MACRO host(x) AS lower(drop_dot(trim(x)));
CREATE MACRO mail(x) AS lower(trim(x));
CREATE MACRO iso_z(x) AS strptime(x, '%Y-%m-%dT%H:%M:%SZ');
-- '2026-11-21T01:30:00+02:00' -> the UTC instant: local time minus the signed offset
CREATE MACRO offset_utc(x) AS strptime(substr(x, 1, 19), '%Y-%m-%dT%H:%M:%S')
    - to_minutes(CAST((CASE WHEN substr(x, 20, 1) = '-' THEN -1 ELSE 1 END)
                      * (CAST(substr(x, 21, 2) AS INTEGER) * 60 + CAST(substr(x, 24, 2) AS INTEGER)) AS BIGINT));
CREATE MACRO as_of() AS getvariable('as_of_end');
"""

_INVENTORY = """
CREATE TABLE inventory AS
SELECT 'cmdb_assets' AS source, 0 AS priority, ci_class AS asset_type, host(host_name) AS name, business_unit AS org
FROM read_csv($cmdb, all_varchar = true, header = true)
UNION ALL
SELECT 'cloud_assets', 1, resource_type, host(resource_name), org_tag FROM read_parquet($cloud)
"""

_GOLDEN = """
CREATE TABLE golden AS
SELECT asset_type, name, arg_min(org, priority) FILTER (WHERE org IS NOT NULL) AS org,
       min(priority) = max(priority) AS single, arg_min(source, priority) AS first_source
FROM inventory WHERE asset_type IS NOT NULL AND name IS NOT NULL GROUP BY asset_type, name
"""

_EVIDENCE = """
CREATE TABLE last_seen AS
SELECT control, name, max(observed_at) AS last_seen FROM (
    SELECT 'dlp_scan' AS control, host(asset) AS name, epoch_ms(ts) AS observed_at
    FROM read_json($dlp, format = 'newline_delimited', columns = {asset: 'VARCHAR', ts: 'BIGINT'})
    UNION ALL
    SELECT 'edr', host(device), offset_utc(checkin) FROM read_csv($edr, all_varchar = true, header = true)
) WHERE observed_at <= as_of() GROUP BY control, name
"""

_COVERAGE = """
CREATE TABLE coverage AS
WITH scope AS (
    SELECT 'dlp_scan' AS control, * FROM golden WHERE asset_type IN ('bucket', 'database')
    UNION ALL SELECT 'edr', * FROM golden WHERE asset_type = 'host'
)
SELECT s.control, s.org, coalesce(l.last_seen > as_of() - $freshness, false) AS covered
FROM scope s LEFT JOIN last_seen l ON l.control = s.control AND l.name = s.name
"""

_FINDINGS = """
CREATE TABLE findings AS
SELECT v.severity, iso_z(f.opened_at) AS opened, iso_z(f.closed_at) AS closed
FROM read_csv($findings, all_varchar = true, header = true) f
LEFT JOIN spellings v ON v.spelling = lower(trim(f.severity))
"""

_ACCESS = """
CREATE TABLE access AS
WITH roster AS (
    SELECT mail(work_email) AS email, min(CAST(termination_date AS DATE)) AS leaves
    FROM read_csv($hr, all_varchar = true, header = true) GROUP BY 1
), active AS (
    SELECT mail(principal) AS email, system, role FROM read_csv($grants, all_varchar = true, header = true)
    WHERE CAST(granted_at AS TIMESTAMP) <= as_of() AND (revoked_at IS NULL OR CAST(revoked_at AS TIMESTAMP) > as_of())
)
SELECT a.*, CASE WHEN r.email IS NULL THEN 'unknown' WHEN r.leaves <= CAST(as_of() AS DATE) THEN 'terminated' ELSE 'active' END AS status
FROM active a LEFT JOIN roster r USING (email)
"""

# Every answer as (answer, dimensions as a JSON object text, field, value).
_ANSWERS = """
WITH cov AS (
    SELECT control, org, GROUPING(control) AS g_control, GROUPING(org) AS g_org,
           sum(CAST(covered AS INTEGER)) AS num, count(*) AS den
    FROM coverage GROUP BY GROUPING SETS ((), (control), (control, org))
), opened AS (
    SELECT severity, GROUPING(severity) AS g, count(*) AS n FROM findings
    WHERE opened <= as_of() AND (closed IS NULL OR closed > as_of()) GROUP BY GROUPING SETS ((), (severity))
), remediated AS (
    SELECT severity, GROUPING(severity) AS g, median(CAST(date_diff('second', opened, closed) AS DOUBLE) / 86400) AS days, count(*) AS n
    FROM findings WHERE closed <= as_of() AND closed >= opened GROUP BY GROUPING SETS ((), (severity))
), sla AS (
    SELECT *, CASE WHEN closed <= as_of() THEN closed END AS closed_by, opened + to_days(d.days) AS due
    FROM findings JOIN sla_days d USING (severity) WHERE opened IS NOT NULL
), decided AS (
    SELECT severity, GROUPING(severity) AS g, count_if(closed_by IS NOT NULL AND closed_by <= due) AS met, count(*) AS n
    FROM sla WHERE least(coalesce(closed_by, due), due) <= as_of() GROUP BY GROUPING SETS ((), (severity))
)
SELECT 'coverage', CASE WHEN g_control = 1 THEN '{}' WHEN g_org = 1 THEN json_object('control', control)
                        ELSE json_object('control', control, 'org', org) END, f,
       CASE f WHEN 'numerator' THEN num WHEN 'denominator' THEN den ELSE num / den END
FROM cov, (VALUES ('numerator'), ('denominator'), ('value')) fs(f)
UNION ALL
SELECT 'open_findings', CASE WHEN g = 1 THEN '{}' ELSE json_object('severity', severity) END, 'value', n FROM opened
UNION ALL
SELECT 'mttr_days', CASE WHEN g = 1 THEN '{}' ELSE json_object('severity', severity) END, f, CASE f WHEN 'value' THEN days ELSE n END
FROM remediated, (VALUES ('value'), ('denominator')) fs(f)
UNION ALL
SELECT 'sla_attainment', CASE WHEN g = 1 THEN '{}' ELSE json_object('severity', severity) END, f,
       CASE f WHEN 'numerator' THEN met WHEN 'denominator' THEN n ELSE met / n END
FROM decided, (VALUES ('numerator'), ('denominator'), ('value')) fs(f)
UNION ALL
SELECT 'only_in_source', json_object('source', first_source), 'count', count(*) FROM golden WHERE single GROUP BY first_source
UNION ALL
SELECT 'active_grants', json_object('person_status', status), 'count', count(*) FROM access GROUP BY status
UNION ALL
SELECT 'open_findings_by_rule', json_object('rule', 'uncovered_asset'), 'count', count(*) FROM coverage WHERE NOT covered
UNION ALL
SELECT 'open_findings_by_rule',
       json_object('rule', CASE status WHEN 'terminated' THEN 'terminated_with_access' ELSE 'orphaned_account' END),
       'count', count(DISTINCT (email, system, role))
FROM access WHERE status IN ('terminated', 'unknown') GROUP BY status
"""


def as_of_end(day: date) -> datetime:
    """The last microsecond of `day` in UTC (naive), the instant `--as-of day` stands for."""
    return datetime.combine(day + timedelta(days=1), clock()) - timedelta(microseconds=1)


def compute(project_dir: Path, as_of: date, threads: int = 2) -> list[tuple[str, str, str, float | None]]:
    """All answers for the organization in `project_dir` (as written by org_generator)."""
    files = json.loads((project_dir / "org.json").read_text())["files"]
    path = {name: str(project_dir / rel) for name, rel in files.items()}
    con = duckdb.connect(config={"threads": threads, "preserve_insertion_order": False})
    try:
        con.execute("SET VARIABLE as_of_end = $t", {"t": as_of_end(as_of)})
        con.execute(_SETUP)
        con.execute("CREATE TABLE spellings (spelling VARCHAR, severity VARCHAR)")
        con.executemany("INSERT INTO spellings VALUES (?, ?)", [(s, sev) for sev, spell in SEVERITY_SPELLINGS.items() for s in spell])
        con.execute("CREATE TABLE sla_days (severity VARCHAR, days INTEGER)")
        con.executemany("INSERT INTO sla_days VALUES (?, ?)", list(SLA_DAYS.items()))
        con.execute(_INVENTORY, {"cmdb": path["cmdb_assets"], "cloud": path["cloud_assets"]})
        con.execute(_GOLDEN)
        con.execute(_EVIDENCE, {"dlp": path["dlp_events"], "edr": path["edr_checkins"]})
        con.execute(_COVERAGE, {"freshness": FRESHNESS})
        con.execute(_FINDINGS, {"findings": path["findings"]})
        con.execute(_ACCESS, {"hr": path["hr_roster"], "grants": path["access_grants"]})
        rows = con.execute(_ANSWERS).fetchall()
    finally:
        con.close()
    return [(a, canonical_dimensions(d), f, None if v is None else float(v)) for a, d, f, v in rows]


def canonical_dimensions(text: str) -> str:
    """One spelling of a dimensions object, so answers from both sides compare as strings."""
    return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="folder written by org_generator.py")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, help="write the answers here as JSON")
    args = parser.parse_args()
    start = time.perf_counter()
    answers = compute(args.project, args.as_of)
    seconds = time.perf_counter() - start
    if args.out:
        args.out.write_text(json.dumps({"seconds": seconds, "answers": answers}))
    else:
        for row in answers:
            print(*row, sep="\t")
        print(f"{seconds:.2f} s")


if __name__ == "__main__":
    main()
