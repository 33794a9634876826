"""The self-contained HTML report: `build_report(engine, context, out_path)` writes one file.

Numbers come only from warehouse tables of successful runs; see `build.py` for the flow.
"""

from assay.report.build import build_report
from assay.report.context import Definition, ReportContext

__all__ = ["Definition", "ReportContext", "build_report"]
