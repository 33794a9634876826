"""Check kinds on a small hand-written file whose failing rows are counted by hand below."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from assay.errors import ConfigError
from assay.workspace import Workspace

PROJECT = {
    "name": "kinds",
    "sources": {
        "tickets": {
            "path": "tickets.csv",
            "entity": "asset",
            "columns": {
                "name": "id",
                "asset_type": "kind",
                "owner_email": "owner",
                "cvss": {"from": "cvss", "type": "float64"},
                "opened_at": {"from": "opened", "type": "timestamp"},
                "closed_at": {"from": "closed", "type": "timestamp"},
                "payload": "payload",
                "code": "code",
            },
        },
        "copy": {"path": "copy.csv", "entity": "asset", "columns": {"name": "id", "asset_type": "kind"}},
    },
}

# Line 1 is the header, so the first ticket is on line 2 (the `_row` reported in samples).
TICKETS = """\
id,kind,owner,cvss,opened,closed,payload,code
T-1,host,a@x.org,5.0,2026-01-01,2026-01-02,"{""a"": 1}",AB12
T-2,host,,9.8,2026-01-05,2026-01-03,not json,AB1
T-2,bucket,c@x.org,3.0,2026-01-01,,[1],ZZ99
T-4,db,d@x.org,11.0,2026-01-02,2026-01-04,,AB77
T-5,host,e@x.org,,2026-01-03,2026-01-09,null,
"""
COPY = "id,kind\nT-1,host\nT-2,host\nT-9,db\n"

# (check as written in the project file, status, failing rows or None, observed or None)
CASES = [
    ({"not_null": "owner_email"}, "fail", 1, None),
    ({"null": "code"}, "fail", 4, None),
    ({"unique": "name"}, "fail", 2, None),
    ({"unique": {"columns": ["name", "asset_type"]}}, "pass", 0, None),
    ({"accepted_values": {"column": "asset_type", "values": ["host", "bucket"]}}, "fail", 1, None),
    ({"rejected_values": {"column": "asset_type", "values": ["db"]}}, "fail", 1, None),
    ({"between": {"column": "cvss", "min": 0, "max": 10}}, "fail", 1, None),
    ({"between": {"column": "cvss", "min": 3, "max": 10, "strict_min": True}}, "fail", 2, None),
    ({"between": {"column": "opened_at", "min": date(2026, 1, 1), "max": date(2026, 1, 4)}}, "fail", 1, None),
    ({"regex": {"column": "code", "pattern": "^[A-Z]{2}[0-9]{2}$"}}, "fail", 1, None),
    ({"not_regex": {"column": "code", "pattern": ["^ZZ", "7$"]}}, "fail", 2, None),
    ({"like": {"column": "name", "pattern": "T-%"}}, "pass", 0, None),
    ({"not_like": {"column": "code", "pattern": "AB%"}}, "fail", 3, None),
    ({"length_between": {"column": "code", "min": 4}}, "fail", 1, None),
    ({"length_equal": {"column": "code", "value": 4}}, "fail", 1, None),
    ({"increasing": {"column": "cvss"}}, "fail", 1, None),
    ({"decreasing": {"column": "cvss", "strict": True}}, "fail", 2, None),
    ({"json_parseable": "payload"}, "fail", 1, None),
    ({"datetime_format": {"column": "name", "format": "%Y-%m-%d"}}, "fail", 5, None),
    ({"value_type": {"column": "code", "type": "int64"}}, "fail", 4, None),
    ({"column_pair": {"column_a": "closed_at", "op": ">=", "column_b": "opened_at"}}, "fail", 1, None),
    ({"column_pair": {"column_a": "closed_at", "op": ">=", "column_b": "opened_at", "ignore_if": "never"}}, "fail", 2, None),
    ({"expression": "cvss <= 10 or asset_type = 'bucket'"}, "fail", 1, None),
    ({"unique_within_row": {"columns": ["name", "code"]}}, "pass", 0, None),
    ({"z_score": {"column": "cvss", "max": 1.1}}, "fail", 1, None),
    ({"column_min": {"column": "cvss", "min": 3}}, "pass", None, 3.0),
    ({"column_max": {"column": "cvss", "max": 10}}, "fail", None, 11.0),
    ({"column_mean": {"column": "cvss", "min": 7, "max": 7.5}}, "pass", None, 7.2),
    ({"column_median": {"column": "cvss", "max": 7}}, "fail", None, 7.4),
    ({"column_sum": {"column": "cvss", "min": 28.7, "max": 28.9}}, "pass", None, 28.8),
    ({"column_stdev": {"column": "cvss", "max": 3}}, "fail", None, 3.815756805667783),
    ({"distinct_count": {"column": "asset_type", "min": 3, "max": 3}}, "pass", None, 3),
    ({"unique_proportion": {"column": "name", "min": 0.9}}, "fail", None, 0.8),
    ({"null_proportion": {"column": "owner_email", "max": 0.2}}, "pass", None, 0.2),
    ({"quantiles": {"column": "cvss", "quantiles": [{"quantile": 0.5, "min": 7, "max": 8}]}}, "pass", None, [7.4]),
    ({"distinct_values_equal": {"column": "asset_type", "values": ["host", "bucket", "db"]}}, "pass", None, ["bucket", "db", "host"]),
    ({"distinct_values_contain": {"column": "asset_type", "values": ["host", "vm"]}}, "fail", None, ["bucket", "db", "host"]),
    ({"distinct_values_within": {"column": "asset_type", "values": ["host", "bucket"]}}, "fail", None, ["bucket", "db", "host"]),
    ({"most_common_value": {"column": "asset_type", "values": ["host"]}}, "pass", None, ["host"]),
    ({"row_count": {"min": 1, "max": 4}}, "fail", None, 5),
    ({"row_count_equal": {"to": "copy"}}, "fail", None, [5, 3]),
    ({"row_count_change": {"max_percent": 10}}, "pass", None, 5),
    ({"column_count": {"min": 8, "max": 8}}, "pass", None, 8),
    ({"columns_contain": ["name", "cvss"]}, "pass", None, None),
    ({"columns_match": {"columns": ["name", "asset_type"]}}, "fail", None, None),
    ({"column_type": {"column": "cvss", "types": ["float64"]}}, "pass", None, "float64"),
    ({"relationships": {"column": "name", "to": "copy.name"}}, "fail", 2, None),
    ({"relationships": {"column": "name", "to": "copy.name", "both": True}}, "fail", 2, 1),
    ({"reconcile": {"to": "copy", "tolerance": 2}}, "pass", None, [5.0, 3.0]),
    ({"reconcile": {"to": "copy", "tolerance_percent": 50}}, "fail", None, [5.0, 3.0]),
    ({"sql": "select t.name, c.asset_type from tickets t join copy c using (name) where t.asset_type <> c.asset_type"}, "fail", 1, None),
    ({"sql": "select name from tickets group by name having count(*) > 2"}, "pass", 0, None),
    ({"freshness": {"column": "opened_at", "max_age": "30d"}}, "pass", 0, "2026-01-05 00:00:00"),
    ({"freshness": {"column": "opened_at", "max_age": "15d"}}, "fail", 5, "2026-01-05 00:00:00"),
]
AS_OF = date(2026, 1, 20)


def _project(folder: Path, checks: list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assay.yml").write_text(yaml.safe_dump({**PROJECT, "checks": {"tickets": checks}}, sort_keys=False))
    (folder / "tickets.csv").write_text(TICKETS)
    (folder / "copy.csv").write_text(COPY)
    return folder


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    folder = _project(tmp_path_factory.mktemp("kinds"), [c for c, *_ in CASES])
    ws = Workspace.open(folder)
    try:
        return ws.check(AS_OF).to_pylist()
    finally:
        ws.close()


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=[next(iter(c[0])) for c in CASES])
def test_kind_against_hand_count(results: list[dict], index: int, case: tuple) -> None:
    _check, status, failing, observed = case
    row = results[index]
    assert row["status"] == status, row
    assert row["failing_rows"] == failing, row
    if observed is not None:
        got = json.loads(row["observed"])
        if isinstance(observed, float):
            assert got == pytest.approx(observed)
        elif isinstance(observed, list) and observed and isinstance(observed[0], float):
            assert got == pytest.approx(observed)
        else:
            assert got == observed


def test_samples_name_file_and_line(results: list[dict]) -> None:
    sql = next(r for r in results if r["kind"] == "sql")
    assert json.loads(sql["samples"]) == [{"name": "T-2", "asset_type": "host"}]  # the copy says host; tickets line 4 says bucket
    unique = next(r for r in results if r["check_id"] == "tickets.unique.name")
    samples = json.loads(unique["samples"])
    assert [(s["_file"], s["_row"], s["name"], s["asset_type"]) for s in samples] == [
        ("tickets.csv", 3, "T-2", "host"),
        ("tickets.csv", 4, "T-2", "bucket"),
    ]
    # the whole row, the checked columns first
    assert list(samples[0]) == ["_file", "_row", "name", "asset_type", "owner_email", "cvss", "opened_at", "closed_at", "payload", "code"]


def test_mostly_where_and_sample_limit(tmp_path: Path) -> None:
    checks = [
        {"not_regex": {"column": "code", "pattern": "^AB", "mostly": 0.5}},  # 3 of 4 non-null codes fail: 25% pass
        {"not_regex": {"column": "code", "pattern": "^AB", "mostly": 0.25}},
        {"between": {"column": "cvss", "max": 9, "where": "asset_type = 'host'"}},  # hosts: 5.0, 9.8, NULL
        {"not_null": {"column": "name", "where": "cvss > 100"}},  # no row judged
        {"null": {"column": "name", "samples": 2}},
    ]
    ws = Workspace.open(_project(tmp_path, checks))
    try:
        rows = ws.check(AS_OF).to_pylist()
    finally:
        ws.close()
    assert [r["status"] for r in rows] == ["fail", "pass", "fail", "pass", "fail"]
    assert rows[2]["failing_rows"] == 1 and rows[2]["total_rows"] == 3
    assert [{k: s[k] for k in ("_file", "_row", "cvss", "asset_type")} for s in json.loads(rows[2]["samples"])] == [
        {"_file": "tickets.csv", "_row": 3, "cvss": 9.8, "asset_type": "host"}
    ]
    assert rows[3]["total_rows"] == 0
    assert rows[4]["failing_rows"] == 5 and [s["_row"] for s in json.loads(rows[4]["samples"])] == [2, 3]


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ({"not_nul": "name"}, "unknown check kind 'not_nul' (did you mean not_null or not_like?); expected one of: "),
        ({"between": {"column": "cvss"}}, "give min, max or both"),
        ({"between": {"column": "cvss", "min": 5, "max": 1}}, "min 5 is greater than max 1"),
        ({"between": {"column": "cvss", "max": 1, "colour": "red"}}, "checks.tickets.0.between.colour: unknown key"),
        ({"regex": {"column": "code", "pattern": "("}}, "is not a regular expression"),
        ({"not_null": {"column": "name", "where": "nope = 1"}}, "source 'tickets' has no column 'nope'"),
        ({"not_null": {"column": "name", "where": "name in (select 1)"}}, "SUBQUERY is not allowed"),
        ({"expression": "name = 'a'; drop table src_tickets"}, "must be a single expression"),
        ({"expression": "read_csv('/etc/passwd') is null"}, "function READ_CSV is not allowed"),
        ({"relationships": {"column": "name", "to": "nowhere.id"}}, "unknown source 'nowhere'"),
        ({"not_null": {"column": "name", "mostly": 1.5}}, "mostly: Input should be less than or equal to 1"),
        ({"freshness": "opened_at"}, "check 'freshness' takes a mapping of options"),
        ({"sql": "select * from read_csv('/etc/passwd')"}, "read declared sources only"),
        ({"sql": "select getenv('HOME')"}, "function GETENV is not allowed"),
        ({"sql": "delete from tickets"}, "give exactly one SELECT query"),
        ({"sql": "select * from tickets; drop table src_tickets"}, "give exactly one SELECT query"),
        ({"sql": "select * from src_tickets"}, "unknown source 'src_tickets'"),
        ({"sql": "select * from 'tickets.csv'"}, "read declared sources only"),
    ],
)
def test_invalid_checks_are_refused_with_their_location(tmp_path: Path, check: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Workspace.open(_project(tmp_path, [check]))
    text = "\n".join(raised.value.problems)
    assert message in text, text
    assert "assay.yml:" in text


def test_row_count_change_compares_with_the_previous_run(tmp_path: Path) -> None:
    project = _project(tmp_path, [{"row_count_change": {"max_percent": 30}}])
    ws = Workspace.open(project)
    try:
        first = ws.run(AS_OF).checks
        (project / "tickets.csv").write_text("\n".join(TICKETS.splitlines()[:4]) + "\n")  # 3 rows left of 5: −40%
        second = ws.run(AS_OF).checks
        (project / "tickets.csv").write_text("\n".join(TICKETS.splitlines()[:5]) + "\n")  # 4 rows: +33% of 3
        third = ws.run(AS_OF).checks
    finally:
        ws.close()
    assert first is not None and second is not None and third is not None
    assert [(t.to_pylist()[0]["status"], t.to_pylist()[0]["observed"]) for t in (first, second, third)] == [
        ("pass", "5"),
        ("fail", "3"),
        ("fail", "4"),
    ]


def test_anomaly_fires_outside_the_robust_band_once_history_suffices(tmp_path: Path) -> None:
    checks = [
        {"anomaly": {"metric": "row_count", "runs": 2, "min_history": 2}},
        {"anomaly": {"metric": "null_rate", "column": "owner_email"}},
    ]
    project = _project(tmp_path, checks)
    lines = TICKETS.splitlines()
    observed = []
    ws = Workspace.open(project)
    try:
        for n in [5, 4, 5, 2]:  # rows per run; owner_email is empty on line 3 in every run
            (project / "tickets.csv").write_text("\n".join(lines[: n + 1]) + "\n")
            rows = ws.run(AS_OF).checks
            assert rows is not None
            observed.append([(r["status"], json.loads(r["observed"])) for r in rows.to_pylist()])
    finally:
        ws.close()
    # runs 1 and 2 have fewer than 2 earlier values: no verdict yet
    assert observed[1][0] == ("pass", {"value": 4.0, "history": 1, "band": None})
    # runs 3 and 4 see the two runs before them (4 and 5, then 5 and 4): median 4.5, MAD 0.5
    low, high = 4.5 - 3 * 0.5 * 1.4826, 4.5 + 3 * 0.5 * 1.4826
    assert [o[0][0] for o in observed] == ["pass", "pass", "pass", "fail"]
    assert observed[3][0][1]["band"] == pytest.approx([low, high]) and observed[3][0][1]["median"] == 4.5
    # the null rate (1/5, 1/4, 1/5, 1/2) never gets the default five runs of history
    assert [o[1][0] for o in observed] == ["pass"] * 4
    assert observed[3][1][1]["value"] == pytest.approx(0.5)
