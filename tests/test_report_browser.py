"""The report as a person sees it: Debian's Chromium, driven by Playwright, fully offline."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assay.metrics.registry import metric_kinds
from assay.project.load import load_project
from assay.workspace import Workspace

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_file(demo_dir: Path, truth: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("browser") / "demo"
    shutil.copytree(demo_dir, project)
    ws = Workspace.open(project)
    for as_of in truth["as_of_dates"]:
        ws.run(date.fromisoformat(as_of))
    path = ws.report(project / "report.html")
    ws.close()
    return path


def test_every_chart_drawn_offline_without_console_errors(report_file: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "scripts/ensure-services.sh installs Debian's chromium"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report_file.as_uri())
        page.wait_for_function("document.body.dataset.chartsDrawn !== undefined", timeout=15_000)
        drawn = int(page.evaluate("document.body.dataset.chartsDrawn"))
        canvases = page.locator("canvas[data-chart]").count()
        # A drawn canvas has non-blank pixels; Chart.js leaves an empty one transparent.
        painted = page.evaluate(
            """() => [...document.querySelectorAll('canvas[data-chart]')].filter(c => {
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
                   return false; }).length"""
        )
        title = page.title()
        tiles = sorted(page.locator("article.tile").evaluate_all("els => els.map(e => e.dataset.metric)"))
        browser.close()
    assert canvases >= 5 and drawn == canvases == painted
    assert errors == []
    assert all(u.startswith(("file://", "data:")) for u in requests), requests
    assert "ACME" in title
    metrics = load_project(report_file.parent)[0].metrics
    assert tiles == sorted(name for name, metric in metrics.items() if metric_kinds()[metric.kind].display == "tile")
