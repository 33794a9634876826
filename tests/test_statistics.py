"""Statistics as engine expressions, against reference implementations: scipy, pymannkendall and
the published examples of Newcombe (1998). Each runs through Ibis on every engine, like a run does."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import ibis
import numpy as np
import pymannkendall as mk
import pytest
from scipy import stats

from assay.engine import Engine
from assay.metrics.stats.anomaly import MAD_SCALE, robust_z
from assay.metrics.stats.attribution import attribution
from assay.metrics.stats.difference import newcombe_interval, two_proportion_p
from assay.metrics.stats.normal import upper_tail
from assay.metrics.stats.trend import mann_kendall
from tests.engine_param import ENGINES, connected


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Each reference test runs on every engine (PostgreSQL and Spark when their marks are selected)."""
    yield from connected(request.param, tmp_path_factory)


def rows(engine: Engine, expr: ibis.Table) -> list[dict]:
    return engine.to_arrow(expr).to_pylist()


def test_normal_tail_matches_scipy(engine: Engine) -> None:
    z = np.concatenate([np.linspace(0, 8, 161), [0.001, 1.959963984540054, 2.5758293035489]])
    t = ibis.memtable({"z": z})
    got = [r["q"] for r in rows(engine, t.select(q=upper_tail(t.z)))]
    assert np.max(np.abs(np.array(got) - stats.norm.sf(z))) < 1e-7


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score, no correction).
NEWCOMBE = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
]


def test_newcombe_interval_matches_the_published_table(engine: Engine) -> None:
    t = ibis.memtable([{"x1": a, "n1": b, "x2": c, "n2": d} for (a, b, c, d), _ in NEWCOMBE])
    low, high = newcombe_interval(t.x1, t.n1, t.x2, t.n2)
    got = rows(engine, t.select(low=low, high=high))
    for row, (_, (lo, hi)) in zip(got, NEWCOMBE, strict=True):
        assert (round(row["low"], 4), round(row["high"], 4)) == (lo, hi)


def test_two_proportion_p_matches_pearson_chi_square(engine: Engine) -> None:
    cases = [(56, 70, 48, 80), (420, 500, 441, 500), (30, 1000, 20, 1000), (5, 9, 5, 9), (900, 1000, 950, 1000)]
    t = ibis.memtable([{"x1": a, "n1": b, "x2": c, "n2": d} for a, b, c, d in cases])
    got = [r["p"] for r in rows(engine, t.select(p=two_proportion_p(t.x1, t.n1, t.x2, t.n2)))]
    for p, (a, b, c, d) in zip(got, cases, strict=True):
        _, expected, _, _ = stats.chi2_contingency([[a, b - a], [c, d - c]], correction=False)
        assert p == pytest.approx(expected, abs=2e-7)


def series_points(values: list[float], days: list[float], name: str = "m") -> list[dict]:
    return [
        {"metric": name, "dimensions": "{}", "run_seq": i + 1, "days": d, "value": v}
        for i, (v, d) in enumerate(zip(values, days, strict=True))
    ]


@pytest.mark.parametrize("seed", range(8))
def test_mann_kendall_and_sen_slope_match_pymannkendall(engine: Engine, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 16))
    drift = [0.0, 0.004, -0.01][seed % 3]
    values = [round(0.8 + drift * i + rng.normal(0, 0.01), 3 if seed % 2 else 2) for i in range(n)]  # rounding makes ties
    weekly = [7.0 * i for i in range(n)]
    [got] = rows(engine, mann_kendall(ibis.memtable(series_points(values, weekly))))
    ref = mk.original_test(values)
    assert got["runs"] == n
    assert got["mk_s"] == ref.s
    assert got["mk_z"] == pytest.approx(ref.z, rel=1e-12, abs=1e-12)
    assert got["mk_p"] == pytest.approx(ref.p, abs=2e-7)
    assert got["sen_slope"] == pytest.approx(ref.slope, rel=1e-9, abs=1e-12)  # one run per week: per week = per step


