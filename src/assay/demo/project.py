"""The demo project: generated data plus the example `assay.yml` shipped with the package."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from assay.demo.generator import DemoManifest, generate
from assay.errors import AssayError

TRUTH_MARKER = Path("truth") / "planted.json"


def example_project_text() -> str:
    """The example project file; the docs and tests use the same one."""
    return files("assay.demo").joinpath("assay.yml").read_text(encoding="utf-8")


def write_demo(out: Path, *, assets: int = 20_000, weeks: int = 12, seed: int = 7) -> DemoManifest:
    """Write data, truths and `assay.yml` into `out`, starting a fresh warehouse.

    Only an empty folder or an earlier demo's folder is written into, so a mistyped `--out`
    cannot clobber a real project.
    """
    if out.exists() and any(out.iterdir()) and not (out / TRUTH_MARKER).exists():
        raise AssayError(f"{out} is not empty and is not an earlier demo; choose another --out folder")
    for leftover in (out / "warehouse.duckdb", out / "warehouse.duckdb.wal", out / "report.html"):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(out / ".assay", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    manifest = generate(out, assets=assets, weeks=weeks, seed=seed)
    (out / "assay.yml").write_text(example_project_text(), encoding="utf-8")
    (out / "frameworks").mkdir(exist_ok=True)
    for mapping in files("assay.demo").joinpath("frameworks").iterdir():
        if mapping.name.endswith(".yml"):
            (out / "frameworks" / mapping.name).write_text(mapping.read_text(encoding="utf-8"), encoding="utf-8")
    return manifest
