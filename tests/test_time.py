"""Time, one meaning everywhere: offsets, zones (DST against Python's zoneinfo), epochs, and the
as-of instant measured through real runs, with Python's datetime as the oracle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assay.engine import Engine
from assay.errors import ConfigError
from assay.ingest.stage import ingest_source, table_name
from assay.ingest.strict import strict_cast
from assay.normalize import normalize
from assay.project import load_project
from assay.run.as_of import as_of_instant, parse_as_of
from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.engine_param import ENGINES, connected, texts


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from connected(request.param, tmp_path_factory)


OFFSET_VALUES = [
    "2026-11-20T14:13:44+02:00",
    "2026-11-20T14:13:44+0200",
    "2026-11-20T14:13:44+02",
    "2026-11-20T14:13:44Z",
    "2026-11-19T23:30:00-05:00",
    "2026-11-20 14:13:44.123456-03:30",
    "2026-11-20T00:00:00+14:00",
]


def python_utc(text: str, zone: str = "UTC") -> datetime:
    """The oracle: Python's ISO parser, and zoneinfo with fold=0 for wall times without an offset."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone), fold=0)
    return value.astimezone(UTC).replace(tzinfo=None)


def instants(engine: Engine, values: list[str], zone: str = "UTC") -> list[datetime | None]:
    t = texts(engine, values)
    rows = engine.to_arrow(t.select(t.i, u=strict_cast(engine, t.v, "timestamp", zone=zone).value).order_by("i")).to_pylist()
    return [r["u"] for r in rows]


def test_offsets_convert_to_the_utc_instant(engine: Engine) -> None:
    assert instants(engine, OFFSET_VALUES) == [python_utc(v) for v in OFFSET_VALUES]
    assert instants(engine, ["2026-11-19T23:30:00-05:00"]) == [datetime(2026, 11, 20, 4, 30)]


def _wall_times_around_transitions(zone: str, year: int) -> list[str]:
    """Every 15 minutes over the 24 hours around each of the zone's offset changes in `year`."""
    tz, out = ZoneInfo(zone), []
    hour = datetime(year, 1, 1, tzinfo=UTC)
    while hour.year == year:
        before, after = hour.astimezone(tz).utcoffset(), (hour + timedelta(hours=1)).astimezone(tz).utcoffset()
        if before != after:
            local = hour.astimezone(tz).replace(tzinfo=None, minute=0, second=0) - timedelta(hours=12)
            out += [(local + timedelta(minutes=15 * k)).isoformat(sep=" ") for k in range(24 * 4)]
        hour += timedelta(hours=1)
    return out


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"])
def test_iana_zones_match_zoneinfo_across_daylight_saving(engine: Engine, zone: str) -> None:
    values = [*_wall_times_around_transitions(zone, 2026), "2026-07-01 12:00:00.654321", "2026-01-15 00:00:00"]
    assert len(values) == 2 * 96 + 2  # two changes a year
    assert instants(engine, values, zone) == [python_utc(v, zone) for v in values]


def test_documented_gap_and_overlap_readings(engine: Engine) -> None:
    got = instants(engine, ["2026-03-29 02:30:00", "2026-10-25 02:30:00", "2026-11-20T14:00:00+02:00"], "Europe/Berlin")
    assert got == [datetime(2026, 3, 29, 1, 30), datetime(2026, 10, 25, 0, 30), datetime(2026, 11, 20, 12, 0)]


def test_fixed_offset_zone_reads_naive_values(engine: Engine) -> None:
    assert instants(engine, ["2026-11-20 14:13:44", "2026-11-20T14:13:44Z"], "+05:30") == [
        datetime(2026, 11, 20, 8, 43, 44),
        datetime(2026, 11, 20, 14, 13, 44),
    ]


