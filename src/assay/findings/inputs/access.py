"""Active grants joined to the HR roster (see `assay.reconcile.access`)."""

from __future__ import annotations

import ibis

from assay.findings.inputs.base import BuildContext, FindingInput
from assay.project.models import Project
from assay.reconcile.access import access_table
from assay.warehouse import schema as w


def _missing(project: Project) -> str | None:
    return None if project.access is not None else "it needs an access: section"


def _build(ctx: BuildContext) -> ibis.Table:
    if ctx.project.access is None:
        raise ValueError("the access input needs an access: section")
    return access_table(ctx.engine, ctx.project.access, ctx.project.sources, ctx.as_of)


INPUT = FindingInput(
    name="access",
    table=w.ACCESS,
    schema={
        "email": "string",
        "system": "string",
        "role": "string",
        "privileged": "boolean",
        "granted_at": "timestamp",
        "person_known": "boolean",
        "person_status": "string",
        "terminated_on": "date",
        "org": "string",
    },
    entity_key=("email", "system", "role"),
    detail_columns=("email", "system", "role", "privileged", "granted_at", "person_status", "terminated_on", "org"),
    missing=_missing,
    build=_build,
    values={"person_status": ("active", "terminated", "unknown")},
)
