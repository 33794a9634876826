"""Deterministic match passes over inventory records, clustered by connected components.

Passes run in the project's priority order, each on normalized key columns (cloud resource id,
serial, MAC, FQDN, host name, IP, ...). Within a pass, records with the same non-null key values
link to the group's anchor (its smallest record id); a link is made only when at least one of
its two records was not matched by an earlier pass, so a record matched early is never re-matched
by a weaker key later, and every link names the pass that made it. Two records whose strong keys
(`strong_keys`) hold different non-null values are never linked directly.

Clusters are the connected components of the links, found by label propagation: each record
takes the smallest label among itself and its neighbours until nothing changes, one set-based
query per round (the rounds are about the longest chain, a handful in practice). A cluster that
still joins records with conflicting strong keys (through records that lack them) is chained:
it is reported and broken up into its records, each its own cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from assay.engine import Engine
from assay.errors import AssayError
from assay.project.models import MatchPass

MAX_ROUNDS = 200
"""Label propagation rounds before giving up (each round halves no distance but shortens every
chain by one, so this bounds a chain of 200 links, far beyond any real inventory)."""


@dataclass(frozen=True)
class Clusters:
    """Record → cluster, the links behind them, and the clusters broken up by the chaining guard."""

    assignment: ibis.Table
    """record_id, cluster_id, match_pass (the first pass that matched the record; null if none)."""
    links: ibis.Table
    """record_id, matched_to, match_pass, pass_order, key_values: one row per link made."""
    chained: ibis.Table
    """cluster_id, record_id, strong_key, value: every record of a cluster split for conflicting
    values of `strong_key` (value: the record's own, null when it has none)."""


def key_column(key: str) -> str:
    """The records table's column for a match key."""
    return f"m_{key}"


def cluster_records(engine: Engine, records: ibis.Table, passes: list[MatchPass], strong_keys: list[str]) -> Clusters:
    """Run the passes over `records` (record_id and an `m_<key>` text column per key) and cluster them."""
    links = _links(engine, records, passes, strong_keys)
    labels = _components(engine, records, links)
    chained = _chained(engine, records, labels, strong_keys)
    broken = chained.select(label=chained.cluster_id, broken=ibis.literal(True)).distinct()
    split = labels.left_join(broken, "label")
    first = links.select("record_id", "match_pass", "pass_order").union(
        links.select(record_id=links.matched_to, match_pass=links.match_pass, pass_order=links.pass_order)
    )
    first_pass = first.group_by("record_id").aggregate(pass_order=first.pass_order.min())
    first_pass = first_pass.join(first.distinct(), ["record_id", "pass_order"]).select("record_id", "match_pass")
    assigned = split.left_join(first_pass, split.record_id == first_pass.record_id).select(
        record_id=split.record_id,
        cluster_id=ibis.cases((split.broken.fill_null(False), split.record_id), else_=split.label),
        match_pass=first_pass.match_pass,
    )
    return Clusters(engine.scratch("_work_asset_clusters", assigned), links, chained)


def _links(engine: Engine, records: ibis.Table, passes: list[MatchPass], strong_keys: list[str]) -> ibis.Table:
    matched = engine.scratch("_work_matched", records.filter(ibis.literal(False)).select("record_id"))
    labels = records.select("record_id", label=records.record_id)
    made: list[ibis.Table] = []
    for order, match_pass in enumerate(passes):
        keys = [key_column(k) for k in match_pass.keys]
        present = records.filter(ibis.and_(*(records[k].notnull() for k in keys)))
        groups = present.group_by(keys).aggregate(anchor=present.record_id.min(), n=present.count()).filter(lambda g: g.n > 1)
        pairs = present.join(groups, keys).filter(lambda m: m.record_id != m.anchor).select("record_id", "anchor")
        pairs = _compatible(records, labels, pairs, strong_keys)
        done = matched.select(done=matched.record_id)
        member_new = pairs.left_join(done, pairs.record_id == done.done).filter(lambda t: t.done.isnull()).select("record_id", "anchor")
        anchor_new = pairs.left_join(done, pairs.anchor == done.done).filter(lambda t: t.done.isnull()).select("record_id", "anchor")
        chosen = member_new.union(anchor_new, distinct=True)
        described = ibis.literal("")
        for i, k in enumerate(match_pass.keys):
            described = described + ("" if i == 0 else ", ") + f"{k}=" + present[key_column(k)]
        values = present.select("record_id", key_values=described)
        step = chosen.join(values, "record_id").select(
            record_id=chosen.record_id,
            matched_to=chosen.anchor,
            match_pass=ibis.literal(match_pass.name),
            pass_order=ibis.literal(order, "int64"),
            key_values=values.key_values,
        )
        made.append(engine.scratch(f"_work_match_{order}", step))
        matched = engine.scratch(
            "_work_matched_next",
            matched.union(made[-1].select("record_id")).union(made[-1].select(record_id=made[-1].matched_to)).distinct(),
        )
        matched = engine.scratch("_work_matched", matched)
        if strong_keys and order + 1 < len(passes):
            labels = _components(engine, records, ibis.union(*made))
    return engine.scratch("_work_asset_links", ibis.union(*made) if len(made) > 1 else made[0])


def _compatible(records: ibis.Table, labels: ibis.Table, pairs: ibis.Table, strong_keys: list[str]) -> ibis.Table:
    """The candidate links whose two clusters (as the earlier passes made them) hold no different
    values of a strong key: a later, weaker pass cannot join what a strong key keeps apart."""
    if not strong_keys:
        return pairs
    labelled = records.join(labels, "record_id")
    values = labelled.group_by("label").aggregate(**{f"v_{k}": labelled[key_column(k)].min() for k in strong_keys})
    member = labels.join(values, "label").select("record_id", **{f"mem_{k}": values[f"v_{k}"] for k in strong_keys})
    anchor = labels.join(values, "label").select(anchor=labels.record_id, **{f"a_{k}": values[f"v_{k}"] for k in strong_keys})
    both = pairs.join(member, "record_id").join(anchor, "anchor")
    ok = ibis.literal(True)
    for k in strong_keys:
        a, b = both[f"mem_{k}"], both[f"a_{k}"]
        ok = ok & (a.isnull() | b.isnull() | (a == b))
    return both.filter(ok).select("record_id", "anchor")


def _components(engine: Engine, records: ibis.Table, links: ibis.Table) -> ibis.Table:
    """record_id → label, the smallest record id of its connected component (a work table).

    Only linked records can change label, so the rounds run over them alone; each round writes
    the next labels with a `changed` flag into the other of two tables, and stops when none did.
    """
    edges = links.select(a=links.record_id, b=links.matched_to).union(links.select(a=links.matched_to, b=links.record_id))
    edges = engine.scratch("_work_match_edges", edges)
    nodes = edges.select(record_id=edges.a).distinct()
    labels = engine.scratch("_work_match_labels_0", nodes.mutate(label=nodes.record_id))
    for step in range(MAX_ROUNDS):
        seen = edges.join(labels, edges.b == labels.record_id).select(record_id=edges.a, label=labels.label)
        lowest = seen.group_by("record_id").aggregate(near=seen.label.min())
        joined = labels.join(lowest, "record_id")
        new_label = ibis.least(joined.label, joined.near)
        following = engine.scratch(
            f"_work_match_labels_{(step + 1) % 2}", joined.select("record_id", label=new_label, changed=new_label != joined.label)
        )
        labels = following.select("record_id", "label")
        if not engine.scalar(following.changed.any()):
            everyone = records.select("record_id").left_join(labels, "record_id")
            return engine.scratch(
                "_work_match_labels", everyone.select(record_id=everyone.record_id, label=everyone.label.coalesce(everyone.record_id))
            )
    raise AssayError(f"asset matching did not settle in {MAX_ROUNDS} rounds: a chain of links longer than that")


def _chained(engine: Engine, records: ibis.Table, labels: ibis.Table, strong_keys: list[str]) -> ibis.Table:
    """Records of clusters in which some strong key has two different non-null values."""
    empty = ibis.memtable({"cluster_id": [], "record_id": [], "strong_key": [], "value": []}, schema=_CHAINED_SCHEMA)
    if not strong_keys:
        return engine.scratch("_work_asset_chained", empty)
    labelled = records.join(labels, "record_id")
    parts = []
    for k in strong_keys:
        col = labelled[key_column(k)]
        have = labelled.filter(col.notnull())
        bad = have.group_by("label").aggregate(n=have[key_column(k)].nunique()).filter(lambda g: g.n > 1)
        rows = labelled.semi_join(bad, "label")
        parts.append(rows.select(cluster_id=rows.label, record_id=rows.record_id, strong_key=ibis.literal(k), value=rows[key_column(k)]))
    return engine.scratch("_work_asset_chained", ibis.union(*parts) if len(parts) > 1 else parts[0])


_CHAINED_SCHEMA = ibis.schema({"cluster_id": "string", "record_id": "string", "strong_key": "string", "value": "string"})
