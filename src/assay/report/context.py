"""What the report needs to know about the project besides the warehouse tables."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Definition:
    """The plain-language definition of one reported number."""

    name: str
    kind: str
    text: str
    unit: str = ""


@dataclass(frozen=True)
class ReportContext:
    """Project facts the report shows next to the numbers."""

    title: str
    project: str
    engine: str
    metrics: list[Definition] = field(default_factory=list)
    findings_rules: list[Definition] = field(default_factory=list)
    checks: list[Definition] = field(default_factory=list)
