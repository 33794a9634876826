"""The Wilson score interval, as an engine expression.

Wilson (1927) keeps the interval inside [0, 1] and behaves at 0 % and 100 %, where the normal
approximation collapses to a zero-width interval; that is what small teams' coverage rates need.
"""

from __future__ import annotations

import ibis

Z_95 = 1.959963984540054


def wilson_interval(successes: ibis.NumericValue, n: ibis.NumericValue, z: float = Z_95) -> tuple[ibis.NumericValue, ibis.NumericValue]:
    """Lower and upper bounds; NULL when n is 0."""
    n = n.cast("float64")
    p = successes.cast("float64") / n.nullif(0)
    z2 = z * z
    denominator = 1 + z2 / n
    center = (p + z2 / (2 * n)) / denominator
    half = z * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt() / denominator
    return center - half, center + half
