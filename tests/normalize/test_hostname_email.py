from __future__ import annotations

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assay.engine import Engine
from assay.normalize import normalize, normalizer_names, options_model
from . import reference, strategies
from .harness import run

BATCH = settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))

HOST_OPTIONS = [
    {},
    {"strip_suffixes": ["corp.acme.com", "acme.internal", "acme.com"]},
    {"strip_suffixes": ["acme.com", "CORP.ACME.COM."], "short": True},
]
EMAIL_OPTIONS = [
    {},
    {"local_case": "preserve", "strip_plus_tag": True},
    {"strip_plus_tag": True, "domain_aliases": {"Acme.co.uk": "acme.com", "mail.acme.com": "acme.com"}},
]


@BATCH
@given(values=st.lists(strategies.hostnames, min_size=200, max_size=200))
def test_hostname_matches_reference(engine: Engine, values: list[str | None]) -> None:
    results = run(engine, "hostname", values, HOST_OPTIONS)
    for opts, got in zip(HOST_OPTIONS, results, strict=True):
        expected = [reference.hostname(v, **opts) for v in values]
        assert got == expected, opts


@BATCH
@given(values=st.lists(strategies.emails, min_size=200, max_size=200))
def test_email_matches_reference(engine: Engine, values: list[str | None]) -> None:
    results = run(engine, "email", values, EMAIL_OPTIONS)
    for opts, got in zip(EMAIL_OPTIONS, results, strict=True):
        expected = [reference.email(v, **opts) for v in values]
        assert got == expected, opts


def test_hostname_examples(engine: Engine) -> None:
    values = [" WEB-01.CORP.ACME.COM. ", "web-01", "a..b", "-bad.acme.com", "é.acme.com", "", None, "x" * 64]
    [got] = run(engine, "hostname", values, [{"strip_suffixes": ["corp.acme.com"]}])
    assert got == [
        ("web-01", None),
        ("web-01", None),
        (None, "invalid hostname label ''"),
        (None, "invalid hostname label '-bad'"),
        (None, "IDNA not supported on this engine"),
        (None, "empty hostname"),
        (None, None),
        (None, f"invalid hostname label '{'x' * 64}'"),
    ]


def test_idna_is_declared_unsupported(engine: Engine) -> None:
    """No engine converts Unicode labels to punycode natively; the normalizer says so per row."""
    assert engine.capabilities.idna is False
    [[(value, problem)]] = run(engine, "hostname", ["bücher.example"], [{}])
    assert (value, problem) == (None, "IDNA not supported on this engine")


def test_email_examples(engine: Engine) -> None:
    values = ["Jane.Doe@Acme.com", " jane.doe+okta@acme.co.uk ", "a@@b.com", "@acme.com", None]
    [got] = run(engine, "email", values, [{"strip_plus_tag": True, "domain_aliases": {"acme.co.uk": "acme.com"}}])
    assert got == [
        ("jane.doe@acme.com", None),
        ("jane.doe@acme.com", None),
        (None, "email must contain exactly one '@'"),
        (None, "invalid email local part ''"),
        (None, None),
    ]


def test_registry_contract() -> None:
    assert {"hostname", "email"} <= set(normalizer_names())
    with pytest.raises(KeyError, match="known normalizers: .*hostname"):
        options_model("hostnme")
    with pytest.raises(pydantic.ValidationError):
        options_model("hostname").model_validate({"strip_suffix": ["acme.com"]})
    with pytest.raises(pydantic.ValidationError):
        options_model("hostname").model_validate({"strip_suffixes": ["a..b"]})
    with pytest.raises(pydantic.ValidationError):
        options_model("email").model_validate({"local_case": "upper"})


def test_options_accepts_model_and_none() -> None:
    import ibis

    from assay.engine.capabilities import DUCKDB

    class _Static:
        capabilities = DUCKDB

    column = ibis.table({"h": "string"}, name="t").h
    model = options_model("hostname")(short=True)
    assert normalize("hostname", column, model, _Static()).value.type().is_string()  # type: ignore[arg-type]
    assert normalize("hostname", column, None, _Static()).problem.type().is_string()  # type: ignore[arg-type]