def test_sen_slope_at_uneven_dates_matches_scipy_theilslopes(engine: Engine) -> None:
    values = [0.70, 0.72, 0.71, 0.75, 0.80, 0.79, 0.83]
    days = [0.0, 7.0, 14.0, 35.0, 42.0, 70.0, 77.0]
    [got] = rows(engine, mann_kendall(ibis.memtable(series_points(values, days))))
    assert got["sen_slope"] == pytest.approx(stats.theilslopes(values, days).slope * 7, rel=1e-12)


def test_mann_kendall_needs_four_runs_per_series(engine: Engine) -> None:
    points = series_points([1.0, 2.0, 3.0], [0.0, 7.0, 14.0], "short") + series_points([1.0, 2.0, 3.0, 4.0], [0.0, 7.0, 14.0, 21.0], "long")
    got = rows(engine, mann_kendall(ibis.memtable(points)))
    assert [r["metric"] for r in got] == ["long"]
    assert got[0]["mk_p"] == pytest.approx(mk.original_test([1, 2, 3, 4]).p, abs=2e-7)


def test_robust_z_matches_scipy_mad(engine: Engine) -> None:
    rng = np.random.default_rng(3)
    history = [*rng.normal(100, 5, 11).round(1), 400.0]  # one earlier outlier does not move the median
    now = [{"metric": "m", "dimensions": "{}", "value": 131.0}, {"metric": "calm", "dimensions": "{}", "value": 1.0}]
    past = [{"metric": "m", "dimensions": "{}", "value": float(v)} for v in history]
    past += [{"metric": "calm", "dimensions": "{}", "value": 1.0} for _ in range(6)]  # MAD 0: no z
    got = {r["metric"]: r for r in rows(engine, robust_z(ibis.memtable(past), ibis.memtable(now)))}
    expected = (131.0 - np.median(history)) / stats.median_abs_deviation(history, scale="normal")
    assert got["m"]["robust_z"] == pytest.approx(expected, rel=1e-9)
    assert got["m"]["anomaly"] is bool(abs(expected) > 3.5) is True
    assert got["calm"]["robust_z"] is None and got["calm"]["anomaly"] is False
    assert MAD_SCALE == pytest.approx(1 / stats.norm.ppf(0.75), rel=1e-12)


def test_attribution_adds_up_exactly_and_names_the_mover(engine: Engine) -> None:
    before = [("Payments", 90, 100), ("Retail", 50, 100), ("Legacy", 10, 50)]
    now = [("Payments", 91, 100), ("Retail", 160, 300), ("New", 40, 40)]  # Retail grows, Legacy leaves, New arrives

    def table(groups: list[tuple[str, int, int]]) -> ibis.Table:
        return ibis.memtable(
            [{"metric": "cov", "dimension": "org", "group": g, "numerator": float(x), "denominator": float(n)} for g, x, n in groups]
        )

    got = {r["group"]: r for r in rows(engine, attribution(table(now), table(before)))}
    total_now = sum(x for _, x, _ in now) / sum(n for _, _, n in now)
    total_before = sum(x for _, x, _ in before) / sum(n for _, _, n in before)
    effects = sum(r["rate_effect"] + r["mix_effect"] for r in got.values())
    assert effects == pytest.approx(total_now - total_before, abs=1e-15)
    # by hand: Payments' weight falls from 100/250 to 100/440 while its rate rises 0.90 -> 0.91
    assert got["Payments"]["rate_effect"] == pytest.approx((0.4 + 100 / 440) / 2 * 0.01, abs=1e-15)
    assert got["Payments"]["mix_effect"] == pytest.approx(0.905 * (100 / 440 - 0.4), abs=1e-15)
    # Legacy (rate 0.2, weight 0.2) leaves: all mix; New (rate 1, weight 40/440) arrives: all mix
    assert got["Legacy"]["rate_effect"] == 0 and got["Legacy"]["mix_effect"] == pytest.approx(0.2 * (0 - 0.2), abs=1e-15)
    assert got["New"]["rate_effect"] == 0 and got["New"]["mix_effect"] == pytest.approx(40 / 440, abs=1e-15)
    # Payments' shrinking share of the pairs pulled the total down most (−0.153), though its rate rose
    mover = min(got.values(), key=lambda r: r["rate_effect"] + r["mix_effect"])
    assert mover["group"] == "Payments"
    assert mover["rate_effect"] + mover["mix_effect"] == pytest.approx(100 / 440 * 0.91 - 0.4 * 0.9, abs=1e-15)
    for r in got.values():
        w0, w1 = r["previous_weight"], r["weight"]
        r0 = r["previous_rate"] if r["previous_rate"] is not None else r["rate"]
        r1 = r["rate"] if r["rate"] is not None else r["previous_rate"]
        assert r["rate_effect"] + r["mix_effect"] == pytest.approx(w1 * r1 - w0 * r0, abs=1e-15)
    assert math.isclose(sum(r["weight"] for r in got.values()), 1.0)


