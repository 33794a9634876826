"""Stable golden ids: this run's golden assets take the previous run's ids by record overlap.

A golden asset's key (`asset_type:name`) follows its surviving name, so a rename or a merge would
give it another identity. Its `golden_id` instead follows its records: each record has a stable
`record_key` (`source:source_id`, or `source:type:name` where the source maps no `source_id`),
and a golden asset keeps the previous run's id with which it shares the most records when that id,
in turn, shares the most records with it (mutual best overlap; ties go to the smaller id and
key). Every other golden asset gets a new id, and the changes are recorded:

- `new`: a golden asset sharing no record with any previous one;
- `split`: a new id for a golden asset whose records were part of a previous one kept by another
  (`other_id`: that previous id);
- `merged`: a previous id whose records now sit in a golden asset that kept another id
  (`other_id`: the id they live on under);
- `retired`: a previous id none of whose records is left.

New ids are `g-` and 12 hex digits of an MD5 of the run's sequence number and the asset's
smallest record key: they never collide with an id handed out by an earlier run, and the same
inputs give the same ids (a run id has a random part; its sequence number does not).
"""

from __future__ import annotations

import ibis

from assay.engine import Engine
from assay.warehouse import schema as w

EVENTS_SCHEMA = ibis.schema({"golden_id": "string", "event": "string", "other_id": "string", "asset_key": "string", "records": "int64"})


def previous_membership(engine: Engine) -> ibis.Table | None:
    """record_key → golden_id of the latest successful run (None before the first run with ids)."""
    if not engine.exists(w.ASSET_SOURCES):
        return None
    prev = engine.table(w.ASSET_SOURCES)
    if not {"record_key", "golden_id"} <= set(prev.columns):
        return None
    return prev.select("record_key", prev_id=prev.golden_id).distinct()


def assign_golden_ids(engine: Engine, rows: ibis.Table, run_seq: int) -> tuple[ibis.Table, ibis.Table]:
    """(asset_key → golden_id, id events) for this run's records (`asset_key`, `record_key`)."""
    members = rows.select("asset_key", "record_key").distinct()
    anchors = members.group_by("asset_key").aggregate(anchor=members.record_key.min(), records=members.count())
    prev = previous_membership(engine)
    if prev is None:
        fresh = _fresh(engine, run_seq, anchors.anchor)
        ids = anchors.select("asset_key", golden_id=fresh)
        events = anchors.select(
            golden_id=fresh, event=ibis.literal("new"), other_id=ibis.null("string"), asset_key=anchors.asset_key, records=anchors.records
        )
        return engine.scratch("_work_golden_ids", ids), events

    overlap = members.join(prev, "record_key").group_by("asset_key", "prev_id").aggregate(n=ibis._.count())
    ranked = overlap.mutate(
        by_asset=ibis.row_number().over(group_by=overlap.asset_key, order_by=[ibis.desc(overlap.n), overlap.prev_id]),
        by_prev=ibis.row_number().over(group_by=overlap.prev_id, order_by=[ibis.desc(overlap.n), overlap.asset_key]),
    )
    ranked = engine.scratch("_work_golden_overlap", ranked)
    kept = ranked.filter((ranked.by_asset == 0) & (ranked.by_prev == 0)).select("asset_key", kept_id=ranked.prev_id)
    best = ranked.filter(ranked.by_asset == 0).select("asset_key", best_prev=ranked.prev_id)
    joined = anchors.left_join(kept, "asset_key").left_join(best, "asset_key")
    ids = engine.scratch(
        "_work_golden_ids",
        joined.select(
            asset_key=joined.asset_key,
            golden_id=ibis.coalesce(joined.kept_id, _fresh(engine, run_seq, joined.anchor)),
            best_prev=joined.best_prev,
            kept=joined.kept_id.notnull(),
            records=joined.records,
        ),
    )
    born = ids.filter(~ids.kept)
    new_or_split = born.select(
        golden_id=born.golden_id,
        event=ibis.cases((born.best_prev.isnull(), "new"), else_="split"),
        other_id=born.best_prev,
        asset_key=born.asset_key,
        records=born.records,
    )
    previous_ids = prev.group_by("prev_id").aggregate(records=prev.count())
    still = ids.filter(ids.kept).select(prev_id=ids.golden_id)
    gone = previous_ids.anti_join(still, "prev_id")
    home = ranked.filter(ranked.by_prev == 0).join(ids, "asset_key").select("prev_id", home_id=ids.golden_id, home_key=ids.asset_key)
    fate = gone.left_join(home, "prev_id")
    merged_or_retired = fate.select(
        golden_id=fate.prev_id,
        event=ibis.cases((fate.home_id.isnull(), "retired"), else_="merged"),
        other_id=fate.home_id,
        asset_key=fate.home_key,
        records=fate.records,
    )
    return ids.select("asset_key", "golden_id"), new_or_split.union(merged_or_retired)


def _fresh(engine: Engine, run_seq: int, anchor: ibis.StringValue) -> ibis.StringValue:
    """A new id: never one an earlier run handed out, since the run's number is part of what is hashed."""
    return ibis.literal("g-") + engine.md5(ibis.literal(f"{run_seq}:") + anchor).substr(0, 12)
