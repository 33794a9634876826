"""What a finding input declares, and what its builder is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import ibis

from assay.engine import Engine
from assay.project.models import ColumnType, Project


@dataclass(frozen=True)
class BuildContext:
    """What a builder may read: the loaded sources (through `engine`), the project, the golden
    assets when the project reconciles them, and the as-of instant."""

    engine: Engine
    project: Project
    as_of: datetime
    golden_assets: ibis.Table | None = None


@dataclass(frozen=True)
class FindingInput:
    """A table finding rules filter with `where`, declared once.

    `schema` is a contract: validation of `where`, `owner` and metric dimensions reads it, and a
    test checks every builder's output against it. `entity_key` names the columns whose values,
    joined with `|`, identify one entity (the fingerprint hashes rule + key); `detail_columns` are
    kept in a finding's details. `values` lists closed vocabularies, so a `where` value that can
    never occur is refused. `missing` says why a project cannot build the input (None when it can).
    """

    name: str
    table: str
    """The warehouse state table the run publishes it as."""
    schema: dict[str, ColumnType]
    entity_key: tuple[str, ...]
    detail_columns: tuple[str, ...]
    missing: Callable[[Project], str | None]
    build: Callable[[BuildContext], ibis.Table]
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ibis_schema(self) -> ibis.Schema:
        return ibis.schema(self.schema)
