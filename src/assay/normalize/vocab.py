"""Controlled vocabularies: severity and status as spelled by scanners, EDRs and ticket systems.

Every spelling is matched after trimming, lower-casing and removing spaces, `_` and `-`
(`In_Progress`, `in-progress` and `IN PROGRESS` are one key). A spelling that is in no table is
a problem, never a guess: a mis-mapped severity silently changes what counts as overdue.
"""

from __future__ import annotations

import re
import string
from typing import ClassVar, Literal

import ibis
from pydantic import field_validator

from assay.engine import Engine
from assay.normalize.portable import has_non_ascii, quoted, trim
from assay.normalize.registry import Options, register
from assay.normalize.result import Normalized, problem

SEVERITIES = ("critical", "high", "medium", "low", "info")
STATUSES = ("open", "in progress", "resolved", "risk accepted", "false positive")

SEVERITY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "critical": ("critical", "crit", "urgent", "emergency", "blocker", "p0", "sev0", "sev1", "s1"),
    "high": ("high", "hi", "important", "major", "severe", "p1", "sev2", "s2"),
    "medium": ("medium", "med", "moderate", "normal", "p2", "sev3", "s3"),
    "low": ("low", "lo", "minor", "p3", "sev4", "s4"),
    "info": ("info", "informational", "information", "none", "note", "notice", "negligible", "p4", "sev5", "s5"),
}
STATUS_SPELLINGS: dict[str, tuple[str, ...]] = {
    "open": ("open", "opened", "new", "active", "reopened", "todo", "unresolved", "detected", "triage"),
    "in progress": ("in progress", "wip", "started", "assigned", "investigating", "remediating", "in review"),
    "resolved": ("resolved", "closed", "fixed", "done", "remediated", "mitigated", "patched", "complete", "completed"),
    "risk accepted": ("risk accepted", "accepted", "accepted risk", "exception", "waived", "won't fix", "wontfix"),
    "false positive": ("false positive", "fp", "not an issue", "benign"),
}
FIVE_POINT = {"5": "critical", "4": "high", "3": "medium", "2": "low", "1": "info"}
"""Qualys-style 1–5 (5 is worst); `numeric_scale: none` turns it off for feeds where 1 is worst."""
_CVSS = "^(?:10(?:[.]0)?|[0-9](?:[.][0-9])?)$"

_SEPARATORS = " \t\n\r\f\v_-"


def spelling_key(text: str) -> str:
    """The match key of a spelling, as the engine computes it for each value."""
    return re.sub(f"[{re.escape(_SEPARATORS)}]", "", text.strip(_SEPARATORS)).translate(
        str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
    )


def _lookup(table: dict[str, str], text: ibis.StringValue) -> ibis.StringValue:
    """The canonical term for `text`, NULL if its key is in no table.

    The table is one literal `|key=term|...|` searched with a single `STRPOS`, so the key is
    computed once per row: a `CASE key WHEN ...` with dozens of branches is rewritten by DuckDB
    into one comparison per branch, re-evaluating the key each time (~100x slower). Keys are
    ASCII by construction; non-ASCII text is unknown because engines lower-case it differently.
    """
    encoded = "|" + "|".join(f"{k}={v}" for k, v in table.items()) + "|"
    key = text.lower().re_replace(r"[ \t\n\r\f\x0b_-]", "")
    start = ibis.literal(encoded).find("|" + key + "=")
    found = start >= 0
    usable = ~has_non_ascii(text) & ~key.re_search("[|=]")
    term = ibis.literal(encoded).substr((start + key.length() + 2).cast("int32")).re_extract("^([^|]*)", 1)
    return ibis.ifelse(usable & found, term, ibis.null("string"))


class _VocabularyOptions(Options):
    terms: ClassVar[tuple[str, ...]]
    mapping: dict[str, str] = {}  # noqa: RUF012 - pydantic copies defaults
    """Extra spellings (`{"sev-a": "critical"}`); they override the built-in table."""

    @field_validator("mapping")
    @classmethod
    def _known_targets(cls, mapping: dict[str, str]) -> dict[str, str]:
        wrong = sorted({v for v in mapping.values() if v not in cls.terms})
        if wrong:
            raise ValueError(f"mapping targets {wrong} are not among {list(cls.terms)}")
        return {spelling_key(k): v for k, v in mapping.items()}


class SeverityOptions(_VocabularyOptions):
    terms = SEVERITIES
    numeric_scale: Literal["1-5", "cvss", "none"] = "1-5"
    """How bare numbers read: `1-5` (5 is critical), `cvss` (0.0–10.0 score bands), or not at all."""


class StatusOptions(_VocabularyOptions):
    terms = STATUSES


def table(builtin: dict[str, tuple[str, ...]], extra: dict[str, str]) -> dict[str, str]:
    """Match key → canonical term: the built-in spellings overridden by the project's."""
    keys = {spelling_key(s): term for term, spellings in builtin.items() for s in spellings}
    return keys | extra


def _normalized(noun: str, value: ibis.Value, mapping: dict[str, str], fallback: ibis.StringValue | None = None) -> Normalized:
    text = trim(value.cast("string"))
    term = _lookup(mapping, text)
    if fallback is not None:
        term = ibis.coalesce(term, fallback)
    return Normalized(term, problem(value, (term.isnull(), quoted(f"unknown {noun}", text))))


@register("severity", SeverityOptions)
def normalize_severity(value: ibis.Value, options: SeverityOptions, engine: Engine) -> Normalized:
    mapping = table(SEVERITY_SPELLINGS, options.mapping)
    if options.numeric_scale == "1-5":
        mapping = FIVE_POINT | mapping
    fallback = _cvss_band(trim(value.cast("string")), engine) if options.numeric_scale == "cvss" else None
    return _normalized("severity", value, mapping, fallback)


@register("status", StatusOptions)
def normalize_status(value: ibis.Value, options: StatusOptions, engine: Engine) -> Normalized:
    return _normalized("status", value, table(STATUS_SPELLINGS, options.mapping))


def _cvss_band(text: ibis.StringValue, engine: Engine) -> ibis.StringValue:
    """CVSS v3 qualitative bands: 9.0+ critical, 7.0+ high, 4.0+ medium, 0.1+ low, 0.0 info."""
    score = engine.try_cast(ibis.ifelse(text.re_search(_CVSS), text, ibis.null("string")), "float64")
    return ibis.cases(
        (score >= 9.0, "critical"),
        (score >= 7.0, "high"),
        (score >= 4.0, "medium"),
        (score > 0.0, "low"),
        (score == 0.0, "info"),
        else_=ibis.null("string"),
    )