@pytest.mark.parametrize(
    ("unit", "text", "expected"),
    [
        ("s", "1795176824", datetime(1970, 1, 1) + timedelta(seconds=1795176824)),
        ("ms", "1795176824123", datetime(1970, 1, 1) + timedelta(milliseconds=1795176824123)),
        ("us", "1795176824123456", datetime(1970, 1, 1) + timedelta(microseconds=1795176824123456)),
        ("ms", "1794661455926", datetime(1970, 1, 1) + timedelta(milliseconds=1794661455926)),
    ],
)
def test_epochs_per_unit(engine: Engine, unit: str, text: str, expected: datetime) -> None:
    t = texts(engine, [text])
    result = normalize("timestamp", t.v, {"epoch": unit}, engine)
    assert engine.to_arrow(t.select(u=result.value)).to_pylist() == [{"u": expected}]


def test_type_timestamp_alone_accepts_iso_only(engine: Engine) -> None:
    assert instants(engine, ["1795176824000", "11/20/2026 14:03", "infinity", "-2026-01-01", "0044-03-15"]) == [None] * 5


EPOCH_PROJECT = """\
name: epochs
sources:
  dlp:
    path: dlp.csv
    entity: observation
    columns:
      name: host
      observed_at: {spec}
"""


@pytest.mark.parametrize(
    "spec",
    ["{from: ts, normalize: timestamp, options: {epoch: ms}}", "{from: ts, type: timestamp, normalize: timestamp, options: {epoch: ms}}"],
)
def test_epoch_milliseconds_load_as_observed_at(tmp_path: Path, spec: str) -> None:
    (tmp_path / "assay.yml").write_text(EPOCH_PROJECT.format(spec=spec))
    (tmp_path / "dlp.csv").write_text("host,ts\nweb-1,1794661455926\nweb-2,1794661455\n")
    ws = Workspace.open(tmp_path)
    outcome = ingest_source(ws.engine, ws.project_dir, "dlp", ws.project.sources["dlp"])
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (2, 0)
    rows = ws.engine.to_arrow(ws.engine.table(table_name("dlp")).order_by("_row")).to_pylist()
    epoch = datetime(1970, 1, 1)
    assert [r["observed_at"] for r in rows] == [epoch + timedelta(milliseconds=1794661455926), epoch + timedelta(milliseconds=1794661455)]
    ws.close()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{from: ts, type: string, normalize: timestamp}", "normalizer 'timestamp' produces timestamp, so the column cannot have type"),
        ("{from: ts, type: timestamp, normalize: email}", "normalizer 'email' produces string"),
        ("{from: ts, normalize: timestamp, options: {zone: Mars/Olympus}}", "time zone 'Mars/Olympus' is not UTC"),
    ],
)
def test_contradictions_and_unknown_zones_fail_validation(tmp_path: Path, spec: str, message: str) -> None:
    (tmp_path / "assay.yml").write_text(EPOCH_PROJECT.format(spec=spec))
    with pytest.raises(ConfigError, match=message):
        load_project(tmp_path)


def test_source_timezone_is_validated_and_applied(tmp_path: Path) -> None:
    text = EPOCH_PROJECT.format(spec="{from: ts, type: timestamp}")
    text = text.replace("entity: observation", "entity: observation\n    timezone: {zone}")
    (tmp_path / "assay.yml").write_text(text.replace("{zone}", "Europe/Berln"))
    with pytest.raises(ConfigError, match="time zone 'Europe/Berln'"):
        load_project(tmp_path)
    (tmp_path / "assay.yml").write_text(text.replace("{zone}", "Europe/Berlin"))
    (tmp_path / "dlp.csv").write_text("host,ts\nweb-1,2026-07-01 12:00:00\nweb-2,2026-07-01T12:00:00Z\n")
    ws = Workspace.open(tmp_path)
    ingest_source(ws.engine, ws.project_dir, "dlp", ws.project.sources["dlp"])
    rows = ws.engine.to_arrow(ws.engine.table(table_name("dlp")).order_by("_row")).to_pylist()
    assert [r["observed_at"] for r in rows] == [python_utc("2026-07-01 12:00:00", "Europe/Berlin"), datetime(2026, 7, 1, 12)]
    ws.close()


