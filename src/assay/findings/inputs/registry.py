"""Every finding input, found by scanning this package for modules that define `INPUT`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import ibis

import assay.findings.inputs as package
from assay.findings.inputs.base import BuildContext, FindingInput


@cache
def finding_inputs() -> dict[str, FindingInput]:
    """Name → input, in module-name order (stable, so error messages list them the same way)."""
    found: dict[str, FindingInput] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
        declared = getattr(importlib.import_module(f"{package.__name__}.{module}"), "INPUT", None)
        if isinstance(declared, FindingInput):
            found[declared.name] = declared
    return found


def build_inputs(ctx: BuildContext) -> dict[str, ibis.Table]:
    """Build each input the project can have into a work table (`_work_<name>`), selected in its
    declared column order so the published table matches the contract."""
    out: dict[str, ibis.Table] = {}
    for name, spec in finding_inputs().items():
        if spec.missing(ctx.project) is None:
            out[name] = ctx.engine.scratch(f"_work_{name}", spec.build(ctx).select(*spec.schema))
    return out
