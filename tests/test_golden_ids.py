"""Stable golden ids: renames, splits, merges and removals across three runs of a small project."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assay.warehouse import schema as w
from assay.warehouse.history import visible
from assay.workspace import Workspace
from tests.engine_param import ENGINES, project_engine

PROJECT = """\
name: ids
sources:
  cmdb:
    path: cmdb.csv
    entity: asset
    columns: {source_id: ci, name: {from: host, normalize: hostname}, asset_type: kind}
  cloud:
    path: cloud.csv
    entity: asset
    columns: {source_id: rid, name: {from: host, normalize: hostname}, asset_type: kind}
reconcile:
  assets: {sources: [cmdb, cloud]}
"""


def write(folder: Path, cmdb: list[tuple[str, str]], cloud: list[tuple[str, str]]) -> None:
    (folder / "cmdb.csv").write_text("ci,host,kind\n" + "".join(f"{i},{h},host\n" for i, h in cmdb))
    (folder / "cloud.csv").write_text("rid,host,kind\n" + "".join(f"{i},{h},host\n" for i, h in cloud))


def ids(ws: Workspace) -> dict[str, str]:
    return {r["asset_key"]: r["golden_id"] for r in ws.engine.to_arrow(ws.engine.table(w.ASSETS)).to_pylist()}


def events(ws: Workspace, run_id: str) -> set[tuple]:
    t = visible(ws.engine, w.GOLDEN_ID_EVENTS)
    rows = ws.engine.to_arrow(t.filter(t.run_id == run_id)).to_pylist()
    return {(r["event"], r["golden_id"], r["other_id"], r["asset_key"], r["records"]) for r in rows}


@pytest.mark.parametrize("kind", ENGINES)
def test_golden_ids_follow_records_across_runs(tmp_path: Path, kind: str) -> None:
    (tmp_path / "assay.yml").write_text(PROJECT)
    write(tmp_path, [("C1", "web-01"), ("C2", "db-02"), ("C3", "app-03")], [("R1", "web-01"), ("R2", "db-02")])
    with project_engine(kind) as url:
        check_runs(tmp_path, url)


def check_runs(tmp_path: Path, url: str | None) -> None:
    ws = Workspace.open(tmp_path, url)
    try:
        first = ws.run(date(2026, 11, 1))
        one = ids(ws)
        assert len(set(one.values())) == 3 and all(v.startswith("g-") and len(v) == 14 for v in one.values())
        assert events(ws, first.run_id) == {
            ("new", one["host:web-01"], None, "host:web-01", 2),
            ("new", one["host:db-02"], None, "host:db-02", 2),
            ("new", one["host:app-03"], None, "host:app-03", 1),
        }

        # The CMDB renames web-01 (C1), drops app-03 and adds new-04; the cloud keeps web-01 (R1).
        write(tmp_path, [("C1", "web-01-new"), ("C2", "db-02"), ("C4", "new-04")], [("R1", "web-01"), ("R2", "db-02")])
        second = ws.run(date(2026, 11, 8))
        two = ids(ws)
        assert two["host:db-02"] == one["host:db-02"]
        # web-01's two records part ways: one record each, so the tie goes to the smaller key.
        assert two["host:web-01"] == one["host:web-01"]
        assert two["host:web-01-new"] not in one.values()
        assert events(ws, second.run_id) == {
            ("split", two["host:web-01-new"], one["host:web-01"], "host:web-01-new", 1),
            ("new", two["host:new-04"], None, "host:new-04", 1),
            ("retired", one["host:app-03"], None, None, 1),
        }

        # The cloud renames R1 too: both records meet again under web-01-new, two ids become one.
        write(tmp_path, [("C1", "web-01-new"), ("C2", "db-02"), ("C4", "new-04")], [("R1", "web-01-new"), ("R2", "db-02")])
        third = ws.run(date(2026, 11, 15))
        three = ids(ws)
        survivor = min(two["host:web-01"], two["host:web-01-new"])
        gone = max(two["host:web-01"], two["host:web-01-new"])
        assert three["host:web-01-new"] == survivor
        assert three["host:new-04"] == two["host:new-04"]
        assert events(ws, third.run_id) == {("merged", gone, survivor, "host:web-01-new", 1)}

        # The same inputs again: nothing changes.
        fourth = ws.run(date(2026, 11, 15))
        assert ids(ws) == three
        assert events(ws, fourth.run_id) == set()
    finally:
        ws.close()
