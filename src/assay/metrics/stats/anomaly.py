"""Is this run's value unusual for its own series? The robust z of Iglewicz and Hoaglin (1993):

    z = (x − median(history)) / (1.4826 · MAD(history)),  MAD = median(|h − median(history)|)

over the series' previous values (this run excluded). 1.4826 makes the MAD estimate σ for normal
data (scipy.stats.median_abs_deviation(scale="normal")); |z| > 3.5 is flagged. A median and MAD
are not dragged by one earlier outlier, which a mean and standard deviation would be.
"""

from __future__ import annotations

import ibis

SERIES = ("metric", "dimensions")
MAD_SCALE = 1.482602218505602
"""1 / Φ⁻¹(3/4)."""
THRESHOLD = 3.5
MIN_HISTORY = 4


def robust_z(history: ibis.Table, now: ibis.Table) -> ibis.Table:
    """One row per series of `now` (metric, dimensions, value) with `robust_z` and `anomaly`,
    from `history` (metric, dimensions, value): the series' earlier values."""
    med = history.group_by(*SERIES).aggregate(med=history.value.quantile(0.5), n=history.count())
    dev = history.join(med, list(SERIES))
    mad = dev.group_by(*SERIES).aggregate(mad=(dev.value - dev.med).abs().quantile(0.5))
    stats = med.join(mad, list(SERIES))
    stats = stats.filter(stats.n >= MIN_HISTORY)
    joined = now.join(stats, list(SERIES))
    z = (joined.value - joined.med) / (MAD_SCALE * joined.mad).nullif(0)
    return joined.select(*SERIES, robust_z=z, anomaly=(z.abs() > THRESHOLD).fill_null(False))
