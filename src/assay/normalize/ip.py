"""IP addresses: firewall, proxy, EDR and cloud flow logs print the same address many ways.

`010.001.002.003` and `10.1.2.3` are one IPv4 address; `2001:0DB8:0:0:0:0:0:1`, `2001:db8::1`
and `2001:db8:0::0:1` are one IPv6 address; `::ffff:10.1.2.3` is the IPv4 address `10.1.2.3`
seen through an IPv6 socket. Every accepted form becomes the text Python's `ipaddress` prints
(RFC 5952 for IPv6). Parsing is regular expressions and integer arithmetic on every engine.

Besides the normalizer, two expression helpers read the same forms: :func:`in_cidr` (membership
of a network) and :func:`ip_class` (loopback / private / public …, as `ipaddress` decides).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import ibis

from assay.engine import Engine
from assay.engine.expressions import bind
from assay.normalize.portable import extract, quoted, trim
from assay.normalize.registry import Options, register
from assay.normalize.result import Normalized, problem

_OCTET = "(25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})"
"""0–255 in one to three decimal digits; leading zeros are read as decimal (`010` is ten)."""
_DOTTED = f"{_OCTET}[.]{_OCTET}[.]{_OCTET}[.]{_OCTET}"
IPV4 = f"^{_DOTTED}$"
_V4_TAIL = f":{_DOTTED}$"
"""An IPv4 address ending an IPv6 one (`::ffff:10.1.2.3`): it stands for the last two groups."""
_H = "[0-9a-fA-F]{1,4}"
_V6_FULL = f"^{_H}(?::{_H}){{7}}$"
_V6_COMPRESSED = f"^(?:{_H}(?::{_H})*)?::(?:{_H}(?::{_H})*)?$"
"""At most one `::`; it must stand for at least one group, which the group count checks."""
_MAPPED_PREFIX = "00000000000000000000ffff"
"""The first 96 bits (hex) of an IPv4-mapped IPv6 address, `::ffff:0:0/96`."""


class IpOptions(Options):
    unmap_ipv4: bool = True
    """Print an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`) as its IPv4 text."""


def _longest_zero_runs() -> str:
    """`|zero-map=n|` for all 256 maps of eight groups (`0` zero, `n` not): the RFC 5952 run length."""
    entries = []
    for bits in range(256):
        zero_map = "".join("0" if bits >> (7 - i) & 1 else "n" for i in range(8))
        longest = max(len(run) for run in zero_map.split("n"))
        entries.append(f"{zero_map}={longest if longest >= 2 else 0}")
    return "|" + "|".join(entries) + "|"


_RUNS = _longest_zero_runs()
_BYTE_HEX = "".join(f"{i:02x}" for i in range(256))
_HEX_BYTE = "|" + "|".join(f"{i:02x}" for i in range(256)) + "|"
"""Every expression below is referenced as few times as possible: SQL has no `let`, so each
reference repeats the whole sub-expression in the query text (and, on engines without common
subexpression elimination, in the work)."""


@dataclass(frozen=True)
class _Parsed:
    text: ibis.StringValue
    """The trimmed input."""
    is_v4: ibis.BooleanValue
    octets: list[ibis.IntegerValue]
    """The four decimal octets of a dotted IPv4 input (NULL otherwise)."""
    is_v6: ibis.BooleanValue
    expanded: ibis.StringValue
    """`:g0:g1:…:g7:` — the eight IPv6 groups as written (any case, leading zeros)."""

    @property
    def valid(self) -> ibis.BooleanValue:
        return self.is_v4 | self.is_v6


def _parse(value: ibis.Value) -> _Parsed:
    text = trim(value.cast("string"))
    octets = [extract(text, IPV4, i).cast("int64") for i in range(1, 5)]

    tail = [_hex_byte(extract(text, _V4_TAIL, i).cast("int64")) for i in range(1, 5)]
    v6 = text.re_replace(_V4_TAIL, ":") + (tail[0] + tail[1] + ":" + tail[2] + tail[3]).fill_null("")

    n_groups = v6.re_replace("[^:]+", "x").replace(":", "").length()
    is_v6 = v6.re_search(_V6_FULL) | (v6.re_search(_V6_COMPRESSED) & (n_groups <= 7))
    # `::` becomes the missing zero groups; the sentinel colons at both ends make every group
    # `:g:`, and a `::` left at an end (from `::1` or `1::`) collapses into the sentinel.
    expanded = (":" + v6.replace("::", ":" + ibis.literal("0:").repeat(_int32(8 - n_groups))) + ":").replace("::", ":")
    return _Parsed(text, text.re_search(IPV4), octets, is_v6, expanded)


def _canonical_groups(expanded: ibis.StringValue) -> ibis.StringValue:
    """Lower case, leading zeros dropped in one global pass; a group that was all zeros is then
    empty and gets its `0` back (two passes: non-overlapping matches fix every other one of `:::`)."""
    return expanded.lower().re_replace(":0+", ":").replace("::", ":0:").replace("::", ":0:")


def _head(text: ibis.StringValue, n: ibis.IntegerValue | int) -> ibis.StringValue:
    """The first `n` characters. `substr` compiles to a `CASE` that repeats its argument (and a
    computed start three times); `RIGHT` and `REVERSE` reference theirs once."""
    return text.reverse().right(_int32(n)).reverse()


def _slice(table: str, start: ibis.IntegerValue, length: int) -> ibis.StringValue:
    """`table[start:start + length]` of a literal, referencing `start` once."""
    return ibis.literal(table[::-1]).right(_int32(start + length)).reverse().right(length)


def _int32(n: ibis.IntegerValue | int) -> ibis.IntegerValue | int:
    """PostgreSQL's `right`/`repeat` take `integer` and do not accept a `bigint` argument."""
    return n if isinstance(n, int) else n.cast("int32")


def _hex_byte(n: ibis.IntegerValue) -> ibis.StringValue:
    return _slice(_BYTE_HEX, n * 2, 2)


def _byte(hex_pair: ibis.StringValue) -> ibis.IntegerValue:
    return ibis.literal(_HEX_BYTE).find("|" + hex_pair + "|") // 3


def _compressed(groups: ibis.StringValue) -> ibis.StringValue:
    """RFC 5952: the longest run of two or more zero groups becomes `::`, the leftmost on ties.

    The run's length comes from a 256-entry table keyed by which groups are zero; the leftmost
    occurrence of a run that long in the text is then the one to compress (any longer run would
    have been chosen instead), found with `find` — a global replace would compress every run.
    """
    zero_map = groups.re_replace("[0-9a-f]*[1-9a-f][0-9a-f]*", "n").replace(":", "")
    n = _slice(_RUNS, ibis.literal(_RUNS).find("|" + zero_map + "=") + 10, 1).cast("int64")
    run = ibis.literal(":0").repeat(_int32(n)) + ":"  # n = 0: the leading sentinel, so nothing is compressed
    at = groups.find(run)
    left = _head(groups, at).re_replace("^:", "")
    right = groups.right(_int32(groups.length() - at - run.length())).re_replace(":$", "")
    return left + ibis.literal("::").right(_int32(ibis.least(n, 1) * 2)) + right


def _mapped_octets(groups: ibis.StringValue) -> list[ibis.IntegerValue]:
    """The IPv4 octets held in the last two groups (`…:a00:1:` → 10, 0, 0, 1)."""
    last = extract(groups, ":([0-9a-f]+:[0-9a-f]+):$", 1)
    g6, g7 = ("000" + last.re_replace(":[0-9a-f]*", "")).right(4), ("000" + last.re_replace("[0-9a-f]*:", "")).right(4)
    return [_byte(_head(g6, 2)), _byte(g6.right(2)), _byte(_head(g7, 2)), _byte(g7.right(2))]


def _dotted(octets: list[ibis.IntegerValue]) -> ibis.StringValue:
    return ibis.literal(".").join([o.cast("string") for o in octets])


@register("ip", IpOptions)
def normalize_ip(value: ibis.Value, options: IpOptions, engine: Engine) -> Normalized:
    p = _parse(value)

    def text_of(groups: ibis.StringValue) -> ibis.StringValue:
        if not options.unmap_ipv4:
            return _compressed(groups)
        return ibis.ifelse(groups.startswith(":0:0:0:0:0:ffff:"), _dotted(_mapped_octets(groups)), _compressed(groups))

    v6 = engine.let(_canonical_groups(p.expanded), text_of)
    canonical = ibis.cases((p.is_v4, _dotted(p.octets)), (p.is_v6, v6), else_=ibis.null("string"))
    return Normalized(
        value=canonical,
        problem=problem(value, (p.text == "", "empty IP address"), (~p.valid, quoted("invalid IP address", p.text))),
    )


# --- helpers: membership and classification ---------------------------------------------------


def _hex32(p: _Parsed) -> ibis.StringValue:
    """The address as 32 lower-case hex digits, IPv4 in the IPv4-mapped range.

    Fixed width makes string order numeric order, so a network is a `BETWEEN` of two literals;
    an IPv4 address and its IPv4-mapped IPv6 form are one number, as the normalizer unmaps them.
    """
    v6 = p.expanded.lower().re_replace("^:|:$", "").split(":").map(lambda group: ("000" + group).right(4)).join("")
    v4 = _MAPPED_PREFIX + _hex_byte(p.octets[0]) + _hex_byte(p.octets[1]) + _hex_byte(p.octets[2]) + _hex_byte(p.octets[3])
    return ibis.cases((p.is_v4, v4), (p.is_v6, v6), else_=ibis.null("string"))


def _bounds(cidr: str) -> tuple[str, str]:
    net = ipaddress.ip_network(cidr, strict=False)
    if net.version == 4:
        net = ipaddress.IPv6Network(f"::ffff:{net.network_address}/{96 + net.prefixlen}")
    return f"{int(net.network_address):032x}", f"{int(net.broadcast_address):032x}"


def _within(hex32: ibis.StringValue, cidrs: list[str]) -> ibis.BooleanValue:
    """In any of `cidrs`; an IPv6 network never holds an IPv4 address (as in `ipaddress`), even
    one like `::/0` whose range covers the IPv4-mapped block where IPv4 addresses are kept."""
    mapped_block = ipaddress.ip_network("::ffff:0:0/96")
    conditions = []
    for c in cidrs:
        within = hex32.between(*_bounds(c))
        network = ipaddress.ip_network(c, strict=False)
        if network.version == 6 and network.overlaps(mapped_block):
            within = within & ~hex32.startswith(_MAPPED_PREFIX)
        conditions.append(within)
    out = conditions[0]
    for c in conditions[1:]:
        out = out | c
    return out


def in_cidr(value: ibis.Value, cidr: str | list[str]) -> ibis.BooleanValue:
    """Whether the address in `value` lies in the network `cidr` (or any of a list of them).

    `value` may be any text the `ip` normalizer accepts (raw or canonical); NULL where it is
    NULL or not an IP address. Host bits in `cidr` are ignored (`10.1.2.3/8` is `10.0.0.0/8`).
    IPv4-mapped IPv6 addresses are matched as IPv4 (`::ffff:10.0.0.1` is in `10.0.0.0/8`).
    """
    cidrs = [cidr] if isinstance(cidr, str) else list(cidr)
    for c in cidrs:
        ipaddress.ip_network(c, strict=False)  # a configuration error surfaces here, not in SQL
    p = _parse(value)
    return ibis.ifelse(p.valid, _within(_hex32(p), cidrs), ibis.null("boolean"))


IP_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unspecified", ("0.0.0.0/32", "::/128")),
    ("loopback", ("127.0.0.0/8", "::1/128")),
    ("link_local", ("169.254.0.0/16", "fe80::/10")),
    ("multicast", ("224.0.0.0/4", "ff00::/8")),
    ("site_local", ("fec0::/10",)),
    (
        "reserved",
        (
            *("240.0.0.0/4", "::/8", "100::/8", "200::/7", "400::/6", "800::/5", "1000::/4", "4000::/3", "6000::/3", "8000::/3"),
            *("a000::/3", "c000::/3", "e000::/4", "f000::/5", "f800::/6", "fe00::/9"),
        ),
    ),
    (
        "private",
        (
            *("0.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.0.0.0/29", "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16"),
            *("198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "255.255.255.255/32"),
            *("100::/64", "2001::/23", "2001:2::/48", "2001:db8::/32", "2001:10::/28", "fc00::/7"),
        ),
    ),
    ("shared", ("100.64.0.0/10",)),
)
"""First match wins; everything else is `public`. The networks are those behind `ipaddress`'s
`is_unspecified`, `is_loopback`, `is_link_local`, `is_multicast`, `is_site_local` (IPv6),
`is_reserved`, `is_private` and (IPv4 `100.64.0.0/10`, neither private nor global) in Python 3.11."""


def ip_class(value: ibis.Value, engine: Engine | None = None) -> ibis.StringValue:
    """`unspecified`, `loopback`, `link_local`, `multicast`, `site_local`, `reserved`, `private`,
    `shared` or `public` — the first that applies, in that order; NULL for NULL or a non-address.

    IPv4-mapped IPv6 addresses are classified as their IPv4 address. Pass `engine` to let it
    choose the cheapest way to share the parsed address between the tests (`Engine.let`).
    """
    p = _parse(value)

    def classify(hex32: ibis.StringValue) -> ibis.StringValue:
        classes = [(_within(hex32, list(cidrs)), name) for name, cidrs in IP_CLASSES]
        return ibis.cases((hex32.isnull(), ibis.null("string")), *classes, else_=ibis.literal("public"))

    return engine.let(_hex32(p), classify) if engine is not None else bind(_hex32(p), classify)
