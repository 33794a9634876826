"""One input file as the readers see it: where it is, how it is named in quarantine, its bytes.

DuckDB reads UTF-8 text, plain, gzip or zstd compressed. Files in another encoding are
transcoded to UTF-8 once, streamed in blocks into a scratch file (no row is parsed in Python),
so every reader and every engine sees the same text.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import zstandard

from assay.errors import SourceError

_BLOCK = 1 << 20
_CODECS = {"utf-8": "utf-8-sig", "latin-1": "latin-1", "windows-1252": "cp1252", "utf-16": "utf-16"}


@dataclass(frozen=True)
class InputFile:
    """`path` is what DuckDB reads (UTF-8); `name` is the file's path relative to the project."""

    path: Path
    name: str


def compression(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {".gz": "gzip", ".zst": "zstd"}.get(suffix)


def open_bytes(path: Path) -> BinaryIO:
    """The file's decompressed bytes as a stream."""
    kind = compression(path)
    if kind == "gzip":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if kind == "zstd":
        return zstandard.ZstdDecompressor().stream_reader(path.open("rb"))
    return path.open("rb")


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes as stored (compressed or not)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def as_utf8(path: Path, name: str, encoding: str, scratch: Path) -> InputFile:
    """The file itself when it is UTF-8; otherwise a UTF-8 copy decoded block by block."""
    if encoding == "utf-8":
        return InputFile(path, name)
    out = scratch / (hashlib.sha256(str(path).encode()).hexdigest()[:16] + ".csv")
    decoder = codecs.getincrementaldecoder(_CODECS[encoding])(errors="strict")
    done = 0
    with open_bytes(path) as src, out.open("w", encoding="utf-8", newline="") as dst:
        try:
            for block in iter(lambda: src.read(_BLOCK), b""):
                dst.write(decoder.decode(block))
                done += len(block)
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise SourceError(f"{name}: not valid {encoding} at byte {done + exc.start}: {exc.reason}") from None
    return InputFile(out, name)


@dataclass(frozen=True)
class LineStats:
    """Physical lines of a text file, and whether any is blank or starts with the comment mark."""

    lines: int
    gaps: bool


def line_stats(path: Path, comment: str | None) -> LineStats:
    """Counted on the bytes, block by block (C-speed `bytes.count`), to spare a parse when the
    file has no blank or comment line, the common case."""
    markers = [b"\n\n", b"\n\r\n", *([b"\n" + comment.encode()] if comment else [])]
    lines, gaps, carry, last = 0, False, b"\n", b""
    with open_bytes(path) as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            lines += block.count(b"\n")
            window = carry + block
            gaps = gaps or any(m in window for m in markers)
            carry, last = window[-2:], block[-1:]
    return LineStats(lines + (1 if last and last != b"\n" else 0), gaps)
