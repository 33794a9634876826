"""The metric-kind and finding-input registries: contracts every entry meets, and that adding an
entry is one module."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import ibis.expr.datatypes as dt
import pytest

import assay.metrics.kinds as kinds_package
from assay.findings.inputs.base import BuildContext
from assay.findings.inputs.registry import finding_inputs
from assay.ingest.stage import ingest_all
from assay.metrics.kind import MetricKind
from assay.metrics.registry import metric_kinds
from assay.project.models import MetricBase
from assay.reconcile.assets import reconcile_assets
from assay.run.as_of import as_of_instant
from assay.workspace import Workspace
from tests.tiny import write_tiny


def _family(t: dt.DataType) -> str:
    """The type without nullability or timestamp precision (sources keep the engine's precision)."""
    return "timestamp" if t.is_timestamp() else str(t.copy(nullable=True))


def test_every_builder_output_matches_its_declared_schema(demo_dir: Path, truth: dict, tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(demo_dir, project)
    ws = Workspace.open(project)
    p = ws.project
    ingest_all(ws.engine, ws.project_dir, p.sources, p.data_roots)
    assert p.reconcile is not None
    golden = reconcile_assets(ws.engine, p.reconcile.assets, p.sources, run_seq=1).golden
    ctx = BuildContext(ws.engine, p, as_of_instant(date.fromisoformat(truth["as_of_dates"][-1])), golden)
    built = 0
    for name, spec in finding_inputs().items():
        assert spec.missing(p) is None, f"the demo should build every finding input; {name}: {spec.missing(p)}"
        table = spec.build(ctx)
        actual = {c: _family(t) for c, t in table.schema().items()}
        declared = {c: _family(t) for c, t in spec.ibis_schema().items()}
        assert actual == declared, name
        assert set(spec.entity_key) <= set(spec.schema) and set(spec.detail_columns) <= set(spec.schema), name
        assert set(spec.values) <= set(spec.schema), name
        assert ws.engine.scalar(table.count()) > 0, name
        built += 1
    ws.close()
    assert built == len(finding_inputs()) >= 2


def test_every_kind_declares_what_the_rollup_needs() -> None:
    for name, kind in metric_kinds().items():
        assert kind.name == name
        assert issubclass(kind.options, MetricBase)
        assert kind.options.model_fields["kind"].annotation is str
        assert kind.unit in ("ratio", "count", "days", "amount")
        assert kind.description


TRIPLE_KIND = '''
"""triple_count: three times the number of in-scope asset-control pairs (a test kind)."""

from assay.metrics.kind import MetricKind
from assay.project.models import MetricBase


class TripleCount(MetricBase):
    factor: int = 3


def _aggregate(metric):
    def aggregate(t):
        n = t.count()
        return {"numerator": n, "denominator": n, "value": n * metric.factor}

    return aggregate


KIND = MetricKind(
    name="triple_count",
    options=TripleCount,
    unit="count",
    higher_is_better=None,
    description="three times the pairs",
    base=lambda ctx, metric: ctx.inputs.get("coverage"),
    aggregate=_aggregate,
    problems=lambda project, name, metric: [],
)
'''


@pytest.fixture
def extra_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A kind module outside the package folder, found by the registry like a shipped one."""
    folder = tmp_path / "more_kinds"
    folder.mkdir()
    (folder / "triple_count.py").write_text(TRIPLE_KIND)
    monkeypatch.setattr(kinds_package, "__path__", [*kinds_package.__path__, str(folder)])
    metric_kinds.cache_clear()
    yield
    metric_kinds.cache_clear()
    sys.modules.pop("assay.metrics.kinds.triple_count", None)


def test_a_new_kind_is_one_module(extra_kind: None, tmp_path: Path) -> None:
    assert isinstance(metric_kinds()["triple_count"], MetricKind)
    project = write_tiny(tmp_path / "p", [("web-1", "2026-11-19T10:00:00Z")])
    text = (project / "assay.yml").read_text()
    text = text.replace(
        "  coverage: {kind: coverage, by: [control]}",
        "  coverage: {kind: coverage, by: [control]}\n  tripled: {kind: triple_count, factor: 5}",
    )
    (project / "assay.yml").write_text(text)
    ws = Workspace.open(project)
    ws.run(date(2026, 11, 20))
    rows = {r["metric"]: r for r in ws.metrics().to_pylist() if r["dimensions"] == "{}"}
    ws.close()
    # three hosts are in scope of edr (the bucket is not): 3 pairs, times the factor 5
    assert rows["tripled"]["value"] == 15
    assert rows["tripled"]["kind"] == "triple_count" and rows["tripled"]["unit"] == "count"
    assert rows["coverage"]["denominator"] == 3


def test_an_unknown_kind_lists_the_registered_ones(tmp_path: Path) -> None:
    from assay.errors import ConfigError

    project = write_tiny(tmp_path / "p", [])
    text = (project / "assay.yml").read_text().replace("kind: coverage", "kind: coverag")
    (project / "assay.yml").write_text(text)
    with pytest.raises(ConfigError) as err:
        Workspace.open(project)
    assert "metrics.coverage: unknown metric kind 'coverag'; expected one of: " in str(err.value)
    assert "open_count" in str(err.value) and "sla" in str(err.value)
