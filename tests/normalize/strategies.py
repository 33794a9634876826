"""Hypothesis strategies for messy real-world inputs (never NUL: PostgreSQL text cannot hold it)."""

from __future__ import annotations

from hypothesis import strategies as st

any_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20)
padding = st.sampled_from(["", "", " ", "\t", " \n", "\r\n ", "\x0b"])


def padded(core: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, s, b: a + s + b, padding, core, padding)


label = st.one_of(
    st.text("abcxyzABCXYZ0189-", min_size=1, max_size=8),
    st.text("abZ9-_ .é\tK", max_size=4),
    st.text("ab", min_size=60, max_size=66),
)
suffix = st.sampled_from(["", "", ".corp.acme.com", ".CORP.Acme.com", ".acme.internal", ".acme.com", ".corp.acme.com."])
hostnames = st.one_of(
    padded(
        st.builds(
            lambda labels, s, dot: ".".join(labels) + s + dot,
            st.lists(label, min_size=1, max_size=5),
            suffix,
            st.sampled_from(["", "", ".", ".."]),
        )
    ),
    any_text,
    st.none(),
)

local_part = st.one_of(
    st.builds(lambda a, t: a + t, st.text("abcJDoe.01_", min_size=1, max_size=10), st.sampled_from(["", "", "+okta", "+", "+a+b"])),
    st.text("ab.+@\"' é!#~", max_size=6),
)
domain = st.one_of(
    st.sampled_from(["acme.com", "Acme.CO.UK", "acme.co.uk.", "ACME.COM", "mail.acme.com", "localhost", "x..y", "-a.com", "é.com"]),
    st.builds(lambda labels: ".".join(labels), st.lists(label, min_size=1, max_size=3)),
)
emails = st.one_of(
    padded(st.builds(lambda lp, at, d: lp + at + d, local_part, st.sampled_from(["@", "@", "@", "", "@@"]), domain)),
    any_text,
    st.none(),
)


def _mac_from(octets: list[int], style: int, upper: bool) -> str:
    h = "".join(f"{o:02x}" for o in octets)
    h = h.upper() if upper else h
    pairs = [h[i : i + 2] for i in range(0, 12, 2)]
    return [":".join(pairs), "-".join(pairs), ".".join(h[i : i + 4] for i in range(0, 12, 4)), h][style]


macs = st.one_of(
    padded(st.builds(_mac_from, st.lists(st.integers(0, 255), min_size=6, max_size=6), st.integers(0, 3), st.booleans())),
    st.text("0123456789abcdefABCDEFG:-. ", max_size=18),
    any_text,
    st.none(),
)


def _respell(word: str, seps: list[str], upper: list[bool]) -> str:
    out = []
    for i, c in enumerate(word):
        c = c.upper() if upper[i % len(upper)] else c
        out.append("_" if c == " " and seps[i % len(seps)] == "_" else c)
    return "".join(out)


def vocab_words(words: list[str]) -> st.SearchStrategy[str | None]:
    known = st.builds(
        _respell, st.sampled_from(words), st.lists(st.sampled_from([" ", "_"]), min_size=1), st.lists(st.booleans(), min_size=1)
    )
    numbers = st.one_of(st.integers(0, 11).map(str), st.decimals(0, 11, places=1).map(str), st.sampled_from(["07", "10.0", "9.99", "-1"]))
    return st.one_of(padded(known), padded(st.sampled_from(["sev-a", "SEV A", "p-0", "in-progress"])), numbers, any_text, st.none())


def _iso(y: int, mo: int, d: int, h: int, mi: int, s: int, shape: int, frac: str, sep: str, offset: str) -> str:
    date = f"{y:04d}-{mo:02d}-{d:02d}"
    if shape == 0:
        return date
    time = f"{h:02d}:{mi:02d}" + (f":{s:02d}" if shape >= 2 else "") + (f".{frac}" if shape == 3 and frac else "")
    return f"{date}{sep}{time}{offset}"


