"""Plain-Python reference implementations, written independently of the Ibis code, for tests only."""

from __future__ import annotations

import string

WHITESPACE = " \t\n\r\f\v\x85\u2028\u2029"
SEPARATORS = " \t\n\r\f\v"
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
        if host.endswith("." + suffix):
            host = host[: -len(suffix) - 1]
            break
    problem = _host_problem(host, "hostname")
    if problem:
        return None, problem
    return (host.split(".")[0] if short else host), None


def email(raw: str | None, local_case: str = "fold", strip_plus_tag: bool = False, domain_aliases: dict | None = None) -> Result:
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


def mac(raw: str | None) -> Result:
    if raw is None:
        return None, None
    text = raw.strip(WHITESPACE)
    hexdigits = set("0123456789abcdefABCDEF")
    groups = None
    for sep, sizes in ((":", [2] * 6), ("-", [2] * 6), (".", [4] * 3), ("", [12])):
        parts = text.split(sep) if sep else [text]
        if [len(p) for p in parts] == sizes and all(set(p) <= hexdigits for p in parts):
            groups = "".join(parts)
            break
    if groups is None:
        return None, f"invalid MAC address '{text}'"
    return ":".join(groups[i : i + 2] for i in range(0, 12, 2)).lower(), None


def _vocab_key(text: str) -> str:
    return "".join(c for c in text.translate(_LOWER) if c not in SEPARATORS + "_-")


def _vocab(raw: str | None, noun: str, spellings: dict, extra: dict, numeric: dict | None, cvss: bool) -> Result:
    if raw is None:
        return None, None
    text = raw.strip(WHITESPACE)
    table = dict(numeric or {})
    table |= {_vocab_key(s): term for term, words in spellings.items() for s in words}
    table |= {_vocab_key(k): v for k, v in extra.items()}
    term = table.get(_vocab_key(text)) if text.isascii() else None
    if term is None and cvss:
        term = _cvss(text)
    return (term, None) if term else (None, f"unknown {noun} '{text}'")


def _cvss(text: str) -> str | None:
    import re
    from decimal import Decimal

    if not re.fullmatch(r"10(\.0)?|[0-9](\.[0-9])?", text):
        return None
    score = Decimal(text)
    for floor, band in ((9, "critical"), (7, "high"), (4, "medium")):
        if score >= floor:
            return band
    return "low" if score > 0 else "info"


def severity(raw: str | None, mapping: dict | None = None, numeric_scale: str = "1-5") -> Result:
    from assay.normalize.vocab import SEVERITY_SPELLINGS

    numeric = {"5": "critical", "4": "high", "3": "medium", "2": "low", "1": "info"} if numeric_scale == "1-5" else None
    return _vocab(raw, "severity", SEVERITY_SPELLINGS, mapping or {}, numeric, numeric_scale == "cvss")


def status(raw: str | None, mapping: dict | None = None) -> Result:
    from assay.normalize.vocab import STATUS_SPELLINGS

    return _vocab(raw, "status", STATUS_SPELLINGS, mapping or {}, None, False)


