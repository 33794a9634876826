from __future__ import annotations

import pydantic
import pytest

from assay.engine import Engine
from assay.normalize import normalize, normalizer_names, options_model

from .harness import run


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
    with pytest.raises(KeyError, match=r"known normalizers: .*hostname"):
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

        def let(self, value, body):
            return body(value)

    column = ibis.table({"h": "string"}, name="t").h
    model = options_model("hostname")(short=True)
    assert normalize("hostname", column, model, _Static()).value.type().is_string()  # type: ignore[arg-type]
    assert normalize("hostname", column, None, _Static()).problem.type().is_string()  # type: ignore[arg-type]
