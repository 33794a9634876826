"""Shared by the table-shape kinds: the source's loaded columns (assay's own `_` columns aside)."""

from __future__ import annotations

import ibis


def table_columns(t: ibis.Table) -> list[str]:
    return [c for c in t.columns if not c.startswith("_")]
