"""Every setting, check kind, metric kind, warehouse table and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from assay.checks.catalog import markdown_table
from assay.checks.options import CheckOptions
from assay.checks.registry import kinds as check_kinds
from assay.cli.app import app
from assay.findings.inputs.registry import finding_inputs
from assay.metrics.registry import metric_kinds
from assay.project import compare_models, models
from assay.project.survivorship import Survivorship
from assay.warehouse import schema

DOCS = Path(__file__).resolve().parents[1] / "docs"


def documented(name: str) -> set[str]:
    """Inline code spans of a doc (fenced blocks removed first)."""
    text = re.sub(r"```.*?```", "", (DOCS / name).read_text(), flags=re.S)
    return set(re.findall(r"`([^`\n]+)`", text))


def model_keys(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def test_every_project_key_is_documented() -> None:
    words = documented("project-file.md")
    for model in (
        models.Project,
        models.Source,
        models.ColumnSpec,
        models.Control,
        models.Access,
        models.FindingRule,
        models.ReportSettings,
        models.Target,
        *(kind.options for kind in metric_kinds().values()),
    ):
        for key in model_keys(model) - {"kind"}:
            assert key in words, f"{model.__name__}.{key} is undocumented"
    for key in model_keys(models.AssetReconcile):
        assert f"assets.{key}" in words
    for key in model_keys(Survivorship):
        assert f"survivorship.{key}" in words
    for key in model_keys(compare_models.CompareSpec):
        assert key in words, f"CompareSpec.{key} is undocumented"
    for key in model_keys(compare_models.Tolerance):
        assert f"tolerance.{key}" in words


def test_every_check_kind_and_option_is_documented() -> None:
    """docs/checks.md holds the kinds table the registry generates, and every common option."""
    text = (DOCS / "checks.md").read_text()
    table = text.split("<!-- kinds:start -->\n", 1)[1].split("<!-- kinds:end -->", 1)[0]
    assert table == markdown_table(), "docs/checks.md is stale: python -m assay.checks.catalog prints the table"
    common = model_keys(CheckOptions)
    assert common <= documented("checks.md")
    for kind, model in check_kinds().items():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{kind}` |")), None)
        assert row is not None, f"check kind {kind} has no row in docs/checks.md"
        for key in model_keys(model) - common:
            assert f"`{key}`" in row, f"{kind}.{key} is undocumented"


def test_every_metric_kind_is_documented() -> None:
    words = documented("project-file.md")
    assert set(metric_kinds()) <= words
    assert set(finding_inputs()) <= words
    assert set(models.ENTITY_COLUMNS) <= words


def test_every_warehouse_table_is_documented() -> None:
    text = (DOCS / "warehouse.md").read_text()
    tables = [v for k, v in vars(schema).items() if k.isupper() and isinstance(v, str) and v.startswith("assay_")]
    assert len(tables) >= 10
    for table in tables:
        assert f"`{table}`" in text, table
    for table, columns in schema.HISTORY.items():
        section = text.split(f"`{table}`", 1)[1][:1200]
        for column in columns.names:
            assert column in section, (table, column)


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"assay {name}" in text, name
