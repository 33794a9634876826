"""Numbered warehouse migrations: `MIGRATIONS[n]` upgrades a version n-1 warehouse to version n.

Each step is one module `mNNNN_<what>.py` with an `upgrade(engine)` function; it runs inside the
engine's transaction where there is one. Steps only ever move forward: a warehouse written by a
newer release is refused, never downgraded.
"""

from __future__ import annotations

from collections.abc import Callable

from assay.engine import Engine
from assay.warehouse.migrations import m0002_state_by_run, m0003_check_observed

MIGRATIONS: dict[int, Callable[[Engine], None]] = {
    2: m0002_state_by_run.upgrade,
    3: m0003_check_observed.upgrade,
}
