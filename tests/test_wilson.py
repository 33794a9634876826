"""The Wilson interval against the worked examples published by Newcombe (1998), Table I."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from assay.engine import connect
from assay.metrics.wilson import wilson_interval

# (successes, n, lower, upper) — Newcombe, Statistics in Medicine 17:857-872, method 3.
PUBLISHED = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)]


def test_matches_newcombe_table(tmp_path: Path) -> None:
    engine = connect("duckdb://:memory:", tmp_path)
    t = ibis.memtable({"x": [p[0] for p in PUBLISHED], "n": [p[1] for p in PUBLISHED]})
    low, high = wilson_interval(t.x, t.n)
    rows = engine.to_arrow(t.select(low=low, high=high)).to_pylist()
    for (_, _, want_low, want_high), row in zip(PUBLISHED, rows, strict=True):
        assert row["low"] == pytest.approx(want_low, abs=5e-5)
        assert row["high"] == pytest.approx(want_high, abs=5e-5)


def test_empty_group_has_no_interval(tmp_path: Path) -> None:
    engine = connect("duckdb://:memory:", tmp_path)
    t = ibis.memtable({"x": [0], "n": [0]})
    low, high = wilson_interval(t.x, t.n)
    assert engine.to_arrow(t.select(low=low, high=high)).to_pylist() == [{"low": None, "high": None}]
