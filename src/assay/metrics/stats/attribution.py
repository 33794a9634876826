"""Which groups moved a rate between two runs: rate effects and mix effects that add up exactly.

A rate broken down by one dimension is R = Σ_g w_g·r_g, with w_g the group's share of the
denominator and r_g its rate. Between runs 0 and 1, for each group (midpoint, or symmetric
Shapley, decomposition):

    rate effect_g = (w0_g + w1_g)/2 · (r1_g − r0_g)
    mix effect_g  = (r0_g + r1_g)/2 · (w1_g − w0_g)

and w1·r1 − w0·r0 = rate effect + mix effect for every group, so the effects sum to R1 − R0
exactly. A group present in one run only has weight 0 in the other; its missing rate is taken
equal to its present rate, so all of its contribution is mix.
"""

from __future__ import annotations

import ibis

KEY = ("metric", "dimension", "group")


def attribution(now: ibis.Table, before: ibis.Table) -> ibis.Table:
    """`now` and `before`: (metric, dimension, group, numerator, denominator) per group of one
    run. One row per group of either run with both runs' weight and rate and the two effects."""

    def shares(t: ibis.Table) -> ibis.Table:
        total = t.group_by("metric", "dimension").aggregate(total=t.denominator.sum())
        j = t.join(total, ["metric", "dimension"])
        return j.select(
            *KEY,
            numerator=j.numerator,
            denominator=j.denominator,
            weight=j.denominator / j.total.nullif(0),
            rate=j.numerator / j.denominator.nullif(0),
        )

    n, b = shares(now), shares(before).rename(lambda c: f"b_{c}")
    j = n.outer_join(b, [n.metric == b.b_metric, n.dimension == b.b_dimension, n.group == b.b_group])
    w1, w0 = j.weight.fill_null(0.0), j.b_weight.fill_null(0.0)
    r1 = ibis.coalesce(j.rate, j.b_rate)
    r0 = ibis.coalesce(j.b_rate, j.rate)
    return j.select(
        metric=ibis.coalesce(j.metric, j.b_metric),
        dimension=ibis.coalesce(j.dimension, j.b_dimension),
        group=ibis.coalesce(j.group, j.b_group),
        numerator=j.numerator,
        denominator=j.denominator,
        previous_weight=w0,
        weight=w1,
        previous_rate=j.b_rate,
        rate=j.rate,
        rate_effect=(w0 + w1) / 2 * (r1 - r0),
        mix_effect=(r0 + r1) / 2 * (w1 - w0),
    )
