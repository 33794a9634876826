"""Ingest on small hand-made files: quarantine reasons, row accounting, clear errors, reuse."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assay.errors import AssayError, SourceError
from assay.ingest.stage import ingest_source, table_name
from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.tiny import write_tiny


def tiny_ws(tmp_path: Path) -> Workspace:
    return Workspace.open(write_tiny(tmp_path / "p", [("web-1", "2026-01-05 10:00:00")]))


def test_bad_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    (ws.project_dir / "scans.ndjson").write_text(
        '{"host": "web-1", "at": "2026-01-05 10:00:00"}\n'
        '{"host": "web-2", "at": "yesterday"}\n'
        "{not json\n"
        "\n"
        "[1, 2]\n"
        '{"host": "bad..name", "at": "2026-01-05 10:00:00"}\n'
        '{"host": null, "at": null}\n'
    )
    outcome = ingest_source(ws.engine, ws.project_dir, "scans", ws.project.sources["scans"])
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (6, 1, 5)
    rows = ws.engine.to_arrow(ws.engine.table("_quarantine_scans").order_by("row_number")).to_pylist()
    assert [(r["row_number"], r["reason"]) for r in rows] == [
        (2, "observed_at (at): expected an ISO 8601 timestamp, got 'yesterday'"),
        (3, "malformed JSON"),
        (5, "expected a JSON object per line"),
        (6, "name (host): invalid hostname label ''"),
        (7, "name (host): required, but empty"),
    ]
    assert json.loads(rows[0]["record"]) == {"host": "web-2", "at": "yesterday"}
    ws.close()


def test_malformed_csv_row_is_quarantined(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    (ws.project_dir / "inv.csv").write_text(
        'host,kind,owner\nweb-1,host,a@x.com\nweb-2,host,b@x.com,extra\n"web-3",host,"=cmd|\' /C calc\'!A0"\n'
    )
    outcome = ingest_source(ws.engine, ws.project_dir, "inv", ws.project.sources["inv"])
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (3, 1, 2)
    assert ws.engine.to_arrow(ws.engine.table(table_name("inv")).select("_row")).to_pylist() == [{"_row": 2}]
    rows = ws.engine.to_arrow(ws.engine.table("_quarantine_inv").order_by("row_number")).to_pylist()
    assert [r["row_number"] for r in rows] == [3, 4]
    assert rows[0]["reason"].startswith("malformed CSV row: Expected Number of Columns: 3 Found: 4")
    assert rows[1]["reason"] == "owner_email (owner): email must contain exactly one '@'"
    ws.close()


def test_missing_file_and_column_are_clear(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    (ws.project_dir / "scans.ndjson").unlink()
    with pytest.raises(SourceError, match=r"source 'scans': no file at 'scans\.ndjson'"):
        ingest_source(ws.engine, ws.project_dir, "scans", ws.project.sources["scans"])
    (ws.project_dir / "scans.ndjson").write_text('{"hst": "web-1", "at": "2026-01-05 10:00:00"}\n')
    with pytest.raises(SourceError, match="column 'host' \\(for name\\) not found in the file; columns found: at"):
        ingest_source(ws.engine, ws.project_dir, "scans", ws.project.sources["scans"])
    ws.close()


def test_unchanged_source_is_reused_and_changed_one_reloaded(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    first = ingest_source(ws.engine, ws.project_dir, "inv", ws.project.sources["inv"])
    again = ingest_source(ws.engine, ws.project_dir, "inv", ws.project.sources["inv"])
    assert not first.reused and again.reused and again.rows_loaded == first.rows_loaded
    with (ws.project_dir / "inv.csv").open("a") as fh:
        fh.write("web-9,host,z@x.com\n")
    changed = ingest_source(ws.engine, ws.project_dir, "inv", ws.project.sources["inv"])
    assert not changed.reused and changed.rows_loaded == first.rows_loaded + 1
    assert ws.engine.scalar(ws.engine.table(table_name("inv")).count()) == changed.rows_loaded
    ws.close()


def test_accounting_recorded_for_every_source_each_run(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    ws.run(date(2026, 1, 8))
    ws.run(date(2026, 1, 15))
    acc = ws.engine.to_arrow(ws.engine.table(w.ROW_ACCOUNTING)).to_pylist()
    assert len(acc) == 4 and all(r["rows_read"] == r["rows_loaded"] + r["rows_quarantined"] for r in acc)
    ws.close()


def test_hostile_values_survive_as_data(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    (ws.project_dir / "inv.csv").write_text('host,kind,owner\nweb-1,"host\'); DROP TABLE src_inv;--",a@x.com\n')
    ws.run(date(2026, 1, 8))
    assert ws.engine.exists(table_name("inv"))
    kinds = ws.engine.to_arrow(ws.engine.table(table_name("inv")).select("asset_type")).to_pylist()
    assert kinds == [{"asset_type": "host'); DROP TABLE src_inv;--"}]
    ws.close()


def test_run_records_quarantined_files_and_schema_drift(tmp_path: Path) -> None:
    from assay.report import queries

    ws = tiny_ws(tmp_path)
    ws.run(date(2026, 1, 8))
    (ws.project_dir / "inv.csv").write_text("host,kind,owner,site\nweb-1,host,not-an-email,x\n")
    ws.run(date(2026, 1, 15))
    q = ws.engine.to_arrow(ws.engine.table(w.QUARANTINE)).to_pylist()
    assert {(r["source"], r["file"], r["row_number"]) for r in q if r["source"] == "inv"} >= {("inv", "inv.csv", 2)}
    runs = [r.run_id for r in queries.successful_runs(ws.engine)]
    drift = queries.schema_drift(ws.engine, runs[-1], runs[-2])
    assert [(d["source"], d["column_name"], d["change"]) for d in drift] == [("inv", "site", "added")]
    ws.close()


def test_a_mapped_column_that_disappears_stops_the_run_naming_file_and_column(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    ws.run(date(2026, 1, 8))
    (ws.project_dir / "inv.csv").write_text("host,owner\nweb-1,a@x.com\n")
    with pytest.raises(AssayError, match=r"inv\.csv: column 'kind' \(for asset_type\) not found in the file"):
        ws.run(date(2026, 1, 15))
    ws.close()


def test_a_file_refused_mid_read_fails_the_run_cleanly_and_the_next_run_recovers(tmp_path: Path) -> None:
    ws = tiny_ws(tmp_path)
    good = (ws.project_dir / "inv.csv").read_text()
    (ws.project_dir / "inv.csv").write_text('host,kind,owner\nweb-1,"host,a@x.com\nweb-2,host,b@x.com\n')
    with pytest.raises(AssayError, match=r"inv\.csv line 2: .*quote is unbalanced"):
        ws.run(date(2026, 1, 8))
    (ws.project_dir / "inv.csv").write_text(good)
    assert ws.run(date(2026, 1, 8)).status == "success"
    ws.close()
