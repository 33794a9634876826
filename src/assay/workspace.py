"""The Python API: open a project, run it, read its results. The CLI is a thin shell over this.

ws = Workspace.open("path/to/project")
ws.run(date(2026, 11, 20))
ws.metrics()            # pyarrow.Table of the latest successful run
ws.engine.table("assay_findings").to_pandas()
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa

from assay.checks.gate import GateVerdict, evaluate_gate
from assay.checks.run import check_ids, run_checks
from assay.engine import Engine, connect
from assay.errors import AssayError
from assay.ingest.stage import ingest_all
from assay.metrics.plan import Plan, coverage_plan
from assay.metrics.registry import metric_kinds
from assay.project import Project, load_project
from assay.report.context import Definition, ReportContext
from assay.run.as_of import AsOf, as_of_instant
from assay.run.lock import run_lock
from assay.run.pipeline import RunResult, StageCallback, run_project
from assay.warehouse import schema as w
from assay.warehouse.history import latest_run, visible


class Workspace:
    """A validated project bound to a connected engine."""

    def __init__(self, project: Project, project_dir: Path, engine: Engine):
        self.project = project
        self.project_dir = project_dir
        self.engine = engine

    @classmethod
    def open(cls, path: Path | str, engine_url: str | None = None) -> Workspace:
        project, project_dir = load_project(Path(path))
        return cls(project, project_dir, connect(engine_url or project.engine, project_dir))

    def run(self, as_of: AsOf, on_stage: StageCallback | None = None, require_gate: bool = False) -> RunResult:
        """Run at the end of the date `as_of` (UTC) or at an aware instant; with `require_gate`, a
        failing quality gate fails the run before it publishes anything."""
        return run_project(self.engine, self.project, self.project_dir, as_of, on_stage, require_gate)

    def gate(self, results: pa.Table) -> GateVerdict:
        """The quality gate's verdict on check results (from `check()` or a run)."""
        return evaluate_gate(self.project.gate, results)

    def check(self, as_of: AsOf) -> pa.Table:
        """Ingest and check without recording a run: a quality gate for schedulers. It loads the
        sources like a run does, so it holds the run lock too."""
        with run_lock(self.engine, self.project.name, self.project_dir):
            ingest_all(self.engine, self.project_dir, self.project.sources, self.project.data_roots)
            return run_checks(self.engine, self.project, as_of_instant(as_of))

    def latest_run(self) -> dict | None:
        return latest_run(self.engine)

    def metrics(self, run_id: str | None = None) -> pa.Table:
        """Metric values of one run (default: the latest successful one)."""
        run = run_id or self.require_run()["run_id"]
        t = visible(self.engine, w.METRIC_VALUES)
        return self.engine.to_arrow(t.filter(t.run_id == run).order_by("metric", "dimensions"))

    def findings(self, status: list[str] | None = None) -> pa.Table:
        self.require_run()
        t = self.engine.table(w.FINDINGS)
        if status:
            t = t.filter(t.status.isin(status))
        return self.engine.to_arrow(t.order_by(ibis.asc("due_at"), "fingerprint"))

    def plan(self, metric: str, target: float | None = None, by: str = "org") -> Plan:
        """The shortest list of groups (`by`: a coverage column) whose fixing brings the coverage
        metric `metric` to `target` (default: the metric's own target), on the latest run."""
        self.require_run()
        spec = self.project.metrics.get(metric)
        if spec is None or spec.kind != "coverage":
            coverage = [n for n, m in self.project.metrics.items() if m.kind == "coverage"]
            raise AssayError(f"plan works on a coverage metric; this project's: {', '.join(coverage) or 'none'}")
        goal = target if target is not None else (spec.target.value if spec.target else None)
        if goal is None:
            raise AssayError(f"metric {metric!r} has no target: give --target")
        return coverage_plan(self.engine, by, goal)

    def report(self, out_path: Path) -> Path:
        from assay.report.build import build_report

        self.require_run()
        return build_report(self.engine, self.report_context(), out_path)

    def report_context(self) -> ReportContext:
        p = self.project
        return ReportContext(
            title=p.report.title,
            project=p.name,
            engine=self.engine.display_url,
            metrics=[Definition(n, m.kind, m.description or metric_kinds()[m.kind].description) for n, m in p.metrics.items()],
            findings_rules=[
                Definition(n, f"from {r.from_}", r.description or f"rows of {r.from_} where {r.where}") for n, r in p.findings.items()
            ],
            checks=[
                Definition(check_id, c.kind, c.spec.text())
                for s, checks in p.checks.items()
                for check_id, c in zip(check_ids(p)[s], checks, strict=True)
            ],
        )

    def require_run(self) -> dict:
        """The latest successful run, or an AssayError saying there is none yet."""
        run = self.latest_run()
        if run is None:
            raise AssayError(f"project {self.project.name!r} has no successful run yet on {self.engine.display_url}; run `assay run` first")
        return run

    def close(self) -> None:
        self.engine.close()
