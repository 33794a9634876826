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

SURVIVING_FIELDS = ("owner_email", "org")


@dataclass(frozen=True)
class AssetTables:
    golden: ibis.Table
    memberships: ibis.Table
    owner_conflicts: ibis.Table
    only_in_source: ibis.Table


def source_rows(engine: Engine, spec: AssetReconcile, sources: dict[str, Source]) -> ibis.Table:
    """Every inventory row with its key, source label and the fields survivorship chooses from."""
    parts = []
    for name in spec.sources:
        t = engine.table(table_name(name))
        mapped = sources[name].columns
        kind = canonical_type(t.asset_type, vocabulary(spec.asset_types, spec.asset_types_by_source.get(name, {})))
        parts.append(
            t.filter(t.name.notnull() & t.asset_type.notnull()).select(
                asset_key=kind + ":" + t.name,
                asset_type=kind,
                raw_asset_type=t.asset_type,
                name=t.name,
                source=ibis.literal(name),
                source_id=t.source_id.cast("string") if "source_id" in mapped else ibis.null("string"),
                owner_email=t.owner_email if "owner_email" in mapped else ibis.null("string"),
                org=t.org if "org" in mapped else ibis.null("string"),
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


def reconcile_assets(engine: Engine, spec: AssetReconcile, sources: dict[str, Source]) -> AssetTables:
    rows = engine.create_table("_work_asset_sources", source_rows(engine, spec, sources))
    aggregates: dict[str, ibis.Value] = {}
    for field in SURVIVING_FIELDS:
        order = spec.survivorship.get(field, spec.sources)
        priority = ibis.cases(*((rows.source == s, f"{i:02d}") for i, s in enumerate(order)), else_="99")
        aggregates[field] = (priority + rows[field]).min().substr(2)
    for s in spec.sources:
        aggregates[f"in_{s}"] = (rows.source == s).any()
    aggregates["source_count"] = rows.source.nunique()
    grouped = rows.group_by("asset_key", "asset_type", "name").aggregate(**aggregates)
    listing = ibis.literal("")
    for s in spec.sources:
        listing = listing + ibis.cases((grouped[f"in_{s}"], f"{s},"), else_="")
    golden = engine.create_table("_work_assets", grouped.mutate(sources=listing.re_replace(",$", "")))

    owners = rows.filter(rows.owner_email.notnull())
    disputed = owners.group_by("asset_key").aggregate(n=owners.owner_email.nunique()).filter(lambda t: t.n > 1)
    conflicts = owners.semi_join(disputed, "asset_key").select("asset_key", "asset_type", "name", "source", "owner_email")
    conflicts = engine.create_table("_work_owner_conflicts", conflicts)
    single = golden.filter(golden.source_count == 1)
    only = engine.create_table(
        "_work_only_in_source", single.select("asset_key", "asset_type", "name", "owner_email", "org", source=single.sources)
    )
    return AssetTables(golden, rows, conflicts, only)
