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
    padded(st.builds(lambda labels, s, dot: ".".join(labels) + s + dot, st.lists(label, min_size=1, max_size=5), suffix, st.sampled_from(["", "", ".", ".."]))),
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