def timestamp(raw: str | None, zone: str = "UTC", epoch: str = "auto", day_first: bool = False) -> Result:
    import re
    from datetime import datetime, timedelta

    if raw is None:
        return None, None
    text = raw.strip(WHITESPACE)
    if text == "":
        return None, "empty timestamp"
    m = re.fullmatch(r"([0-9]{1,16})(?:\.([0-9]{1,6}))?", text)
    if m and epoch != "none":
        digits, frac = m.groups()
        n = len(digits)
        unit = epoch if epoch != "auto" else ("s" if n <= 10 else "ms" if n <= 13 else "us")
        if n <= {"s": 10, "ms": 13, "us": 16}[unit] and (frac is None or unit == "s"):
            micros = int(digits) * {"s": 10**6, "ms": 10**3, "us": 1}[unit] + int((frac or "").ljust(6, "0"))
            return datetime(1970, 1, 1) + timedelta(microseconds=micros), None
    default_offset = 0
    if zone.upper() not in ("UTC", "Z"):
        default_offset = (-1 if zone[0] == "-" else 1) * (int(zone[1:3]) * 60 + int(zone[4:6]))
    year = r"((?:19|20|21)\d\d)"
    fields = None
    if m := re.fullmatch(
        year + r"-(\d\d)-(\d\d)(?:[Tt ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:[.,](\d{1,9}))?)?"
        r"(?:([Zz])|([+-])([01]\d|2[0-3])(?::?([0-5]\d))?)?)?",
        text,
    ):
        y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
        offset = None if not (z or sign) else 0 if z else (1 if sign == "+" else -1) * (int(oh) * 60 + int(om or 0))
        fields = (y, mo, d, h, mi, s, frac, offset)
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/" + year + r"(?:[ T]([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?)?", text):
        a, b, y, h, mi, s = m.groups()
        fields = (y, a if not day_first else b, b if not day_first else a, h, mi, s, None, None)
    elif m := re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})-" + year + r"(?:[ T:]([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?)?", text):
        d, name, y, h, mi, s = m.groups()
        months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        if name.lower() in months:
            fields = (y, str(months.index(name.lower()) + 1), d, h, mi, s, None, None)
    if fields is None:
        return None, f"unparseable timestamp '{text}'"
    y, mo, d, h, mi, s, frac, offset = fields
    try:
        local = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), int((frac or "")[:6].ljust(6, "0")))
    except ValueError:
        return None, f"invalid date '{text}'"
    return local - timedelta(minutes=default_offset if offset is None else offset), None


_DIGITS = set(string.digits)
_IP_CHARS = set(string.hexdigits + ":.")


def _dotted_quad(text: str) -> str | None:
    """A dotted quad with 1–3 decimal digits per octet (leading zeros read as decimal), canonical."""
    parts = text.split(".")
    if len(parts) != 4 or not all(1 <= len(p) <= 3 and set(p) <= _DIGITS and int(p) <= 255 for p in parts):
        return None
    return ".".join(str(int(p)) for p in parts)


def ip_address(raw: str | None):
    """The `ipaddress` object for an accepted text, IPv4-mapped IPv6 unmapped; None if invalid."""
    import ipaddress

    if raw is None:
        return None
    text = raw.strip(WHITESPACE)
    if (quad := _dotted_quad(text)) is not None:
        return ipaddress.IPv4Address(quad)
    if not text or not set(text) <= _IP_CHARS:  # no zone ids (`%eth0`), brackets, or ports
        return None
    head, colon, last = text.rpartition(":")
    if "." in last:
        if (quad := _dotted_quad(last)) is None:
            return None
        text = head + colon + quad
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def ip(raw: str | None, unmap_ipv4: bool = True) -> Result:
    if raw is None:
        return None, None
    text = raw.strip(WHITESPACE)
    if text == "":
        return None, "empty IP address"
    address = ip_address(text)
    if address is None:
        return None, f"invalid IP address '{text}'"
    if unmap_ipv4 and address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped), None
    return str(address), None


def _unmapped(raw: str | None):
    address = ip_address(raw)
    if address is not None and address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def in_cidr(raw: str | None, cidr: str) -> bool | None:
    import ipaddress

    address = _unmapped(raw)
    if address is None:
        return None
    network = ipaddress.ip_network(cidr, strict=False)
    return address.version == network.version and address in network


def ip_class(raw: str | None) -> str | None:
    address = _unmapped(raw)
    if address is None:
        return None
    for name, test in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("site_local", address.version == 6 and address.is_site_local),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("shared", not address.is_global),
    ):
        if test:
            return name
    return "public"


