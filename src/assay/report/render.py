"""Render the page: Jinja2 with autoescaping, inlined assets, and a data block that cannot break out.

The file must open offline and be safe to mail around, so everything is inline and a Content
Security Policy forbids any network request and any script but the two we ship (allowed by
hash). That policy is a second fence: the first is escaping every value, in HTML by Jinja2 and
in the JSON data block by `script_json`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from assay.report import formatting as fmt
from assay.report.view import ramp_css

TEMPLATE = "template.html.j2"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _finite(value: Any) -> Any:
    """NaN and infinities become null: JSON has no spelling for them and JSON.parse would fail."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def script_json(data: Any) -> Markup:
    """JSON safe inside a <script> element: no `</script>`, `<!--`, entity or line-separator tricks."""
    text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Markup("".join(_JSON_ESCAPES.get(ch, ch) for ch in text))  # noqa: S704 - every character that could end the element is escaped


def asset(name: str) -> str:
    return resources.files("assay.report").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def inline(source: str, element: str) -> Markup:
    """One of our own assets to paste inside <script> or <style>, refusing text that would end it early."""
    lowered = source.lower()
    if f"</{element}" in lowered or "<!--" in lowered:
        raise ValueError(f"an inlined asset contains '</{element}' or '<!--' and would end the element early")
    return Markup(source)  # noqa: S704 - a file shipped in this package, checked above, never data


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(scripts: list[str]) -> str:
    """Allow exactly the inlined scripts and inline styles; nothing may be fetched."""
    allowed = " ".join(_sha256(s) for s in scripts)
    return f"default-src 'none'; script-src {allowed}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


ACRONYMS = frozenset({"sla", "mttr", "mttd", "edr", "mdm", "dlp", "iam", "mfa", "sso", "kpi", "cve", "vpn"})


def humanize(name: str) -> str:
    """A metric id as a heading: `asset_coverage` reads "Asset coverage", `mttr_days` "MTTR days"."""
    words = [w.upper() if w.lower() in ACRONYMS else w for w in name.replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _blank(value: Any) -> Any:
    """Missing values print as an em dash everywhere, never as the word "None"."""
    return fmt.EMPTY if value is None else value


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("assay.report", ""),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_blank,
    )
    env.filters.update(number=fmt.count, percent=fmt.percent, day=fmt.day, humanize=humanize)
    return env


def render(page: dict[str, Any], charts: dict[str, Any]) -> str:
    """The whole report as one HTML string; `page` feeds the template, `charts` the data block."""
    env = _environment()
    chart_lib, app = asset("chart.umd.min.js"), asset("report.js")
    return env.get_template(TEMPLATE).render(
        **page,
        charts=charts,
        data_json=script_json({"charts": charts}),
        style=inline(asset("report.css"), "style"),
        chart_lib=inline(chart_lib, "script"),
        app_js=inline(app, "script"),
        csp=content_security_policy([chart_lib, app]),
        ramp=ramp_css(),
    )
