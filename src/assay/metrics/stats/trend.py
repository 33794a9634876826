"""Trend of each series over its last runs: Mann-Kendall test and Sen's slope, set-based.

For n values x_i in run order, S = Σ_{i<j} sign(x_j − x_i); with tie groups of sizes t,
Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 and z = (S − sign(S)) / sqrt(Var(S)) (continuity
corrected); p = 2·Q(|z|) (Mann 1945, Kendall 1975; as pymannkendall's `original_test`).
Sen's slope is the median of the pairwise slopes (x_j − x_i) / (t_j − t_i), here per week of
as-of time (Sen 1968; scipy.stats.theilslopes), so runs at uneven dates weigh correctly.
"""

from __future__ import annotations

import ibis

from assay.metrics.stats.normal import two_sided_p

SERIES = ("metric", "dimensions")
MIN_RUNS = 4
"""Fewer values than this give no trend: with 3 the smallest possible p-value is above 0.05."""
ALPHA = 0.05


def mann_kendall(points: ibis.Table) -> ibis.Table:
    """One row per series with `runs, mk_s, mk_z, mk_p, sen_slope` (per week), from `points`
    (metric, dimensions, run_seq, days, value), where `days` is the as-of time in days."""
    a = points.rename(lambda c: f"a_{c}")
    pairs = a.join(points, [a.a_metric == points.metric, a.a_dimensions == points.dimensions, a.a_run_seq < points.run_seq])
    diff = pairs.value - pairs.a_value
    s = pairs.group_by(*SERIES).aggregate(
        mk_s=diff.sign().sum().cast("float64"),
        sen_slope=(diff / (pairs.days - pairs.a_days).nullif(0) * 7).quantile(0.5),
    )
    ties = points.group_by(*SERIES, "value").aggregate(t=points.count().cast("float64"))
    tie_term = ties.group_by(*SERIES).aggregate(tie=(ties.t * (ties.t - 1) * (2 * ties.t + 5)).sum(), runs=ties.t.sum())
    out = tie_term.join(s, list(SERIES))
    n = out.runs
    var = (n * (n - 1) * (2 * n + 5) - out.tie) / 18
    z = ibis.cases((out.mk_s > 0, out.mk_s - 1), (out.mk_s < 0, out.mk_s + 1), else_=0.0) / var.nullif(0).sqrt()
    out = out.filter(n >= MIN_RUNS)
    return out.select(*SERIES, runs=out.runs.cast("int64"), mk_s=out.mk_s, mk_z=z, mk_p=two_sided_p(z), sen_slope=out.sen_slope)


def trend_word(p: ibis.NumericValue, z: ibis.NumericValue) -> ibis.StringValue:
    """`rising` / `falling` when p < 0.05, else `no trend` (NULL without enough runs)."""
    return ibis.cases(
        (p.isnull(), ibis.null("string")), ((p < ALPHA) & (z > 0), "rising"), ((p < ALPHA) & (z < 0), "falling"), else_="no trend"
    )
