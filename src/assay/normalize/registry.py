"""Normalizers by name, so the project file can ask for one with options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import ibis
from pydantic import BaseModel, ConfigDict

from assay.engine import Engine
from assay.normalize.result import Fast, Normalized


class Options(BaseModel):
    """Base of every normalizer's options: unknown keys are a configuration error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


OptionsT = TypeVar("OptionsT", bound=Options)
Apply = Callable[[ibis.Value, OptionsT, Engine], Normalized]
ApplyFast = Callable[[ibis.Value, OptionsT, Engine], Fast | None]


@dataclass(frozen=True)
class Normalizer:
    name: str
    options: type[Options]
    apply: Apply
    produces: str = "string"
    """The column type of the values it returns; a column naming the normalizer has this type."""
    fast: ApplyFast | None = None
    """Its exact shortcut for well-formed text (see `Fast`), where it has one."""


_NORMALIZERS: dict[str, Normalizer] = {}


def register(name: str, options: type[OptionsT], produces: str = "string") -> Callable[[Apply], Apply]:
    """Make a normalizer function available under `name`, validated by `options`, returning `produces` values."""

    def decorate(fn: Apply) -> Apply:
        _NORMALIZERS[name] = Normalizer(name, options, fn, produces)
        return fn

    return decorate


def register_fast(name: str) -> Callable[[ApplyFast], ApplyFast]:
    """Give the registered normalizer `name` a fast path; it must agree with the normalizer where it applies."""

    def decorate(fn: ApplyFast) -> ApplyFast:
        _NORMALIZERS[name] = replace(_NORMALIZERS[name], fast=fn)
        return fn

    return decorate


def lookup(name: str) -> Normalizer:
    """The normalizer called `name`; a KeyError names the known ones so a typo is easy to fix."""
    try:
        return _NORMALIZERS[name]
    except KeyError:
        raise KeyError(f"unknown normalizer {name!r}; known normalizers: {', '.join(names())}") from None


def names() -> list[str]:
    return sorted(_NORMALIZERS)
