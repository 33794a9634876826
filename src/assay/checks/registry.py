"""Check kinds by name, like the normalizers' registry: a kind registers itself on import.

`assay.checks.kinds` imports every built-in kind; a project (or a test) can register more by
importing a module that uses :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from assay.checks.options import CheckOptions

OptionsT = TypeVar("OptionsT", bound=type[CheckOptions])

_KINDS: dict[str, type[CheckOptions]] = {}


def register(
    kind: str, fails_when: str, shorthand: str | None = None, example: str = "", failing: str = ""
) -> Callable[[OptionsT], OptionsT]:
    """Make the options model decorated available as check kind `kind`.

    `fails_when`, `example` (the check as written in a project file) and `failing` (data that
    fails that example) make the kind's row in docs/checks.md (see `assay.checks.catalog`).
    """

    def decorate(model: OptionsT) -> OptionsT:
        if kind in _KINDS and _KINDS[kind] is not model:
            raise ValueError(f"check kind {kind!r} is registered twice ({_KINDS[kind].__module__} and {model.__module__})")
        model.kind = kind
        model.fails_when = fails_when
        model.shorthand = shorthand
        model.example = example
        model.failing = failing
        _KINDS[kind] = model
        return model

    return decorate


def _builtins() -> dict[str, type[CheckOptions]]:
    import assay.checks.kinds  # noqa: F401 - importing registers the built-in kinds

    return _KINDS


def lookup(kind: str) -> type[CheckOptions]:
    """The options model of `kind`; the KeyError lists the known kinds so a typo is easy to fix."""
    kinds = _builtins()
    try:
        return kinds[kind]
    except KeyError:
        raise KeyError(f"unknown check kind {kind!r}; expected one of: {', '.join(sorted(kinds))}") from None


def kinds() -> dict[str, type[CheckOptions]]:
    """Every registered kind, by name (sorted)."""
    return dict(sorted(_builtins().items()))