def test_as_of_parsing() -> None:
    assert as_of_instant(parse_as_of("2026-11-20")) == datetime(2026, 11, 20, 23, 59, 59, 999999)
    assert as_of_instant(parse_as_of("2026-11-20T15:00:00+01:00")) == datetime(2026, 11, 20, 14, 0)
    assert as_of_instant(parse_as_of("2026-11-21T00:30:00Z")) == datetime(2026, 11, 21, 0, 30)
    for bad in ("2026-11-20T15:00:00", "20/11/2026", "tomorrow"):
        with pytest.raises(Exception, match="--as-of expects a date"):
            parse_as_of(bad)


TIMELINE = """\
name: timeline
sources:
  inv:
    path: inv.csv
    entity: asset
    columns: {name: host, asset_type: kind, owner_email: owner}
  scans:
    path: scans.csv
    entity: observation
    columns: {name: host, observed_at: {from: at, type: timestamp}}
  bugs:
    path: bugs.csv
    entity: finding
    columns:
      finding_id: id
      severity: severity
      opened_at: {from: opened, type: timestamp}
      closed_at: {from: closed, type: timestamp}
  hr:
    path: hr.csv
    entity: person
    columns: {email: email, termination_date: {from: left_on, type: date}}
  grants:
    path: grants.csv
    entity: grant
    columns:
      email: email
      system: system
      role: role
      granted_at: {from: granted, type: timestamp}
      revoked_at: {from: revoked, type: timestamp}
reconcile:
  assets: {sources: [inv]}
controls:
  edr: {evidence: scans, freshness: 1d}
access: {grants: grants, people: hr}
metrics:
  open_bugs: {kind: open_count, of: bugs}
  sla: {kind: sla, of: bugs, days: {high: 1}}
findings:
  uncovered: {from: coverage, where: {covered: false}, sla: 14d}
  leaver: {from: access, where: {person_status: terminated}, sla: 12h}
"""
END = "2026-11-20T23:59:59.999999Z"
NEXT = "2026-11-21T00:00:00Z"
SCANS = {
    "last-micro": END,
    "next-midnight": NEXT,
    "new-york-evening": "2026-11-20T18:59:59.999999-05:00",
    "new-york-late": "2026-11-20T19:00:00-05:00",
    "day-before-end": "2026-11-19T23:59:59.999999Z",
    "freshness-edge": "2026-11-19T23:59:59.999999+00:00",
}
BUGS = [  # id, opened, closed
    ("closed-last-micro", "2026-11-20T10:00:00Z", END),
    ("closed-next-midnight", "2026-11-20T10:00:00Z", NEXT),
    ("opened-next-midnight", NEXT, ""),
    ("opened-last-micro", END, ""),
]
PEOPLE = [("leaves-today@x.com", "2026-11-20"), ("leaves-tomorrow@x.com", "2026-11-21"), ("stays@x.com", "")]
GRANTS = [  # email, granted, revoked
    ("leaves-today@x.com", "2026-01-01T00:00:00Z", ""),
    ("leaves-tomorrow@x.com", "2026-01-01T00:00:00Z", ""),
    ("stays@x.com", END, ""),
    ("late@x.com", NEXT, ""),
    ("revoked@x.com", "2026-01-01T00:00:00Z", END),
    ("revoked-later@x.com", "2026-01-01T00:00:00Z", NEXT),
]


def _timeline(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "assay.yml").write_text(TIMELINE)
    (folder / "inv.csv").write_text("host,kind,owner\n" + "".join(f"{h},host,o@x.com\n" for h in SCANS))
    (folder / "scans.csv").write_text("host,at\n" + "".join(f"{h},{t}\n" for h, t in SCANS.items()))
    (folder / "bugs.csv").write_text("id,severity,opened,closed\n" + "".join(f"{i},high,{o},{c}\n" for i, o, c in BUGS))
    (folder / "hr.csv").write_text("email,left_on\n" + "".join(f"{e},{d}\n" for e, d in PEOPLE))
    (folder / "grants.csv").write_text("email,system,role,granted,revoked\n" + "".join(f"{e},vpn,user,{g},{r}\n" for e, g, r in GRANTS))
    return folder


