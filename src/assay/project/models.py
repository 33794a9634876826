"""Typed models of `assay.yml`. Unknown keys are errors; the models name no engine.

The reference for every key is `docs/project-file.md`; a test fails when a key is undocumented.
"""

from __future__ import annotations

import difflib
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SerializeAsAny, WrapValidator, field_validator, model_validator

from assay.checks.gate import Gate
from assay.checks.options import CheckOptions
from assay.project.asset_types import AssetTypes
from assay.project.compare_models import CompareSpec
from assay.project.durations import Duration
from assay.project.paths import check_root
from assay.project.reader_options import CsvOptions, DatabaseSource, ExcelOptions
from assay.project.survivorship import Survivorship
from assay.project.zones import canonical_zone

ColumnType = Literal["string", "int64", "float64", "boolean", "date", "timestamp"]
Entity = Literal["asset", "observation", "finding", "ticket", "person", "grant"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")

# Canonical columns each entity must map, and their types: the later stages rely on them.
ENTITY_COLUMNS: dict[str, dict[str, ColumnType]] = {
    "asset": {"name": "string", "asset_type": "string"},
    "observation": {"name": "string", "observed_at": "timestamp"},
    "finding": {"finding_id": "string", "severity": "string", "opened_at": "timestamp"},
    "ticket": {},
    "person": {"email": "string"},
    "grant": {"email": "string", "system": "string", "role": "string", "granted_at": "timestamp"},
}
OPTIONAL_ENTITY_COLUMNS: dict[str, dict[str, ColumnType]] = {
    "asset": {"owner_email": "string", "org": "string"},
    "finding": {"closed_at": "timestamp"},
    "person": {"termination_date": "date", "org": "string"},
    "grant": {"revoked_at": "timestamp", "privileged": "boolean"},
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ColumnSpec(Strict):
    """Where a canonical column comes from, its type and its normalizer.

    A normalizer declares the type it produces, so `type` may be left out when one is named; a
    `type` that contradicts it is an error. Without either the column is a string.
    """

    from_: str = Field(alias="from", min_length=1)
    type: ColumnType | None = None
    normalize: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    allow_nan: bool = False
    """A `float64` column accepts `NaN` (otherwise a quarantined value)."""

    @model_validator(mode="after")
    def _known_normalizer(self) -> ColumnSpec:
        if self.normalize is not None:
            from assay.normalize import normalizer_names, normalizer_type, options_model

            names = normalizer_names()
            if self.normalize not in names:
                raise ValueError(f"unknown normalizer {self.normalize!r}; expected one of: {', '.join(names)}")
            options_model(self.normalize).model_validate(self.options)
            produces = normalizer_type(self.normalize)
            if self.type is not None and self.type != produces:
                raise ValueError(f"normalizer {self.normalize!r} produces {produces}, so the column cannot have type {self.type}")
            object.__setattr__(self, "type", produces)
        elif self.options:
            raise ValueError("options are given but no normalizer is named")
        if self.type is None:
            object.__setattr__(self, "type", "string")
        if self.allow_nan and self.type != "float64":
            raise ValueError("allow_nan applies to float64 columns only")
        return self


_FORMATS = {".csv": "csv", ".parquet": "parquet", ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "json", ".xlsx": "xlsx"}


def _column_shorthand(value: Any) -> Any:
    return {"from": value} if isinstance(value, str) else value


class Source(Strict):
    """One input file (or glob) mapped onto a canonical entity."""

    path: str | None = Field(default=None, min_length=1)
    database: DatabaseSource | None = None
    format: Literal["csv", "parquet", "ndjson", "json", "xlsx"] | None = None
    csv: CsvOptions = Field(default_factory=CsvOptions)
    excel: ExcelOptions | None = None
    entity: Entity
    columns: dict[str, Annotated[ColumnSpec, Field()]]
    timezone: str = "UTC"
    """Zone of timestamps written without an offset: UTC, a fixed offset or an IANA name."""
    description: str = ""

    @field_validator("columns", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _column_shorthand(v) for k, v in value.items()}
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return canonical_zone(value)

    @model_validator(mode="after")
    def _entity_columns(self) -> Source:
        if (self.path is None) == (self.database is None):
            raise ValueError("give exactly one of path (files) or database (a table or query)")
        if self.path is not None and self.format is None:
            suffixes = [s.lower() for s in PurePosixPath(self.path).suffixes]
            if suffixes and suffixes[-1] in (".gz", ".zst"):
                suffixes.pop()
            fmt = _FORMATS.get(suffixes[-1] if suffixes else "")
            if fmt is None:
                raise ValueError(f"cannot tell the format of {self.path!r}; set format: {', '.join(sorted(set(_FORMATS.values())))}")
            object.__setattr__(self, "format", fmt)
        if "csv" in self.model_fields_set and self.format != "csv":
            raise ValueError(f"csv options are given but the format is {self.format}")
        if self.excel is not None and self.format != "xlsx":
            raise ValueError(f"excel options are given but the format is {self.format}")
        missing = [c for c in ENTITY_COLUMNS[self.entity] if c not in self.columns]
        if missing:
            raise ValueError(f"entity {self.entity!r} needs columns {missing} mapped")
        expected = {**ENTITY_COLUMNS[self.entity], **OPTIONAL_ENTITY_COLUMNS.get(self.entity, {})}
        for name, spec in self.columns.items():
            want = expected.get(name)
            if want is not None and spec.type != want:
                raise ValueError(f"column {name!r} of a {self.entity} must have type {want}, not {spec.type}")
        return self


class MatchPass(Strict):
    """One deterministic match pass: records with equal non-null values of all `keys` link."""

    name: str = Field(min_length=1)
    keys: list[str] = Field(min_length=1)

    @field_validator("keys", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class AssetReconcile(Strict):
    """Asset inventories matched on normalized keys into golden records."""

    sources: list[str] = Field(min_length=1)
    survivorship: dict[str, Survivorship] = Field(default_factory=dict)
    asset_types: AssetTypes = Field(default_factory=dict)
    """Canonical asset class → the raw type spellings every source may use for it."""
    asset_types_by_source: dict[str, AssetTypes] = Field(default_factory=dict)
    """Per source, spellings of its own; they take precedence over `asset_types`."""
    match: list[MatchPass] = Field(default_factory=list)
    """Match passes in priority order; none: records match on `asset_type:name` alone."""
    strong_keys: list[str] = Field(default_factory=list)
    """Keys whose different non-null values forbid two records from sharing a cluster."""

    @model_validator(mode="after")
    def _passes(self) -> AssetReconcile:
        names = [p.name for p in self.match]
        if len(set(names)) != len(names):
            raise ValueError(f"match pass names must differ: {names}")
        return self


class Reconcile(Strict):
    assets: AssetReconcile


class Control(Strict):
    """A security control, the assets it must cover and the telemetry that proves it."""

    evidence: list[str] = Field(min_length=1)
    applies_to: dict[Literal["asset_type", "org"], list[str]] = Field(default_factory=dict)
    freshness: Duration = Field(default="7d", validate_default=True)
    description: str = ""

    @field_validator("evidence", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Access(Strict):
    """Access grants joined to the HR roster on normalized email."""

    grants: str
    people: str


class Check(Strict):
    """One check on one source, written in the file as `- kind: {options}` or `- not_null: column`.

    The kinds and their options models live in `assay.checks.registry`; the key of the one-key
    mapping picks the model.
    """

    kind: str
    spec: SerializeAsAny[CheckOptions]

    @model_validator(mode="before")
    @classmethod
    def _from_single_key(cls, value: Any) -> Any:
        from assay.checks.registry import kinds

        known = kinds()
        if isinstance(value, dict) and set(value) == {"kind", "spec"}:
            return value
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(f"a check is a one-key mapping such as '- not_null: column'; kinds: {', '.join(known)}")
        ((kind, args),) = value.items()
        if kind not in known:
            close = difflib.get_close_matches(kind, known, n=3)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise ValueError(f"unknown check kind {kind!r}{hint}; expected one of: {', '.join(known)}")
        model = known[kind]
        if not isinstance(args, dict):
            if model.shorthand is None:
                raise ValueError(f"check {kind!r} takes a mapping of options")
            args = {model.shorthand: args}
        return {"kind": kind, "spec": model.model_validate(args)}


class Target(Strict):
    """A goal for a metric and the thresholds that turn each value into a status.

    A value at least as good as `warn` is on track, one worse than `fail` is off track, anything
    between is at risk. "Good" follows the kind's direction, or `direction` for kinds without one.
    """

    value: float
    warn: float | None = None
    """Default: `value` (on track only when the goal is met)."""
    fail: float | None = None
    """Default: `warn` (no at-risk band)."""
    direction: Literal["higher", "lower"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"value": value} if isinstance(value, int | float) and not isinstance(value, bool) else value


class MetricBase(Strict):
    """What every metric kind takes; each kind's module (`assay.metrics.kinds`) adds its options."""

    kind: str
    by: list[str] = Field(default_factory=list)
    description: str = ""
    target: Target | None = None


def _metric_of_kind(value: Any, handler: Any) -> MetricBase:
    from assay.metrics.registry import metric_kinds

    kinds = metric_kinds()
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    if kind is None:
        raise ValueError(f"a metric needs a kind; one of: {', '.join(kinds)}")
    if kind not in kinds:
        raise ValueError(f"unknown metric kind {kind!r}; expected one of: {', '.join(kinds)}")
    options: MetricBase = kinds[kind].options.model_validate(value)
    return options


Metric = Annotated[SerializeAsAny[MetricBase], WrapValidator(_metric_of_kind)]
"""A metric validated by its kind's options model, looked up in the registry by `kind`."""


class FindingRule(Strict):
    """A condition on a finding input (`assay.findings.inputs`) that opens a tracked finding."""

    from_: str = Field(alias="from")
    where: dict[str, Any] = Field(min_length=1)
    severity: Severity = "medium"
    sla: Duration | None = None
    owner: str | None = None
    description: str = ""

    @field_validator("from_")
    @classmethod
    def _known_input(cls, value: str) -> str:
        from assay.findings.inputs.registry import finding_inputs

        if value not in finding_inputs():
            raise ValueError(f"unknown finding input {value!r}; expected one of: {', '.join(finding_inputs())}")
        return value


class ReportSettings(Strict):
    title: str = "assay report"
    compare_to: Literal["previous_run"] = "previous_run"


class Project(Strict):
    """The whole project file."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    engine: str = "duckdb:///warehouse.duckdb"
    data_roots: list[Annotated[str, AfterValidator(check_root)]] = Field(default_factory=list)
    sources: dict[str, Source] = Field(min_length=1)
    reconcile: Reconcile | None = None
    compare: dict[str, CompareSpec] = Field(default_factory=dict)
    controls: dict[str, Control] = Field(default_factory=dict)
    access: Access | None = None
    checks: dict[str, list[Check]] = Field(default_factory=dict)
    gate: Gate | None = None
    metrics: dict[str, Metric] = Field(default_factory=dict)
    findings: dict[str, FindingRule] = Field(default_factory=dict)
    frameworks: dict[str, str] = Field(default_factory=dict)
    """Framework name → mapping file of its requirements to controls (`assay.metrics.frameworks`)."""
    report: ReportSettings = Field(default_factory=ReportSettings)

    @field_validator("sources", "controls", "metrics", "findings", "frameworks", "compare")
    @classmethod
    def _identifier_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not name.isidentifier() or not name.isascii():
                raise ValueError(f"name {name!r} must be a letters/digits/underscore identifier")
        return value
