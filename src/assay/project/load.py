"""Load and validate a project folder, turning every problem into a located message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from assay.errors import ConfigError
from assay.project.compare_models import compare_problems
from assay.project.models import OPTIONAL_ENTITY_COLUMNS, Project
from assay.project.paths import PathRefused, confine
from assay.project.references import finding_rule_problems, metric_problems
from assay.project.yaml_loader import KeyPath, line_of, load_yaml

PROJECT_FILE = "assay.yml"


def project_file(project: Path) -> Path:
    """Accept either the project folder or the file itself."""
    return project / PROJECT_FILE if project.is_dir() else project


def load_project(project: Path) -> tuple[Project, Path]:
    """Return the validated project and its folder, or raise ConfigError listing every problem."""
    path = project_file(project)
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError([f"{path}:1: the project file must be a mapping of keys (name, sources, ...)"])
    try:
        model = Project.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_located(path, lines, _clean_loc(e["loc"], data), _message(e)) for e in exc.errors()]) from None
    found = [*cross_reference_problems(model), *path_problems(model, path.parent)]
    problems = [_located(path, lines, at, msg) for at, msg in found]
    if not problems:
        from assay.metrics.frameworks import framework_problems

        problems = [msg if at is None else _located(path, lines, at, msg) for at, msg in framework_problems(model, path.parent)]
    if problems:
        raise ConfigError(problems)
    return model, path.parent


def path_problems(p: Project, project_dir: Path) -> list[tuple[KeyPath, str]]:
    """Source paths that leave the project folder and its declared data roots (see paths.confine)."""
    out: list[tuple[KeyPath, str]] = []
    for name, source in p.sources.items():
        if source.path is None:  # a database source reads no files
            continue
        try:
            confine(project_dir, source.path, p.data_roots)
        except PathRefused as exc:
            out.append((("sources", name, "path"), str(exc)))
    return out


def cross_reference_problems(p: Project) -> list[tuple[KeyPath, str]]:
    """Names that must point at something declared elsewhere in the file."""
    out: list[tuple[KeyPath, str]] = []

    def need(at: KeyPath, name: str, entity: str | None) -> None:
        source = p.sources.get(name)
        if source is None:
            out.append((at, f"unknown source {name!r}; declared sources: {', '.join(p.sources)}"))
        elif entity and source.entity != entity:
            out.append((at, f"source {name!r} is a {source.entity}, expected a {entity} source"))

    def has_column(at: KeyPath, source: str, column: str) -> None:
        if source in p.sources and column not in p.sources[source].columns:
            known = ", ".join(p.sources[source].columns)
            out.append((at, f"source {source!r} has no column {column!r}; its columns: {known}"))

    if p.reconcile:
        for i, name in enumerate(p.reconcile.assets.sources):
            need(("reconcile", "assets", "sources", i), name, "asset")
        for column, keep in p.reconcile.assets.survivorship.items():
            at = ("reconcile", "assets", "survivorship", column)
            if column not in OPTIONAL_ENTITY_COLUMNS["asset"]:
                out.append((at, f"survivorship applies to owner_email or org, not {column!r}"))
            for i, name in enumerate(keep.sources or []):
                if name not in p.reconcile.assets.sources:
                    out.append(((*at, i), f"{name!r} is not one of reconcile.assets.sources"))
            if keep.by is not None:
                asset_sources = [p.sources[s] for s in p.reconcile.assets.sources if s in p.sources]
                types = {str(src.columns[keep.by].type) for src in asset_sources if keep.by in src.columns}
                if not types:
                    out.append(((*at, "by"), f"no asset source maps a column {keep.by!r}"))
                elif not types <= {"timestamp", "date"}:
                    out.append(((*at, "by"), f"{keep.by!r} must be a timestamp or date column, not {', '.join(sorted(types))}"))
        mapped = {c for s in p.reconcile.assets.sources if s in p.sources for c in p.sources[s].columns}
        for i, match_pass in enumerate(p.reconcile.assets.match):
            for key in match_pass.keys:
                if key not in mapped:
                    out.append(
                        (
                            ("reconcile", "assets", "match", i, "keys"),
                            f"no asset source maps a column {key!r}; mapped: {', '.join(sorted(mapped))}",
                        )
                    )
        for i, key in enumerate(p.reconcile.assets.strong_keys):
            if key not in mapped:
                out.append(
                    (
                        ("reconcile", "assets", "strong_keys", i),
                        f"no asset source maps a column {key!r}; mapped: {', '.join(sorted(mapped))}",
                    )
                )
        for name in p.reconcile.assets.asset_types_by_source:
            if name not in p.reconcile.assets.sources:
                out.append((("reconcile", "assets", "asset_types_by_source", name), f"{name!r} is not one of reconcile.assets.sources"))
    for cname, control in p.controls.items():
        for i, name in enumerate(control.evidence):
            need(("controls", cname, "evidence", i), name, "observation")
        if p.reconcile is None:
            out.append((("controls", cname), "controls need reconcile.assets to know which assets exist"))
    if p.access:
        need(("access", "grants"), p.access.grants, "grant")
        need(("access", "people"), p.access.people, "person")
    for sname, checks in p.checks.items():
        if sname not in p.sources:
            need(("checks", sname), sname, None)
            continue
        for i, check in enumerate(checks):
            for column in check.spec.columns_read():
                has_column(("checks", sname, i, check.kind), sname, column)
            for other, other_column in check.spec.references():
                need(("checks", sname, i, check.kind), other, None)
                if other_column is not None:
                    has_column(("checks", sname, i, check.kind), other, other_column)
    if p.gate is not None:
        from assay.checks.run import check_ids

        declared = [c for ids in check_ids(p).values() for c in ids]
        for pattern in p.gate.unmatched(declared):
            out.append(
                (
                    ("gate", "checks", p.gate.checks.index(pattern)),
                    f"{pattern!r} names no check; check ids: {', '.join(declared) or '(no checks declared)'}",
                )
            )
    for mname, metric in p.metrics.items():
        out.extend(metric_problems(p, mname, metric))
    out.extend(finding_rule_problems(p))
    out += compare_problems(p)
    return out


def _clean_loc(loc: tuple[Any, ...], data: dict[str, Any]) -> KeyPath:
    """Drop the labels pydantic adds for validators, and put back the check kind its one-key form
    hides (`checks.src.0.freshness.max_age`), so paths match the file."""
    parts = [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    if len(parts) > 3 and parts[0] == "checks":
        try:
            check = data["checks"][parts[1]][parts[2]]
        except (KeyError, IndexError, TypeError):
            check = None
        if isinstance(check, dict) and len(check) == 1 and parts[3] not in check:
            parts.insert(3, next(iter(check)))
    return tuple("from" if p == "from_" else p for p in parts)


def _message(error: ErrorDetails) -> str:
    msg = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown key (check the spelling; see docs/project-file.md)"
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] == "literal_error":
        return f"{msg}, got {error.get('input')!r}"
    return msg


def _located(path: Path, lines: dict[KeyPath, int], at: KeyPath, message: str) -> str:
    line = line_of(lines, at)
    where = f"{path}:{line}" if line else str(path)
    dotted = ".".join(str(p) for p in at) or "(top level)"
    return f"{where}: {dotted}: {message}"
