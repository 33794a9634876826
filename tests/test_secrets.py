"""No credential reaches output, logs, the warehouse or the report, whatever the URL form."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from assay.cli.app import app
from assay.engine import connect
from assay.errors import EngineError
from assay.secrets import redact, split_url, url_secrets
from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.conftest import PG_ADMIN
from tests.tiny import write_tiny

# (text, the secret that must disappear, a fragment that must stay so the text is still useful)
FORMS: list[tuple[str, str, str]] = [
    ("postgres://ann:s3cr/et@db.example:5432/prod", "s3cr/et", "@db.example:5432/prod"),
    ("postgres://ann:s3c#ret@db.example/prod", "s3c#ret", "@db.example/prod"),
    ("postgres://ann:s3c?ret@db.example/prod", "s3c?ret", "@db.example/prod"),
    ("postgres://ann:p@ss3cret@db.example/prod", "p@ss3cret", "@db.example/prod"),
    ("postgres://ann:pa:ss:wd9@db.example/prod", "pa:ss:wd9", "ann:"),
    ("postgres://ann:s%40cr%2Fet@db.example/prod", "s@cr/et", "@db.example/prod"),
    ("postgresql://ann@db.example/prod?password=hunter2x&schema=a", "hunter2x", "schema=a"),
    ("postgres://db.example/prod?sslmode=require&PassWord=hunter3x", "hunter3x", "sslmode=require"),
    ("postgres://db.example/prod?pwd=hunter4x", "hunter4x", "db.example/prod"),
    ("postgres://db.example/prod?passwd=hunter5x", "hunter5x", "db.example/prod"),
    ("postgres://db.example/prod?token=tok6xyz", "tok6xyz", "db.example/prod"),
    ("postgres://db.example/prod?api_key=key7xyz", "key7xyz", "db.example/prod"),
    ("postgres://db.example/prod?access_key=key8xyz&secret=sec8xyz", "sec8xyz", "db.example/prod"),
    ("host=db.example user=ann password=hunter9x dbname=prod", "hunter9x", "dbname=prod"),
    ("host=db.example password='hun ter10' dbname=prod", "hun ter10", "dbname=prod"),
    ('{"host": "db.example", "password": "hunter11"}', "hunter11", "db.example"),
    ("sc://spark.example:15002/;token=tok12xyz", "tok12xyz", "spark.example:15002"),
    ("s3a://AKIA13:wJalr13Secret@bucket/exports/", "wJalr13Secret", "@bucket/exports/"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), FORMS)
def test_redact_masks_every_form(text: str, secret: str, kept: str) -> None:
    out = redact(text, url_secrets(text))
    assert secret not in out
    assert kept in out
    assert "***" in out


@pytest.mark.parametrize(("text", "secret", "kept"), FORMS)
def test_redact_inside_a_message(text: str, secret: str, kept: str) -> None:
    # A backend may echo the URL inside a longer sentence; no known secret is passed here.
    out = redact(f"could not connect with '{text}': refused")
    assert secret not in out


def test_split_url_on_the_last_at() -> None:
    parts = split_url("postgres://ann:p@ss/w#rd?x@db.example:5433/prod")
    assert (parts.user, parts.password, parts.rest) == ("ann", "p@ss/w#rd?x", "db.example:5433/prod")


def test_unknown_literal_secret_is_masked_in_any_text() -> None:
    assert redact("FATAL: bad p@ss word p@ss", ["p@ss"]) == "FATAL: bad *** word ***"


PG_FORMS = [(f"postgres://ann:{secret}@127.0.0.1:1/prod", secret) for secret in ("s3cr/et", "s3c#ret", "s3c?ret", "p@ss3cret")] + [
    ("postgres://ann@127.0.0.1:1/prod?password=hunter2x", "hunter2x")
]


@pytest.mark.parametrize(("url", "secret"), PG_FORMS)
def test_connect_errors_hide_the_password(url: str, secret: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Port 1 refuses at once: the connection error is real and names the URL.
    caplog.set_level(logging.DEBUG)
    with pytest.raises(EngineError) as info:
        connect(url, tmp_path)
    assert "cannot connect to engine postgres://ann" in str(info.value)
    assert secret not in str(info.value)
    assert info.value.__cause__ is None  # the backend exception, which may quote the DSN, is not chained
    assert secret not in caplog.text


@pytest.mark.parametrize(("url", "secret"), PG_FORMS)
def test_cli_output_hides_the_password(url: str, secret: str, tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", [])
    result = CliRunner().invoke(app, ["run", str(project), "--engine", url])
    assert result.exit_code == 2
    assert "cannot connect to engine" in result.stderr
    assert secret not in result.stdout + result.stderr


@pytest.mark.postgres
def test_warehouse_report_and_cli_hide_the_password(tmp_path: Path) -> None:
    # Trust authentication ignores the password, so each form connects and runs for real.
    name = f"assay_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN.replace("postgres://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    secrets = ["s3cr/et", "s3c#ret", "s3c?ret", "p@ss3cret", "hunter2x"]
    urls = [f"postgres://postgres:{s}@127.0.0.1:5432/{name}" for s in secrets[:4]] + [
        f"postgres://postgres@127.0.0.1:5432/{name}?password=hunter2x"
    ]
    try:
        project = write_tiny(tmp_path / "p", [("web-1", "2026-01-05 10:00:00")])
        for day, url in enumerate(urls, start=1):
            result = CliRunner().invoke(app, ["run", str(project), "--as-of", f"2026-01-{day:02d}", "--engine", url])
            assert result.exit_code == 0, result.stderr
            report = CliRunner().invoke(app, ["report", str(project), "--engine", url])
            assert report.exit_code == 0, report.stderr
            html = (project / "report.html").read_text()
            assert f"127.0.0.1:5432/{name}" in html  # the engine is described, without its password
            for secret in secrets:
                assert secret not in result.stdout + result.stderr + report.stdout + html
        ws = Workspace.open(project, urls[0])
        stored = ws.engine.to_arrow(ws.engine.table(w.RUNS)).to_pylist()
        ws.close()
        assert len(stored) == len(urls)
        for row in stored:
            assert row["engine"].startswith("postgres://postgres")
            assert all(secret not in str(value) for value in row.values() for secret in secrets)
        assert date(2026, 1, 5) in {r["as_of"] for r in stored}
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
