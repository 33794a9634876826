"""The normalization library: the keys security data joins on, canonical on every engine.

Each normalizer maps an Ibis column expression to a :class:`Normalized` pair (canonical value,
problem) using only portable Ibis expressions, so DuckDB, PostgreSQL and Spark produce the
same keys. The ingest stage calls :func:`normalize` by the name used in the project file.
"""

from __future__ import annotations

import ibis
from pydantic import BaseModel

from assay.engine import Engine
from assay.normalize import cloud_id, email, hostname, ip, mac, text, timestamp, vocab  # noqa: F401 - importing registers the normalizers
from assay.normalize.registry import lookup, names
from assay.normalize.result import Normalized

__all__ = ["Normalized", "normalize", "normalizer_names", "normalizer_type", "options_model"]


def normalizer_names() -> list[str]:
    """Names accepted by :func:`normalize`, sorted."""
    return names()


def options_model(name: str) -> type[BaseModel]:
    """The pydantic model (extra keys forbidden) that validates `name`'s options in a project file."""
    return lookup(name).options


def normalizer_type(name: str) -> str:
    """The column type `name` produces (`timestamp` for `timestamp`, `string` for the others)."""
    return lookup(name).produces


def normalize(name: str, value: ibis.Value, options: dict | BaseModel | None, engine: Engine) -> Normalized:
    """Normalize `value` with the normalizer `name`; options may be a dict, a model or None (defaults)."""
    normalizer = lookup(name)
    if options is None:
        options = {}
    if isinstance(options, BaseModel) and not isinstance(options, normalizer.options):
        options = options.model_dump()
    if not isinstance(options, normalizer.options):
        options = normalizer.options.model_validate(options)
    return normalizer.apply(value, options, engine)