def _us(y: int, mo: int, d: int, h: int, mi: int, s: int, pad: bool, shape: int) -> str:
    date = f"{mo:02d}/{d:02d}/{y}" if pad else f"{mo}/{d}/{y}"
    return date + ["", f" {h}:{mi:02d}", f" {h:02d}:{mi:02d}:{s:02d}"][shape]


def _mon(y: int, mo: int, d: int, h: int, mi: int, s: int, upper: bool, shape: int) -> str:
    name = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "xyz"][mo - 1]
    name = name.upper() if upper else name.title()
    return f"{d}-{name}-{y}" + ["", f" {h:02d}:{mi:02d}", f":{h:02d}:{mi:02d}:{s:02d}"][shape]


_parts = (st.integers(1895, 2205), st.integers(1, 13), st.integers(0, 32), st.integers(0, 24), st.integers(0, 60), st.integers(0, 60))
timestamps = st.one_of(
    padded(
        st.builds(
            _iso,
            *_parts,
            st.integers(0, 3),
            st.text("0123456789", min_size=1, max_size=10),
            st.sampled_from(["T", " ", "t"]),
            st.sampled_from(["", "Z", "z", "+02:00", "+0200", "+02", "-05:30", "-0000", "+24:00", "+1"]),
        )
    ),
    padded(st.builds(_us, *_parts, st.booleans(), st.integers(0, 2))),
    padded(st.builds(_mon, *_parts, st.booleans(), st.integers(0, 2))),
    padded(st.builds(lambda n, f: str(n) + f, st.integers(0, 10**17), st.sampled_from(["", "", ".5", ".123456", ".1234567"]))),
    any_text,
    st.none(),
)


def _ipv4_text(octets: list[int], pads: list[int]) -> str:
    return ".".join(f"{o:0{p}d}" for o, p in zip(octets, pads, strict=True))


_octet = st.one_of(st.integers(0, 255), st.sampled_from([0, 10, 127, 169, 172, 192, 224, 255]))
ipv4s = st.builds(_ipv4_text, st.lists(_octet, min_size=4, max_size=4), st.lists(st.integers(1, 3), min_size=4, max_size=4))

_group = st.one_of(st.just(0), st.just(0), st.integers(0, 0xFFFF), st.sampled_from([1, 0xFFFF, 0xFE80, 0xFF02, 0x2001, 0xDB8, 0xFC00]))


@st.composite
def ipv6s(draw: st.DrawFn) -> str:
    """Any address, spelled any valid way: padded or not, any case, `::` on any zero run, a dotted tail."""
    groups = draw(st.lists(_group, min_size=8, max_size=8))
    if draw(st.integers(0, 5)) == 0:
        groups[:6] = [0, 0, 0, 0, 0, 0xFFFF]  # IPv4-mapped
    upper = draw(st.booleans())
    texts = [f"{g:0{draw(st.integers(1, 4))}x}" for g in groups]
    texts = [t.upper() if upper else t for t in texts]
    tail_v4 = draw(st.booleans()) and draw(st.booleans())
    if tail_v4:
        octets = [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255]
        texts = [*texts[:6], _ipv4_text(octets, draw(st.lists(st.integers(1, 3), min_size=4, max_size=4)))]
    zero_runs = [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts) + 1) if all(groups[k] == 0 for k in range(i, j))]
    if zero_runs and draw(st.booleans()):
        i, j = draw(st.sampled_from(zero_runs))
        return ":".join(texts[:i]) + "::" + ":".join(texts[j:])
    return ":".join(texts)


