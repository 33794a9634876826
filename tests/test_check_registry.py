"""A kind is one module: adding one in a temporary module makes it work end to end; and every
source is scanned once however many of its checks pass."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assay.checks import registry
from assay.cli.app import app
from assay.engine import Engine
from assay.workspace import Workspace
from tests.test_check_kinds import AS_OF, _project

EVEN_KIND = '''
"""even: integers that must be even (a kind written outside assay, as a user would)."""

import ibis

from assay.checks.options import CheckOptions
from assay.checks.plan import Context, Plan
from assay.checks.registry import register


@register("even", "an odd value", shorthand="column")
class Even(CheckOptions):
    column: str

    def describe(self) -> str:
        return f"{self.column} is even"

    def plan(self, t: ibis.Table, ctx: Context) -> Plan:
        value = t[self.column].cast("int64")
        return Plan(failing=value.notnull() & (value % 2 != 0), judged=value.notnull())
'''


@pytest.fixture
def even_kind(tmp_path: Path) -> Iterator[str]:
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "assay_even_kind.py").write_text(EVEN_KIND)
    sys.path.insert(0, str(folder))
    try:
        importlib.import_module("assay_even_kind")
        yield "even"
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("assay_even_kind", None)
        registry._KINDS.pop("even", None)


def test_a_kind_in_a_temporary_module_works_end_to_end(tmp_path: Path, even_kind: str) -> None:
    project = _project(
        tmp_path / "p", [{even_kind: "cvss"}, {even_kind: {"column": "cvss", "where": "asset_type = 'host'", "severity": "warn"}}]
    )
    assert even_kind in registry.kinds()

    # validation comes from the kind's model: unknown options are located errors
    bad = yaml.safe_load((project / "assay.yml").read_text())
    bad["checks"]["tickets"] = [{even_kind: {"column": "cvss", "colour": 1}}]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "assay.yml").write_text(yaml.safe_dump(bad))
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "bad")])
    assert result.exit_code != 0
    assert "checks.tickets.0.even.colour: unknown key" in result.output

    # `assay check` runs it and exits 1 for the failing error-severity check
    result = CliRunner().invoke(app, ["check", str(project), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1, result.output
    assert "tickets.even.cvss" in result.output

    # a run records it in assay_check_results, with its description and samples from the file
    ws = Workspace.open(project)
    try:
        ws.run(AS_OF)
        t = ws.engine.table("assay_check_results")
        rows = ws.engine.to_arrow(t.filter(t.kind == "even").order_by("check_id")).to_pylist()
        html = ws.report(tmp_path / "report.html").read_text()
    finally:
        ws.close()
    # cvss 5.0, 9.8, 3.0, 11.0: 5 and 3 and 11 are odd after the cast (9.8 rounds to 10)
    assert [(r["check_id"], r["status"], r["failing_rows"], r["description"]) for r in rows] == [
        ("tickets.even.cvss", "fail", 3, "cvss is even"),
        ("tickets.even.cvss#2", "fail", 1, "cvss is even"),
    ]
    assert [s["_row"] for s in json.loads(rows[0]["samples"])] == [2, 4, 5]
    assert "tickets.even.cvss#2" in html


class QueryCounter:
    """Counts the queries a check run sends (every read goes through to_arrow or scalar)."""

    def __init__(self, engine: Engine, monkeypatch: pytest.MonkeyPatch):
        self.count = 0
        for name in ("to_arrow", "scalar"):
            original = getattr(engine, name)

            def counted(expr: object, _original: object = original) -> object:
                self.count += 1
                return _original(expr)  # type: ignore[operator]

            monkeypatch.setattr(engine, name, counted)


PASSING = [
    {"not_null": "name"},
    {"like": {"column": "name", "pattern": "T-%"}},
    {"between": {"column": "cvss", "min": 0, "max": 20}},
    {"between": {"column": "cvss", "max": 10, "where": "asset_type = 'host'"}},  # its own filter, same statement
    {"unique": {"columns": ["name", "asset_type"]}},
    {"increasing": {"column": "name"}},
    {"column_max": {"column": "cvss", "max": 20}},
    {"row_count": {"min": 5}},
]
FAILING = [{"unique": "name"}, {"regex": {"column": "code", "pattern": "^AB"}}]


@pytest.mark.parametrize("first_rows", [True, False], ids=["samples-in-scan", "sample-queries"])
@pytest.mark.parametrize("n_passing", [1, 4, len(PASSING)])
def test_passing_checks_share_one_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n_passing: int, first_rows: bool) -> None:
    from assay.checks.run import run_checks
    from assay.ingest.stage import ingest_all
    from assay.run.as_of import as_of_instant

    ws = Workspace.open(_project(tmp_path, PASSING[:n_passing] + FAILING))
    try:
        ingest_all(ws.engine, ws.project_dir, ws.project.sources)
        monkeypatch.setattr(ws.engine, "capabilities", replace(ws.engine.capabilities, first_rows=first_rows))
        counter = QueryCounter(ws.engine, monkeypatch)
        rows = run_checks(ws.engine, ws.project, as_of_instant(AS_OF)).to_pylist()
    finally:
        ws.close()
    assert [r["status"] for r in rows] == ["pass"] * n_passing + ["fail", "fail"]
    # one aggregate for the source, nothing per passing check; where the engine can keep the first
    # rows while aggregating (DuckDB), one query reads every failing check's sample rows, else one
    # bounded query per failing check
    assert counter.count == (2 if first_rows else 1 + len(FAILING))
    assert [s["_row"] for s in json.loads(rows[-2]["samples"])] == [3, 4]  # the duplicated T-2
    assert [s["_row"] for s in json.loads(rows[-1]["samples"])] == [4]  # ZZ99; the empty code on line 6 is not judged
