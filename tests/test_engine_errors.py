"""A rejected query: the message shows a bounded excerpt of its SQL, the exception keeps all of it,
and `assay --debug` prints all of it.

The failing query is a long CASE (its labels look like Rich markup) (tens of kilobytes of SQL, like a normalizer's) cast to an
integer, which every engine rejects while running it. The oracle for the SQL is Ibis' own
compilation of the same expression.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ibis
import pytest

from assay.cli import app
from assay.engine import Engine, connect
from assay.errors import EngineError
from assay.workspace import Workspace
from tests.tiny import write_tiny

BRANCHES = 400
MIDDLE = f"label-{BRANCHES // 2:04d}"
"""A literal from the middle of the SQL: in the full text, never in an excerpt."""
MESSAGE_LIMIT = 4000
"""Excerpts (1,500 characters) of the backend's message and of the SQL, plus the framing text."""


def failing_query(engine: Engine) -> ibis.Table:
    t = ibis.memtable({"x": ["a", "b"]})
    label = ibis.cases(*((t.x == f"value-{i:04d}", f"[bold]label-{i:04d}") for i in range(BRANCHES)), else_="not a number")
    return t.select(y=label.cast("int64"))


def rejected(engine: Engine) -> EngineError:
    expr = failing_query(engine)
    with pytest.raises(EngineError) as info:
        engine.to_arrow(expr)
    error = info.value
    assert error.sql == str(engine.con.compile(expr))
    return error


def assert_bounded(error: EngineError, engine_name: str) -> None:
    message = str(error)
    assert len(error.sql) > 20_000 and MIDDLE in error.sql
    assert message.startswith(f"{engine_name} rejected a query: ")
    assert len(message) < MESSAGE_LIMIT, len(message)
    assert MIDDLE not in message
    assert f"SQL ({len(error.sql):,} characters)" in message
    assert error.sql[:500] in message and error.sql[-200:] in message
    assert "characters left out; --debug shows all" in message


def test_duckdb_error_shows_an_excerpt_and_keeps_the_sql(tmp_path: Path) -> None:
    engine = connect("duckdb://:memory:", tmp_path)
    error = rejected(engine)
    assert_bounded(error, "duckdb")
    assert "Could not convert string 'not a number' to INT64" in str(error)


@pytest.mark.spark
def test_spark_error_bounds_its_own_message_too(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Spark quotes the failing expression (here all of the CASE) in its message: cut as well,
    and neither PySpark's nor the JVM's logs print it on the console."""
    engine = connect("pyspark", tmp_path)
    error = rejected(engine)
    assert_bounded(error, "pyspark")
    assert MIDDLE in str(error.__cause__), "the backend's own message quotes the long expression"
    assert "CAST_INVALID_INPUT" in str(error)
    console = capfd.readouterr()
    assert MIDDLE not in console.out + console.err


@pytest.fixture
def failing_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny project, whose run meets the rejected query on its real engine."""

    def run(ws: Workspace, as_of, on_stage=None, require_gate=False):
        return ws.engine.to_arrow(failing_query(ws.engine))

    monkeypatch.setattr(Workspace, "run", run)
    return write_tiny(tmp_path / "p", [])


def test_cli_prints_the_excerpt(failing_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["assay", "run", str(failing_project), "--as-of", "2026-11-20"])
    with pytest.raises(SystemExit) as exit_info:
        app.main()
    assert exit_info.value.code == 2
    stderr = capsys.readouterr().err
    assert "error: duckdb rejected a query: ConversionException" in stderr
    assert "--debug shows all" in stderr and MIDDLE not in stderr
    assert "Traceback" not in stderr
    assert "'[bold]label-0000'" in stderr, "the SQL must print as text, not as Rich markup"


def test_cli_debug_prints_the_full_sql(failing_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["assay", "--debug", "run", str(failing_project), "--as-of", "2026-11-20"])
    with pytest.raises(EngineError) as info:
        app.main()
    stderr = capsys.readouterr().err
    assert "full SQL of the rejected query:" in stderr
    assert info.value.sql in stderr.replace("\r", "")
