"""`assay` commands. Each parses its arguments and calls the Workspace; `main` handles errors."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from assay.cli import output
from assay.errors import AssayError, ConfigError, EngineError
from assay.run.as_of import AsOf, parse_as_of
from assay.run.pipeline import STAGES
from assay.secrets import redact
from assay.workspace import Workspace

console = Console()
err = Console(stderr=True)
_state = {"debug": False}


class _Commands(TyperGroup):
    """The one error handler: every error becomes one message on stderr and exit code 2.

    It sits in the command group rather than around `app()`, so in-process runners (typer's
    CliRunner) see exactly what a user sees. Usage errors are typer's own (exit 2 as well).
    """

    # typer.Context is what the group receives; the stub types the parameter as the vendored click base class.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            if _state["debug"]:
                if isinstance(exc, EngineError) and exc.sql:
                    err.print(f"full SQL of the rejected query:\n{exc.sql}", markup=False, highlight=False, soft_wrap=True)
                raise
            print_error(exc)
            raise typer.Exit(2) from None


def print_error(exc: Exception) -> None:
    """One clear, secret-free message per error; an unexpected one says it is a bug."""
    if isinstance(exc, ConfigError):
        err.print(f"[red]invalid project ({len(exc.problems)} problem(s)):[/]")
        for problem in exc.problems:
            err.print(f"  {redact(problem)}", markup=False, highlight=False, soft_wrap=True)
        return
    if isinstance(exc, AssayError):
        message = str(exc)
    elif isinstance(exc, OSError) and exc.strerror:
        message = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        message = f"unexpected {type(exc).__name__}: {exc} (a bug in assay; run with --debug for the traceback)"
    err.print("[red]error:[/] ", end="")
    err.print(redact(message), markup=False, highlight=False, soft_wrap=True)


class MetricsFormat(StrEnum):
    table = "table"
    json = "json"


class FindingsFormat(StrEnum):
    json = "json"
    csv = "csv"


class FindingStatus(StrEnum):
    """A tracked finding's status: `assay.findings.lifecycle.OPEN_STATUSES`, then resolved."""

    new = "new"
    open = "open"
    reopened = "reopened"
    resolved = "resolved"


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Security content assurance and access governance as code.",
)

ProjectArg = Annotated[Path, typer.Argument(help="Project folder (or its assay.yml)")]
EngineOpt = Annotated[str | None, typer.Option("--engine", help="Engine URL overriding the project's engine")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate through the end of this UTC date (YYYY-MM-DD), or at an instant with offset; default today"),
]


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks")] = False) -> None:
    _state["debug"] = debug


AS_OF_RANGE = (date(1900, 1, 1), date(2999, 12, 31))
"""Dates a run can be evaluated at: durations (at most a century) added or subtracted stay valid dates."""


def _as_of(value: str | None) -> AsOf:
    if value is None:
        return datetime.now(UTC).date()
    as_of = parse_as_of(value)
    day = as_of.date() if isinstance(as_of, datetime) else as_of
    low, high = AS_OF_RANGE
    if not low <= day <= high:
        raise AssayError(f"--as-of must be between {low} and {high}, got {value}")
    return as_of


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True)


def run_with_progress(ws: Workspace, as_of: AsOf, require_gate: bool = False):
    with _progress() as progress:
        task = progress.add_task(f"as of {as_of}", total=len(STAGES))

        def on_stage(name: str) -> None:
            progress.update(task, description=f"as of {as_of}: {name}", completed=STAGES.index(name))

        return ws.run(as_of, on_stage, require_gate)


@app.command()
def validate(project: ProjectArg) -> None:
    """Check the project file and report every problem with its line."""
    from assay.project import load_project

    model, _ = load_project(project)
    console.print(
        f"[green]ok[/] {model.name}: {len(model.sources)} sources, {len(model.controls)} controls, "
        f"{sum(len(c) for c in model.checks.values())} checks, {len(model.metrics)} metrics, {len(model.findings)} finding rules"
    )


@app.command()
def run(
    project: ProjectArg,
    as_of: AsOfOpt = None,
    engine: EngineOpt = None,
    require_gate: Annotated[
        bool, typer.Option("--require-gate", help="Fail the run, publishing nothing, when the quality gate fails")
    ] = False,
) -> None:
    """Run the whole flow for one as-of date and record it in the warehouse."""
    ws = Workspace.open(project, engine)
    try:
        output.run_summary(console, run_with_progress(ws, _as_of(as_of), require_gate))
        console.print(output.metrics_table(_overall(ws.metrics()), "Metrics (overall)"))
    finally:
        ws.close()


