"""Turn finding rules into detections: one row per fingerprint (rule + entity) that matches now.

An input can show the same entity several times in one run (one person holding a role through
two grants, an asset listed twice); those rows are one finding, whose details keep the count and
every distinct row seen, so the lifecycle join can rely on one row per fingerprint.
"""

from __future__ import annotations

from datetime import datetime

import ibis

from assay.engine import Engine
from assay.engine.expressions import json_object
from assay.findings.inputs.registry import finding_inputs
from assay.project.models import FindingRule

DETECTION_SCHEMA = ibis.schema(
    {
        "fingerprint": "string",
        "rule": "string",
        "entity_key": "string",
        "severity": "string",
        "owner": "string",
        "org": "string",
        "due_at": "date",
        "details": "string",
    }
)


def detections(engine: Engine, rules: dict[str, FindingRule], inputs: dict[str, ibis.Table], as_of: datetime) -> ibis.Table:
    """One row per fingerprint detected at the as-of instant, in DETECTION_SCHEMA.

    `details` is `{"count": n, "seen": [...]}`: how many input rows matched, and the distinct rows
    (as JSON objects, sorted so that the same inputs give the same text on every engine). A
    finding is due on the UTC date its SLA runs out, counted from that instant: with a date's end
    as the instant, `sla: 14d` on 20 November is due 4 December.
    """
    parts = []
    for name, rule in rules.items():
        t = inputs.get(rule.from_)
        if t is None:
            continue
        for column, wanted in rule.where.items():
            t = t.filter(t[column].isin(wanted) if isinstance(wanted, list) else t[column] == wanted)
        spec = finding_inputs()[rule.from_]
        key = t[spec.entity_key[0]].cast("string")
        for column in spec.entity_key[1:]:
            key = key + "|" + t[column].cast("string")
        parts.append(
            t.select(
                fingerprint=engine.md5(ibis.literal(name + "|") + key),
                rule=ibis.literal(name),
                entity_key=key,
                severity=ibis.literal(rule.severity),
                owner=t[rule.owner].cast("string") if rule.owner else ibis.null("string"),
                org=t.org.cast("string") if "org" in spec.schema else ibis.null("string"),
                due_at=ibis.literal((as_of + rule.sla).date() if rule.sla else None, type="date"),
                details=json_object({c: t[c].cast("string") for c in spec.detail_columns}),
            )
        )
    if not parts:
        return ibis.memtable(DETECTION_SCHEMA.to_pyarrow().empty_table())
    rows = ibis.union(*parts) if len(parts) > 1 else parts[0]
    return one_per_fingerprint(rows)


def one_per_fingerprint(rows: ibis.Table) -> ibis.Table:
    """Collapse rows sharing a fingerprint; the smallest value wins where rows disagree, so it is deterministic."""
    grouped = rows.group_by("fingerprint").aggregate(
        rule=rows.rule.min(),
        entity_key=rows.entity_key.min(),
        severity=rows.severity.min(),
        owner=rows.owner.min(),
        org=rows.org.min(),
        due_at=rows.due_at.min(),
        n=rows.count(),
        seen=rows.details.collect(distinct=True),
    )
    details = ibis.literal('{"count":') + grouped.n.cast("string") + ',"seen":[' + grouped.seen.sort().join(",") + "]}"
    return grouped.select(*DETECTION_SCHEMA.names[:-1], details=details)
