"""Asset-type vocabularies: raw type spellings of each inventory map onto canonical classes, so
type spelling stops splitting one asset into several golden records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assay.errors import ConfigError
from assay.project.load import load_project
from assay.warehouse import schema as w
from assay.workspace import Workspace

PROJECT = """\
name: vocab
sources:
  cmdb:
    path: cmdb.csv
    entity: asset
    columns:
      name: {{from: host, normalize: hostname, options: {{strip_suffixes: [corp.example]}}}}
      asset_type: ci_class
      owner_email: {{from: owner, normalize: email}}
  cloud:
    path: cloud.csv
    entity: asset
    columns:
      name: {{from: resource, normalize: hostname, options: {{strip_suffixes: [corp.example]}}}}
      asset_type: resource_type
reconcile:
  assets:
    sources: [cmdb, cloud]
{vocab}
"""
VOCAB = """\
    asset_types:
      host: [Windows Server, linux server, ec2-instance, VM]
      bucket: s3 bucket
    asset_types_by_source:
      cloud: {bucket: [s3]}
"""
CMDB = """\
host,ci_class,owner
web-01.corp.example,Windows Server,a@example.com
db-1,  LINUX SERVER ,b@example.com
bucket-9,S3 Bucket,c@example.com
printer-7,Printer,d@example.com
"""
CLOUD = """\
resource,resource_type
WEB-01,ec2-instance
db-1,vm
bucket-9,s3
printer-7,s3
"""


def project(folder: Path, vocab: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assay.yml").write_text(PROJECT.format(vocab=vocab))
    (folder / "cmdb.csv").write_text(CMDB)
    (folder / "cloud.csv").write_text(CLOUD)
    return folder


def golden(folder: Path) -> tuple[dict[str, int], list[dict]]:
    ws = Workspace.open(folder)
    try:
        ws.run(date(2026, 11, 20))
        assets = {r["asset_key"]: r["source_count"] for r in ws.engine.to_arrow(ws.engine.table(w.ASSETS)).to_pylist()}
        rows = ws.engine.to_arrow(ws.engine.table(w.ASSET_SOURCES).order_by(["source", "name"])).to_pylist()
        return assets, rows
    finally:
        ws.close()


def test_vocabularies_merge_what_type_spelling_split(tmp_path: Path) -> None:
    assets, rows = golden(project(tmp_path / "with", VOCAB))
    assert assets == {
        "host:web-01": 2,
        "host:db-1": 2,
        "bucket:bucket-9": 2,  # the cloud's own `s3` is a bucket there only
        "Printer:printer-7": 1,  # a spelling no vocabulary lists keeps its own
        "bucket:printer-7": 1,
    }
    raw = {(r["source"], r["name"]): (r["raw_asset_type"], r["asset_type"]) for r in rows}
    assert raw[("cmdb", "db-1")] == ("  LINUX SERVER ", "host")
    assert raw[("cloud", "web-01")] == ("ec2-instance", "host")


def test_without_vocabularies_each_spelling_is_its_own_type(tmp_path: Path) -> None:
    assets, _ = golden(project(tmp_path / "without", ""))
    assert len(assets) == 8
    assert set(assets.values()) == {1}


@pytest.mark.parametrize(
    ("vocab", "message"),
    [
        ("    asset_types: {host: [vm], server: [VM ]}\n", "spelling 'VM' is listed under both 'host' and 'server'"),
        ("    asset_types_by_source: {nope: {host: [vm]}}\n", "reconcile.assets.asset_types_by_source.nope: 'nope' is not one of"),
        ("    asset_types: {host: ['']}\n", "lists an empty spelling"),
    ],
)
def test_vocabulary_errors(tmp_path: Path, vocab: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_project(project(tmp_path, vocab))
    assert message in str(info.value)
