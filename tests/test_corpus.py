"""The bad-input corpus: every case in tests/corpus/cases.yaml, run in-process through the CLI.

A case builds a project (the tiny or the access project of tests/tiny.py, edited, or a file of its
own), runs CLI steps, and states the outcome of the last step: the exit code, fragments the output
must say (with the file and line where the problem is) or must not say (secrets), and after a run
the row accounting (read = loaded + quarantined), the quarantine reasons and the findings rows.
Whatever the case, no output holds a traceback, and after a run every JSON column parses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from assay.cli.app import app
from tests import tiny

CASES_FILE = Path(__file__).parent / "corpus" / "cases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
BASES = {
    "tiny": (tiny.PROJECT, {"inv.csv": tiny.INVENTORY, "scans.ndjson": '{"host": "web-1", "at": "2026-01-05 10:00:00"}\n'}),
    "access": (
        tiny.ACCESS_PROJECT,
        {
            "hr.csv": "mail,left_on\nann@example.com,2025-12-01\nbob@example.com,\n",
            "grants.csv": "mail,sys,role,since\nann@example.com,erp,admin,2025-01-01 00:00:00\n",
        },
    ),
    "none": ("", {}),
}
_BOX = str.maketrans("", "", "│╭╮╰╯─")
JSON_COLUMNS = {
    "assay_runs": ("timings", "inputs"),
    "assay_metric_values": ("dimensions",),
    "assay_findings": ("details",),
    "assay_quarantine": ("record",),
    "assay_check_results": ("samples",),
}


def _generated(kind: str) -> str:
    """Project texts too large or too regular to write out in the corpus file."""
    if kind == "billion_laughs":
        lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
            lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        return "\n".join(lines) + "\n"
    if kind == "many_aliases":
        return "x: &x 1\nlist:\n" + "".join("  - *x\n" for _ in range(101))
    if kind == "deep_nesting":
        return "name: deep\nx: " + "[" * 500 + "]" * 500 + "\n"
    if kind == "huge":
        return "name: huge\ndescription: '" + "x" * (3 * 1024 * 1024) + "'\n"
    raise ValueError(kind)


def _fill(text: str, where: dict[str, str]) -> str:
    for key, value in where.items():
        text = text.replace("{" + key + "}", value)
    return text


def _build(case: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.csv").write_text("host,kind,owner\nsecret-host,host,eve@example.com\n")
    where = {"project": str(project), "yml": str(project / "assay.yml"), "outside": str(outside), "tmp": str(tmp_path)}
    text, files = BASES[case.get("base", "tiny")]
    if "project" in case:
        text = case["project"]
    if "generate" in case:
        text = _generated(case["generate"])
    for old, new in case.get("edit", []):
        assert old in text, f"case {case['id']}: {old!r} is not in the base project"
        text = text.replace(old, _fill(new, where), 1)
    text += _fill(case.get("append", ""), where)
    if "project_bytes_latin1" in case:
        (project / "assay.yml").write_bytes(case["project_bytes_latin1"].encode("latin-1"))
    elif case.get("base") != "none" or text:
        (project / "assay.yml").write_text(text, encoding="utf-8")
    for name, content in {**files, **case.get("files", {})}.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content.encode("utf-8", "surrogatepass"))
    for name, target in case.get("symlinks", {}).items():
        link = project / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(_fill(target, where))
    for name in case.get("folders", []):
        (project / name).mkdir(parents=True, exist_ok=True)
    return where


def _param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


def test_corpus_is_large_and_ids_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 100
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    where = _build(case, tmp_path)
    runner = CliRunner()
    steps = case.get("steps", [["validate", "{project}"]])
    for i, step in enumerate(steps):
        result = runner.invoke(app, [_fill(str(a), where) for a in step])
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        if i < len(steps) - 1:
            assert result.exit_code == 0, f"step {step} failed: {output}"
    expect = case.get("expect", {})
    assert result.exit_code == expect.get("exit", 2), output
    flat = " ".join(output.translate(_BOX).split())  # the words, whatever wrapping and boxes the terminal output has
    for fragment in expect.get("says", []):
        assert " ".join(_fill(fragment, where).split()) in flat, f"{fragment!r} not in:\n{output}"
    for fragment in expect.get("hides", []):
        assert fragment not in output
    if "file" in expect:
        assert Path(_fill(expect["file"], where)).is_file()
    warehouse = Path(where["project"]) / "warehouse.duckdb"
    if warehouse.exists():
        _check_warehouse(warehouse, expect)


def _check_warehouse(path: Path, expect: dict[str, Any]) -> None:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()}
        for table, columns in JSON_COLUMNS.items():
            if table in tables:
                for column in columns:
                    for (value,) in con.sql(f'select "{column}" from "{table}" where "{column}" is not null').fetchall():
                        json.loads(value)
        if "assay_row_accounting" in tables:
            rows = con.sql(
                "select source, rows_read, rows_loaded, rows_quarantined from assay_row_accounting"
                " where run_id = (select max(run_id) from assay_row_accounting)"
            ).fetchall()
            for _, read, loaded, quarantined in rows:
                assert read == loaded + quarantined
            if "accounting" in expect:
                assert {s: [r, lo, q] for s, r, lo, q in rows if s in expect["accounting"]} == expect["accounting"]
        if "quarantine" in expect:
            reasons = " | ".join(r[0] for r in con.sql("select reason from assay_quarantine").fetchall())
            for fragment in expect["quarantine"]:
                assert fragment in reasons, f"{fragment!r} not in {reasons!r}"
        if "findings" in expect:
            assert con.sql("select count(*) from assay_findings").fetchone()[0] == expect["findings"]
            fingerprints = con.sql("select count(distinct fingerprint) from assay_findings").fetchone()[0]
            assert fingerprints == expect["findings"]
        if "events" in expect:
            assert con.sql("select count(*) from assay_finding_events").fetchone()[0] == expect["events"]


def test_debug_lets_the_error_through(tmp_path: Path) -> None:
    # Without --debug the handler prints one line; with it, the exception (and so its traceback) surfaces.
    missing = str(tmp_path / "nowhere")
    quiet = CliRunner().invoke(app, ["validate", missing])
    loud = CliRunner().invoke(app, ["--debug", "validate", missing])
    assert quiet.exit_code == 2
    assert quiet.exception is None or isinstance(quiet.exception, SystemExit)
    assert type(loud.exception).__name__ == "ConfigError"
