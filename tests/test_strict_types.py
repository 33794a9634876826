"""Types are strict: a value that is not exactly of its declared type is quarantined with its
reason, on every engine; required canonical columns that are empty quarantine their row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import ibis
import pytest

from assay.engine import Engine
from assay.ingest.stage import ingest_source, quarantine_rows, table_name
from assay.ingest.strict import strict_cast
from assay.workspace import Workspace
from tests.engine_param import ENGINES, connected, texts


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from connected(request.param, tmp_path_factory)


# (type, text, the value it must load as, or None when it must be rejected), checked by hand.
CASES = [
    ("int64", "42", 42),
    ("int64", " -7 ", -7),
    ("int64", "+0012", 12),
    ("int64", "9223372036854775807", 9223372036854775807),
    ("int64", "9223372036854775808", None),
    ("int64", "42.7", None),
    ("int64", "42.0", None),
    ("int64", "1_000", None),
    ("int64", "0x1F", None),
    ("int64", "1e3", None),
    ("int64", "٤٢", None),
    ("float64", "1.5e3", 1500.0),
    ("float64", "-.25", -0.25),
    ("float64", "7.", 7.0),
    ("float64", "1.7976931348623157e308", 1.7976931348623157e308),
    ("float64", "1e309", None),
    ("float64", "-1e309", None),
    ("float64", "inf", None),
    ("float64", "Infinity", None),
    ("float64", "NaN", None),
    ("float64", "0x1F", None),
    ("float64", "1,5", None),
    ("date", "2026-11-20", date(2026, 11, 20)),
    ("date", "2026-02-30", None),
    ("date", "2026-11-20T10:00:00", None),
    ("date", "2026-11-20 10:00", None),
    ("date", "2026-11-20+02:00", None),
    ("date", "infinity", None),
    ("date", "-0044-03-15", None),
    ("date", "0044-03-15 BC", None),
    ("date", "20/11/2026", None),
    ("timestamp", "2026-11-20T10:00:00", datetime(2026, 11, 20, 10)),
    ("timestamp", "infinity", None),
    ("timestamp", "-infinity", None),
    ("timestamp", "0044-03-15 12:00:00 BC", None),
    ("timestamp", "2026-11-20T24:00:00", None),
    ("boolean", "maybe", None),
    ("boolean", "t", None),
    ("boolean", "on", None),
    ("boolean", "2", None),
]
TRUE_WORDS = ["true", "TRUE", "True", "yes", "YES", "Yes", "y", "Y", "1", " tRuE "]
FALSE_WORDS = ["false", "FALSE", "False", "no", "NO", "No", "n", "N", "0", " fAlSe "]


def _cast(engine: Engine, type_: str, values: list[str], **kw) -> list:
    """The cast values, as Python values. Integers are fetched as text: pyspark results travel
    through pandas, where a bigint column holding NULLs becomes float64 and loses 2^63 - 1."""
    t = texts(engine, values, f"strict_{type_}")
    value = strict_cast(engine, t.v, type_, **kw).value
    rows = engine.to_arrow(t.select(t.i, v=value.cast("string") if type_ == "int64" else value).order_by("i")).to_pylist()
    return [int(r["v"]) if type_ == "int64" and r["v"] is not None else r["v"] for r in rows]


@pytest.mark.parametrize("type_", ["int64", "float64", "date", "timestamp", "boolean"])
def test_strict_casts(engine: Engine, type_: str) -> None:
    cases = [(text, want) for t, text, want in CASES if t == type_]
    assert _cast(engine, type_, [text for text, _ in cases]) == [want for _, want in cases]


def test_boolean_vocabulary(engine: Engine) -> None:
    assert _cast(engine, "boolean", TRUE_WORDS + FALSE_WORDS) == [True] * len(TRUE_WORDS) + [False] * len(FALSE_WORDS)


def test_nan_only_when_allowed(engine: Engine) -> None:
    """NaN is told apart on the engine, `isnan` first: Ibis reads NaN as NULL on Spark, and pandas,
    which pyspark results pass through, too."""
    t = texts(engine, ["NaN", "nan", "1.5", "inf", "1e309"], "strict_nan")
    for allow, expected in ((True, ["nan", "nan", "number", "null", "null"]), (False, ["null", "null", "number", "null", "null"])):
        cast = strict_cast(engine, t.v, "float64", allow_nan=allow)
        kind = ibis.cases((cast.value.isnan(), "nan"), (cast.value.isnull(), "null"), else_="number")
        assert engine.to_arrow(t.select(t.i, ok=cast.valid).order_by("i")).to_pylist() == [
            {"i": i, "ok": k != "null"} for i, k in enumerate(expected)
        ]
        rows = engine.to_arrow(t.select(t.i, kind=kind).order_by("i")).to_pylist()
        assert [r["kind"] for r in rows] == expected, allow


PROJECT = """\
name: strict
sources:
  tickets:
    path: tickets.csv
    entity: ticket
    columns:
      n: {from: n, type: int64}
      x: {from: x, type: float64}
      d: {from: d, type: date}
      t: {from: t, type: timestamp}
      b: {from: b, type: boolean}
  inv:
    path: inv.csv
    entity: asset
    columns: {name: {from: host, normalize: hostname}, asset_type: kind, owner_email: owner}
  scans:
    path: scans.csv
    entity: observation
    columns: {name: host, observed_at: {from: at, type: timestamp}}
