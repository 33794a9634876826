"""`Engine.regex_groups` and `Engine.select_once` against Python's `re` (same leftmost-first
semantics as RE2, PostgreSQL and Java for these patterns), on every engine."""

from __future__ import annotations

import re
from collections.abc import Iterator

import ibis
import pytest

from assay.engine import Engine
from assay.normalize.timestamp import EPOCH, ISO, US
from tests.engine_param import ENGINES, connected, texts

VALUES = [
    "2026-11-20T14:13:44.123+02:00",
    "2026-11-20",
    "2026-11-20Z",
    "2026-11-20-05",
    "2026-11-20T14:13",
    "11/20/2026 14:03:05",
    "1795176824000",
    "1795176824.5",
    "not a time",
    "",
    None,
]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from connected(request.param, tmp_path_factory)


def oracle(pattern: str, count: int, value: str | None) -> list[str | None]:
    match = re.search(pattern, value) if value is not None else None
    return [(match.group(i) or None) if match else None for i in range(1, count + 1)]


@pytest.mark.parametrize(("pattern", "count"), [(ISO, 11), (US, 6), (EPOCH, 2)])
def test_groups_match_python(engine: Engine, pattern: str, count: int) -> None:
    table = texts(engine, VALUES)
    groups = engine.regex_groups(table.v, pattern, count)
    # Each group is referenced twice, inside CASE branches: select_once must still give the groups.
    values = {f"g{i}": ibis.ifelse(g.notnull(), g, g) for i, g in enumerate(groups)}
    picked = engine.select_once(table, {"i": table.i, **values}).order_by("i")
    rows = engine.to_arrow(picked).to_pylist()
    got = [[row[f"g{i}"] for i in range(count)] for row in rows]
    assert got == [oracle(pattern, count, v) for v in VALUES]
