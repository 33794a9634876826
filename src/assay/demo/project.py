"""The demo project: generated data plus the example `assay.yml` shipped with the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from assay.demo.generator import DemoManifest, generate


def example_project_text() -> str:
    """The example project file; the docs and tests use the same one."""
    return files("assay.demo").joinpath("assay.yml").read_text(encoding="utf-8")


def write_demo(out: Path, *, assets: int = 20_000, weeks: int = 12, seed: int = 7) -> DemoManifest:
    """Write data, truths and `assay.yml` into `out` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = generate(out, assets=assets, weeks=weeks, seed=seed)
    (out / "assay.yml").write_text(example_project_text(), encoding="utf-8")
    return manifest
