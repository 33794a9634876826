"""Engine == plain-Python reference, on generated messy inputs, for every normalizer and engine."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assay.engine import Engine
from assay.normalize import fast_path, ip
from assay.normalize.vocab import SEVERITY_SPELLINGS, STATUS_SPELLINGS

from . import reference, strategies
from .harness import _naive_utc, evaluate, mismatches, run

# Each example is one query over a batch of values; shrinking a batch would cost hundreds of
# queries, so failures are reported as the list of differing rows instead (no shrink phase).
# Spark compiles every query to JVM code (seconds each), so it gets one larger batch.
EXAMPLES = {"duckdb": 4, "postgres": 3, "pyspark": 1}
ROWS = {"duckdb": 200, "postgres": 200, "pyspark": 400}
FAST_ROWS = 150


def _batch(engine: Engine) -> settings:
    return settings(
        max_examples=int(os.environ.get("NORMALIZE_EXAMPLES", EXAMPLES[engine.name])),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )


@dataclass(frozen=True)
class Case:
    name: str
    values: st.SearchStrategy
    reference: Callable
    options: tuple[dict, ...]
    dtype: str = "string"

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        "hostname",
        strategies.hostnames,
        reference.hostname,
        (
            {},
            {"strip_suffixes": ["corp.acme.com", "acme.internal", "acme.com"]},
            {"strip_suffixes": ["acme.com", "CORP.ACME.COM."], "short": True},
        ),
    ),
    Case(
        "email",
        strategies.emails,
        reference.email,
        (
            {},
            {"local_case": "preserve", "strip_plus_tag": True},
            {"strip_plus_tag": True, "domain_aliases": {"Acme.co.uk": "acme.com", "mail.acme.com": "acme.com"}},
        ),
    ),
    Case("mac", strategies.macs, reference.mac, ({},)),
    Case(
        "severity",
        strategies.vocab_words([w for ws in SEVERITY_SPELLINGS.values() for w in ws]),
        reference.severity,
        ({}, {"numeric_scale": "cvss", "mapping": {"Sev A": "high", "p-0": "low"}}, {"numeric_scale": "none"}),
    ),
    Case(
        "timestamp",
        strategies.timestamps,
        reference.timestamp,
        ({}, {"zone": "+05:30", "epoch": "ms", "day_first": True}, {"zone": "-08:00", "epoch": "none"}),
    ),
    Case(
        "status",
        strategies.vocab_words([w for ws in STATUS_SPELLINGS.values() for w in ws]),
        reference.status,
        ({}, {"mapping": {"in-progress": "open", "sev a": "resolved"}}),
    ),
    Case("ip", strategies.ips, reference.ip, ({}, {"unmap_ipv4": False})),
    Case("text", strategies.texts, reference.text, ({}, {"case": "lower"}, {"case": "preserve"})),
    Case(
        "cloud_id",
        strategies.cloud_ids,
        reference.cloud_id,
        (
            {},
            {"part": "account"},
            {"part": "region"},
            {"kind": "aws", "part": "resource"},
            {"kind": "aws", "part": "partition"},
            {"kind": "gcp"},
            {"kind": "azure"},
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_engine_matches_reference(engine: Engine, case: Case) -> None:
    @_batch(engine)
    @given(values=st.lists(case.values, min_size=ROWS[engine.name], max_size=ROWS[engine.name]))
    def check(values: list) -> None:
        results = run(engine, case.name, values, case.options, case.dtype)
        for opts, got in zip(case.options, results, strict=True):
            assert mismatches(values, got, [case.reference(v, **opts) for v in values]) == [], opts

    check()


@pytest.mark.parametrize("case", [c for c in CASES if c.name in strategies.fast_shaped], ids=str)
def test_fast_paths_agree_with_reference(engine: Engine, case: Case) -> None:
    """On the rows a fast path accepts, its value and problem are the reference's."""

    def fast(opts: dict) -> Callable:
        def build(source):
            f = fast_path(case.name, source, opts, engine)
            if f is None:
                return ibis.literal(False), ibis.null("string"), ibis.null("string")
            return f.ok, f.value, ibis.null("string") if f.problem_of is None else f.problem_of(f.value)

        return build

    shaped = st.one_of(strategies.fast_shaped[case.name], case.values)
    rows = min(ROWS[engine.name], FAST_ROWS)  # long generated addresses exhaust Hypothesis' buffer in larger batches

    @_batch(engine)
    @given(values=st.lists(shaped, min_size=rows, max_size=rows))
    def check(values: list) -> None:
        for opts, rows in zip(case.options, evaluate(engine, values, [fast(o) for o in case.options]), strict=True):
            got = [(_naive_utc(v), p) for ok, v, p in rows if ok]
            expected = [case.reference(v, **opts) for v, (ok, _, _) in zip(values, rows, strict=True) if ok]
            assert mismatches([v for v, (ok, _, _) in zip(values, rows, strict=True) if ok], got, expected) == [], opts

    check()


