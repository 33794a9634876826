"""`assay` commands. Each parses its arguments and calls the Workspace; `main` handles errors."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from assay.cli import output
from assay.errors import AssayError, ConfigError
from assay.run.as_of import AsOf, parse_as_of
from assay.run.pipeline import STAGES
from assay.workspace import Workspace

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Security content assurance and access governance as code.",
)
console = Console()
err = Console(stderr=True)
_state = {"debug": False}

ProjectArg = Annotated[Path, typer.Argument(help="Project folder (or its assay.yml)")]
EngineOpt = Annotated[str | None, typer.Option("--engine", help="Engine URL overriding the project's engine")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate through the end of this UTC date (YYYY-MM-DD), or at an instant with offset; default today"),
]


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks")] = False) -> None:
    _state["debug"] = debug


def _as_of(value: str | None) -> AsOf:
    return datetime.now(UTC).date() if value is None else parse_as_of(value)


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True)


def run_with_progress(ws: Workspace, as_of: AsOf):
    with _progress() as progress:
        task = progress.add_task(f"as of {as_of}", total=len(STAGES))

        def on_stage(name: str) -> None:
            progress.update(task, description=f"as of {as_of}: {name}", completed=STAGES.index(name))

        return ws.run(as_of, on_stage)


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
def run(project: ProjectArg, as_of: AsOfOpt = None, engine: EngineOpt = None) -> None:
    """Run the whole flow for one as-of date and record it in the warehouse."""
    ws = Workspace.open(project, engine)
    try:
        output.run_summary(console, run_with_progress(ws, _as_of(as_of)))
        console.print(output.metrics_table(_overall(ws.metrics()), "Metrics (overall)"))
    finally:
        ws.close()


@app.command()
def report(
    project: ProjectArg,
    out: Annotated[Path | None, typer.Option(help="Output file (default PROJECT/report.html)")] = None,
    engine: EngineOpt = None,
) -> None:
    """Write the self-contained HTML report of the latest successful run."""
    ws = Workspace.open(project, engine)
    try:
        path = ws.report(out or ws.project_dir / "report.html")
        console.print(f"report written to {path}")
    finally:
        ws.close()


@app.command()
def metrics(
    project: ProjectArg, format: Annotated[str, typer.Option("--format", help="table or json")] = "table", engine: EngineOpt = None
) -> None:
    """Metric values of the latest successful run."""
    fmt = _choice(format, ("table", "json"))
    ws = Workspace.open(project, engine)
    try:
        values = ws.metrics()
        if fmt == "json":
            sys.stdout.write(output.to_json(values) + "\n")
        else:
            console.print(output.metrics_table(values, f"Metrics of run {ws.latest_run()['run_id']}"))
    finally:
        ws.close()


@app.command()
def findings(
    project: ProjectArg,
    format: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
    status: Annotated[list[str] | None, typer.Option(help="Only these statuses (repeatable): new, open, reopened, resolved")] = None,
    engine: EngineOpt = None,
) -> None:
    """Tracked findings as JSON or spreadsheet-safe CSV."""
    from assay.export.csv_export import to_csv

    fmt = _choice(format, ("json", "csv"))
    ws = Workspace.open(project, engine)
    try:
        rows = ws.findings(status)
        text = output.to_json(rows) if fmt == "json" else to_csv(rows.to_pylist(), rows.column_names)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    finally:
        ws.close()


@app.command()
def check(project: ProjectArg, as_of: AsOfOpt = None, engine: EngineOpt = None) -> None:
    """Ingest and run the checks; exit 1 when an error-severity check fails."""
    ws = Workspace.open(project, engine)
    try:
        results = ws.check(_as_of(as_of))
    finally:
        ws.close()
    console.print(output.checks_table(results))
    failing = [r for r in results.to_pylist() if r["status"] == "fail" and r["severity"] == "error"]
    if failing:
        names = ", ".join(r["check_id"] for r in failing)
        err.print(f"[red]{len(failing)} error-severity check(s) failed:[/] {names}", soft_wrap=True, highlight=False)
        raise typer.Exit(1)


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


def _choice(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise AssayError(f"--format must be one of {', '.join(allowed)}, got {value!r}")
    return value


def main() -> None:
    """Entry point: user errors print one clear message (exit 2); `--debug` shows the traceback."""
    try:
        app()
    except AssayError as exc:
        if _state["debug"]:
            raise
        if isinstance(exc, ConfigError):
            err.print(f"[red]invalid project ({len(exc.problems)} problem(s)):[/]")
            for problem in exc.problems:
                err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
        else:
            err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
