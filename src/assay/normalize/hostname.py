"""Host names and FQDNs: the key that ties inventory, EDR, scanner and CMDB rows to one machine.

`WEB-01.CORP.ACME.COM.`, ` web-01.corp.acme.com` and `web-01` are one host; this normalizer
makes them one string, and rejects what is not a host name (RFC 1123 labels) with a reason.
"""

from __future__ import annotations

import re

import ibis
from pydantic import field_validator

from assay.engine import Engine
from assay.normalize.portable import EDGE_SPACE, case_insensitive, has_non_ascii, quoted, whole_match
from assay.normalize.registry import Options, register, register_fast
from assay.normalize.result import Fast, Normalized

MAX_LENGTH = 253
LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_VALID = f"^{LABEL}(?:[.]{LABEL})*$"
_FIRST_BAD_LABEL = f"^(?:{LABEL}[.])*([^.]*)"
IDNA_UNSUPPORTED = "IDNA not supported on this engine"


def is_domain(name: str) -> bool:
    """Whether a configured name (already lower-cased) is a valid DNS name; for options checks."""
    return re.fullmatch(_VALID, name) is not None and len(name) <= MAX_LENGTH


class HostnameOptions(Options):
    strip_suffixes: tuple[str, ...] = ()
    """Domain suffixes removed when they end the name on a label boundary (longest first)."""
    short: bool = False
    """Keep only the first label (`web-01.corp.acme.com` → `web-01`) after validation."""

    @field_validator("strip_suffixes")
    @classmethod
    def _canonical_suffixes(cls, suffixes: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = []
        for suffix in suffixes:
            s = suffix.strip().lower().strip(".")
            if not is_domain(s):
                raise ValueError(f"suffix {suffix!r} is not a valid domain name")
            cleaned.append(s)
        return tuple(sorted(set(cleaned), key=lambda s: (-len(s), s)))


def host_checks(raw: ibis.StringValue, host: ibis.StringValue, engine: Engine, noun: str) -> list[tuple[ibis.BooleanValue, ibis.Value]]:
    """Why `host` is not a valid DNS name, as ordered checks; `raw` is `host` before lower-casing.

    The ASCII test reads `raw` because some engines lower-case non-ASCII letters to ASCII.
    Shared with the email normalizer, which validates its domain with the same rules.
    """
    checks: list[tuple[ibis.BooleanValue, ibis.Value]] = [(host == "", f"empty {noun}")]
    if not engine.capabilities.idna:
        checks.append((has_non_ascii(raw), IDNA_UNSUPPORTED))
    checks += [
        (host.length() > MAX_LENGTH, f"{noun} longer than {MAX_LENGTH} characters"),
        (~host.re_search(_VALID), quoted(f"invalid {noun} label", host.re_extract(_FIRST_BAD_LABEL, 1).fill_null(""))),
    ]
    return checks


def without_trailing_dot(host: ibis.StringValue) -> ibis.StringValue:
    """The absolute form `host.` names the same host; only one dot goes (`a..` stays invalid)."""
    return host.re_replace("[.]$", "")


def is_valid(raw: ibis.StringValue, host: ibis.StringValue, engine: Engine) -> ibis.BooleanValue:
    """Cheap test equivalent to "every check of `host_checks` passes", used to gate the value."""
    valid = host.re_search(_VALID) & (host.length() <= MAX_LENGTH)
    return valid if engine.capabilities.idna else valid & ~has_non_ascii(raw)


@register("hostname", HostnameOptions)
def normalize_hostname(value: ibis.Value, options: HostnameOptions, engine: Engine) -> Normalized:
    """Both columns read the stripped text many times, so each binds it once (`Engine.let`)."""

    def host_of(raw: ibis.StringValue) -> ibis.StringValue:
        return engine.idna_to_ascii(raw.lower()) if engine.capabilities.idna else raw.lower()

    def canonical(raw: ibis.StringValue) -> ibis.StringValue:
        host = host_of(raw)
        return ibis.ifelse(is_valid(raw, host, engine), _first_label(host) if options.short else host, ibis.null("string"))

    def first_problem(raw: ibis.StringValue) -> ibis.StringValue:
        return ibis.cases(*host_checks(raw, host_of(raw), engine, "hostname"), else_=ibis.null("string"))

    raw = _stripped(value.cast("string"), options.strip_suffixes)
    return Normalized(
        value=engine.let(raw, canonical),
        problem=ibis.ifelse(value.isnull(), ibis.null("string"), engine.let(raw, first_problem)),
    )


_FAST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
FAST_HOST = f"{_FAST_LABEL}(?:[.]{_FAST_LABEL})*[.]?"
"""An ASCII host name with no space around it, in any case, maybe absolute: nothing to trim or reject."""


@register_fast("hostname")
def fast_hostname(text: ibis.StringValue, options: HostnameOptions, engine: Engine) -> Fast | None:
    """One regular expression instead of the trim, suffix, validity and ASCII passes; a name
    with a configured suffix takes the full path (the suffix match needs its own pass)."""
    if options.strip_suffixes:
        return None
    host = absolute_to_relative(text).lower()
    ok = (whole_match(text, FAST_HOST) & (host.length() <= MAX_LENGTH)).fill_null(False)
    return Fast(ok, _first_label(host) if options.short else host)


def absolute_to_relative(name: ibis.StringValue) -> ibis.StringValue:
    """Drop one final dot from a name already known to be well formed; no regex (fast paths)."""
    return ibis.ifelse(name.endswith("."), name.substr(0, name.length() - 1), name)


def _stripped(text: ibis.StringValue, suffixes: tuple[str, ...]) -> ibis.StringValue:
    """Trim, drop one trailing dot and the longest configured suffix (any case), in ONE regex pass.

    One pass matters: the expression is referenced by every check, and engines without common
    subexpression elimination would otherwise repeat a chain of string functions per reference.
    A suffix must follow a dot, so only whole labels go; the match that starts leftmost wins on
    every engine, which is the longest suffix.
    """
    strip_suffix = ""
    if suffixes:
        strip_suffix = "(?:[.](?:" + "|".join(case_insensitive(s) for s in suffixes) + "))?"
    return text.re_replace(f"^{EDGE_SPACE}+|{strip_suffix}[.]?{EDGE_SPACE}*$", "")


def _first_label(host: ibis.StringValue) -> ibis.StringValue:
    return ibis.ifelse(host.contains("."), host.substr(0, host.find(".")), host)
