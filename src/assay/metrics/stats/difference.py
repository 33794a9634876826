"""Is the change of a rate between two runs more than noise?

Newcombe (1998), method 10: the interval for p1 − p2 combines each rate's Wilson interval,
    lower = d − sqrt((p1 − l1)² + (u2 − p2)²),  upper = d + sqrt((u1 − p1)² + (p2 − l2)²),
which keeps its coverage near 95% at small n and rates near 0 or 1, where the Wald interval
fails. A change is "within noise" when this interval contains 0. The pooled two-proportion z
test gives the p-value (the same as Pearson's chi-square on the 2×2 table without correction).
"""

from __future__ import annotations

import ibis

from assay.metrics.stats.normal import two_sided_p
from assay.metrics.wilson import wilson_interval


def newcombe_interval(
    x1: ibis.NumericValue, n1: ibis.NumericValue, x2: ibis.NumericValue, n2: ibis.NumericValue
) -> tuple[ibis.NumericValue, ibis.NumericValue]:
    """95% interval for x1/n1 − x2/n2; NULL when either n is 0."""
    p1 = x1.cast("float64") / n1.cast("float64").nullif(0)
    p2 = x2.cast("float64") / n2.cast("float64").nullif(0)
    l1, u1 = wilson_interval(x1, n1)
    l2, u2 = wilson_interval(x2, n2)
    d = p1 - p2
    return d - ((p1 - l1) ** 2 + (u2 - p2) ** 2).sqrt(), d + ((u1 - p1) ** 2 + (p2 - l2) ** 2).sqrt()


def two_proportion_p(x1: ibis.NumericValue, n1: ibis.NumericValue, x2: ibis.NumericValue, n2: ibis.NumericValue) -> ibis.NumericValue:
    """Two-sided p-value of the pooled z test of p1 = p2; NULL when the pooled rate is 0 or 1."""
    n1f, n2f = n1.cast("float64"), n2.cast("float64")
    p1, p2 = x1.cast("float64") / n1f.nullif(0), x2.cast("float64") / n2f.nullif(0)
    pooled = (x1 + x2).cast("float64") / (n1f + n2f).nullif(0)
    se = (pooled * (1 - pooled) * (1 / n1f.nullif(0) + 1 / n2f.nullif(0))).sqrt()
    return two_sided_p((p1 - p2) / se.nullif(0))
