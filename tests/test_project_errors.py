"""Bad project files: every problem is reported with file, line, key path and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.errors import ConfigError
from assay.project import load_project

GOOD = """\
name: tiny
sources:
  inv:
    path: inv.csv
    entity: asset
    columns:
      name: {from: host, normalize: hostname}
      asset_type: kind
  obs:
    path: obs.csv
    entity: observation
    columns:
      name: host
      observed_at: {from: seen, type: timestamp}
reconcile:
  assets: {sources: [inv]}
controls:
  edr: {evidence: obs, applies_to: {asset_type: [host]}, freshness: 7d}
checks:
  inv:
    - not_null: name
    - unique: name
metrics:
  cov: {kind: coverage, by: [control]}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "assay.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    return info.value.problems


def test_good_project_loads(tmp_path: Path) -> None:
    (tmp_path / "assay.yml").write_text(GOOD)
    project, folder = load_project(tmp_path)
    assert project.name == "tiny" and folder == tmp_path
    assert project.controls["edr"].freshness.days == 7
    assert [c.kind for c in project.checks["inv"]] == ["not_null", "unique"]


def test_unknown_key_names_line_and_path(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("    entity: asset\n", "    entity: asset\n    entitty: asset\n"))
    assert problem.endswith("assay.yml:6: sources.inv.entitty: unknown key (check the spelling; see docs/project-file.md)")


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("    path: inv.csv\n", "    path: inv.csv\n    path: other.csv\n"))
    assert ":5: sources.inv.path: duplicate key (first defined on line 4)" in problem


def test_unknown_normalizer_lists_known_ones(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("normalize: hostname", "normalize: hostnme"))
    assert ":7: sources.inv.columns.name" in problem
    assert "unknown normalizer 'hostnme'" in problem and "hostname" in problem.split("expected one of:")[1]


def test_bad_normalizer_option(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("normalize: hostname}", "normalize: hostname, options: {strip_sufixes: [a.com]}}"))
    assert "sources.inv.columns.name" in problem and "strip_sufixes" in problem


def test_bad_duration_and_type(tmp_path: Path) -> None:
    text = GOOD.replace("freshness: 7d", "freshness: seven days").replace("type: timestamp", "type: datetime")
    found = problems(tmp_path, text)
    assert any(":18: controls.edr.freshness: expected a duration like 7d" in p for p in found), found
    assert any(":14: sources.obs.columns.observed_at.type:" in p and "'datetime'" in p for p in found), found


def test_missing_required_entity_column(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("      asset_type: kind\n", ""))
    assert ":3: sources.inv: " in problem and "entity 'asset' needs columns ['asset_type'] mapped" in problem


def test_reference_to_unknown_source(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("{evidence: obs,", "{evidence: obz,"))
    assert ":18: controls.edr.evidence.0: unknown source 'obz'; declared sources: inv, obs" in problem


def test_check_on_unknown_column_and_kind(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("    - unique: name\n", "    - unique: nme\n    - not_nul: name\n"))
    assert any("checks.inv.2" in p and "unknown check kind 'not_nul'" in p for p in found), found
    text = GOOD.replace("    - unique: name\n", "    - unique: nme\n")
    [problem] = problems(tmp_path, text)
    assert ":22: checks.inv.1.unique: source 'inv' has no column 'nme'; its columns: name, asset_type" in problem


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("  inv:\n    path", "  inv:\n   path: [\n    path"))
    assert "invalid YAML" in problem and "assay.yml:" in problem


def test_python_tags_are_refused(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "name: !!python/object/apply:os.system ['echo hi']\n")
    assert "invalid YAML" in problem


def test_metric_kind_unknown(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("kind: coverage", "kind: coverag"))
    assert ":24: metrics.cov" in problem and "coverag" in problem


def test_metric_field_path_names_the_metric(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("by: [control]", "by: [contrl]"))
    assert ":24: metrics.cov.by.0: 'coverage' has no column 'contrl'; its columns: asset_key, asset_type, name, control" in problem


def test_check_argument_missing(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, GOOD.replace("    - unique: name\n", "    - accepted_values: {values: [a]}\n"))
    assert ":22: checks.inv.1.accepted_values.column: required key is missing" in problem