def _oracle(at: datetime) -> dict:
    """What the run must conclude at `at`, computed with Python's datetime alone."""

    def utc(text: str) -> datetime | None:
        return python_utc(text) if text else None

    def active(granted: str, revoked: str) -> bool:
        return utc(granted) <= at and (not revoked or utc(revoked) > at)

    open_bugs = sum(1 for _, o, c in BUGS if utc(o) <= at and (not c or utc(c) > at))
    terminated = {e for e, d in PEOPLE if d and date.fromisoformat(d) <= at.date()}
    return {
        "covered": {h for h, t in SCANS.items() if at - timedelta(days=1) < utc(t) <= at},
        "open_bugs": open_bugs,
        "access": {
            e: ("terminated" if e in terminated else "active" if e in {p for p, _ in PEOPLE} else "unknown")
            for e, g, r in GRANTS
            if active(g, r)
        },
    }


@pytest.mark.parametrize("as_of", ["2026-11-20", "2026-11-20T15:00:00+01:00", "2026-11-21T00:00:00Z"])
def test_as_of_boundaries_through_a_real_run(tmp_path: Path, as_of: str) -> None:
    ws = Workspace.open(_timeline(tmp_path / "p"))
    result = ws.run(parse_as_of(as_of))
    at = as_of_instant(parse_as_of(as_of))
    expected = _oracle(at)
    e = ws.engine
    run = e.to_arrow(e.table(w.RUNS)).to_pylist()[0]
    assert (run["as_of"], run["as_of_at"]) == (at.date(), at) == (result.as_of, result.as_of_at)
    coverage = e.to_arrow(e.table(w.COVERAGE)).to_pylist()
    assert {r["name"] for r in coverage if r["covered"]} == expected["covered"]
    access = {r["email"]: r["person_status"] for r in e.to_arrow(e.table(w.ACCESS)).to_pylist()}
    assert access == expected["access"]
    metrics = {r["metric"]: r for r in ws.metrics().to_pylist()}
    assert metrics["open_bugs"]["value"] == expected["open_bugs"]
    findings = e.to_arrow(e.table(w.FINDINGS)).to_pylist()
    due = {r["rule"]: r["due_at"] for r in findings}
    assert due["uncovered"] == (at + timedelta(days=14)).date()
    assert due["leaver"] == (at + timedelta(hours=12)).date()
    ws.close()


def test_end_of_day_boundaries_by_hand(tmp_path: Path) -> None:
    """The same run, stated by hand for 2026-11-20: one microsecond before midnight is in, midnight out."""
    ws = Workspace.open(_timeline(tmp_path / "p"))
    ws.run(date(2026, 11, 20))
    e = ws.engine
    covered = {r["name"] for r in e.to_arrow(e.table(w.COVERAGE)).to_pylist() if r["covered"]}
    assert covered == {"last-micro", "new-york-evening"}
    access = {r["email"]: r["person_status"] for r in e.to_arrow(e.table(w.ACCESS)).to_pylist()}
    assert access == {
        "leaves-today@x.com": "terminated",
        "leaves-tomorrow@x.com": "active",
        "stays@x.com": "active",
        "revoked-later@x.com": "unknown",
    }
    assert {r["metric"]: r["value"] for r in ws.metrics().to_pylist()}["open_bugs"] == 2
    run = e.to_arrow(e.table(w.RUNS)).to_pylist()[0]
    assert run["as_of_at"] == datetime.combine(date(2026, 11, 20), time.max)
    ws.close()


def test_report_shows_the_as_of_instant(tmp_path: Path) -> None:
    ws = Workspace.open(_timeline(tmp_path / "p"))
    ws.run(parse_as_of("2026-11-20T15:00:00+01:00"))
    html = ws.report(tmp_path / "r.html").read_text()
    assert "through 2026-11-20 14:00:00 UTC" in html
    ws.close()
