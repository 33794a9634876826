"""Targets: each metric value gets a status, on track / at risk / off track, as an expression."""

from __future__ import annotations

import ibis

from assay.project.models import Target

ON_TRACK, AT_RISK, OFF_TRACK = "on track", "at risk", "off track"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)


def higher_is_better(target: Target, kind_direction: bool | None) -> bool:
    """The target's own direction wins; a kind without one needs it (checked at load)."""
    if target.direction is not None:
        return target.direction == "higher"
    return bool(kind_direction)


def thresholds(target: Target) -> tuple[float, float]:
    """(warn, fail) with their defaults filled: warn = value, fail = warn."""
    warn = target.value if target.warn is None else target.warn
    return warn, warn if target.fail is None else target.fail


def target_problem(target: Target, kind_direction: bool | None) -> str | None:
    """Why a target cannot be applied: no direction, or thresholds in the wrong order."""
    if target.direction is None and kind_direction is None:
        return "this kind has no direction: give the target a direction (higher or lower is better)"
    up = higher_is_better(target, kind_direction)
    warn, fail = thresholds(target)
    word = "at most" if up else "at least"
    if (warn > target.value) if up else (warn < target.value):
        return f"warn must be {word} the target value {target.value} (higher is {'better' if up else 'worse'})"
    if (fail > warn) if up else (fail < warn):
        return f"fail must be {word} warn {warn}"
    return None


def status(value: ibis.NumericValue, target: Target, kind_direction: bool | None) -> ibis.StringValue:
    """`on track` when the value is at least as good as warn, `off track` when worse than fail,
    `at risk` between; NULL when there is no value."""
    warn, fail = thresholds(target)
    if higher_is_better(target, kind_direction):
        good, bad = value >= warn, value < fail
    else:
        good, bad = value <= warn, value > fail
    return ibis.cases((value.isnull(), ibis.null("string")), (good, ON_TRACK), (bad, OFF_TRACK), else_=AT_RISK)
