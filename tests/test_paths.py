"""Source paths stay in the project folder unless the project declares outside locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.errors import ConfigError
from assay.project import load_project
from assay.project.paths import PathRefused, confine
from tests.tiny import write_tiny


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    (project / "data").mkdir(parents=True)
    outside.mkdir()
    (project / "data" / "a.csv").write_text("x\n")
    (project / "data" / "b.csv").write_text("x\n")
    (outside / "secret.csv").write_text("x\n")
    return project, outside


def test_relative_paths_and_globs_resolve_inside(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    assert confine(project, "data/a.csv") == [(project / "data" / "a.csv").resolve()]
    assert confine(project, "data/*.csv") == [(project / "data" / n).resolve() for n in ("a.csv", "b.csv")]
    assert confine(project, "data/missing.csv") == []  # a missing file is the reader's error, not a refusal


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside/secret.csv", "data/../../outside/secret.csv"])
def test_absolute_and_parent_paths_are_refused(layout: tuple[Path, Path], path: str) -> None:
    project, _ = layout
    with pytest.raises(PathRefused):
        confine(project, path)


def test_symlinked_file_out_is_refused(layout: tuple[Path, Path]) -> None:
    project, outside = layout
    (project / "data" / "link.csv").symlink_to(outside / "secret.csv")
    with pytest.raises(PathRefused, match="leads to"):
        confine(project, "data/link.csv")
    with pytest.raises(PathRefused):  # the glob matches the link too
        confine(project, "data/*.csv")


def test_symlinked_folder_out_is_refused(layout: tuple[Path, Path]) -> None:
    project, outside = layout
    (project / "shared").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PathRefused):
        confine(project, "shared/secret.csv")
    with pytest.raises(PathRefused):
        confine(project, "shared/*.csv")


def test_symlink_inside_the_project_is_fine(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    (project / "alias.csv").symlink_to(project / "data" / "a.csv")
    assert confine(project, "alias.csv") == [(project / "data" / "a.csv").resolve()]


def test_declared_data_root_allows_absolute_and_linked_paths(layout: tuple[Path, Path]) -> None:
    project, outside = layout
    roots = [str(outside)]
    assert confine(project, str(outside / "secret.csv"), roots) == [(outside / "secret.csv").resolve()]
    (project / "shared").symlink_to(outside, target_is_directory=True)
    assert confine(project, "shared/*.csv", roots) == [(outside / "secret.csv").resolve()]
    with pytest.raises(PathRefused):  # a root is not a licence for everything else
        confine(project, "/etc/passwd", roots)


def test_uri_sources_need_a_declared_prefix(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    roots = ["s3a://bucket/exports/"]
    assert confine(project, "s3a://bucket/exports/day=1/x.parquet", roots) == ["s3a://bucket/exports/day=1/x.parquet"]
    for path in ("s3a://bucket/other/x.parquet", "s3a://bucket/exports/../private/x.parquet", "s3a://bucket/exportsX/x.parquet"):
        with pytest.raises(PathRefused):
            confine(project, path, roots)
    with pytest.raises(PathRefused):
        confine(project, "s3a://bucket/exports/x.parquet")


def _project_with(tmp_path: Path, path: str, roots: str = "") -> Path:
    project = write_tiny(tmp_path / "p", [])
    text = (project / "assay.yml").read_text().replace("path: inv.csv", f"path: {path}\n    format: csv")
    (project / "assay.yml").write_text(roots + text)
    return project


def test_validate_names_file_line_and_key(tmp_path: Path) -> None:
    project = _project_with(tmp_path, "/etc/passwd")
    with pytest.raises(ConfigError) as info:
        load_project(project)
    assert info.value.problems == [
        f"{project / 'assay.yml'}:4: sources.inv.path: '/etc/passwd' is an absolute path; "
        "use a path relative to the project folder, or declare its folder in data_roots"
    ]


def test_validate_refuses_a_symlink_out(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.csv").write_text("host,kind,owner\n")
    project = write_tiny(tmp_path / "p", [])
    (project / "inv.csv").unlink()
    (project / "inv.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(ConfigError, match=r"assay.yml:4: sources.inv.path: 'inv.csv' resolves outside the project folder"):
        load_project(project)


def test_validate_accepts_a_declared_root_and_rejects_a_relative_one(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "inv.csv").write_text("host,kind,owner\n")
    model, _ = load_project(_project_with(tmp_path, str(shared / "inv.csv"), f"data_roots: [{shared}]\n"))
    assert model.data_roots == [str(shared)]
    with pytest.raises(ConfigError, match=r"assay.yml:1: data_roots.0: data root 'shared' must be an absolute folder"):
        load_project(_project_with(tmp_path / "b", "inv.csv", "data_roots: [shared]\n"))


def test_a_link_swapped_after_validation_is_refused_at_run_time(tmp_path: Path) -> None:
    """Validation checks paths when the project is opened; ingest checks them again, so a file
    replaced by a link to the outside between the two is not read."""
    from datetime import date

    from assay.errors import RunError
    from assay.workspace import Workspace

    project = write_tiny(tmp_path / "p", [("web-1", "2026-01-05 10:00:00")])
    outside = tmp_path / "outside.csv"
    outside.write_text("host,kind,owner\nsecret-host,host,x@example.com\n")
    ws = Workspace.open(project)
    (project / "inv.csv").unlink()
    (project / "inv.csv").symlink_to(outside)
    with pytest.raises(RunError, match=r"source 'inv': path refused: .*inv\.csv"):
        ws.run(date(2026, 1, 8))
    ws.close()


def test_a_database_source_has_no_file_path_to_confine(tmp_path: Path) -> None:
    """Path checks skip a source that reads a database (it has no `path`) instead of failing on it."""
    project = write_tiny(tmp_path / "p", [])
    source = "  tickets:\n    database: {url: 'duckdb:///t.duckdb', table: tickets}\n    entity: ticket\n    columns: {id: id, org: org}\n"
    (project / "assay.yml").write_text((project / "assay.yml").read_text().replace("sources:\n", "sources:\n" + source, 1))
    model, _ = load_project(project)
    assert model.sources["tickets"].path is None
    assert model.sources["tickets"].database is not None
