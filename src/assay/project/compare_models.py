"""The `compare:` section: two sources compared column by column, with datacompy's semantics.

Kept apart from `models.py` because it is a self-contained section with its own cross-checks
(`compare_problems`), which `load.py` runs with the other cross-references.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from assay.project.models import Project

NUMERIC_TYPES = ("int64", "float64")


class Tolerance(BaseModel):
    """Per-column tolerance: values a and b are equal when |a − b| ≤ abs + rel·|b|."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    abs: float = Field(default=0.0, ge=0)
    rel: float = Field(default=0.0, ge=0)


class CompareSpec(BaseModel):
    """Two sources joined on key columns; every shared column compared row by row.

    `left` plays datacompy's df1 and `right` its df2: the relative tolerance scales with the right
    value, as in `numpy.isclose`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    left: str
    right: str
    join: list[str] = Field(min_length=1)
    columns: list[str] | None = None
    """Columns to compare; default: every canonical column both sources map, less the join columns."""
    abs_tol: float = Field(default=0.0, ge=0)
    rel_tol: float = Field(default=0.0, ge=0)
    tolerance: dict[str, Tolerance] = Field(default_factory=dict)
    ignore_case: bool = False
    ignore_spaces: bool = False
    nulls_equal: bool = True
    """Two nulls compare equal (datacompy's rule); with false a null never equals anything."""
    description: str = ""

    @field_validator("join", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def tolerance_of(self, column: str) -> Tolerance:
        """The column's own tolerance, else the section's `abs_tol` / `rel_tol`."""
        return self.tolerance.get(column, Tolerance(abs=self.abs_tol, rel=self.rel_tol))


def compared_columns(spec: CompareSpec, left_columns: list[str], right_columns: list[str]) -> list[str]:
    """The columns a comparison looks at, in the left source's order."""
    if spec.columns is not None:
        return list(spec.columns)
    shared = set(right_columns) - set(spec.join)
    return [c for c in left_columns if c in shared]


def compare_problems(p: Project) -> list[tuple[tuple[str | int, ...], str]]:
    """Names and types in `compare:` that do not fit the declared sources."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for name, spec in p.compare.items():
        at: tuple[str | int, ...] = ("compare", name)
        sides = {}
        for side in ("left", "right"):
            source = p.sources.get(getattr(spec, side))
            if source is None:
                out.append(((*at, side), f"unknown source {getattr(spec, side)!r}; declared sources: {', '.join(p.sources)}"))
            else:
                sides[side] = {c: s.type for c, s in source.columns.items()}
        if len(sides) < 2:
            continue
        left, right = sides["left"], sides["right"]
        for key, listed in (("join", spec.join), ("columns", spec.columns or [])):
            for i, column in enumerate(listed):
                for side, declared in sides.items():
                    if column not in declared:
                        known = ", ".join(declared)
                        out.append(((*at, key, i), f"{side} source {getattr(spec, side)!r} has no column {column!r}; its columns: {known}"))
        overlap = set(spec.join) & set(spec.columns or [])
        if overlap:
            out.append(((*at, "columns"), f"join columns are not compared: {', '.join(sorted(overlap))}"))
        columns = compared_columns(spec, list(left), list(right))
        for column in [*spec.join, *columns]:
            a, b = left.get(column), right.get(column)
            if a and b and a != b and not (a in NUMERIC_TYPES and b in NUMERIC_TYPES):
                where = "join" if column in spec.join else "columns"
                out.append(((*at, where), f"column {column!r} is {a} on the left and {b} on the right"))
        for column in spec.tolerance:
            if column not in columns:
                out.append(((*at, "tolerance", column), f"{column!r} is not a compared column; compared: {', '.join(columns)}"))
            elif left.get(column) not in NUMERIC_TYPES or right.get(column) not in NUMERIC_TYPES:
                out.append(((*at, "tolerance", column), f"tolerances apply to numeric columns; {column!r} is {left.get(column)}"))
    return out
