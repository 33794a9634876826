"""The HTML report: built from the fixture warehouse, self-contained, right numbers, every value escaped.

Pages are checked by parsing them with `html.parser`, never by regex over markup, so a test sees
what a browser would: elements, attributes and decoded text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pytest

from assay.engine import Engine, connect
from assay.errors import AssayError
from assay.report import build_report
from assay.report import formatting as fmt
from assay.report.render import humanize, script_json
from assay.report.view import NOT_SET, accounting, heat_colour, with_dimensions
from assay.warehouse import schema as S
from tests.conftest import postgres_database
from tests.report_fixture import (
    HOSTILE_ATTR,
    HOSTILE_CHECK,
    HOSTILE_EMAIL,
    HOSTILE_ORG,
    HOSTILE_SCRIPT,
    context,
    duckdb_warehouse,
    populate,
)


class Page(HTMLParser):
    """Elements, scripts and visible text of a page, plus the text of each tile and section."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self.tiles: dict[str, list[str]] = {}
        self.sections: dict[str, list[str]] = {}
        self._in: str | None = None
        self._tile: str | None = None
        self._section: str | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.elements.append((tag, named))
        if tag in ("script", "style"):
            self._in = tag
            if tag == "script":
                self.scripts.append((named, ""))
        if tag == "article" and named.get("data-metric"):
            self._tile = named["data-metric"]
            self.tiles[self._tile] = []
        if tag == "section" and named.get("id"):
            self._section = named["id"]
            self.sections[self._section] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None
        if tag == "article":
            self._tile = None
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
            return
        if self._in == "style":
            return
        self.text.append(data)
        if self._tile:
            self.tiles[self._tile].append(data)
        if self._section:
            self.sections[self._section].append(data)

    def tile(self, metric: str) -> str:
        return " ".join(" ".join(self.tiles[metric]).split())

    def section(self, name: str) -> str:
        """The section's text, one space between text nodes, so table cells read as "cmdb 215 210"."""
        return " ".join(" ".join(self.sections[name]).split())

    def data(self) -> dict:
        (text,) = [t for attrs, t in self.scripts if attrs.get("id") == "assay-data"]
        return json.loads(text)

    def tile_classes(self, metric: str) -> str:
        return next(a["class"] for tag, a in self.elements if tag == "article" and a.get("data-metric") == metric)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("report")
    engine = duckdb_warehouse(tmp)
    path = build_report(engine, context(), tmp / "out" / "report.html")
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(built: tuple[Path, str]) -> Page:
    return Page(built[1])


def test_report_is_written_and_small(built: tuple[Path, str]) -> None:
    path, markup = built
    assert path.name == "report.html" and path.exists()
    assert markup.startswith("<!doctype html>")
    assert path.stat().st_size < 400_000