@app.command()
def report(
    project: ProjectArg,
    out: Annotated[Path | None, typer.Option(help="Output file, or a folder to write report.html in (default: PROJECT)")] = None,
    engine: EngineOpt = None,
) -> None:
    """Write the self-contained HTML report of the latest successful run."""
    ws = Workspace.open(project, engine)
    try:
        target = out or ws.project_dir
        path = ws.report(target / "report.html" if target.is_dir() else target)
        console.print(f"report written to {path}", soft_wrap=True, highlight=False)
    finally:
        ws.close()


@app.command()
def metrics(
    project: ProjectArg,
    format: Annotated[MetricsFormat, typer.Option("--format", help="table or json")] = MetricsFormat.table,
    engine: EngineOpt = None,
) -> None:
    """Metric values of the latest successful run."""
    ws = Workspace.open(project, engine)
    try:
        run_id = ws.require_run()["run_id"]
        values = ws.metrics(run_id)
        if format is MetricsFormat.json:
            sys.stdout.write(output.to_json(values) + "\n")
        else:
            console.print(output.metrics_table(values, f"Metrics of run {run_id}"))
    finally:
        ws.close()


@app.command()
def plan(
    project: ProjectArg,
    metric: Annotated[str, typer.Option("--metric", help="A coverage metric of the project")] = "coverage",
    target: Annotated[float | None, typer.Option("--target", help="Share to reach, e.g. 0.95 (default: the metric's target)")] = None,
    by: Annotated[str, typer.Option("--by", help="Coverage column to group the fixes by: org, owner_email, asset_type, control")] = "org",
    engine: EngineOpt = None,
) -> None:
    """The shortest list of groups whose fixing brings coverage to the target, with the arithmetic."""
    ws = Workspace.open(project, engine)
    try:
        console.print(output.plan_text(ws.plan(metric, target, by), metric), markup=False, highlight=False)
    finally:
        ws.close()


@app.command()
def findings(
    project: ProjectArg,
    format: Annotated[FindingsFormat, typer.Option("--format", help="json or csv")] = FindingsFormat.json,
    status: Annotated[list[FindingStatus] | None, typer.Option(help="Only these statuses (repeatable)")] = None,
    engine: EngineOpt = None,
) -> None:
    """Tracked findings as JSON or spreadsheet-safe CSV."""
    from assay.export.csv_export import to_csv

    ws = Workspace.open(project, engine)
    try:
        rows = ws.findings([s.value for s in status] if status else None)
        text = output.to_json(rows) if format is FindingsFormat.json else to_csv(rows.to_pylist(), rows.column_names)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    finally:
        ws.close()


@app.command()
def check(project: ProjectArg, as_of: AsOfOpt = None, engine: EngineOpt = None) -> None:
    """Ingest and run the checks; exit 1 when the quality gate fails (by default: an error-severity check fails)."""
    ws = Workspace.open(project, engine)
    try:
        results = ws.check(_as_of(as_of))
        verdict = ws.gate(results)
    finally:
        ws.close()
    console.print(output.checks_table(results))
    if not verdict.certified:
        err.print(f"[red]quality gate failed[/] ({len(verdict.reasons)} of {len(verdict.gated)} gated checks):", highlight=False)
        for reason in verdict.reasons:
            err.print(f"  {reason}", soft_wrap=True, highlight=False, markup=False)
        raise typer.Exit(1)
    console.print(f"quality gate passed: {len(verdict.gated)} gated check(s)", highlight=False)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder to write the demo project into")] = Path("demo-output"),
    assets: Annotated[int, typer.Option(help="Number of assets")] = 20_000,
    weeks: Annotated[int, typer.Option(help="Weeks of history to run")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    engine: EngineOpt = None,
) -> None:
    """Write the synthetic ACME organization into OUT, run every week and write the report."""
    from assay.demo.project import write_demo

    with console.status("generating the demo organization"):
        manifest = write_demo(out, assets=assets, weeks=weeks, seed=seed)
    ws = Workspace.open(out, engine)
    try:
        for as_of in manifest.as_of_dates:
            output.run_summary(console, run_with_progress(ws, as_of))
        path = ws.report(out / "report.html")
        console.print(output.metrics_table(_overall(ws.metrics()), "Metrics (overall, latest week)"))
        console.print(f"report: {path}\nwarehouse: {ws.engine.display_url} (in {out})")
    finally:
        ws.close()


def _overall(table):
    import pyarrow.compute as pc

    return table.filter(pc.equal(table["dimensions"], "{}"))


def main() -> None:
    """Entry point for the `assay` script (errors are handled by the command group)."""
    app()
