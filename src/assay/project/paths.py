"""Keep source paths inside the project folder, or inside the outside locations it declares.

A project file is often written by someone other than the person who runs it, so a path must
not reach files the project was never meant to read (`/etc/passwd`, `../../secrets`, a symlink
out of the folder). Every path is resolved (symlinks followed) and must land inside the project
folder or inside one of the project's `data_roots` (absolute folders, or URI prefixes such as
`s3a://bucket/exports/`). Validation calls `confine` for each source, and the reader calls it
again at run time, because files and links can change between the two.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class PathRefused(ValueError):
    """A path that would leave the project folder and its declared data roots."""


def is_uri(text: str) -> bool:
    return bool(_URI.match(text))


def check_root(root: str) -> str:
    """A data root must be an absolute folder or a URI prefix; relative roots would be ambiguous."""
    if is_uri(root):
        if ".." in PurePosixPath(root.split("://", 1)[1]).parts:
            raise ValueError(f"data root {root!r} must not contain '..'")
        return root if root.endswith("/") else root + "/"
    if not Path(root).is_absolute():
        raise ValueError(f"data root {root!r} must be an absolute folder or a URI prefix such as s3a://bucket/exports/")
    return root


def confine(project_dir: Path, path: str, data_roots: Sequence[str] = ()) -> list[Path | str]:
    """Where `path` (maybe a glob) may be read: the resolved files it matches now, each checked.

    A URI is returned as is when it starts with a declared URI root. A local path must resolve
    (after symlinks, for the pattern's fixed part and for each file it matches) inside the project
    folder or a declared folder root. Raises PathRefused naming the rule broken.
    """
    if is_uri(path):
        if ".." in PurePosixPath(path.split("://", 1)[1]).parts:
            raise PathRefused(f"{path!r} contains '..'")
        if not any(path.startswith(root) for root in data_roots if is_uri(root)):
            raise PathRefused(f"{path!r} is outside the project; declare its location in data_roots to read it")
        return [path]
    allowed = [project_dir.resolve(), *(Path(r).resolve() for r in data_roots if not is_uri(r))]
    candidate = Path(path)
    if candidate.is_absolute() and not any(Path(r).is_absolute() for r in data_roots if not is_uri(r)):
        raise PathRefused(f"{path!r} is an absolute path; use a path relative to the project folder, or declare its folder in data_roots")
    if ".." in candidate.parts:
        raise PathRefused(f"{path!r} contains '..'; paths stay inside the project folder (or a folder declared in data_roots)")
    if "\x00" in path:
        raise PathRefused(f"{path!r} contains a NUL character")
    full = candidate if candidate.is_absolute() else project_dir / candidate
    fixed = _fixed_part(full)
    _inside(fixed, allowed, path)
    matches = sorted(Path(p) for p in glob.glob(str(full))) if glob.has_magic(str(full)) else [full]
    return [_inside(m, allowed, path) for m in matches if m.exists() or m.is_symlink()]


def _fixed_part(path: Path) -> Path:
    """The leading part of a glob before its first wildcard: it must be inside already."""
    parts: list[str] = []
    for part in path.parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts)


def _inside(path: Path, allowed: list[Path], shown: str) -> Path:
    try:
        resolved = path.resolve(strict=False)
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL in the name
        raise PathRefused(f"{shown!r} cannot be resolved: {exc}") from None
    if not any(resolved.is_relative_to(root) for root in allowed):
        via = f" (it leads to {resolved})" if resolved != path.absolute() else ""
        raise PathRefused(f"{shown!r} resolves outside the project folder{via}; declare the location in data_roots to read it")
    return resolved