def test_nothing_is_fetched_from_anywhere(page: Page) -> None:
    for tag, attrs in page.elements:
        for name in ("src", "href", "action", "data", "poster"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
        assert tag != "link", "stylesheets and icons must be inline"
        assert tag != "iframe"
    assert all("src" not in attrs for attrs, _ in page.scripts)
    (csp,) = [a["content"] for t, a in page.elements if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp and "http" not in csp


def test_the_policy_allows_exactly_the_shipped_scripts(page: Page) -> None:
    """A template edit that changes a script's text must change its hash too, or nothing draws."""
    (csp,) = [a["content"] for t, a in page.elements if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    code = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 2
    for text in code:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]


def test_header_names_the_latest_successful_run(page: Page) -> None:
    text = " ".join(" ".join(page.text).split())
    assert "Weekly security assurance" in text and "acme-security" in text
    assert "As of 2024-05-27" in text
    assert "run-0004 (#4)" in text
    assert "Compared with 2024-05-13 (run-0002)" in text
    assert "Successful runs 3" in text
    assert "Engine duckdb" in text


def test_tiles_show_the_latest_values(page: Page) -> None:
    assert page.tile("asset_coverage").startswith("Asset coverage 89.8%")
    assert page.tile("open_findings").startswith("Open findings 37")
    assert page.tile("time_to_remediate").startswith("Time to remediate 14.0 d")
    assert page.tile("remediation_sla").startswith("Remediation SLA 72.0%")


def test_change_since_previous_matches_a_hand_calculation(page: Page) -> None:
    """Previous is run 2 (run 3 failed): coverage 526/630 → 566/630, open 42 → 37, MTTR 12.5 → 14.0 d,
    SLA 18/24 → 18/25. Coverage and SLA should rise, open findings and MTTR should fall."""
    assert "▲ +6.3 pp since 2024-05-13" in page.tile("asset_coverage")  # (566 − 526) / 630 = 6.35 pp
    assert "tone-good" in page.tile_classes("asset_coverage")
    assert "▼ −5 since 2024-05-13" in page.tile("open_findings")  # 37 − 42
    assert "tone-good" in page.tile_classes("open_findings")
    assert "▲ +1.5 d since 2024-05-13" in page.tile("time_to_remediate")  # 14.0 − 12.5
    assert "tone-bad" in page.tile_classes("time_to_remediate")
    assert "▼ −3.0 pp since 2024-05-13" in page.tile("remediation_sla")  # 72.0 % − 75.0 %
    assert "tone-bad" in page.tile_classes("remediation_sla")


def test_rates_carry_their_wilson_interval_and_n(page: Page) -> None:
    assert "95% CI 87.2–92.0% · n = 630" in page.tile("asset_coverage")  # wilson(566, 630)
    assert "95% CI 52.4–85.7% · n = 25" in page.tile("remediation_sla")  # wilson(18, 25)
    assert "CI" not in page.tile("open_findings")


def test_the_failed_run_leaves_no_trace(page: Page) -> None:
    text = " ".join(page.text)
    for marker in ("12.3%", "999", "99.9 d", "1.0%", "ghost_check_from_failed_run", "failed_source", "failed-run-reason"):
        assert marker not in text
    charts = page.data()["charts"]
    for spec in charts.values():
        assert "2024-05-20" not in spec["labels"]  # the failed run's as-of date
        for dataset in spec["datasets"]:
            assert not {0.1234, 999, 99.9, 0.0101} & set(dataset["data"])
    assert charts["findings-flow"]["datasets"][0]["data"] == [30, 8, 6]  # new events per successful run


def test_every_chart_has_a_spec_and_a_canvas(page: Page) -> None:
    canvases = [a["data-chart"] for t, a in page.elements if t == "canvas"]
    charts = page.data()["charts"]
    assert sorted(canvases) == sorted(charts)
    assert set(charts) == {"coverage-trend", "coverage-latest", "open-trend", "remediation-trend", "sla-trend", "findings-flow"}
    trend = charts["coverage-trend"]
    assert trend["labels"] == ["2024-05-06", "2024-05-13", "2024-05-27"]
    assert [d["label"] for d in trend["datasets"]] == ["edr", "mdm", "vuln_scan"]
    assert trend["datasets"][0]["data"] == pytest.approx([165 / 210, 176 / 210, 194 / 210])
    assert [d["label"] for d in charts["open-trend"]["datasets"]] == ["critical", "high", "medium", "low"]


def test_hostile_values_are_text_not_markup(built: tuple[Path, str], page: Page) -> None:
    _, markup = built
    tags = [t for t, _ in page.elements]
    assert "img" not in tags
    assert all(not name.startswith("on") for _, attrs in page.elements for name in attrs)
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None, None]
    assert HOSTILE_SCRIPT not in markup and HOSTILE_ATTR not in markup
    text = " ".join(page.text)
    for value in (HOSTILE_ORG, HOSTILE_EMAIL, HOSTILE_CHECK):
        assert value in text, value
    assert HOSTILE_ORG in page.section("coverage")  # a metric dimension, in the heat map
    assert HOSTILE_EMAIL in page.section("findings")  # an owner of an overdue finding
    assert HOSTILE_EMAIL in page.section("reconciliation")  # an owner conflict
    assert HOSTILE_CHECK in page.section("quality") and HOSTILE_SCRIPT in page.section("quality")  # check id, record


def test_the_data_block_cannot_end_its_script(page: Page) -> None:
    (text,) = [t for attrs, t in page.scripts if attrs.get("id") == "assay-data"]
    assert not {"<", ">", "&", "\u2028", "\u2029"} & set(text)
    hostile = {"label": "</script><script>alert(1)</script><!-- & \u2028\u2029"}
    escaped = str(script_json(hostile))
    assert not {"<", ">", "&", "\u2028", "\u2029"} & set(escaped)
    assert json.loads(escaped) == hostile
    assert json.loads(str(script_json({"gap": float("nan")}))) == {"gap": None}


def test_findings_section(page: Page) -> None:
    findings = page.section("findings")
    assert "12 open findings past due on 2024-05-27" in findings
    assert findings.index("srv-022") < findings.index("srv-000")  # most overdue (25 days) first
    assert "critical_vuln_open" in findings and "stale_owner" in findings


def test_data_quality_section(page: Page) -> None:
    quality = page.section("quality")
    assert "7 of 210 (3.3%)" in quality and "3 of 500 (0.6%)" in quality
    assert quality.index(HOSTILE_CHECK) < quality.index("vuln.severity.accepted") < quality.index("cmdb.asset_key.unique")
    assert "cmdb 215 210 5 ✓" in quality and "Total 905 898 7 ✓" in quality
    assert "asset_key is empty 2" in quality
    assert "last_seen_at is not a timestamp" in quality


def test_reconciliation_section(page: Page) -> None:
    recon = page.section("reconciliation")
    assert "210 golden assets" in recon and "2 assets whose sources disagree" in recon
    assert "1 source 71 33.8%" in recon


def test_every_definition_is_listed(page: Page) -> None:
    definitions = page.section("definitions")
    ctx = context()
    for d in [*ctx.metrics, *ctx.findings_rules, *ctx.checks]:
        assert d.name in definitions and d.text in definitions


def test_optional_tables_may_be_absent(tmp_path: Path) -> None:
    engine = duckdb_warehouse(tmp_path, entity_tables=False)
    page = Page(build_report(engine, context(), tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "reconciliation" not in page.sections
    assert "Uncovered assets" not in page.section("coverage")
    assert "89.8%" in page.tile("asset_coverage")


def test_a_failed_latest_attempt_is_announced(tmp_path: Path) -> None:
    engine = duckdb_warehouse(tmp_path)
    runs = engine.table(S.RUNS)
    failed = engine.to_arrow(runs.filter(runs.run_id == "run-0003")).to_pylist()[0]
    failed.update(run_id="run-0005", run_seq=5, as_of=date(2024, 6, 3), error="source cmdb: <b>gone</b>")
    engine.con.insert(S.RUNS, pa.Table.from_pylist([failed], schema=S.HISTORY[S.RUNS].to_pyarrow()))
    page = Page(build_report(engine, context(), tmp_path / "r.html").read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    assert "The most recent run did not succeed. Run #5 (as of 2024-06-03) ended with status “failed”:" in text
    assert "source cmdb: <b>gone</b>" in text
    assert "b" not in [t for t, _ in page.elements]
    assert "As of 2024-05-27" in text


def test_a_first_run_has_nothing_to_compare_with(tmp_path: Path) -> None:
    engine = duckdb_warehouse(tmp_path)
    engine.con.raw_sql(f"DELETE FROM {S.RUNS} WHERE run_seq > 1")
    page = Page(build_report(engine, context(), tmp_path / "r.html").read_text(encoding="utf-8"))
    assert page.tile("open_findings") == "Open findings 45 no previous value"
    assert "tone-none" in page.tile_classes("open_findings")
    assert page.data()["charts"]["coverage-trend"]["labels"] == ["2024-05-06"]


def test_no_successful_run_is_an_error(tmp_path: Path) -> None:
    engine = connect("duckdb://:memory:", tmp_path)
    engine.load_arrow(S.RUNS, pa.Table.from_pylist([], schema=S.HISTORY[S.RUNS].to_pyarrow()))
    with pytest.raises(AssayError, match="no successful run"):
        build_report(engine, context(), tmp_path / "r.html")


# --- other engines ----------------------------------------------------------------------


def _build_on(engine: Engine, out: Path) -> Page:
    try:
        populate(engine)
        return Page(build_report(engine, context(), out).read_text(encoding="utf-8"))
    finally:
        engine.close()


def assert_same_report(reference: Page, other: Page) -> None:
    """Everything but the header (engine name, generation time) reads the same, charts included."""
    assert reference.tiles == other.tiles
    for name in ("trends", "coverage", "findings", "reconciliation", "quality", "definitions"):
        assert reference.section(name) == other.section(name), name
    assert json.dumps(reference.data(), sort_keys=True) == json.dumps(other.data(), sort_keys=True)


@pytest.mark.postgres
def test_postgres_builds_the_same_report(page: Page, tmp_path: Path) -> None:
    for url in postgres_database():
        other = _build_on(connect(url, tmp_path), tmp_path / "r.html")
    assert_same_report(page, other)


@pytest.mark.spark
def test_spark_builds_the_same_report(page: Page, tmp_path: Path) -> None:
    database = f"report_{tmp_path.name.replace('-', '_')}"
    other = _build_on(connect(f"pyspark://local[2]?database={database}", tmp_path), tmp_path / "r.html")
    assert_same_report(page, other)


# --- small pieces -----------------------------------------------------------------------


def test_deltas_read_in_their_unit() -> None:
    assert fmt.delta(0.0635, "ratio") == "+6.3 pp"
    assert fmt.delta(-5, "count") == "−5"
    assert fmt.delta(1234, "count") == "+1,234"
    assert fmt.delta(-0.25, "days") == "−0.2 d"
    assert fmt.value(0.8984, "ratio") == "89.8%" and fmt.value(None, "ratio") == "—"


def test_headings_and_dimensions() -> None:
    assert humanize("mttr_days") == "MTTR days" and humanize("asset_coverage") == "Asset coverage"
    rows = [{"dimensions": '{"control":"edr","org":null}'}, {"dimensions": '{"control":"edr"}'}, {"dimensions": "{}"}]
    picked = with_dimensions(rows, {"control", "org"})
    assert [r["dims"] for r in picked] == [{"control": "edr", "org": NOT_SET}]


def test_heat_ramp_and_accounting() -> None:
    assert heat_colour(0.0) == "#ecbeb4" and heat_colour(1.0) == "#b8ddc4" and heat_colour(1.7) == heat_colour(1.0)
    rows, totals = accounting([{"source": "a", "rows_read": 10, "rows_loaded": 8, "rows_quarantined": 1}])
    assert rows[0]["balanced"] is False and totals["balanced"] is False
