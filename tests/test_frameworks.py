"""Framework roll-up: coverage and open findings by requirement and function, recomputed with
pandas from the warehouse's coverage and findings tables and the mapping files."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from assay.errors import ConfigError
from assay.findings.lifecycle import OPEN_STATUSES
from assay.workspace import Workspace
from tests.tiny import write_tiny


@pytest.fixture(scope="module")
def demo_rollup(demo_dir: Path, truth: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = tmp_path_factory.mktemp("frameworks") / "demo"
    shutil.copytree(demo_dir, project)
    ws = Workspace.open(project)
    run = ws.run(date.fromisoformat(truth["as_of_dates"][-1]))
    e = ws.engine
    t = e.table("assay_framework_coverage")
    out = {
        "rollup": e.to_arrow(t.filter(t.run_id == run.run_id)).to_pandas(),
        "coverage": e.to_arrow(e.table("assay_coverage")).to_pandas(),
        "findings": e.to_arrow(e.table("assay_findings")).to_pandas(),
        "project": project,
        "html": Path(ws.report(project / "report.html")).read_text(),
    }
    ws.close()
    return out


def mapping(project: Path, name: str) -> pd.DataFrame:
    data = yaml.safe_load((project / "frameworks" / name).read_text())
    rows = [(req, spec["function"], c) for req, spec in data["requirements"].items() for c in spec["controls"]]
    return pd.DataFrame(rows, columns=["requirement", "function", "control"])


@pytest.mark.parametrize(("framework", "file"), [("nist_csf", "nist_csf_2.yml"), ("cis_v8", "cis_v8.yml")])
def test_rollup_matches_pandas(demo_rollup: dict, framework: str, file: str) -> None:
    m = mapping(demo_rollup["project"], file)
    cov, f = demo_rollup["coverage"], demo_rollup["findings"]
    got = demo_rollup["rollup"][demo_rollup["rollup"].framework == framework]
    open_ = f[f.status.isin(OPEN_STATUSES) & (f.rule == "uncovered_asset")].copy()
    open_["control"] = open_.entity_key.str.split("|").str[-1]
    for level, keys in (("requirement", ["requirement"]), ("function", ["function"])):
        pairs = cov.merge(m[[*keys, "control"]].drop_duplicates(), on="control")
        expected = pairs.groupby(keys).agg(in_scope=("covered", "size"), covered=("covered", "sum"))
        opened = open_.merge(m[[*keys, "control"]].drop_duplicates(), on="control").groupby(keys).fingerprint.nunique()
        mine = got[got.level == level].set_index(keys[0])
        assert set(mine.index) == set(expected.index)
        for key, row in expected.iterrows():
            assert (mine.loc[key, "in_scope"], mine.loc[key, "covered"]) == (row.in_scope, row.covered), (level, key)
            assert mine.loc[key, "coverage"] == pytest.approx(row.covered / row.in_scope, rel=1e-12)
            assert mine.loc[key, "open_findings"] == opened.get(key, 0), (level, key)
    # a function counts a pair once, even when two of its requirements name the same control
    detect = got[(got.level == "function") & (got.function == "Detect")]
    if framework == "nist_csf":
        assert detect.in_scope.iloc[0] == len(cov[cov.control.isin(["edr", "logging"])])


def test_report_has_a_framework_view(demo_rollup: dict) -> None:
    from tests.test_report import Page

    text = " ".join(" ".join(Page(demo_rollup["html"]).sections["frameworks"]).split())
    assert "NIST CSF 2.0" in text and "CIS Controls v8" in text and "PR.PS-04" in text and "Audit Log Management" in text


def test_mapping_problems_name_the_mapping_file(tmp_path: Path) -> None:
    project = write_tiny(tmp_path / "p", [])
    (project / "assay.yml").write_text((project / "assay.yml").read_text() + "frameworks:\n  csf: csf.yml\n  gone: missing.yml\n")
    (project / "csf.yml").write_text(
        "name: CSF\nrequirements:\n  DE.CM-09:\n    function: Detect\n    controls: [edr, xdr]\n  X:\n    controls: [edr]\n"
    )
    with pytest.raises(ConfigError) as err:
        Workspace.open(project)
    text = str(err.value)
    assert f"{project / 'csf.yml'}:6: requirements.X.function: Field required" in text
    assert "assay.yml:34: frameworks.gone: no mapping file at 'missing.yml'" in text
    (project / "csf.yml").write_text("name: CSF\nrequirements:\n  DE.CM-09:\n    function: Detect\n    controls: [edr, xdr]\n")
    with pytest.raises(ConfigError) as err:
        Workspace.open(project)
    assert f"{project / 'csf.yml'}:5: requirements.DE.CM-09.controls.1: unknown control 'xdr'; the project's: edr" in str(err.value)
