"""File readers against independent oracles: Python's csv module for records and their lines,
Python's codecs for encodings, zoneinfo/datetime for zoned Parquet timestamps."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from assay.errors import SourceError
from assay.ingest import stage
from assay.ingest.readers import read_file
from assay.ingest.stage import ingest_all, ingest_source, table_name
from assay.project.models import Source
from assay.workspace import Workspace
from tests.conftest import engine_for, postgres_database

# A corpus of RFC 4180 situations: a quoted delimiter, a stray mid-field quote (literal), single
# quotes (plain text), five extra fields, one missing, multi-line records (one with a blank line
# inside), blank lines between records, and a final record without a line break.
CORPUS = (
    "id,org,note\n"
    '1,"Eng, Platform",a\n'
    '2,"multi\nline",b\n'
    '3,Eng"s,c\n'
    "4,x,y,z,w,v,u,t\n"
    "5,'q,r',s\n"
    "\n"
    "6,last\n"
    '7,"x\n\ny",z\n'
    '8,"say ""hi""",b\n'
    "\n\n"
    "9,end,e"
)


def oracle(text: str, **dialect) -> list[tuple[int, list[str]]]:
    """(first line, fields) of each record, by Python's csv module; blank lines are not records."""
    reader = csv.reader(io.StringIO(text, newline=""), **dialect)
    out, previous_end = [], 0
    for record in reader:
        if record:
            out.append((previous_end + 1, record))
        previous_end = reader.line_num
    return out


def read(tmp_path: Path, data: str | bytes, filename: str = "f.csv", columns: dict | None = None, **options) -> tuple[list, list]:
    path = tmp_path / filename
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    source = Source.model_validate({"path": filename, "entity": "ticket", "columns": columns or {"id": "id", "org": "org"}, **options})
    con = duckdb.connect()
    read_file(con, "s", source, tmp_path, filename, "raw", "rej")
    rows = con.sql("SELECT * FROM raw ORDER BY _row").fetchall()
    rejects = con.sql("SELECT _row, _file, reason FROM rej ORDER BY _row").fetchall()
    return rows, rejects


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_records_and_lines_match_python_csv(tmp_path: Path, newline: str) -> None:
    text = CORPUS.replace("\n", newline)
    rows, rejects = read(tmp_path, text)
    expected = oracle(text)[1:]  # without the header
    good = [(line, "f.csv", rec[0], rec[1]) for line, rec in expected if len(rec) == 3]
    assert rows == good
    assert [(r[0], r[1]) for r in rejects] == [(line, "f.csv") for line, rec in expected if len(rec) != 3]
    assert len(rows) + len(rejects) == len(expected) == 9
    assert dict((r[0], r[2]) for r in rejects)[6] == "malformed CSV row: Expected Number of Columns: 3 Found: 8"
    assert (2, "f.csv", "1", "Eng, Platform") in rows and (5, "f.csv", "3", 'Eng"s') in rows


def test_unbalanced_quote_refuses_the_file_with_its_line(tmp_path: Path) -> None:
    text = 'id,org\n1,ok\n2,"Eng\n3,x\n4,"Eng, Platform"\n'
    with pytest.raises(SourceError, match=r"source 's': f\.csv line 3: .*quote is unbalanced"):
        read(tmp_path, text)


def test_quotes_can_be_plain_text(tmp_path: Path) -> None:
    text = 'id,org\n1,"Eng\n2,x\n'
    rows, rejects = read(tmp_path, text, csv={"quote": ""})
    assert rows == [(2, "f.csv", "1", '"Eng'), (3, "f.csv", "2", "x")] and rejects == []


def test_duplicate_header_names_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="duplicate column names in the header: 'org'"):
        read(tmp_path, "id,org,org\n1,a,b\n")


def test_missing_mapped_column_names_file_and_column(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"f\.csv: column 'org' \(for org\) not found in the file; columns found: id, team"):
        read(tmp_path, "id,team\n1,a\n")


