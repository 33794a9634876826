"""Every metric kind, found by scanning `assay.metrics.kinds` for modules that define `KIND`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import assay.metrics.kinds as package
from assay.metrics.kind import MetricKind


@cache
def metric_kinds() -> dict[str, MetricKind]:
    """Name → kind, in module-name order."""
    found: dict[str, MetricKind] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
        declared = getattr(importlib.import_module(f"{package.__name__}.{module}"), "KIND", None)
        if isinstance(declared, MetricKind):
            found[declared.name] = declared
    return found
