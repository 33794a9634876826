"""Survivorship with provenance: each golden field's value and the record it came from.

For every golden asset and field, the records with a value are ranked by the field's rule
(`assay.project.survivorship`), then by source priority, value and record key, so the winner
never depends on row order; the first one gives the golden value and its provenance (source,
record key, file and row). One window per field: a set-based query on every engine.
"""

from __future__ import annotations

import ibis

from assay.project.models import AssetReconcile
from assay.project.survivorship import Survivorship

SURVIVING_FIELDS = ("owner_email", "org")


def recency_column(column: str) -> str:
    """The column of the records table holding a `most_recent` rule's `by` column as a timestamp."""
    return f"by_{column}"


def recency_columns(spec: AssetReconcile) -> list[str]:
    return sorted({rule.by for rule in spec.survivorship.values() if rule.by is not None})


def provenance(spec: AssetReconcile, rows: ibis.Table) -> ibis.Table:
    """golden_id, asset_key, field, value, rule, source, record_key, file, row_number: one row per
    golden asset and field that some record fills."""
    parts = []
    for field in SURVIVING_FIELDS:
        rule = spec.survivorship.get(field, Survivorship())
        order = rule.sources or spec.sources
        have = rows.filter(rows[field].notnull())
        if rule.rule == "most_frequent":
            have = have.mutate(_times=have.count().over(group_by=[have.golden_id, have[field]]))
        priority = ibis.cases(*((have.source == s, i) for i, s in enumerate(order)), else_=len(order))
        keys: list[ibis.Value] = []
        if rule.rule == "most_recent":
            assert rule.by is not None
            keys.append(ibis.desc(have[recency_column(rule.by)], nulls_first=False))
        elif rule.rule == "most_frequent":
            keys.append(ibis.desc(have._times))
        elif rule.rule == "most_complete":
            keys.append(ibis.desc(have[field].length()))
        keys += [priority, have[field], have.record_key]
        ranked = have.mutate(_rank=ibis.row_number().over(group_by=have.golden_id, order_by=keys))
        won = ranked.filter(ranked._rank == 0)  # Ibis numbers rows from 0
        parts.append(
            won.select(
                golden_id=won.golden_id,
                asset_key=won.asset_key,
                field=ibis.literal(field),
                value=won[field],
                rule=ibis.literal(rule.rule),
                source=won.source,
                record_key=won.record_key,
                file=won.file,
                row_number=won.row_number,
            )
        )
    return ibis.union(*parts)


def surviving_values(prov: ibis.Table) -> ibis.Table:
    """golden_id and one column per surviving field, from the provenance rows."""
    return prov.group_by("golden_id").aggregate(**{f: prov.value.max(where=prov.field == f) for f in SURVIVING_FIELDS})
