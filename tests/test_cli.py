"""The CLI as a user runs it: its exit codes and what it prints.

Commands run in-process through the same `main()` entry point the `assay` script calls (fast:
no interpreter start per command); one test runs the real script in a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import pytest

from assay.cli.app import main
from tests.tiny import write_tiny


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


def assay(*args: str) -> Completed:
    """Run `assay ARGS` in this process, as the console script does, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    with patch.object(sys, "argv", ["assay", *args]), redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exit_:
        main()
    code = exit_.value.code
    return Completed(code if isinstance(code, int) else (0 if code is None else 1), out.getvalue(), err.getvalue())


def test_console_script_runs(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", [])
    done = subprocess.run([sys.executable, "-m", "assay", "validate", str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "ok tiny: 2 sources" in done.stdout


@pytest.fixture(scope="module")
def ran_demo(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("cli") / "demo"
    shutil.copytree(demo_dir, project)
    result = assay("run", str(project), "--as-of", "2026-11-20")
    assert result.returncode == 0, result.stderr
    assert "rows loaded" in result.stdout
    return project


def test_validate_ok_and_bad(tmp_path: Path, demo_dir: Path) -> None:
    ok = assay("validate", str(demo_dir))
    assert ok.returncode == 0 and "ok acme-demo: 12 sources" in ok.stdout
    project = write_tiny(tmp_path / "p", [])
    (project / "assay.yml").write_text((project / "assay.yml").read_text().replace("entity: asset", "entity: assets"))
    bad = assay("validate", str(project))
    assert bad.returncode == 2
    assert "invalid project (1 problem(s))" in bad.stderr
    assert "assay.yml:5: sources.inv.entity: Input should be 'asset'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_user_errors_have_no_traceback(tmp_path: Path) -> None:
    missing = assay("run", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "nowhere: project file not found" in missing.stderr and "Traceback" not in missing.stderr
    project = write_tiny(tmp_path / "p", [])
    bad_date = assay("run", str(project), "--as-of", "20/11/2026")
    assert bad_date.returncode == 2 and "--as-of expects a date (YYYY-MM-DD) or an instant" in bad_date.stderr
    no_run = assay("metrics", str(project))
    assert no_run.returncode == 2 and "has no successful run yet" in no_run.stderr
    bad_engine = assay("run", str(project), "--engine", "mysql://x")
    assert bad_engine.returncode == 2 and "engine URL 'mysql://x' is not supported" in bad_engine.stderr


def test_metrics_json(ran_demo: Path) -> None:
    result = assay("metrics", str(ran_demo), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    names = {r["metric"] for r in rows}
    assert names == {
        "coverage",
        "open_findings",
        "mttr_days",
        "sla_attainment",
        "sla_closed_within",
        "overdue_findings",
        "finding_age",
        "findings_flow",
        "review_completion",
        "revocation_rate",
        "privileged_review_completion",
    }
    overall = next(r for r in rows if r["metric"] == "coverage" and r["dimensions"] == "{}")
    assert overall["ci_low"] < overall["value"] < overall["ci_high"]
    assert overall["value"] == pytest.approx(overall["numerator"] / overall["denominator"])


def test_findings_csv_is_spreadsheet_safe(ran_demo: Path) -> None:
    result = assay("findings", str(ran_demo), "--format", "csv", "--status", "new")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["status"] for r in rows} == {"new"}
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_status_choices_are_the_lifecycle_statuses() -> None:
    """`--status` lists its choices by hand (so type checkers see them); they must stay the statuses the lifecycle assigns."""
    from assay.cli.app import FindingStatus
    from assay.findings.lifecycle import OPEN_STATUSES

    assert [s.value for s in FindingStatus] == [*OPEN_STATUSES, "resolved"]


def test_check_exit_code(ran_demo: Path, tmp_path: Path) -> None:
    ok = assay("check", str(ran_demo), "--as-of", "2026-11-20")
    assert ok.returncode == 0, ok.stderr  # the demo's failing checks are warnings
    assert "tickets.relationships.finding_id" in ok.stdout
    project = write_tiny(tmp_path / "p", [])
    (project / "inv.csv").write_text("host,kind,owner\nweb-1,host,a@x.com\nWEB-1,host,b@x.com\n")
    failing = assay("check", str(project), "--as-of", "2026-01-08")
    assert failing.returncode == 1
    assert "quality gate failed (1 of 1 gated checks)" in failing.stderr
    assert "inv.unique.name failed (2 of 2 rows)" in failing.stderr


def test_report_command_writes_file(ran_demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = assay("report", str(ran_demo), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 100_000 and "<!doctype html>" in out.read_text()[:200].lower()
