"""Golden asset records from several inventories matched on normalized keys.

Each source contributes rows keyed by `asset_type:name` (names are normalized at ingest).
Survivorship picks, per field, the first non-null value in the configured source order; that
pick is a single `min` over a priority-prefixed string, so it is one set-based aggregation on
every engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from assay.engine import Engine
from assay.ingest.stage import table_name
from assay.project.asset_types import vocabulary
from assay.project.models import AssetReconcile, Source
from assay.reconcile.golden_ids import assign_golden_ids
from assay.reconcile.matching import Clusters, cluster_records, key_column
from assay.reconcile.survivors import SURVIVING_FIELDS, provenance, recency_column, recency_columns, surviving_values


@dataclass(frozen=True)
class AssetTables:
    golden: ibis.Table
    memberships: ibis.Table
    owner_conflicts: ibis.Table
    only_in_source: ibis.Table
    id_events: ibis.Table
    """This run's golden id changes (`assay.reconcile.golden_ids`)."""
    provenance: ibis.Table
    """Each golden field's value and the record it came from (`assay.reconcile.survivors`)."""
    clusters: Clusters | None = None
    """The match passes' links and split clusters (with `reconcile.assets.match` only)."""


def source_rows(engine: Engine, spec: AssetReconcile, sources: dict[str, Source]) -> ibis.Table:
    """Every inventory row with its key, source label and the fields survivorship chooses from;
    with match passes also its record id and the text of every match key (`m_<key>`)."""
    match_keys = sorted({k for p in spec.match for k in p.keys} | set(spec.strong_keys))
    parts = []
    for name in spec.sources:
        t = engine.table(table_name(name))
        mapped = sources[name].columns
        kind = canonical_type(t.asset_type, vocabulary(spec.asset_types, spec.asset_types_by_source.get(name, {})))
        extra: dict[str, ibis.Value] = {}
        if spec.match:
            own = {"asset_type": kind, "name": t.name}
            extra["record_id"] = ibis.literal(f"{name}:") + t._file.cast("string") + ":" + t._row.cast("string")
            for k in match_keys:
                value = own.get(k, t[k] if k in mapped else None)
                extra[key_column(k)] = ibis.null("string") if value is None else value.cast("string")
        parts.append(
            t.filter(t.name.notnull() & t.asset_type.notnull()).select(
                asset_key=kind + ":" + t.name,
                asset_type=kind,
                raw_asset_type=t.asset_type,
                name=t.name,
                record_key=ibis.literal(f"{name}:")
                + (t.source_id.cast("string") if "source_id" in mapped else ibis.null("string")).coalesce(t.asset_type + ":" + t.name),
                source=ibis.literal(name),
                source_id=t.source_id.cast("string") if "source_id" in mapped else ibis.null("string"),
                owner_email=t.owner_email if "owner_email" in mapped else ibis.null("string"),
                org=t.org if "org" in mapped else ibis.null("string"),
                file=t._file.cast("string"),
                row_number=t._row.cast("int64"),
                **{recency_column(c): t[c].cast("timestamp") if c in mapped else ibis.null("timestamp") for c in recency_columns(spec)},
                **extra,
            )
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def canonical_type(raw: ibis.StringValue, spellings: dict[str, str]) -> ibis.StringValue:
    """The canonical class of a raw asset type (trimmed, case-folded) by the vocabulary; a
    spelling it does not list stays as written."""
    if not spellings:
        return raw
    by_class: dict[str, list[str]] = {}
    for spelled, canonical in spellings.items():
        by_class.setdefault(canonical, []).append(spelled)
    folded = raw.strip().lower()
    return ibis.cases(*((folded.isin(sorted(listed)), canonical) for canonical, listed in sorted(by_class.items())), else_=raw)


def clustered_rows(engine: Engine, spec: AssetReconcile, records: ibis.Table) -> tuple[ibis.Table, Clusters]:
    """Records keyed by their cluster: the cluster's type and name are the first non-null ones in
    source order; clusters sharing a `type:name` are told apart by a `#n` suffix (n from 2, by
    cluster id). The record's own name and type stay in `record_name` and `record_type`."""
    clusters = cluster_records(engine, records, spec.match, spec.strong_keys)
    rows = records.join(clusters.assignment, "record_id")
    priority = ibis.cases(*((rows.source == s, f"{i:02d}") for i, s in enumerate(spec.sources)), else_="99")
    pick = rows.group_by("cluster_id").aggregate(
        c_type=(priority + rows.asset_type).min().substr(2), c_name=(priority + rows.name).min().substr(2)
    )
    base = pick.c_type + ":" + pick.c_name
    n = ibis.row_number().over(group_by=base, order_by=pick.cluster_id)
    keyed = pick.mutate(c_key=ibis.cases((n == 0, base), else_=base + "#" + (n + 1).cast("string")))
    out = rows.join(keyed, "cluster_id")
    named = out.mutate(record_name=out.name, record_type=out.asset_type, asset_key=out.c_key, asset_type=out.c_type, name=out.c_name)
    keys = [c for c in named.columns if c.startswith("m_")]
    return named.drop("c_type", "c_name", "c_key", *keys), clusters


def reconcile_assets(engine: Engine, spec: AssetReconcile, sources: dict[str, Source], run_seq: int) -> AssetTables:
    """Golden assets and their tables for the run numbered `run_seq` (new golden ids are derived from it)."""
    rows = source_rows(engine, spec, sources)
    clusters = None
    if spec.match:
        rows, clusters = clustered_rows(engine, spec, engine.scratch("_work_asset_records", rows))
    rows = engine.scratch("_work_asset_rows", rows)
    ids, id_events = assign_golden_ids(engine, rows, run_seq)
    keyed = rows.join(ids, "asset_key")
    prov = engine.scratch("_work_asset_provenance", provenance(spec, keyed))
    rows = engine.scratch("_work_asset_sources", keyed.drop(*[recency_column(c) for c in recency_columns(spec)]))
    aggregates: dict[str, ibis.Value] = {}
    for s in spec.sources:
        aggregates[f"in_{s}"] = (rows.source == s).any()
    aggregates["source_count"] = rows.source.nunique()
    counted = rows.group_by("golden_id", "asset_key", "asset_type", "name").aggregate(**aggregates)
    survived = surviving_values(prov)
    grouped = counted.left_join(survived, "golden_id").select(
        "golden_id", "asset_key", "asset_type", "name", *SURVIVING_FIELDS, *[f"in_{s}" for s in spec.sources], "source_count"
    )
    listing = ibis.literal("")
    for s in spec.sources:
        listing = listing + ibis.cases((grouped[f"in_{s}"], f"{s},"), else_="")
    golden = engine.scratch("_work_assets", grouped.mutate(sources=listing.re_replace(",$", "")))

    owners = rows.filter(rows.owner_email.notnull())
    disputed = owners.group_by("asset_key").aggregate(n=owners.owner_email.nunique()).filter(lambda t: t.n > 1)
    conflicts = owners.semi_join(disputed, "asset_key").select("asset_key", "asset_type", "name", "source", "owner_email")
    conflicts = engine.scratch("_work_owner_conflicts", conflicts)
    single = golden.filter(golden.source_count == 1)
    only = engine.scratch(
        "_work_only_in_source", single.select("asset_key", "asset_type", "name", "owner_email", "org", source=single.sources)
    )
    return AssetTables(golden, rows, conflicts, only, id_events, prov, clusters)
