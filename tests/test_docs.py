"""Every setting, check kind, metric kind, warehouse table and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from assay.cli.app import app
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
        models.CoverageMetric,
        models.OpenCountMetric,
        models.DurationMetric,
        models.SlaMetric,
        *models.CHECK_KINDS.values(),
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


def test_every_check_and_metric_kind_is_documented() -> None:
    words = documented("project-file.md")
    assert set(models.CHECK_KINDS) <= words
    assert set(models.METRIC_KINDS) <= words
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
