"""The demo's access reviews: weekly campaigns whose numbers plant three statistical truths.

Every week a `quarterly` campaign and a `privileged` campaign open at the start of the week
(counts are fixed, not sampled, so the truths hold for every seed and size):

- quarterly completion rises by 3 points a week (60%, 63%, 66%, ...): a real trend, which the
  Mann-Kendall test finds from 5 weekly runs on (p < 0.05), with a Sen's slope of 3 pp/week;
- quarterly revocation zigzags around 10% with no direction: noise, no trend, and every
  week-to-week change within noise;
- privileged completion is 90% in Finance and 50% in Legal every week, but in the last week
  Legal's campaign is three times as large: the overall rate falls from 70% to 60% with both
  orgs' rates unchanged, a change made of mix alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

QUARTERLY_ITEMS = 200
ZIGZAG = (0, 2, -1, 1, -2, 1, 0, -1, 2, -2, 1, 0)
"""Revoked items around 10% of the decided ones, week by week: up and down with no direction."""
PRIVILEGED = {"Finance": (100, 90), "Legal": (100, 50)}
"""Org → (items, completed) each week; Legal's items triple in the last week."""
LAST_WEEK_GROWTH = 3


def quarterly_completed(week: int) -> int:
    return round(QUARTERLY_ITEMS * min(0.60 + 0.03 * week, 0.98))


def quarterly_revoked(week: int) -> int:
    return round(quarterly_completed(week) * 0.10) + ZIGZAG[week % len(ZIGZAG)]


def write_reviews(path: Path, as_of: np.ndarray, week_seconds: int, hour: int) -> tuple[int, dict]:
    """Write the review items; return the row count and the truths by as-of index."""
    weeks = len(as_of)
    ids: list[str] = []
    campaign: list[str] = []
    org: list[str] = []
    created: list[int | None] = []
    decided: list[int | None] = []
    decision: list[str | None] = []

    def add(kind: str, who: str, n: int, done: int, revoked: int, week: int) -> None:
        opened = int(as_of[week]) - week_seconds + hour
        for k in range(n):
            ids.append(f"AR{len(ids) + 1:06d}")
            campaign.append(kind)
            org.append(who)
            created.append(opened)
            # decisions spread over the week, all before the week's as-of instant
            decided.append(opened + (k + 1) * (week_seconds - 2 * hour) // (n + 1) if k < done else None)
            decision.append(("revoke" if k < revoked else "keep") if k < done else None)

    truths: dict = {"quarterly_completion": [], "quarterly_revocation": [], "privileged": []}
    for week in range(weeks):
        done, revoked = quarterly_completed(week), quarterly_revoked(week)
        add("quarterly", "all", QUARTERLY_ITEMS, done, revoked, week)
        truths["quarterly_completion"].append(done / QUARTERLY_ITEMS)
        truths["quarterly_revocation"].append(revoked / done)
        by_org = {}
        for who, (n, ok) in PRIVILEGED.items():
            grow = LAST_WEEK_GROWTH if who == "Legal" and week == weeks - 1 and weeks > 1 else 1
            add("privileged", who, n * grow, ok * grow, 0, week)
            by_org[who] = [ok * grow, n * grow]
        truths["privileged"].append(by_org)

    table = pa.table(
        {
            "item_id": pa.array(ids),
            "campaign": pa.array(campaign),
            "org": pa.array(org),
            "created_at": _text(created),
            "decided_at": _text(decided),
            "decision": pa.array(decision, type=pa.string()),
        }
    )
    lines = ["item_id,campaign,org,created_at,decided_at,decision"]
    for row in table.to_pylist():
        lines.append(",".join("" if v is None else str(v) for v in row.values()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return table.num_rows, truths


def _text(seconds: Sequence[int | None]) -> pa.Array:
    values = pa.array(seconds, type=pa.int64()).cast(pa.timestamp("s"))
    return pc.strftime(values, format="%Y-%m-%d %H:%M:%S")