@pytest.mark.parametrize(
    ("encoding", "codec"), [("utf-8", "utf-8-sig"), ("latin-1", "latin-1"), ("windows-1252", "cp1252"), ("utf-16", "utf-16")]
)
def test_encodings(tmp_path: Path, encoding: str, codec: str) -> None:
    org = "Zürich €" if encoding != "latin-1" else "Zürich ÿ"
    text = f'id,org\n1,"{org}"\n2,Genève\n'
    rows, _ = read(tmp_path, text.encode(codec), csv={"encoding": encoding})
    assert [(r[0], r[2], r[3]) for r in rows] == [(line, *rec) for line, rec in oracle(text.encode(codec).decode(codec))[1:]]


def test_invalid_bytes_name_the_offset(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not valid utf-16"):
        read(tmp_path, b"\xff\xfei\x00d\x00\n", csv={"encoding": "utf-16"})


def test_semicolons_skip_rows_comments_and_null_values(tmp_path: Path) -> None:
    text = "exported 2026-01-05\ntitle line\nid;org\n# a comment\n1;N/A\n2;Eng\n"
    rows, _ = read(tmp_path, text, csv={"delimiter": ";", "skip_rows": 2, "comment": "#", "null_values": ["N/A"]})
    assert rows == [(5, "f.csv", "1", None), (6, "f.csv", "2", "Eng")]


def test_no_header_names_columns_by_position(tmp_path: Path) -> None:
    rows, _ = read(tmp_path, "1,a\n2,b\n", columns={"id": "column1", "org": "column2"}, csv={"header": False})
    assert rows == [(1, "f.csv", "1", "a"), (2, "f.csv", "2", "b")]


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_files_read_like_plain_ones(tmp_path: Path, suffix: str) -> None:
    data = CORPUS.encode()
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.ZstdCompressor().compress(data)
    plain = read(tmp_path, data)
    compressed = read(tmp_path, packed, filename="f.csv" + suffix)
    assert [r[:1] + r[2:] for r in compressed[0]] == [r[:1] + r[2:] for r in plain[0]]
    assert [r[0] for r in compressed[1]] == [r[0] for r in plain[1]]


def test_ndjson_nested_fields_and_json_arrays(tmp_path: Path) -> None:
    columns = {"id": "id", "org": "device.org"}
    lines = '{"id": 1, "device": {"org": "Eng"}}\nnot json\n\n{"id": 3, "device": {"org": "IT"}}\n'
    rows, rejects = read(tmp_path, lines, filename="f.ndjson", columns=columns)
    assert rows == [(1, "f.ndjson", "1", "Eng"), (4, "f.ndjson", "3", "IT")] and rejects == [(2, "f.ndjson", "malformed JSON")]
    array = json.dumps([{"id": 1, "device": {"org": "Eng"}}, [2], {"id": 3, "device": {"org": "IT"}}])
    rows, rejects = read(tmp_path, array, filename="f.json", columns=columns)
    assert rows == [(1, "f.json", "1", "Eng"), (3, "f.json", "3", "IT")]
    assert rejects == [(2, "f.json", "expected a JSON object per element")]


def _json_kind(value: object) -> str:
    """The JSON type as DuckDB names it, decided by Python's json module (the oracle)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "UBIGINT" if 0 <= value < 2**64 else "BIGINT" if -(2**63) <= value < 0 else "DOUBLE"
    return {float: "DOUBLE", str: "VARCHAR", dict: "OBJECT", list: "ARRAY"}[type(value)]


def test_ndjson_columns_and_types_match_pythons_json(tmp_path: Path) -> None:
    records = [
        {"b": 1, "a": "x"},
        {"a": None, "c": [1, 2], "d": {"x": 1}},
        {"a": 2.5, "b": -3, "e": True},
        {"c": {"y": 2}, "d": [], "b": 2**64 - 1},
        {"b": 10**30, "f": 1e300, "g": "\u00e9", "h": {}},
        {"a": "x", "b": 7},
    ]
    path = tmp_path / "f.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    source = Source.model_validate({"path": "f.ndjson", "entity": "ticket", "columns": {"id": "a"}})
    observed = read_file(duckdb.connect(), "s", source, tmp_path, "f.ndjson", "raw", "rej").columns
    kinds: dict[str, set[str]] = {}
    first: dict[str, int] = {}
    for i, record in enumerate(records):
        for key, value in record.items():
            kinds.setdefault(key, set()).add(_json_kind(value))
            first.setdefault(key, i)
    expected = [(k, "|".join(sorted(kinds[k]))) for k in sorted(kinds, key=lambda k: (first[k], k))]
    assert observed == expected


_TZ_SCRIPT = """
import duckdb, sys
from pathlib import Path
from assay.ingest.readers import read_file
from assay.project.models import Source
source = Source.model_validate({"path": "t.parquet", "entity": "ticket", "columns": {"at": "at"}})
con = duckdb.connect()
read_file(con, "s", source, Path(sys.argv[1]).parent, "t.parquet", "raw", "rej")
print(con.sql("SELECT * EXCLUDE (_row, _file) FROM raw ORDER BY _row").fetchall())
"""


def test_zoned_parquet_timestamps_do_not_depend_on_the_host_tz(tmp_path: Path) -> None:
    instants = [datetime(2026, 1, 5, 10, 0, tzinfo=UTC), datetime(2026, 7, 1, 23, 30, 15, 250000, tzinfo=UTC)]
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"at": pa.array(instants, pa.timestamp("us", tz="Europe/Berlin"))}), path)
    outputs = set()
    for tz in ("UTC", "America/New_York", "Asia/Kolkata"):
        done = subprocess.run(
            [sys.executable, "-c", _TZ_SCRIPT, str(path)], env={**os.environ, "TZ": tz}, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout.strip())
    expected = [(i.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),) for i in instants]
    assert outputs == {str(expected)}


def test_excel_sheet_rows_are_numbered_by_sheet_row(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    write_xlsx(path, "People", [["id", "org"], ["1", "Eng"], ["2", "IT"]])
    source = Source.model_validate(
        {"path": "f.xlsx", "entity": "ticket", "columns": {"id": "id", "org": "org"}, "excel": {"sheet": "People"}}
    )
    con = duckdb.connect()
    read_file(con, "s", source, tmp_path, "f.xlsx", "raw", "rej")
    assert con.sql("SELECT * FROM raw ORDER BY _row").fetchall() == [(2, "f.xlsx", "1", "Eng"), (3, "f.xlsx", "2", "IT")]


def write_xlsx(path: Path, sheet: str, rows: list[list[str]]) -> None:
    """A minimal workbook (inline strings), written by hand so the test needs no Excel writer."""
    import zipfile

    cells = "".join(
        f'<row r="{r + 1}">'
        + "".join(f'<c r="{chr(65 + c)}{r + 1}" t="inlineStr"><is><t>{v}</t></is></c>' for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows)
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{office}.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {ns}><sheetData>{cells}</sheetData></worksheet>")


# --- ingest: globs, accounting, reuse and crash safety ----------------------------------------

GLOB_PROJECT = """\
name: readers
sources:
  people:
    path: data/*.csv
    entity: ticket
    columns:
      id: {from: id, type: int64}
      org: org
"""


def glob_ws(tmp_path: Path, files: dict[str, str], engine: str = "duckdb", pg: str | None = None) -> Workspace:
    folder = tmp_path / "p"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "assay.yml").write_text(GLOB_PROJECT)
    for name, text in files.items():
        (folder / "data" / name).write_text(text)
    ws = Workspace.open(folder)
    if engine != "duckdb":
        ws.engine.close()
        ws.engine = engine_for(engine, folder, pg)
    return ws


def quarantine(ws: Workspace) -> list[tuple]:
    q = ws.engine.to_arrow(ws.engine.table(stage.quarantine_name("people"))).to_pylist()
    return sorted((r["file"], r["row_number"], r["reason"]) for r in q)


def test_globbed_files_are_named_and_counted(tmp_path: Path) -> None:
    ws = glob_ws(tmp_path, {"a.csv": "id,org\n1,Eng\nx,IT\n", "b.csv": 'id,org\n2,Ops\n3,a,b\n\n4,"multi\nline"\nfive,x\n'})
    outcome = ingest_source(ws.engine, ws.project_dir, "people", ws.project.sources["people"])
    assert quarantine(ws) == [
        ("data/a.csv", 3, "id: expected an integer, got 'x'"),
        ("data/b.csv", 3, "malformed CSV row: Expected Number of Columns: 2 Found: 3"),
        ("data/b.csv", 7, "id: expected an integer, got 'five'"),
    ]
    loaded = ws.engine.to_arrow(ws.engine.table(table_name("people"))).to_pylist()
    assert sorted((r["_file"], r["_row"], r["id"]) for r in loaded) == [("data/a.csv", 2, 1), ("data/b.csv", 2, 2), ("data/b.csv", 5, 4)]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (6, 3, 3)
    ws.close()


def test_a_glob_that_gains_a_file_reads_only_that_file(tmp_path: Path) -> None:
    ws = glob_ws(tmp_path, {"a.csv": "id,org\n1,Eng\n"})
    ingest_all(ws.engine, ws.project_dir, ws.project.sources)
    (ws.project_dir / "data" / "b.csv").write_text("id,org\n2,IT\n")
    (outcome,) = ingest_all(ws.engine, ws.project_dir, ws.project.sources)
    assert [(f.file, f.reused) for f in outcome.files] == [("data/a.csv", True), ("data/b.csv", False)]
    assert outcome.rows_loaded == 2 and not outcome.reused
    ws.close()


def test_a_crash_before_the_state_row_never_pairs_a_fingerprint_with_other_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = glob_ws(tmp_path, {"a.csv": "id,org\n1,Eng\n"})
    sources = ws.project.sources
    ingest_all(ws.engine, ws.project_dir, sources)
    (ws.project_dir / "data" / "a.csv").write_text("id,org\n2,IT\n")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("crash between writing the tables and recording the state")

    monkeypatch.setattr(stage, "_remember", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_all(ws.engine, ws.project_dir, sources)
    monkeypatch.undo()
    (digest,) = stage.file_digests(ws.project_dir, "people", sources["people"]).values()
    crashed = stage.LOADED_PREFIX + digest
    ws.engine.con.con.execute(f"INSERT INTO {crashed} VALUES (99, 'data/a.csv', 666, 'rogue')")
    (outcome,) = ingest_all(ws.engine, ws.project_dir, sources)
    assert not outcome.reused
    rows = ws.engine.to_arrow(ws.engine.table(table_name("people")).select("id", "org")).to_pylist()
    assert rows == [{"id": 2, "org": "IT"}]
    (again,) = ingest_all(ws.engine, ws.project_dir, sources)
    assert again.reused and again.rows_loaded == 1
    ws.close()


def test_unreferenced_tables_are_dropped_at_the_next_ingest(tmp_path: Path) -> None:
    ws = glob_ws(tmp_path, {"a.csv": "id,org\n1,Eng\n", "b.csv": "id,org\n2,IT\n"})
    ingest_all(ws.engine, ws.project_dir, ws.project.sources)
    (ws.project_dir / "data" / "b.csv").unlink()
    ingest_all(ws.engine, ws.project_dir, ws.project.sources)
    loaded = [t for t in ws.engine.con.list_tables() if t.startswith(stage.LOADED_PREFIX)]
    assert len(loaded) == 1
    ws.close()


BROKEN = {"a.csv": "id,org\n1,Eng\nx,IT\n", "b.csv": 'id,org\n2,"Ops, Platform"\n3,a,b\n\n4,"multi\nline"\nfive,x\n6,E\x00ng\n'}


def test_a_nul_character_quarantines_its_record(tmp_path: Path) -> None:
    """PostgreSQL cannot hold U+0000, so the record is quarantined on every engine (the comparisons
    below include it), with its reason and its line, and the other records load."""
    found, counts = _quarantine_on("duckdb", tmp_path)
    assert ("data/b.csv", 8, "org: contains a NUL character (U+0000), which no text column can hold on every engine") in found
    assert counts == (7, 3, 4)


def _quarantine_on(engine: str, tmp_path: Path, pg: str | None = None) -> tuple[list[tuple], tuple[int, int, int]]:
    ws = glob_ws(tmp_path / engine, BROKEN, engine, pg)
    try:
        o = ingest_source(ws.engine, ws.project_dir, "people", ws.project.sources["people"])
        return quarantine(ws), (o.rows_read, o.rows_loaded, o.rows_quarantined)
    finally:
        ws.close()


@pytest.mark.postgres
def test_postgres_quarantines_like_duckdb(tmp_path: Path) -> None:
    for pg in postgres_database():
        assert _quarantine_on("postgres", tmp_path, pg) == _quarantine_on("duckdb", tmp_path)


@pytest.mark.spark
def test_spark_quarantines_like_duckdb(tmp_path: Path) -> None:
    assert _quarantine_on("pyspark", tmp_path) == _quarantine_on("duckdb", tmp_path)


# --- database sources -------------------------------------------------------------------------


def read_db(tmp_path: Path, database: dict) -> list[tuple]:
    source = Source.model_validate({"database": database, "entity": "ticket", "columns": {"id": "id", "org": "org"}})
    con = duckdb.connect()
    read_file(con, "s", source, tmp_path, "db", "raw", "rej")
    return con.sql("SELECT * FROM raw ORDER BY _row").fetchall()


def test_duckdb_database_table_and_read_only_query(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "src.duckdb")) as con:
        con.execute("CREATE TABLE people AS SELECT * FROM (VALUES (1, 'Eng, Platform'), (2, NULL), (3, '')) t(id, org)")
    url = "duckdb:///src.duckdb"
    assert read_db(tmp_path, {"url": url, "table": "people"}) == [
        (1, "table people", "1", "Eng, Platform"),
        (2, "table people", "2", None),
        (3, "table people", "3", ""),
    ]
    assert read_db(tmp_path, {"url": url, "query": "SELECT id, org FROM people WHERE id > 1 ORDER BY id"})[0] == (1, "query", "2", None)
    with pytest.raises(SourceError, match="read-only"):
        read_db(tmp_path, {"url": url, "query": "CREATE TABLE x AS SELECT 1 AS id, 'a' AS org"})


def test_database_url_with_a_password_is_refused() -> None:
    with pytest.raises(ValueError, match="must not contain a password"):
        Source.model_validate({"database": {"url": "postgres://u:secret@h/db", "table": "t"}, "entity": "ticket", "columns": {"id": "id"}})


@pytest.mark.postgres
def test_postgres_table_and_read_only_query(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.replace("postgres://", "postgresql://"), autocommit=True) as pg:
        pg.execute("CREATE TABLE people (id int, org text)")
        pg.execute("CREATE SEQUENCE ids")
        pg.execute("INSERT INTO people VALUES (1, 'Eng, Platform'), (2, NULL), (3, ''), (4, 'two\nlines')")
    rows = read_db(tmp_path, {"url": pg_url, "table": "people"})
    assert sorted(r[2:] for r in rows) == [("1", "Eng, Platform"), ("2", None), ("3", ""), ("4", "two\nlines")]
    assert [r[2:] for r in read_db(tmp_path, {"url": pg_url, "query": "select id, org from people where id = 4;"})] == [("4", "two\nlines")]
    with pytest.raises(SourceError, match="read-only"):
        read_db(tmp_path, {"url": pg_url, "query": "select nextval('ids') as id, 'x' as org"})  # a write: refused
