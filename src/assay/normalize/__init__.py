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
from assay.normalize.result import Fast, Normalized

__all__ = ["Fast", "Normalized", "fast_path", "normalize", "normalizer_names", "normalizer_type", "options_model"]


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
    return normalizer.apply(value, _validated(normalizer.options, options), engine)


def fast_path(name: str, value: ibis.StringValue, options: dict | BaseModel | None, engine: Engine) -> Fast | None:
    """`name`'s exact shortcut for the well-formed part of untrimmed `value` (see `Fast`); None where it has none."""
    normalizer = lookup(name)
    if normalizer.fast is None:
        return None
    return normalizer.fast(value, _validated(normalizer.options, options), engine)


def _validated(model: type[BaseModel], options: dict | BaseModel | None) -> BaseModel:
    if options is None:
        options = {}
    if isinstance(options, BaseModel) and not isinstance(options, model):
        options = options.model_dump()
    if not isinstance(options, model):
        options = model.model_validate(options)
    return options
