"""Cloud resource ids: the keys CSPM findings, cloud audit logs and asset inventories share.

`ARN:AWS:S3:::Bucket-1`, `//Compute.googleapis.com/projects/p/zones/z/instances/vm-1/` and
`/SUBSCRIPTIONS/…/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1` each name
one resource however a tool happens to print it. Each kind gets its own canonical text:

* AWS ARN `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` — the fixed fields lower-cased, the
  resource kept exactly (it is case-sensitive and may contain `:` and `/`);
* GCP full resource name `//SERVICE.googleapis.com/COLLECTION/ID/…` — the host lower-cased, the
  path (case-sensitive ids) kept, one trailing slash dropped;
* Azure resource id `/subscriptions/GUID/…` — case-insensitive, so the whole id lower-cased
  (ASCII letters only: engines lower-case other letters differently), one trailing slash dropped.

An ARN can also be reduced to one component (`part`), e.g. to join findings on the account.
"""

from __future__ import annotations

from typing import Literal

import ibis
from pydantic import model_validator

from assay.engine import Engine
from assay.normalize.portable import case_insensitive, extract, has_non_ascii, quoted, trim
from assay.normalize.registry import Options, register
from assay.normalize.result import Normalized, problem

_ARN_PREFIX = (
    f"^({case_insensitive('arn')}:"
    "([aA][wW][sS](?:-[A-Za-z0-9]+)*):"  # partition: aws, aws-cn, aws-us-gov, aws-iso-b …
    "([A-Za-z0-9-]+):"  # service
    "([A-Za-z0-9-]*):"  # region, empty for global services (S3, IAM)
    "([0-9]{12}|aws)?:)"  # account, empty for S3 buckets, `aws` for AWS-managed policies
)
"""Everything up to the resource; the fields hold no `:`, so the match is the first five fields."""
_ARN = _ARN_PREFIX + "(?:[^:]|:)"
"""…followed by a non-empty resource (any characters)."""
_ARN_GROUP = {"partition": 2, "service": 3, "region": 4, "account": 5}

_GCP_HOST = "[A-Za-z0-9-]+(?:[.][A-Za-z0-9-]+)*[.]" + case_insensitive("googleapis.com")
_GCP = f"^//{_GCP_HOST}(?:/[^/]+){{2,}}/?$"
"""At least one collection/id pair, no empty segment; `$` is safe on trimmed text (see portable)."""

_HEX = "[0-9a-fA-F]"
_GUID = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
_AZURE = (
    f"^/{case_insensitive('subscriptions')}/{_GUID}"
    f"(?:/{case_insensitive('resourceGroups')}/[^/]+)?"
    f"(?:/{case_insensitive('providers')}/[^/]+/[^/]+/[^/]+(?:/[^/]+/[^/]+)*)?"
    "/?$"
)
"""Subscription, resource group or resource (`providers/NAMESPACE/TYPE/NAME`, then any number of
child `TYPE/NAME` pairs, which also covers extension resources `…/providers/NS/TYPE/NAME`)."""

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

Kind = Literal["auto", "aws", "gcp", "azure"]
Part = Literal["id", "partition", "service", "region", "account", "resource"]


class CloudIdOptions(Options):
    kind: Kind = "auto"
    """`auto` tells the kinds apart by their prefix (`arn:`, `//`, `/subscriptions/`); a fixed
    kind rejects every other shape."""
    part: Part = "id"
    """`id`: the canonical whole id. The other parts are AWS ARN components (`account` to join on
    the account); an empty region or account gives NULL, and a GCP or Azure id a problem."""

    @model_validator(mode="after")
    def _part_needs_arns(self) -> CloudIdOptions:
        if self.part != "id" and self.kind in ("gcp", "azure"):
            raise ValueError(f"part {self.part!r} applies to AWS ARNs only, not to kind {self.kind!r}")
        return self


def _ascii_lower(text: ibis.StringValue) -> ibis.StringValue:
    """ASCII letters lower-cased, every other character kept: `LOWER` differs on non-ASCII text
    between engines (and maps KELVIN SIGN to `k` on some). ASCII text, the common case, takes
    `LOWER`, cheaper than `TRANSLATE`."""
    return ibis.ifelse(has_non_ascii(text), text.translate(_UPPER, _UPPER.lower()), text.lower())


def _aws(text: ibis.StringValue, part: str) -> ibis.StringValue:
    if part == "id":
        return extract(text, _ARN_PREFIX, 1).lower() + text.re_replace(_ARN_PREFIX, "")
    if part == "resource":
        return text.re_replace(_ARN_PREFIX, "")
    return extract(text, _ARN_PREFIX, _ARN_GROUP[part]).lower()  # extract: an empty field is NULL


def _gcp(text: ibis.StringValue) -> ibis.StringValue:
    return "//" + extract(text, "^//([^/]*)", 1).lower() + text.re_replace("^//[^/]*|/$", "")


def _azure(text: ibis.StringValue) -> ibis.StringValue:
    return _ascii_lower(text.re_replace("/$", ""))


@register("cloud_id", CloudIdOptions)
def normalize_cloud_id(value: ibis.Value, options: CloudIdOptions, engine: Engine) -> Normalized:
    text = trim(value.cast("string"))
    auto = options.kind == "auto"
    kinds = ("aws", "gcp", "azure") if auto else (options.kind,)
    ok = {"aws": text.re_search(_ARN), "gcp": text.re_search(_GCP), "azure": text.re_search(_AZURE)}
    shaped = {
        "aws": text.re_search("^" + case_insensitive("arn:")),
        "gcp": text.startswith("//"),
        "azure": text.re_search("^" + case_insensitive("/subscriptions/")),
    }
    noun = {"aws": "AWS ARN", "gcp": "GCP resource name", "azure": "Azure resource id"}

    checks: list[tuple[ibis.BooleanValue, ibis.Value]] = [(text == "", "empty cloud resource id")]
    if auto:
        checks += [(shaped[k] & ~ok[k], quoted(f"invalid {noun[k]}", text)) for k in kinds]
        checks.append((~(shaped["aws"] | shaped["gcp"] | shaped["azure"]), quoted("unrecognized cloud resource id", text)))
    else:
        checks.append((~ok[options.kind], quoted(f"invalid {noun[options.kind]}", text)))

    if options.part == "id":
        builders = {"aws": lambda: _aws(text, "id"), "gcp": lambda: _gcp(text), "azure": lambda: _azure(text)}
        canonical = ibis.cases(*[(ok[k], builders[k]()) for k in kinds], else_=ibis.null("string"))
    else:
        checks += [(ok[k], quoted(f"no {options.part} in {noun[k]}", text)) for k in kinds if k != "aws"]
        canonical = ibis.ifelse(ok["aws"], _aws(text, options.part), ibis.null("string"))
    return Normalized(value=canonical, problem=problem(value, *checks))
