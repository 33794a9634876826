"""How numbers read on the page: one place, so a rate looks the same in a tile, a cell and a tooltip.

Rates show one decimal of a percent and their changes in percentage points (a move from 80 % to
84 % is "+4.0 pp", not "+5 %"), counts are whole with thousands separators, durations are days.
Negative signs use the typographic minus so columns of deltas line up.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TypeGuard

MINUS = "\u2212"
DASH = "\u2013"
EMPTY = "\u2014"


def is_number(value: float | None) -> TypeGuard[float]:
    """Whether there is a number to show: neither missing nor NaN."""
    return value is not None and not math.isnan(value)


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def count(value: float | None) -> str:
    if not is_number(value):
        return EMPTY
    if float(value).is_integer():
        return _signed(f"{int(value):,}")
    return _signed(f"{value:,.1f}")


def percent(value: float | None) -> str:
    return f"{value * 100:.1f}%" if is_number(value) else EMPTY


def value(value: float | None, unit: str) -> str:
    """A metric value in its unit: ratio, count or days."""
    if unit == "ratio":
        return percent(value)
    if unit == "days":
        return f"{value:,.1f} d" if is_number(value) else EMPTY
    return count(value)


def delta_step(unit: str) -> tuple[float, str]:
    """The change of one display unit and its suffix: rates move in points, days to a tenth."""
    if unit == "ratio":
        return 100.0, " pp"
    if unit == "days":
        return 1.0, " d"
    return 1.0, ""


def delta(change: float, unit: str) -> str:
    """A signed change as displayed, e.g. "+6.3 pp", "−5", "+1.5 d"."""
    scale, suffix = delta_step(unit)
    shown = change * scale
    if unit == "count" and float(round(shown, 1)).is_integer():
        text = f"{round(shown):+,d}"
    else:
        text = f"{shown:+,.1f}"
    return _signed(text) + suffix


def interval(low: float | None, high: float | None) -> str:
    """A Wilson interval as "95% CI 79.4–89.3%", empty when the metric has none."""
    if not (is_number(low) and is_number(high)):
        return ""
    return f"95% CI {low * 100:.1f}{DASH}{high * 100:.1f}%"


def day(value: date | None) -> str:
    """A date, or a timestamp shown by its date: the report's grain is the day."""
    return value.strftime("%Y-%m-%d") if value is not None else EMPTY
