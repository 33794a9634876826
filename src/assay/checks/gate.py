"""The quality gate: which checks must pass for a run to be certified, and the verdict.

`gate: {checks: [...]}` in the project file names check ids, with `*` wildcards
(`findings.*`, `*.unique.*`); without a gate every `error`-severity check is gated, the rule
`assay check` has always exited by. The verdict goes to `assay_gate_results`, opens the report,
sets `assay check`'s exit code and, with `assay run --require-gate`, stops a run before it
publishes anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Gate(BaseModel):
    """`gate:` — the checks a run needs to pass to be certified."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checks: list[str] = Field(min_length=1)
    """Check ids (`source.kind.column`, as in `assay_check_results`) or patterns with `*`."""

    @model_validator(mode="before")
    @classmethod
    def _list_shorthand(cls, value: Any) -> Any:
        return {"checks": value} if isinstance(value, list) else value

    def unmatched(self, check_ids: list[str]) -> list[str]:
        """Patterns that name no declared check (a typo would otherwise gate nothing)."""
        return [p for p in self.checks if not any(fnmatchcase(c, p) for c in check_ids)]


@dataclass(frozen=True)
class GateVerdict:
    certified: bool
    gated: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.certified:
            return f"certified: all {len(self.gated)} gated check(s) passed"
        return f"not certified: {'; '.join(self.reasons)}"

    def row(self) -> dict[str, Any]:
        """The verdict as a row of `assay_gate_results` (without run_id)."""
        return {
            "certified": self.certified,
            "gated_checks": len(self.gated),
            "failed_checks": len(self.reasons),
            "reasons": json.dumps(self.reasons, ensure_ascii=False),
        }


def evaluate_gate(gate: Gate | None, results: pa.Table) -> GateVerdict:
    """The verdict on one run's check results (rows of `assay_check_results`)."""
    rows = results.to_pylist()
    if gate is None:
        gated = [r for r in rows if r["severity"] == "error"]
    else:
        gated = [r for r in rows if any(fnmatchcase(r["check_id"], p) for p in gate.checks)]
    reasons = [_reason(r) for r in gated if r["status"] != "pass"]
    return GateVerdict(not reasons, [r["check_id"] for r in gated], reasons)


def _reason(r: dict[str, Any]) -> str:
    if r["failing_rows"] is not None:
        return f"{r['check_id']} failed ({r['failing_rows']:,} of {r['total_rows']:,} rows): {r['description']}"
    return f"{r['check_id']} failed (observed {r['observed']}): {r['description']}"