ips = st.one_of(
    padded(ipv4s),
    padded(ipv6s()),
    st.sampled_from(["::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "fe80::1%eth0"]),
    st.sampled_from(["[::1]", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "0001.2.3.4", "1:2:3:4:5:6:7:8:9", "1::2::3"]),
    st.sampled_from(["12345::1", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5"]),
    st.text("0123456789abcdefABCDEF:.", max_size=20),
    any_text,
    st.none(),
)


_messy_chars = st.sampled_from(
    [*"AaZzÉéßẞİıΣσςﬁＡｚ①²ǅÅÅKµΩ𐐀ᏸ", "\u00a0", "\u2003", "\u3000", "\u200b", "\t", "\n", "\x0b", "\x1c", "\u0085", "\u2028", "e\u0301"]
)
texts = st.one_of(
    padded(st.lists(st.one_of(_messy_chars, st.sampled_from([" ", "  ", "Jane", "DOE", "o'Brien"])), max_size=8).map("".join)),
    any_text,
    st.none(),
)


def _recase(text: str, upper: list[bool]) -> str:
    return "".join(c.upper() if upper[i % len(upper)] else c.lower() for i, c in enumerate(text))


_cases = st.sampled_from([[False], [True], [True, False], [False, False, True], [True, True, False, True, False]])
"""Upper-case patterns for `_recase` (one draw each: a 400-row batch must fit hypothesis' buffer)."""
_slashes = st.sampled_from(["", "", "", "/", "//"])
_id_segment = st.sampled_from(
    [
        *"abXY09-_.:",
        "my-project",
        "Prod-VM_1",
        "i-0abc",
        "a.b",
        "ünïcode",
        "sp ace",
        "\u212a",
        "1234567890",
        "x:y",
        "Ab",
        "-",
        "é\t",
        *["", "a/b", " "],  # invalid as a path segment
    ]
)
"""One path segment or resource part (one draw); the last three make an id invalid."""


def _mostly(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """One of `good` five times in six, else one of `bad` (one draw): most generated ids stay valid."""
    return st.sampled_from([g for g in good for _ in range(len(bad))] * 5 + bad)


_partition = _mostly(["aws", "aws-cn", "aws-us-gov", "aws-iso-b"], ["awsx", "gcp", "aws-", ""])
_service = _mostly(["s3", "iam", "ec2", "execute-api", "lambda"], ["", "s_3", "s3.x"])
_region = _mostly(["", "us-east-1", "eu-west-2", "cn-north-1"], ["us_east", "\u212a"])
_account = _mostly(
    ["", "123456789012", "000011112222", "aws"], ["12345678901", "1234567890123", "AWS", "awsx", "12345678901a", "１２３４５６７８９０１２"]
)
_resource = st.one_of(
    st.sampled_from(["Bucket-1", "my-bucket/Key.txt", "role/Admin", "instance/i-0ABC", "function:Fn:$LATEST", "", ":x"]),
    st.builds(lambda a, sep, b: a + sep + b, _id_segment, st.sampled_from(["/", ":", ""]), _id_segment),
)


@st.composite
def arns(draw: st.DrawFn) -> str:
    upper = draw(_cases)
    fields = [_recase(field, upper) for field in ("arn", draw(_partition), draw(_service), draw(_region))]
    fields += [draw(_account), draw(_resource)]
    if draw(st.integers(0, 9)) == 9:
        del fields[draw(st.integers(1, 4))]  # a field missing
    return ":".join(fields)


@st.composite
def gcp_names(draw: st.DrawFn) -> str:
    service = draw(_mostly(["compute", "storage", "cloudresourcemanager", "container", "a.b"], ["bad_host", "", "\u212a"]))
    host = _recase(service + draw(_mostly([".googleapis.com"], [".googleapis.co", "", ".googleapis.com.evil"])), draw(_cases))
    segments = [draw(_id_segment) for _ in range(draw(st.sampled_from([2, 4, 6, 2, 4, 1, 0, 3])))]
    if segments and draw(st.booleans()):
        segments[0] = "projects"
    return "//" + host + "".join("/" + s for s in segments) + draw(_slashes)


_guid = st.builds(
    lambda h, upper: _recase(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", upper),
    st.integers(0, 2**128 - 1).map(lambda n: f"{n:032x}"),
    _cases,
)


@st.composite
def azure_ids(draw: st.DrawFn) -> str:
    guid = draw(st.one_of(*[_guid] * 5, st.sampled_from(["not-a-guid", "0000000-0000-0000-0000-000000000000", "", "{" + "0" * 8 + "}"])))
    out = "/" + _recase("subscriptions", draw(_cases)) + "/" + guid
    level = draw(st.integers(0, 4))
    if level >= 1:
        out += "/" + _recase("resourceGroups", draw(_cases)) + "/" + draw(_id_segment)
    if level >= 2:
        provider = draw(st.sampled_from(["Microsoft.Compute", "Microsoft.Storage", "microsoft.insights"]))
        pairs = [(draw(_id_segment), draw(_id_segment)) for _ in range(draw(st.sampled_from([1, 1, 2, 0])))]
        extra = draw(_mostly([""], ["/dangling", "/providers", "//x"]))
        out += "/" + _recase("providers", draw(_cases)) + "/" + provider + "".join(f"/{t}/{n}" for t, n in pairs) + extra
    return out + draw(_slashes)


cloud_ids = st.one_of(
    padded(arns()),
    padded(gcp_names()),
    padded(azure_ids()),
    st.sampled_from(["arn:aws:s3", "arn:", "//", "/subscriptions/", "/providers/Microsoft.Management/managementGroups/x", "s3://bucket"]),
    any_text,
    st.none(),
)


# Near the fast paths' shapes (`assay.normalize.result.Fast`): mostly well formed, with the edges
# a shortcut could get wrong (a final line terminator, which Java's `$` matches before; 64-character
# labels; month 13; a seventh fraction digit; offset +24:00; epochs one digit too long).
_terminator = st.sampled_from(["", "", "", "", "\n", "\r\n", "\u2028", "\u0085", " "])
_good_label = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,6}[A-Za-z0-9])?", fullmatch=True)
_fast_label = st.one_of(_good_label, _good_label, _good_label, st.sampled_from(["a" * 63, "b" * 64, "-x", "x-", "xn--abc", "ab--cd"]))
_fast_host = st.builds(
    lambda labels, dot, end: ".".join(labels) + dot + end,
    st.lists(_fast_label, min_size=1, max_size=5),
    st.sampled_from(["", "", ".", ".."]),
    _terminator,
)
_fast_local = st.one_of(
    st.from_regex(r"[A-Za-z0-9_+-]{1,8}(\.[A-Za-z0-9_+-]{1,5}){0,2}", fullmatch=True), st.just("x" * 65), st.just("a..b")
)
_fast_email = st.builds(lambda lp, host: lp + "@" + host, _fast_local, _fast_host)
_fast_host = st.one_of(_fast_host, _fast_host, st.builds(lambda h: "a" * 250 + "." + h, _fast_host))  # near the 253 limit


def _fast_iso(y: int, mo: int, d: int, h: int, mi: int, s: int, frac: str, sep: str, tail: str, end: str) -> str:
    return f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}{tail}{end}"


_fast_timestamp = st.one_of(
    st.builds(
        _fast_iso,
        st.integers(1895, 2205),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 24),
        st.integers(0, 60),
        st.integers(0, 60),
        st.sampled_from(["", "", ".5", ".123456", ".1234567", ".", ",5"]),
        st.sampled_from(["T", " ", "t"]),
        st.sampled_from(["", "Z", "z", "+02:00", "-05:30", "+24:00", "+0200", "-00:00", "+23:59"]),
        _terminator,
    ),
    st.builds(lambda n, end: str(n) + end, st.integers(0, 10**17), _terminator),
)
fast_shaped = {"hostname": _fast_host, "email": _fast_email, "timestamp": _fast_timestamp}
