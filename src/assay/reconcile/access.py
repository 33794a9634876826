"""The access table: grants active at the as-of instant, joined to the HR roster by email."""

from __future__ import annotations

from datetime import datetime

import ibis

from assay.engine import Engine
from assay.ingest.stage import table_name
from assay.project.models import Access, Source


def access_table(engine: Engine, access: Access, sources: dict[str, Source], as_of: datetime) -> ibis.Table:
    """Active grants with the holder's status as of `as_of`: active, terminated or unknown.

    A person is terminated from the start (UTC) of their termination date, so at the end of that
    date they are; people listed twice under one email count once, with their earliest
    termination date. Grants and people without an email never get here: ingest quarantines them.
    """
    at = ibis.literal(as_of)
    grants = engine.table(table_name(access.grants))
    grant_cols = sources[access.grants].columns
    revoked = grants.revoked_at if "revoked_at" in grant_cols else ibis.null("timestamp")
    active = grants.filter((grants.granted_at <= at) & (revoked.isnull() | (revoked > at)))

    people = engine.table(table_name(access.people))
    people_cols = sources[access.people].columns
    roster = people.group_by(person_email=people.email).aggregate(
        terminated_on=people.termination_date.min() if "termination_date" in people_cols else ibis.null("date"),
        org=people.org.min() if "org" in people_cols else ibis.null("string"),
    )
    joined = active.left_join(roster, active.email == roster.person_email)
    known = joined.person_email.notnull()
    terminated = known & joined.terminated_on.notnull() & (joined.terminated_on <= ibis.literal(as_of.date()))
    return joined.select(
        email=joined.email,
        system=joined.system,
        role=joined.role,
        privileged=joined.privileged if "privileged" in grant_cols else ibis.null("boolean"),
        granted_at=joined.granted_at,
        person_known=known,
        person_status=ibis.cases((terminated, "terminated"), (known, "active"), else_="unknown"),
        terminated_on=joined.terminated_on,
        org=joined.org,
    )
