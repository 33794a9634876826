"""Deterministic match passes and clusters, on three small inventories with a planted truth:
which records are one asset, which pass links each, and a chain the strong-key guard breaks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assay.errors import ConfigError
from assay.project.load import load_project
from assay.warehouse import schema as w
from assay.workspace import Workspace
from tests.engine_param import ENGINES, project_engine

PROJECT = """\
name: match
sources:
  cmdb:
    path: cmdb.csv
    entity: asset
    columns:
      name: {from: host, normalize: hostname}
      asset_type: kind
      serial: serial
      mac: {from: mac, normalize: mac}
      owner_email: {from: owner, normalize: email}
  cloud:
    path: cloud.csv
    entity: asset
    columns:
      name: {from: host, normalize: hostname}
      asset_type: kind
      serial: serial
      owner_email: {from: owner, normalize: email}
  agent:
    path: agent.csv
    entity: asset
    columns:
      name: {from: host, normalize: hostname, options: {strip_suffixes: [corp.example]}}
      asset_type: kind
      mac: {from: mac, normalize: mac}
reconcile:
  assets:
    sources: [cmdb, cloud, agent]
    asset_types: {host: [server, ec2-instance, laptop]}
    match:
      - {name: serial, keys: serial}
      - {name: mac, keys: mac}
      - {name: hostname, keys: [asset_type, name]}
    strong_keys: [serial]
"""
# Planted truth (row numbers are CSV lines, header = 1):
#  A: cmdb web-01 (S1, mac 1) + cloud ip-10-0-0-1 (S1) by serial; agent web-01.corp.example (mac 1) by mac.
#  B: cmdb db-02 + agent db-02 by host name (no serial or MAC in common).
#  C: cloud web-01 (S9) shares web-01's name but not its serial: the guard keeps it out of A.
#  D: cmdb app-03 (S3), cloud app-03 (S4), agent app-03: the name chains two serials through the
#     agent, so the cluster is broken up and reported.
#  E: cloud solo-9, alone.
CMDB = """\
host,kind,serial,mac,owner
web-01,server,S1,00:11:22:33:44:01,a@example.com
db-02,server,,,b@example.com
app-03,server,S3,,c@example.com
"""
CLOUD = """\
host,kind,serial,owner
ip-10-0-0-1,ec2-instance,S1,
web-01,ec2-instance,S9,z@example.com
app-03,ec2-instance,S4,
solo-9,ec2-instance,S7,
"""
AGENT = """\
host,kind,mac
web-01.corp.example,laptop,00-11-22-33-44-01
db-02,laptop,
app-03,laptop,
"""


@pytest.fixture(scope="module", params=ENGINES)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("match")
    (folder / "assay.yml").write_text(PROJECT)
    (folder / "cmdb.csv").write_text(CMDB)
    (folder / "cloud.csv").write_text(CLOUD)
    (folder / "agent.csv").write_text(AGENT)
    with project_engine(request.param) as url:
        ws = Workspace.open(folder, url)
        ws.run(date(2026, 11, 20))
        yield ws
        ws.close()


def rows(ws: Workspace, table: str) -> list[dict]:
    return ws.engine.to_arrow(ws.engine.table(table)).to_pylist()


def test_clusters_are_the_planted_assets(run: Workspace) -> None:
    members: dict[str, set[str]] = {}
    for r in rows(run, w.ASSET_SOURCES):
        members.setdefault(r["asset_key"], set()).add(f"{r['source']}:{r['record_name']}")
    assert sorted(map(sorted, members.values())) == sorted(
        map(
            sorted,
            [
                {"cmdb:web-01", "cloud:ip-10-0-0-1", "agent:web-01"},
                {"cmdb:db-02", "agent:db-02"},
                {"cloud:web-01"},
                {"cmdb:app-03"},
                {"cloud:app-03"},
                {"agent:app-03"},
                {"cloud:solo-9"},
            ],
        )
    )


def test_golden_records_take_name_and_owner_in_source_order(run: Workspace) -> None:
    golden = {r["asset_key"]: r for r in rows(run, w.ASSETS)}
    a = golden["host:web-01"]
    assert (a["source_count"], a["owner_email"]) == (3, "a@example.com")
    # The lone cloud web-01 shares the golden key text: it is told apart by a suffix.
    assert golden["host:web-01#2"]["owner_email"] == "z@example.com"
    assert {k for k in golden if k.startswith("host:app-03")} == {"host:app-03", "host:app-03#2", "host:app-03#3"}


def test_each_link_names_the_pass_that_made_it(run: Workspace) -> None:
    sources = {(r["source"], r["record_name"]): r["match_pass"] for r in rows(run, w.ASSET_SOURCES)}
    assert sources[("cloud", "ip-10-0-0-1")] == "serial"
    assert sources[("cmdb", "web-01")] == "serial"  # matched first by serial: the later passes leave it
    assert sources[("agent", "web-01")] == "mac"
    assert sources[("cmdb", "db-02")] == sources[("agent", "db-02")] == "hostname"
    assert sources[("cloud", "solo-9")] is None
    links = rows(run, w.ASSET_MATCHES)
    passes = sorted((link["match_pass"], link["key_values"]) for link in links)
    assert ("serial", "serial=S1") in passes
    assert ("mac", "mac=00:11:22:33:44:01") in passes
    assert ("hostname", "asset_type=host, name=db-02") in passes
    # web-01 of the cloud (S9) never linked to A (S1): no link of it at all.
    cloud_web = next(r["record_id"] for r in rows(run, w.ASSET_SOURCES) if (r["source"], r["record_name"]) == ("cloud", "web-01"))
    assert all(cloud_web not in (link["record_id"], link["matched_to"]) for link in links)


def test_chained_cluster_is_split_and_reported(run: Workspace) -> None:
    chained = rows(run, w.ASSET_CHAINED)
    assert {r["value"] for r in chained if r["value"] is not None} == {"S3", "S4"}
    assert len({r["record_id"] for r in chained}) == 3  # cmdb, cloud and agent app-03
    assert len({r["cluster_id"] for r in chained}) == 1


def test_match_keys_must_be_mapped(tmp_path: Path) -> None:
    (tmp_path / "assay.yml").write_text(PROJECT.replace("keys: mac}", "keys: macc}"))
    for name, text in (("cmdb.csv", CMDB), ("cloud.csv", CLOUD), ("agent.csv", AGENT)):
        (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert "reconcile.assets.match.1.keys: no asset source maps a column 'macc'" in str(info.value)
