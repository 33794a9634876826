"""The coverage matrix: one row per in-scope asset × control (see `assay.reconcile.coverage`)."""

from __future__ import annotations

import ibis

from assay.findings.inputs.base import BuildContext, FindingInput
from assay.project.models import Project
from assay.reconcile.coverage import coverage_matrix
from assay.warehouse import schema as w


def _missing(project: Project) -> str | None:
    if not project.controls:
        return "it needs controls"
    if project.reconcile is None:
        return "it needs reconcile.assets"
    return None


def _build(ctx: BuildContext) -> ibis.Table:
    if ctx.golden_assets is None:
        raise ValueError("the coverage input needs the golden assets of reconcile.assets")
    return coverage_matrix(ctx.engine, ctx.golden_assets, ctx.project.controls, ctx.as_of)


INPUT = FindingInput(
    name="coverage",
    table=w.COVERAGE,
    schema={
        "asset_key": "string",
        "asset_type": "string",
        "name": "string",
        "control": "string",
        "covered": "boolean",
        "last_seen_at": "timestamp",
        "owner_email": "string",
        "org": "string",
    },
    entity_key=("asset_key", "control"),
    detail_columns=("asset_type", "name", "control", "org", "last_seen_at"),
    missing=_missing,
    build=_build,
)