WELL_FORMED = {
    "hostname": ({}, ["web-01.corp.acme.com", "WEB-01.Corp.Acme.COM.", "db-7", "a" * 63 + ".b"]),
    "email": ({"strip_plus_tag": True}, ["Jane.Doe@Acme.com", "j_d+okta@mail.acme.co.uk.", "x-1@a-b.c"]),
    "timestamp": (
        {"epoch": "ms", "zone": "+05:30"},
        ["2026-11-20T14:13:44Z", "2026-11-20 14:13:44.5+02:00", "2026-11-20T14:13:44.123456-05:30", "2026-02-30 00:00:00", "1794661455926"],
    ),
}


@pytest.mark.parametrize("name", sorted(WELL_FORMED))
def test_fast_paths_take_the_common_shapes(engine: Engine, name: str) -> None:
    """The shapes exports write most go the fast way (a shortcut that accepted nothing would pass
    the agreement test above), including an impossible date, which it reports like the full path."""
    opts, values = WELL_FORMED[name]

    def build(source):
        f = fast_path(name, source, opts, engine)
        assert f is not None
        return f.ok, f.value, ibis.null("string") if f.problem_of is None else f.problem_of(f.value)

    [rows] = evaluate(engine, values, [build])
    assert [ok for ok, _, _ in rows] == [True] * len(values)
    assert [(_naive_utc(v), p) for _, v, p in rows] == [getattr(reference, name)(v, **opts) for v in values]


def test_instants_past_2262_survive_every_engine(engine: Engine) -> None:
    """Pandas' nanosecond timestamps end in April 2262; the normalizer's range (and the harness) go further."""
    values = ["9399999999999", "9999999999999", "2199-12-31T23:59:59.999999Z", "1900-01-01T00:00:00+01:00"]
    options = {"epoch": "ms"}
    [got] = run(engine, "timestamp", values, [options])
    assert mismatches(values, got, [reference.timestamp(v, **options) for v in values]) == []
    assert [v.year for v, _ in got] == [2267, 2286, 2199, 1899]


CIDRS = ("10.0.0.0/8", "192.168.1.0/24", "0.0.0.0/0", "127.0.0.1/32", "2001:db8::/32", "fe80::/10", "::/0", "2001:db8:0:1::/63")


def test_ip_helpers_match_reference(engine: Engine) -> None:
    """`in_cidr` and `ip_class` agree with `ipaddress` (networks, properties) on the same inputs."""

    def helpers(source):
        return (ip.ip_class(source), *[ip.in_cidr(source, c) for c in CIDRS])

    @_batch(engine)
    @given(values=st.lists(strategies.ips, min_size=ROWS[engine.name], max_size=ROWS[engine.name]))
    def check(values: list) -> None:
        [got] = evaluate(engine, values, [helpers])
        expected = [(reference.ip_class(v), *[reference.in_cidr(v, c) for c in CIDRS]) for v in values]
        assert mismatches(values, got, expected) == []

    check()
