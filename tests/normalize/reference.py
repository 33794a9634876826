"""Plain-Python reference implementations, written independently of the Ibis code, for tests only."""

from __future__ import annotations

import string

WHITESPACE = " \t\n\r\f\v"
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_LDH = set(string.ascii_lowercase + string.digits + "-")
_ATOM = set(string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-")

Result = tuple[object, str | None]


def _label_ok(label: str) -> bool:
    return 1 <= len(label) <= 63 and set(label) <= _LDH and not label.startswith("-") and not label.endswith("-")


def _host_problem(host: str, noun: str) -> str | None:
    if host == "":
        return f"empty {noun}"
    if any(ord(c) > 127 for c in host):
        return "IDNA not supported on this engine"
    if len(host) > 253:
        return f"{noun} longer than 253 characters"
    for label in host.split("."):
        if not _label_ok(label):
            return f"invalid {noun} label '{label}'"
    return None


def _drop_one_dot(host: str) -> str:
    return host[:-1] if host.endswith(".") else host


def hostname(raw: str | None, strip_suffixes: tuple[str, ...] = (), short: bool = False) -> Result:
    if raw is None:
        return None, None
    host = _drop_one_dot(raw.strip(WHITESPACE).translate(_LOWER))
    for suffix in sorted({s.lower().strip(".") for s in strip_suffixes}, key=len, reverse=True):
        if host.endswith("." + suffix) and len(host) > len(suffix) + 1:
            host = host[: -len(suffix) - 1]
            break
    problem = _host_problem(host, "hostname")
    if problem:
        return None, problem
    return (host.split(".")[0] if short else host), None


def email(
    raw: str | None, local_case: str = "fold", strip_plus_tag: bool = False, domain_aliases: dict | None = None
) -> Result:
    if raw is None:
        return None, None
    address = raw.strip(WHITESPACE)
    if address == "":
        return None, "empty email"
    if address.count("@") != 1:
        return None, "email must contain exactly one '@'"
    if len(address) > 254:
        return None, "email longer than 254 characters"
    local, domain = address.split("@")
    atoms = local.split(".")
    if len(local) > 64 or not all(atom and set(atom) <= _ATOM for atom in atoms):
        return None, f"invalid email local part '{local}'"
    domain = _drop_one_dot(domain.translate(_LOWER))
    problem = _host_problem(domain, "email domain")
    if problem:
        return None, problem
    if local_case == "fold":
        local = local.translate(_LOWER)
    if strip_plus_tag and local.find("+") > 0:
        local = local[: local.find("+")]
    aliases = {k.lower().rstrip("."): v.lower().rstrip(".") for k, v in (domain_aliases or {}).items()}
    return f"{local}@{aliases.get(domain, domain)}", None