reconcile:
  assets: {sources: [inv]}
controls:
  edr: {evidence: scans}
"""


@pytest.fixture
def ws(tmp_path: Path):
    (tmp_path / "assay.yml").write_text(PROJECT)
    (tmp_path / "tickets.csv").write_text(
        "n,x,d,t,b\n"
        "42,1.5,2026-11-20,2026-11-20T10:00:00+02:00,yes\n"
        "42.7,,,,\n"
        ",1e309,,,\n"
        ",NaN,,,\n"
        ",,2026-11-20T10:00:00,,\n"
        ",,,infinity,\n"
        ",,,,maybe\n"
        "0x1F,,,,\n"
        ",,,,\n"
    )
    (tmp_path / "inv.csv").write_text("host,kind,owner\nweb-1,host,a@x.com\n,host,b@x.com\nweb-3,   ,c@x.com\nweb-4,host,\n")
    (tmp_path / "scans.csv").write_text("host,at\nweb-1,2026-11-20T10:00:00Z\nweb-1,\n")
    workspace = Workspace.open(tmp_path)
    yield workspace
    workspace.close()


def _quarantine(ws: Workspace, source: str) -> list[tuple[int, str]]:
    ingest_source(ws.engine, ws.project_dir, source, ws.project.sources[source])
    rows = ws.engine.to_arrow(quarantine_rows(ws.engine, source).order_by("row_number")).to_pylist()
    return [(r["row_number"], r["reason"]) for r in rows]


def test_bad_values_are_quarantined_with_their_reason(ws: Workspace) -> None:
    assert _quarantine(ws, "tickets") == [
        (3, "n: expected an integer, got '42.7'"),
        (4, "x: expected a finite number, got '1e309'"),
        (5, "x: expected a finite number, got 'NaN'"),
        (6, "d: expected a date (YYYY-MM-DD), got '2026-11-20T10:00:00'"),
        (7, "t: expected an ISO 8601 timestamp, got 'infinity'"),
        (8, "b: expected a boolean (true/false, yes/no, y/n, 1/0), got 'maybe'"),
        (9, "n: expected an integer, got '0x1F'"),
    ]
    loaded = ws.engine.to_arrow(ws.engine.table(table_name("tickets")).order_by("_row")).to_pylist()
    assert [r["_row"] for r in loaded] == [2, 10]
    assert (loaded[0]["n"], loaded[0]["x"], loaded[0]["d"], loaded[0]["t"], loaded[0]["b"]) == (
        42,
        1.5,
        date(2026, 11, 20),
        datetime(2026, 11, 20, 8),
        True,
    )


def test_empty_required_columns_quarantine_the_row(ws: Workspace) -> None:
    assert _quarantine(ws, "inv") == [(3, "name (host): required, but empty"), (4, "asset_type (kind): required, but empty")]
    assert _quarantine(ws, "scans") == [(3, "observed_at (at): required, but empty")]


def test_every_row_is_accounted_for_after_a_run(ws: Workspace) -> None:
    """Nothing vanishes: the coverage matrix holds exactly the loaded assets (none dropped for empty keys)."""
    outcomes = {o.source: o for o in ws.run(date(2026, 11, 20)).accounting}
    assert all(o.rows_read == o.rows_loaded + o.rows_quarantined for o in outcomes.values())
    assert (outcomes["inv"].rows_loaded, outcomes["inv"].rows_quarantined) == (2, 2)
    coverage = ws.engine.to_arrow(ws.engine.table("assay_coverage")).to_pylist()
    assert sorted((r["name"], r["covered"]) for r in coverage) == [("web-1", True), ("web-4", False)]
