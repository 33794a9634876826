"""The coverage matrix: every in-scope asset × control, covered when fresh evidence exists."""

from __future__ import annotations

from datetime import datetime

import ibis

from assay.engine import Engine
from assay.ingest.stage import table_name
from assay.project.models import Control


def coverage_matrix(engine: Engine, golden: ibis.Table, controls: dict[str, Control], as_of: datetime) -> ibis.Table:
    """Rows of (asset, control) with `covered` = evidence seen in (as_of - freshness, as_of].

    Evidence joins on the normalized name; a control applies to the assets its `applies_to`
    filter keeps. Evidence after the as-of instant is ignored, so a past date is evaluated as it
    was. Observations without a name or time never get here: ingest quarantines them.
    """
    cutoff_now = ibis.literal(as_of)
    parts = []
    for control_name, control in controls.items():
        scope = golden
        for column, allowed in control.applies_to.items():
            scope = scope.filter(scope[column].isin(allowed))
        evidence_parts = []
        for source in control.evidence:
            t = engine.table(table_name(source))
            evidence_parts.append(t.filter(t.observed_at <= cutoff_now).select("name", "observed_at"))
        evidence = ibis.union(*evidence_parts) if len(evidence_parts) > 1 else evidence_parts[0]
        last_seen = evidence.group_by("name").aggregate(last_seen_at=evidence.observed_at.max())
        joined = scope.left_join(last_seen, scope.name == last_seen.name)
        fresh_after = ibis.literal(as_of - control.freshness)
        parts.append(
            joined.select(
                asset_key=joined.asset_key,
                asset_type=joined.asset_type,
                name=joined.name,
                control=ibis.literal(control_name),
                covered=(joined.last_seen_at > fresh_after).fill_null(False),
                last_seen_at=joined.last_seen_at,
                owner_email=joined.owner_email,
                org=joined.org,
            )
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]
