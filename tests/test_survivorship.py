"""Survivorship rules per golden field, and the provenance of every golden value."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assay.errors import ConfigError
from assay.project.load import load_project
from assay.warehouse import schema as w
from assay.workspace import Workspace

PROJECT = """\
name: survive
sources:
  cmdb:
    path: cmdb.csv
    entity: asset
    columns:
      name: host
      asset_type: kind
      owner_email: owner
      org: org
      updated_at: {{from: updated, type: timestamp}}
  cloud:
    path: cloud.csv
    entity: asset
    columns:
      name: host
      asset_type: kind
      owner_email: owner
      org: org
      updated_at: {{from: updated, type: timestamp}}
  agent:
    path: agent.csv
    entity: asset
    columns: {{name: host, asset_type: kind, org: org}}
reconcile:
  assets:
    sources: [cmdb, cloud, agent]
    survivorship:
{rules}
"""
# Two cmdb rows for web-1 (an inventory can list an asset twice).
CMDB = """\
host,kind,owner,org,updated
web-1,host,old@example.com,Ops,2026-01-01T00:00:00
web-1,host,mid@example.com,Ops,2026-03-01T00:00:00
db-2,host,,Finance,2026-01-01T00:00:00
"""
CLOUD = """\
host,kind,owner,org,updated
web-1,host,new@example.com,Platform,2026-06-01T00:00:00
db-2,host,dba@example.com,Fin,
"""
AGENT = """\
host,kind,org
web-1,host,Platform
db-2,host,Finance and Accounting
"""


def run(tmp_path: Path, rules: str) -> tuple[dict, list[dict]]:
    (tmp_path / "assay.yml").write_text(PROJECT.format(rules=rules))
    for name, text in (("cmdb.csv", CMDB), ("cloud.csv", CLOUD), ("agent.csv", AGENT)):
        (tmp_path / name).write_text(text)
    ws = Workspace.open(tmp_path)
    try:
        ws.run(date(2026, 11, 20))
        golden = {r["name"]: (r["owner_email"], r["org"]) for r in ws.engine.to_arrow(ws.engine.table(w.ASSETS)).to_pylist()}
        prov = ws.engine.to_arrow(ws.engine.table(w.GOLDEN_PROVENANCE)).to_pylist()
        return golden, prov
    finally:
        ws.close()


def test_source_priority_is_the_default_and_the_list_form(tmp_path: Path) -> None:
    golden, prov = run(tmp_path, "      org: [agent, cloud, cmdb]")
    # owner: default order cmdb first; of its two web-1 rows the smaller value wins (never row order).
    assert golden["web-1"] == ("mid@example.com", "Platform")
    assert golden["db-2"] == ("dba@example.com", "Finance and Accounting")  # cmdb has no owner for db-2
    where = {(p["asset_key"], p["field"]): (p["source"], p["rule"], p["file"], p["row_number"]) for p in prov}
    assert where[("host:web-1", "owner_email")] == ("cmdb", "source_priority", "cmdb.csv", 3)
    assert where[("host:db-2", "owner_email")] == ("cloud", "source_priority", "cloud.csv", 3)
    assert where[("host:db-2", "org")] == ("agent", "source_priority", "agent.csv", 3)


def test_most_recent_most_frequent_most_complete(tmp_path: Path) -> None:
    rules = "      owner_email: {rule: most_recent, by: updated_at}\n      org: {rule: most_frequent}"
    golden, prov = run(tmp_path, rules)
    assert golden["web-1"][0] == "new@example.com"  # 2026-06-01 beats both cmdb rows
    assert golden["db-2"][0] == "dba@example.com"  # the only owner, though its time is unknown
    # Ops (cmdb twice) and Platform (cloud, agent) occur twice each: the tie goes to source priority.
    assert golden["web-1"][1] == "Ops"
    # db-2: Finance (cmdb), Fin (cloud), Finance and Accounting (agent) once each: cmdb's again.
    assert golden["db-2"][1] == "Finance"
    owner = next(p for p in prov if (p["asset_key"], p["field"]) == ("host:web-1", "owner_email"))
    assert (owner["source"], owner["rule"], owner["row_number"]) == ("cloud", "most_recent", 2)


def test_most_complete(tmp_path: Path) -> None:
    golden, prov = run(tmp_path, "      org: {rule: most_complete}")
    assert golden["db-2"][1] == "Finance and Accounting"
    assert golden["web-1"][1] == "Platform"  # longer than Ops; cloud's row before agent's by priority
    org = next(p for p in prov if (p["asset_key"], p["field"]) == ("host:web-1", "org"))
    assert (org["source"], org["rule"]) == ("cloud", "most_complete")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("      owner_email: {rule: most_recent}", "most_recent needs `by`"),
        ("      owner_email: {rule: most_recent, by: nope}", "survivorship.owner_email.by: no asset source maps a column 'nope'"),
        ("      owner_email: {rule: most_recent, by: owner_email}", "must be a timestamp or date column, not string"),
        ("      owner_email: [cmdb, hr]", "'hr' is not one of reconcile.assets.sources"),
        ("      owner_email: {rule: newest}", "rule"),
    ],
)
def test_survivorship_errors(tmp_path: Path, rules: str, message: str) -> None:
    (tmp_path / "assay.yml").write_text(PROJECT.format(rules=rules))
    for name, text in (("cmdb.csv", CMDB), ("cloud.csv", CLOUD), ("agent.csv", AGENT)):
        (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert message in str(info.value)
