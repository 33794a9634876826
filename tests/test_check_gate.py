"""The quality gate: which checks certify a run, what the run records, what the CLI and report do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assay.cli.app import app
from assay.errors import ConfigError, RunError
from assay.workspace import Workspace
from tests.test_check_kinds import AS_OF, _project

CHECKS = [
    {"unique": "name"},  # fails: T-2 twice
    {"not_null": {"column": "owner_email", "severity": "warn"}},  # fails, but only a warning
    {"like": {"column": "name", "pattern": "T-%"}},  # passes
]


def _with_gate(folder: Path, gate: object) -> Path:
    project = _project(folder, CHECKS)
    data = yaml.safe_load((project / "assay.yml").read_text())
    if gate is not None:
        data["gate"] = gate
    (project / "assay.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return project


def _gate_rows(ws: Workspace) -> list[dict]:
    t = ws.engine.table("assay_gate_results")
    return ws.engine.to_arrow(t).to_pylist()


def test_default_gate_is_every_error_check(tmp_path: Path) -> None:
    ws = Workspace.open(_with_gate(tmp_path, None))
    try:
        ws.run(AS_OF)
        (row,) = _gate_rows(ws)
    finally:
        ws.close()
    assert row["certified"] is False
    assert (row["gated_checks"], row["failed_checks"]) == (2, 1)  # unique and like; the warning is not gated
    assert json.loads(row["reasons"]) == ["tickets.unique.name failed (2 of 5 rows): name identifies one row"]


def test_named_gate_certifies_when_its_checks_pass(tmp_path: Path) -> None:
    project = _with_gate(tmp_path, {"checks": ["tickets.like.*"]})
    ws = Workspace.open(project)
    try:
        result = ws.run(AS_OF)
        (row,) = _gate_rows(ws)
        html = ws.report(tmp_path / "report.html").read_text()
    finally:
        ws.close()
    assert result.gate is not None and result.gate.certified
    assert row["certified"] is True and row["gated_checks"] == 1
    assert 'id="gate"' in html and "Certified." in html
    # `assay check` exits 0: the failing unique check is not in this gate
    result_cli = CliRunner().invoke(app, ["check", str(project), "--as-of", AS_OF.isoformat()])
    assert result_cli.exit_code == 0, result_cli.output
    assert "quality gate passed: 1 gated check(s)" in result_cli.output


def test_failing_gate_shows_in_the_report_and_fails_assay_check(tmp_path: Path) -> None:
    project = _with_gate(tmp_path, ["tickets.unique.name", "tickets.not_null.*"])  # list shorthand; a warn check can be gated too
    ws = Workspace.open(project)
    try:
        ws.run(AS_OF)
        html = ws.report(tmp_path / "report.html").read_text()
    finally:
        ws.close()
    assert "Not certified." in html and "2 of 2 checks of the quality gate failed" in html
    assert "tickets.not_null.owner_email failed (1 of 5 rows)" in html
    result = CliRunner().invoke(app, ["check", str(project), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1
    assert "quality gate failed" in result.output and "tickets.unique.name failed" in result.output


def test_require_gate_stops_the_run_before_it_publishes(tmp_path: Path) -> None:
    project = _with_gate(tmp_path, {"checks": ["tickets.unique.name"]})
    result = CliRunner().invoke(app, ["run", str(project), "--as-of", AS_OF.isoformat(), "--require-gate"])
    assert result.exit_code == 2
    assert "quality gate failed (--require-gate): not certified: tickets.unique.name failed" in result.output
    ws = Workspace.open(project)
    try:
        assert ws.latest_run() is None  # nothing published: no metrics, no check results, no gate row
        runs = ws.engine.to_arrow(ws.engine.table("assay_runs")).to_pylist()
        assert [r["status"] for r in runs] == ["failed"]
        with pytest.raises(RunError, match="quality gate failed"):
            ws.run(AS_OF, require_gate=True)
        ws.run(AS_OF)  # without --require-gate the same run publishes, uncertified
        assert _gate_rows(ws)[0]["certified"] is False
    finally:
        ws.close()


def test_gate_naming_no_check_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        Workspace.open(_with_gate(tmp_path, {"checks": ["tickets.uniq.*"]}))
    problem = "\n".join(raised.value.problems)
    assert "gate.checks.0: 'tickets.uniq.*' names no check; check ids: tickets.unique.name" in problem
