"""Carry findings from the previous state to this run: new, open, reopened, resolved.

A full outer join of the previous `assay_findings` with this run's detections on the
fingerprint decides every transition in one set-based step:

    detected, unknown before          -> new       (first seen now, due = now + SLA)
    detected, new/open/reopened       -> open      (first seen and due kept)
    detected, resolved before         -> reopened  (due restarts)
    not detected, new/open/reopened   -> resolved  (resolved_at = now)
    not detected, resolved before     -> resolved  (unchanged)
"""

from __future__ import annotations

from datetime import date

import ibis

from assay.warehouse.schema import FINDINGS_SCHEMA

OPEN_STATUSES = ("new", "open", "reopened")
"""Statuses of a finding that is still detected; `resolved` is the only other one."""


def empty_state() -> ibis.Table:
    return ibis.memtable(FINDINGS_SCHEMA.to_pyarrow().empty_table())


def next_state(previous: ibis.Table, detected: ibis.Table, run_id: str, as_of: date) -> ibis.Table:
    """The findings table after this run, with `event` set where this run changed or saw a row."""
    d = detected.rename(lambda c: f"d_{c}")
    joined = previous.outer_join(d, previous.fingerprint == d.d_fingerprint)
    seen = joined.d_fingerprint.notnull()
    known = joined.fingerprint.notnull()
    was_active = known & joined.status.isin(OPEN_STATUSES)
    today = ibis.literal(as_of)
    status = ibis.cases(
        (seen & ~known, "new"),
        (seen & was_active, "open"),
        (seen, "reopened"),
        (was_active, "resolved"),
        else_=joined.status,
    )
    restart = seen & ~was_active
    event = ibis.cases((seen, status), (was_active, "resolved"), else_=ibis.null("string"))
    return joined.select(
        fingerprint=ibis.coalesce(joined.fingerprint, joined.d_fingerprint),
        rule=ibis.coalesce(joined.rule, joined.d_rule),
        entity_key=ibis.coalesce(joined.entity_key, joined.d_entity_key),
        severity=ibis.coalesce(joined.d_severity, joined.severity),
        status=status,
        owner=ibis.cases((seen, joined.d_owner), else_=joined.owner),
        org=ibis.cases((seen, joined.d_org), else_=joined.org),
        first_seen_run=ibis.coalesce(joined.first_seen_run, ibis.literal(run_id)),
        last_seen_run=ibis.cases((seen, ibis.literal(run_id)), else_=joined.last_seen_run),
        first_seen_at=ibis.coalesce(joined.first_seen_at, today),
        last_seen_at=ibis.cases((seen, today), else_=joined.last_seen_at),
        resolved_at=ibis.cases((seen, ibis.null("date")), (was_active, today), else_=joined.resolved_at),
        due_at=ibis.cases((restart, joined.d_due_at), else_=joined.due_at),
        details=ibis.cases((seen, joined.d_details), else_=joined.details),
        event=event,
    )
