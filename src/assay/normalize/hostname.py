"""Host names and FQDNs: the key that ties inventory, EDR, scanner and CMDB rows to one machine.

`WEB-01.CORP.ACME.COM.`, ` web-01.corp.acme.com` and `web-01` are one host; this normalizer
makes them one string, and rejects what is not a host name (RFC 1123 labels) with a reason.
"""

from __future__ import annotations

import re

import ibis
from pydantic import field_validator

from assay.engine import Engine
from assay.normalize.portable import ascii_lower, has_non_ascii, quoted, trim
from assay.normalize.registry import Options, register
from assay.normalize.result import Normalized, checked

MAX_LENGTH = 253
LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_VALID = f"^{LABEL}(?:[.]{LABEL})*$"
_FIRST_BAD_LABEL = f"^(?:{LABEL}[.])*([^.]*)"
IDNA_UNSUPPORTED = "IDNA not supported on this engine"


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
            if not re.fullmatch(_VALID, s):
                raise ValueError(f"suffix {suffix!r} is not a valid domain name")
            cleaned.append(s)
        return tuple(sorted(set(cleaned), key=lambda s: (-len(s), s)))


def host_checks(host: ibis.StringValue, engine: Engine, noun: str) -> list[tuple[ibis.BooleanValue, ibis.Value]]:
    """Why `host` (trimmed, lower-cased) is not a valid DNS name, as ordered checks.

    Shared with the email normalizer, which validates its domain with the same rules.
    """
    checks: list[tuple[ibis.BooleanValue, ibis.Value]] = [(host == "", f"empty {noun}")]
    if not engine.capabilities.idna:
        checks.append((has_non_ascii(host), IDNA_UNSUPPORTED))
    checks += [
        (host.length() > MAX_LENGTH, f"{noun} longer than {MAX_LENGTH} characters"),
        (~host.re_search(_VALID), quoted(f"invalid {noun} label", host.re_extract(_FIRST_BAD_LABEL, 1).fill_null(""))),
    ]
    return checks


def without_trailing_dot(host: ibis.StringValue) -> ibis.StringValue:
    """The absolute form `host.` names the same host; only one dot goes (`a..` stays invalid)."""
    return host.re_replace("[.]$", "")


@register("hostname", HostnameOptions)
def normalize_hostname(value: ibis.Value, options: HostnameOptions, engine: Engine) -> Normalized:
    host = without_trailing_dot(ascii_lower(trim(value.cast("string"))))
    if engine.capabilities.idna:
        host = engine.idna_to_ascii(host)
    host = _strip_suffix(host, options.strip_suffixes)
    result = checked(value, host, *host_checks(host, engine, "hostname"))
    if options.short:
        result = Normalized(_first_label(result.value), result.problem)
    return result


def _strip_suffix(host: ibis.StringValue, suffixes: tuple[str, ...]) -> ibis.StringValue:
    """Drop the first (longest) configured suffix that ends `host` on a whole-label boundary."""
    if not suffixes:
        return host
    branches = [(host.endswith(f".{s}") & (host.length() > len(s) + 1), host.substr(0, host.length() - (len(s) + 1))) for s in suffixes]
    return ibis.cases(*branches, else_=host)


def _first_label(host: ibis.StringValue) -> ibis.StringValue:
    return ibis.ifelse(host.contains("."), host.substr(0, host.find(".")), host)
