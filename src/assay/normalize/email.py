"""E-mail addresses: how identity providers, HR feeds and SaaS audit logs name the same person.

`Jane.Doe@Acme.com`, ` jane.doe@acme.com` and `jane.doe+okta@acme.co.uk` become one key; what is
not shaped like an address (dot-atom local part, valid domain) is rejected with a reason.
Quoted local parts and non-ASCII (SMTPUTF8) addresses are rejected: identity systems do not
issue them, and comparing them would need rules no engine implements alike.
"""

from __future__ import annotations

from typing import Literal

import ibis
from pydantic import field_validator

from assay.engine import Engine
from assay.normalize.hostname import FAST_HOST, absolute_to_relative, host_checks, is_domain, is_valid, without_trailing_dot
from assay.normalize.portable import quoted, trim, whole_match
from assay.normalize.registry import Options, register, register_fast
from assay.normalize.result import Fast, Normalized, problem

MAX_LENGTH = 254
MAX_LOCAL_LENGTH = 64
_ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = f"^{_ATOM}(?:[.]{_ATOM})*@"
"""Tested on the whole address, anchored by its one `@`: a `$` on the extracted local part would
match before a final line terminator on Java (Spark)."""
_ONE_AT = "^[^@]*@[^@]*$"


class EmailOptions(Options):
    local_case: Literal["fold", "preserve"] = "fold"
    """`fold` lower-cases the local part (what every mainstream provider does); `preserve` keeps it."""
    strip_plus_tag: bool = False
    """Drop a `+tag` sub-address (`jane+okta@…` → `jane@…`), for providers that deliver those."""
    domain_aliases: dict[str, str] = {}  # noqa: RUF012 - pydantic copies defaults
    """Domains that are the same organisation (`acme.co.uk: acme.com`), applied after lower-casing."""

    @field_validator("domain_aliases")
    @classmethod
    def _canonical_domains(cls, aliases: dict[str, str]) -> dict[str, str]:
        def clean(domain: str) -> str:
            d = domain.strip().lower().removesuffix(".")
            if not is_domain(d):
                raise ValueError(f"{domain!r} is not a valid domain name")
            return d

        return {clean(k): clean(v) for k, v in aliases.items()}


@register("email", EmailOptions)
def normalize_email(value: ibis.Value, options: EmailOptions, engine: Engine) -> Normalized:
    address = trim(value.cast("string"))
    local = address.re_extract("^([^@]*)@", 1).fill_null("")
    raw_domain = without_trailing_dot(address.re_extract("@([^@]*)$", 1).fill_null(""))
    domain = raw_domain.lower()

    local_ok = address.re_search(_LOCAL) & (local.length() <= MAX_LOCAL_LENGTH)
    valid = address.re_search(_ONE_AT) & (address.length() <= MAX_LENGTH) & local_ok & is_valid(raw_domain, domain, engine)
    return Normalized(
        value=ibis.ifelse(valid, _canonical(local, domain, options), ibis.null("string")),
        problem=problem(
            value,
            (address == "", "empty email"),
            (~address.re_search(_ONE_AT), "email must contain exactly one '@'"),
            (address.length() > MAX_LENGTH, f"email longer than {MAX_LENGTH} characters"),
            (~local_ok, quoted("invalid email local part", local)),
            *host_checks(raw_domain, domain, engine, "email domain"),
        ),
    )


_FAST_ATOM = "[A-Za-z0-9_+-]+"
FAST_EMAIL = f"{_FAST_ATOM}(?:[.]{_FAST_ATOM})*@{FAST_HOST}"
"""A plain ASCII address with no space around it: dot-atom local part, valid host labels."""


@register_fast("email")
def fast_email(text: ibis.StringValue, options: EmailOptions, engine: Engine) -> Fast | None:
    """One regular expression instead of the trim, split and validity passes; the parts are
    then cut at the `@` (the only one the shape allows)."""
    at = text.find("@")
    n = text.length()
    ok = (whole_match(text, FAST_EMAIL) & (n <= MAX_LENGTH) & (at <= MAX_LOCAL_LENGTH)).fill_null(False)
    local = text.substr(0, ibis.greatest(at, 0))  # never a negative length: PostgreSQL refuses one even where `ok` is false
    domain = absolute_to_relative(text.substr(at + 1)).lower()
    return Fast(ok, _canonical(local, domain, options))


def _canonical(local: ibis.StringValue, domain: ibis.StringValue, options: EmailOptions) -> ibis.StringValue:
    """The key of a valid address from its local part and lower-cased domain (no trailing dot)."""
    canonical_local = local.lower() if options.local_case == "fold" else local
    if options.strip_plus_tag:
        tag_at = canonical_local.find("+")
        canonical_local = ibis.ifelse(tag_at > 0, canonical_local.substr(0, tag_at), canonical_local)
    return canonical_local + "@" + _aliased(domain, options.domain_aliases)


def _aliased(domain: ibis.StringValue, aliases: dict[str, str]) -> ibis.StringValue:
    if not aliases:
        return domain
    return ibis.cases(*[(domain == alias, target) for alias, target in aliases.items()], else_=domain)