def text(raw: str | None, case: str = "fold") -> Result:
    """NFKC, then case (`fold`: per character, `casefold()` if that is one character, else
    `lower()` if that is; `lower`: `str.lower()`), then whitespace runs → one space, trimmed."""
    import unicodedata

    if raw is None:
        return None, None
    out = unicodedata.normalize("NFKC", raw)
    if case == "lower":
        out = "".join(c.lower() for c in out)  # per character: no final-sigma rule (Σ → σ, never ς)
    elif case == "fold":
        out = "".join(c.casefold() if len(c.casefold()) == 1 else c.lower() if len(c.lower()) == 1 else c for c in out)
    out = " ".join(out.split())
    return (out, None) if out else (None, "empty text")


_ARN_NOUN = {"aws": "AWS ARN", "gcp": "GCP resource name", "azure": "Azure resource id"}


def _arn_fields(text: str) -> dict[str, str | None] | None:
    """The six fields of a valid ARN (the fixed ones lower-cased, empty ones None); None if invalid."""
    import re

    fields = text.split(":", 5)
    if len(fields) != 6:
        return None
    arn, partition, service, region, account, resource = fields
    valid = (
        arn.translate(_LOWER) == "arn"
        and re.fullmatch("aws(-[a-z0-9]+)*", partition.translate(_LOWER))
        and re.fullmatch("[a-z0-9-]+", service.translate(_LOWER))
        and re.fullmatch("[a-z0-9-]*", region.translate(_LOWER))
        and re.fullmatch("([0-9]{12}|aws)?", account)
        and resource != ""
    )
    if not valid:
        return None
    lowered = {"partition": partition, "service": service, "region": region, "account": account}
    out: dict[str, str | None] = {k: v.translate(_LOWER) or None for k, v in lowered.items()}
    out["resource"] = resource
    out["id"] = ":".join(["arn", partition, service, region, account]).translate(_LOWER) + ":" + resource
    return out


def _gcp_name(text: str) -> str | None:
    import re

    if not text.startswith("//"):
        return None
    host, slash, path = text[2:].partition("/")
    host = host.translate(_LOWER)
    if not slash or not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com", host):
        return None
    path = path.removesuffix("/")
    segments = path.split("/")
    if len(segments) < 2 or "" in segments:
        return None
    return f"//{host}/{path}"


def _azure_id(text: str) -> str | None:
    import re

    lowered = text.translate(_LOWER).removesuffix("/")
    if not lowered.startswith("/"):
        return None
    segments = lowered[1:].split("/")
    if "" in segments or len(segments) < 2 or segments[0] != "subscriptions":
        return None
    if not re.fullmatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", segments[1]):
        return None
    rest = segments[2:]
    if rest[:1] == ["resourcegroups"]:
        if len(rest) < 2:
            return None
        rest = rest[2:]
    if rest and (rest[0] != "providers" or len(rest) < 4 or len(rest) % 2 != 0):
        return None  # providers / NAMESPACE / TYPE / NAME, then TYPE / NAME pairs
    return lowered


def cloud_id(raw: str | None, kind: str = "auto", part: str = "id") -> Result:
    if raw is None:
        return None, None
    text = raw.strip(WHITESPACE)
    if text == "":
        return None, "empty cloud resource id"
    if kind == "auto":
        lowered = text.translate(_LOWER)
        if lowered.startswith("arn:"):
            kind = "aws"
        elif text.startswith("//"):
            kind = "gcp"
        elif lowered.startswith("/subscriptions/"):
            kind = "azure"
        else:
            return None, f"unrecognized cloud resource id '{text}'"
    if kind == "aws":
        fields = _arn_fields(text)
        return (fields[part], None) if fields else (None, f"invalid AWS ARN '{text}'")
    canonical = _gcp_name(text) if kind == "gcp" else _azure_id(text)
    if canonical is None:
        return None, f"invalid {_ARN_NOUN[kind]} '{text}'"
    if part != "id":
        return None, f"no {part} in {_ARN_NOUN[kind]} '{text}'"
    return canonical, None
