"""`assay plan`: the shortest list of groups that brings coverage to a target, checked by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assay.cli.app import app
from assay.errors import AssayError
from assay.workspace import Workspace

PROJECT = """\
name: plan
sources:
  inv:
    path: inv.csv
    entity: asset
    columns:
      name: host
      asset_type: kind
      org: dept
  scans:
    path: scans.csv
    entity: observation
    columns:
      name: host
      observed_at: {from: at, type: timestamp}
reconcile:
  assets: {sources: [inv]}
controls:
  edr: {evidence: scans, applies_to: {asset_type: [host]}}
metrics:
  coverage: {kind: coverage, by: [org], target: 0.7}
"""

# org A: 4 hosts, 1 covered; org B: 3 hosts, none covered; org C: 3 hosts, all covered -> 4 of 10
HOSTS = [("a1", "A"), ("a2", "A"), ("a3", "A"), ("a4", "A"), ("b1", "B"), ("b2", "B"), ("b3", "B"), ("c1", "C"), ("c2", "C"), ("c3", "C")]
COVERED = ("a1", "c1", "c2", "c3")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plan")
    (folder / "assay.yml").write_text(PROJECT)
    (folder / "inv.csv").write_text("host,kind,dept\n" + "".join(f"{h},host,{o}\n" for h, o in HOSTS))
    (folder / "scans.csv").write_text("host,at\n" + "".join(f"{h},2026-11-19 10:00:00\n" for h in COVERED))
    ws = Workspace.open(folder)
    ws.run(date(2026, 11, 20))
    ws.close()
    return folder


def plan_of(project: Path, target: float | None, by: str = "org"):
    ws = Workspace.open(project)
    try:
        return ws.plan("coverage", target, by)
    finally:
        ws.close()


def test_largest_gain_first_until_the_target(project: Path) -> None:
    p = plan_of(project, None)  # the metric's own target, 70%
    assert (p.covered, p.in_scope, p.target) == (4, 10, 0.7)
    # A and B both miss 3 pairs; ties go by name, and A alone reaches 7 of 10
    assert [(s.group, s.pairs, s.assets) for s in p.steps] == [("A", 3, 3)]
    assert p.steps[0].gain == pytest.approx(0.3) and p.steps[0].coverage_after == pytest.approx(0.7)
    assert p.reached


def test_a_higher_target_needs_both_groups(project: Path) -> None:
    p = plan_of(project, 0.71)  # 7.1 pairs round up to 8: 4 more
    assert [s.group for s in p.steps] == ["A", "B"] and p.steps[-1].coverage_after == 1.0


def test_a_met_target_needs_nothing(project: Path) -> None:
    p = plan_of(project, 0.4)
    assert p.steps == [] and p.reached


def test_plan_by_another_column_and_errors(project: Path) -> None:
    p = plan_of(project, 0.5, by="name")
    assert [(s.group, s.pairs) for s in p.steps] == [("a2", 1)]
    with pytest.raises(AssayError, match="assay_coverage has no column 'team'"):
        plan_of(project, 0.9, by="team")
    with pytest.raises(AssayError, match="between 0 and 1"):
        plan_of(project, 95)


def test_cli_prints_the_arithmetic(project: Path) -> None:
    result = CliRunner().invoke(app, ["plan", str(project), "--target", "0.7"])
    assert result.exit_code == 0, result.output
    assert "coverage: 4 of 10 pairs covered (40.0%); target 70.0%" in result.output
    assert "1. fix 3 uncovered pairs on 3 assets of org A: coverage +30.0 pp, to 70.0%" in result.output
    assert "target reached" in result.output
    bad = CliRunner().invoke(app, ["plan", str(project), "--metric", "nope"])
    assert bad.exit_code == 2 and "plan works on a coverage metric; this project's: coverage" in bad.output
