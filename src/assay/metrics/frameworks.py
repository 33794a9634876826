"""Framework roll-up: coverage and open findings by framework requirement and function.

A mapping file (one per framework, named in the project's `frameworks`) links each requirement
(a NIST CSF 2.0 subcategory, a CIS Controls v8 safeguard, ...) to the project's controls:

    name: NIST CSF 2.0
    requirements:
      PR.PS-04: {function: Protect, title: Log records are generated ..., controls: [logging]}

A requirement's coverage is covered ÷ in-scope asset-control pairs over its controls; a
function's counts each pair once however many of its requirements name the control. Open
findings are those of coverage rules whose entity is one of those pairs' controls.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
from pydantic import Field, ValidationError

from assay.findings.lifecycle import OPEN_STATUSES
from assay.metrics.wilson import wilson_interval
from assay.project.models import Project, Strict
from assay.project.paths import PathRefused, confine
from assay.project.yaml_loader import KeyPath, line_of, load_yaml


class Requirement(Strict):
    function: str = Field(min_length=1)
    title: str = ""
    controls: list[str] = Field(min_length=1)


class FrameworkMapping(Strict):
    name: str = Field(min_length=1)
    requirements: dict[str, Requirement] = Field(min_length=1)


Problem = tuple[KeyPath | None, str]
"""A problem at a key path of the project file, or (None, text) already located in a mapping file."""


def read_mapping(project: Project, project_dir: Path, framework: str) -> tuple[FrameworkMapping | None, list[Problem]]:
    """The validated mapping, or None and the problems, each naming the file, line and key."""
    path_text = project.frameworks[framework]
    at_project: KeyPath = ("frameworks", framework)
    try:
        found = [Path(p) for p in confine(project_dir, path_text, project.data_roots)]
    except PathRefused as exc:
        return None, [(at_project, str(exc))]
    if len(found) != 1 or not found[0].is_file():
        return None, [(at_project, f"no mapping file at {path_text!r} (a framework maps from exactly one file)")]
    path = found[0]
    data, lines = load_yaml(path)
    try:
        mapping = FrameworkMapping.model_validate(data)
    except ValidationError as exc:
        out: list[Problem] = []
        for e in exc.errors():
            at = tuple(e["loc"])
            line = line_of(lines, at)
            out.append((None, f"{path}:{line or 1}: {'.'.join(str(p) for p in at)}: {e['msg'].removeprefix('Value error, ')}"))
        return None, out
    problems: list[Problem] = []
    for req, spec in mapping.requirements.items():
        for i, control in enumerate(spec.controls):
            if control not in project.controls:
                at = ("requirements", req, "controls", i)
                known = ", ".join(project.controls) or "none"
                where = f"{path}:{line_of(lines, at) or 1}: {'.'.join(map(str, at))}"
                problems.append((None, f"{where}: unknown control {control!r}; the project's: {known}"))
    return (None if problems else mapping), problems


def framework_problems(project: Project, project_dir: Path) -> list[Problem]:
    """Every mapping file's problems (for `load_project`)."""
    out: list[Problem] = []
    for framework in project.frameworks:
        if not project.controls:
            out.append((("frameworks", framework), "a framework roll-up needs controls"))
            continue
        out.extend(read_mapping(project, project_dir, framework)[1])
    return out


def mapping_rows(project: Project, project_dir: Path) -> list[dict[str, str]]:
    rows = []
    for framework in project.frameworks:
        mapping, problems = read_mapping(project, project_dir, framework)
        if mapping is None:
            raise ValueError("; ".join(text for _, text in problems))
        for req, spec in mapping.requirements.items():
            for control in spec.controls:
                rows.append(
                    {
                        "framework": framework,
                        "framework_name": mapping.name,
                        "function": spec.function,
                        "requirement": req,
                        "title": spec.title,
                        "control": control,
                    }
                )
    return rows


def framework_rollup(
    project: Project, project_dir: Path, coverage: ibis.Table | None, findings: ibis.Table | None, as_of: date
) -> ibis.Table | None:
    """Rows of `assay_framework_coverage` for this run (without `run_id`); None without frameworks."""
    if not project.frameworks or coverage is None:
        return None
    schema = {
        "framework": "string",
        "framework_name": "string",
        "function": "string",
        "requirement": "string",
        "title": "string",
        "control": "string",
    }
    m = ibis.memtable(mapping_rows(project, project_dir), schema=schema)
    coverage_rules = [n for n, r in project.findings.items() if r.from_ == "coverage"]
    levels = [
        ("requirement", ["framework", "framework_name", "function", "requirement", "title"]),
        ("function", ["framework", "framework_name", "function"]),
    ]
    parts = []
    for level, keys in levels:
        mapped = m.select(*keys, "control").distinct()
        j = coverage.join(mapped, coverage.control == mapped.control)
        agg = j.group_by(keys).aggregate(
            controls=j.control.collect(distinct=True).sort().join(","),
            in_scope=j.count(),
            covered=j.covered.sum().cast("int64"),
        )
        agg = agg.left_join(_open_findings(findings, mapped, keys, coverage_rules), keys, rname="{name}_f")
        low, high = wilson_interval(agg.covered, agg.in_scope)
        parts.append(
            agg.select(
                framework=agg.framework,
                framework_name=agg.framework_name,
                level=ibis.literal(level),
                function=agg.function,
                requirement=agg.requirement if "requirement" in keys else ibis.null("string"),
                title=agg.title if "title" in keys else ibis.null("string"),
                controls=agg.controls,
                in_scope=agg.in_scope.cast("int64"),
                covered=agg.covered,
                coverage=agg.covered.cast("float64") / agg.in_scope.cast("float64").nullif(0),
                ci_low=low,
                ci_high=high,
                open_findings=agg.open_findings.fill_null(0).cast("int64"),
                as_of=ibis.literal(as_of),
            )
        )
    return ibis.union(*parts)


def _open_findings(findings: ibis.Table | None, mapped: ibis.Table, keys: list[str], rules: list[str]) -> ibis.Table:
    """Open findings of coverage rules per group: entity keys are `asset_key|control`."""
    if findings is None or not rules:
        return mapped.group_by(keys).aggregate(open_findings=mapped.count() * 0)
    f = findings.filter(findings.status.isin(OPEN_STATUSES) & findings.rule.isin(rules))
    pairs = f.cross_join(mapped)
    pairs = pairs.filter(pairs.entity_key.endswith("|" + pairs.control))
    return pairs.group_by(keys).aggregate(open_findings=pairs.fingerprint.nunique())
