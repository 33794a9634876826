"""This run's statistics over each metric series, for `assay_metric_trends` and
`assay_metric_attribution`: the change since the previous successful run (with its Newcombe
interval and p-value for rates), the Mann-Kendall trend and Sen's slope over the last runs, the
robust z of this value against the series' history, and the rate/mix attribution by the first
`by` dimension. Everything is an expression over warehouse history plus this run's work table."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from assay.engine import Engine
from assay.metrics.stats.anomaly import robust_z
from assay.metrics.stats.attribution import attribution
from assay.metrics.stats.difference import newcombe_interval, two_proportion_p
from assay.metrics.stats.trend import mann_kendall, trend_word
from assay.warehouse import schema as w
from assay.warehouse.history import successful_runs, visible

TREND_RUNS = 12
"""Runs (this one included) each trend and robust z look at."""
SERIES = ["metric", "dimensions"]
_EPOCH = date(1970, 1, 1)


def series_statistics(engine: Engine, rows: ibis.Table, as_of: date) -> dict[str, ibis.Table]:
    """Trends and attribution of this run's metric rows (`rows`: the work table of
    `assay.metrics.compute.metric_rows`), against the previous successful runs."""
    runs = engine.to_arrow(
        successful_runs(engine).select("run_id", "run_seq", "as_of").order_by(ibis.desc("run_seq")).limit(TREND_RUNS - 1)
    )
    earlier = runs.to_pylist()
    now = rows.select(*SERIES, "unit", "value", "numerator", "denominator")
    trends = _trends(engine, now, earlier, as_of)
    previous = earlier[0]["run_id"] if earlier else None
    return {w.METRIC_TRENDS: trends, w.METRIC_ATTRIBUTION: _attribution(engine, rows, previous)}


def _days(day: date) -> float:
    return float((day - _EPOCH).days)


def _trends(engine: Engine, now: ibis.Table, earlier: list[dict], as_of: date) -> ibis.Table:
    past = visible(engine, w.METRIC_VALUES)
    run_days = ibis.memtable(
        [{"run_id": r["run_id"], "run_seq": r["run_seq"], "days": _days(r["as_of"])} for r in earlier],
        schema={"run_id": "string", "run_seq": "int64", "days": "float64"},
    )
    history = past.join(run_days, "run_id").select(*SERIES, "run_seq", "days", "value", "numerator", "denominator")
    history = history.filter(history.value.notnull() & ~history.value.isnan())
    current_seq = (earlier[0]["run_seq"] + 1) if earlier else 1
    this = now.filter(now.value.notnull() & ~now.value.isnan())
    points = history.select(*SERIES, "run_seq", "days", "value").union(
        this.select(*SERIES, run_seq=ibis.literal(current_seq, "int64"), days=ibis.literal(_days(as_of)), value=this.value)
    )
    mk = mann_kendall(points)
    z = robust_z(history.select(*SERIES, "value"), this.select(*SERIES, "value"))
    before = history.filter(history.run_seq == (earlier[0]["run_seq"] if earlier else -1)).select(
        *SERIES, previous_value=history.value, x0=history.numerator, n0=history.denominator
    )
    j = now.left_join(before, SERIES, rname="{name}_b")
    j = j.left_join(mk, SERIES, rname="{name}_mk")
    j = j.left_join(z, SERIES, rname="{name}_z")
    is_rate = (j.unit == "ratio") & j.n0.notnull() & j.denominator.notnull()
    low, high = newcombe_interval(j.numerator, j.denominator, j.x0, j.n0)
    null = ibis.null("float64")
    change_low = ibis.ifelse(is_rate, low, null)
    change_high = ibis.ifelse(is_rate, high, null)
    return j.select(
        *SERIES,
        value=j.value,
        previous_value=j.previous_value,
        change=j.value - j.previous_value,
        change_low=change_low,
        change_high=change_high,
        change_p=ibis.ifelse(is_rate, two_proportion_p(j.numerator, j.denominator, j.x0, j.n0), null),
        within_noise=ibis.ifelse(is_rate, (change_low <= 0) & (change_high >= 0), ibis.null("boolean")),
        runs=j.runs,
        mk_s=j.mk_s,
        mk_z=j.mk_z,
        mk_p=j.mk_p,
        sen_slope=j.sen_slope,
        trend=trend_word(j.mk_p, j.mk_z),
        robust_z=j.robust_z,
        anomaly=j.anomaly,
    )


def _attribution(engine: Engine, rows: ibis.Table, previous_run: str | None) -> ibis.Table:
    groups = rows.filter(rows.attr_dimension.notnull())
    now = groups.select(
        "metric", dimension=groups.attr_dimension, group=groups.attr_group, numerator="numerator", denominator="denominator"
    )
    if previous_run is None:
        schema = {"metric": "string", "dimension": "string", "group": "string", "numerator": "float64", "denominator": "float64"}
        before = ibis.memtable(pa.table({k: pa.array([], type=pa.string() if v == "string" else pa.float64()) for k, v in schema.items()}))
    else:
        past = engine.table(w.METRIC_ATTRIBUTION)
        before = past.filter((past.run_id == previous_run) & past.denominator.notnull()).select(
            "metric", "dimension", "group", "numerator", "denominator"
        )
        before = before.semi_join(now.select("metric", "dimension").distinct(), ["metric", "dimension"])
    out = attribution(now, before)
    # A metric the previous run did not break down the same way has nothing to compare with: its
    # groups are kept (the next run compares with them) without weights before or effects.
    seen = out.previous_weight.max().over(group_by=[out.metric, out.dimension]) > 0
    out = out.mutate(_seen=seen)
    null = ibis.null("float64")
    return out.mutate(
        previous_weight=ibis.ifelse(out._seen, out.previous_weight, null),
        rate_effect=ibis.ifelse(out._seen, out.rate_effect, null),
        mix_effect=ibis.ifelse(out._seen, out.mix_effect, null),
    ).drop("_seen")