# --- through `assay run`, on the demo's weekly runs ----------------------------------------


@pytest.fixture(scope="module")
def demo_runs(demo_dir, truth: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    import shutil
    from datetime import date

    from assay.workspace import Workspace

    project = tmp_path_factory.mktemp("stats-demo") / "demo"
    shutil.copytree(demo_dir, project)
    ws = Workspace.open(project)
    runs = [ws.run(date.fromisoformat(d)).run_id for d in truth["as_of_dates"]]
    e = ws.engine
    out = {
        "runs": runs,
        "values": e.to_arrow(e.table("assay_metric_values")).to_pylist(),
        "trends": e.to_arrow(e.table("assay_metric_trends")).to_pylist(),
        "attribution": e.to_arrow(e.table("assay_metric_attribution")).to_pylist(),
        "report": str(ws.report(project / "report.html")),
    }
    ws.close()
    return out


def test_demo_trend_matches_pymannkendall_on_the_stored_values(demo_runs: dict) -> None:
    last = demo_runs["runs"][-1]
    order = {r: i for i, r in enumerate(demo_runs["runs"])}
    series = sorted((order[r["run_id"]], r["value"]) for r in demo_runs["values"] if r["metric"] == "coverage" and r["dimensions"] == "{}")
    [trend] = [t for t in demo_runs["trends"] if t["run_id"] == last and t["metric"] == "coverage" and t["dimensions"] == "{}"]
    ref = mk.original_test([v for _, v in series])
    assert trend["runs"] == len(series) >= 4
    assert trend["mk_s"] == ref.s and trend["mk_p"] == pytest.approx(ref.p, abs=2e-7)
    assert trend["trend"] == ("no trend" if ref.trend == "no trend" else {"increasing": "rising", "decreasing": "falling"}[ref.trend])


def test_demo_changes_carry_newcombe_intervals(demo_runs: dict) -> None:
    first, second = demo_runs["runs"][:2]
    values = {(r["run_id"], r["metric"], r["dimensions"]): r for r in demo_runs["values"]}
    checked = 0
    for t in demo_runs["trends"]:
        if t["run_id"] != second or values[(second, t["metric"], t["dimensions"])]["unit"] != "ratio" or t["previous_value"] is None:
            continue
        now, before = values[(second, t["metric"], t["dimensions"])], values[(first, t["metric"], t["dimensions"])]
        assert t["change"] == pytest.approx(now["value"] - before["value"], abs=1e-12)
        assert t["change_low"] <= t["change"] <= t["change_high"]
        assert t["within_noise"] == (t["change_low"] <= 0 <= t["change_high"])
        checked += 1
    assert checked > 20
    assert all(t["change_low"] is None for t in demo_runs["trends"] if t["run_id"] == first)  # nothing to compare with


def test_demo_attribution_adds_up_to_the_overall_change(demo_runs: dict) -> None:
    values = {(r["run_id"], r["metric"], r["dimensions"]): r["value"] for r in demo_runs["values"]}
    for before, now in zip(demo_runs["runs"], demo_runs["runs"][1:], strict=False):
        mine = [a for a in demo_runs["attribution"] if a["run_id"] == now and a["metric"] == "coverage"]
        assert {a["dimension"] for a in mine} == {"control"}
        total = sum(a["rate_effect"] + a["mix_effect"] for a in mine)
        assert total == pytest.approx(values[(now, "coverage", "{}")] - values[(before, "coverage", "{}")], abs=1e-12)


def test_the_first_run_attributes_nothing(demo_runs: dict) -> None:
    first = [a for a in demo_runs["attribution"] if a["run_id"] == demo_runs["runs"][0]]
    assert first and all(a["rate_effect"] is None and a["previous_weight"] is None for a in first)
    assert all(a["denominator"] > 0 for a in first)


def test_demo_report_shows_noise_trend_and_attribution(demo_runs: dict, tmp_path) -> None:
    from tests.test_report import Page

    html = Path(demo_runs["report"]).read_text()
    page = Page(html)
    tile = page.tile("coverage")
    trend = next(
        t for t in demo_runs["trends"] if t["run_id"] == demo_runs["runs"][-1] and t["metric"] == "coverage" and t["dimensions"] == "{}"
    )
    assert ("change within noise" in tile) == bool(trend["within_noise"])
    assert "Trend: " in tile and ("no trend" in tile or "/week" in tile)
    text = " ".join(" ".join(page.sections["attribution"]).split())
    assert "Coverage by control, since the previous run" in text


# --- the demo's planted truths (src/assay/demo/reviews.py) ---------------------------------


def _trend_of(demo_runs: dict, metric: str, dimensions: str = "{}") -> dict:
    last = demo_runs["runs"][-1]
    return next(t for t in demo_runs["trends"] if t["run_id"] == last and t["metric"] == metric and t["dimensions"] == dimensions)


def test_demo_plants_values_the_run_measures(demo_runs: dict, truth: dict) -> None:
    values = {(r["run_id"], r["metric"], r["dimensions"]): r["value"] for r in demo_runs["values"]}
    for i, run in enumerate(demo_runs["runs"]):
        assert values[(run, "review_completion", "{}")] == pytest.approx(truth["reviews"]["quarterly_completion"][i], abs=1e-12)
        assert values[(run, "revocation_rate", "{}")] == pytest.approx(truth["reviews"]["quarterly_revocation"][i], abs=1e-12)
        for org, (done, n) in truth["reviews"]["privileged"][i].items():
            assert values[(run, "privileged_review_completion", f'{{"org":"{org}"}}')] == done / n


def test_demo_noise_is_within_noise_and_has_no_trend(demo_runs: dict) -> None:
    for run in demo_runs["runs"][1:]:
        t = next(t for t in demo_runs["trends"] if t["run_id"] == run and t["metric"] == "revocation_rate" and t["dimensions"] == "{}")
        assert t["within_noise"] is True, run
    assert _trend_of(demo_runs, "revocation_rate")["trend"] == "no trend"


def test_demo_mix_change_is_all_mix(demo_runs: dict) -> None:
    last = demo_runs["runs"][-1]
    rows = [a for a in demo_runs["attribution"] if a["run_id"] == last and a["metric"] == "privileged_review_completion"]
    assert {a["group"] for a in rows} == {"Finance", "Legal"}
    assert all(a["rate_effect"] == 0 for a in rows)
    assert sum(a["mix_effect"] for a in rows) == pytest.approx(0.60 - 0.70, abs=1e-12)
    assert _trend_of(demo_runs, "privileged_review_completion")["within_noise"] is False  # a real fall, caused by mix


@pytest.fixture(scope="module")
def longer_demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Six weekly runs: enough for the Mann-Kendall test to find the planted trend."""
    from datetime import date

    from assay.demo.project import write_demo
    from assay.workspace import Workspace

    folder = tmp_path_factory.mktemp("six-weeks")
    manifest = write_demo(folder, assets=600, weeks=6, seed=3)
    ws = Workspace.open(folder)
    runs = [ws.run(d).run_id for d in manifest.as_of_dates]
    t = ws.engine.table("assay_metric_trends")
    trends = ws.engine.to_arrow(t.filter(t.run_id == runs[-1], t.dimensions == "{}")).to_pylist()
    ws.close()
    assert isinstance(manifest.as_of_dates[0], date)
    return {r["metric"]: r for r in trends}


def test_longer_demo_finds_the_real_trend_and_not_the_noise(longer_demo: dict) -> None:
    rising = longer_demo["review_completion"]
    ref = mk.original_test([0.60 + 0.03 * i for i in range(6)])
    assert rising["trend"] == "rising" and rising["mk_p"] == pytest.approx(ref.p, abs=2e-7) and rising["mk_p"] < 0.05
    assert rising["sen_slope"] == pytest.approx(0.03, abs=1e-12)  # 3 pp per week
    assert longer_demo["revocation_rate"]["trend"] == "no trend"
