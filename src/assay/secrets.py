"""Keep credentials out of everything assay prints, logs or stores.

`redact` is the one function every message and stored engine description goes through. It
masks, wherever they appear in a text:

- URL userinfo: `scheme://user:PASSWORD@host` where the password may hold any character
  (`/ # ? @ :` included), because the userinfo ends at the LAST `@` of the URL;
- secret-looking parameters: `password=`, `pwd=`, `passwd=`, `secret=`, `token=`, `api_key=`,
  `access_key=`… in URL queries, libpq keyword strings (`host=h password='x y'`) and quoted
  `"key": "value"` pairs, matched case-insensitively (an unquoted `password: x` is left alone,
  since that is how error messages name key paths);
- any literal secret the caller knows (the password it parsed out of a URL), in raw and
  percent-encoded form, so a backend message that echoes it is masked too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

MASK = "***"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SECRET_NAME = r"[\w.-]*(?:password|passwd|pwd|pass|secret|token|api_?key|access_?key|private_?key|credentials?|auth)"  # noqa: S105 - names to mask, not a password
_KEYWORD = re.compile(
    rf"""(?ix)
    (?<![A-Za-z0-9])
    (?P<key>
        (?P<q>["'])(?:{_SECRET_NAME})(?P=q)\s*[:=]\s*   # "password": or 'token'= (JSON, Python reprs)
      | (?:{_SECRET_NAME})\s*=\s*                       # password= (URL queries, libpq keyword strings)
    )
    (?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&,;}}]+)
    """
)
_SECRET_PARAM = re.compile(rf"(?i)^{_SECRET_NAME}$")


@dataclass(frozen=True)
class UrlParts:
    """A URL split the way its userinfo must be: on the last `@` before the host."""

    scheme: str
    user: str | None
    password: str | None
    rest: str  # host[:port][/path][?query], without the userinfo

    def query_secrets(self) -> list[str]:
        query = self.rest.partition("?")[2]
        return [v for k, v in parse_qsl(query, keep_blank_values=False) if _SECRET_PARAM.match(k)]


def split_url(url: str) -> UrlParts:
    """Split `scheme://user:password@rest`; user and password are percent-decoded."""
    scheme, sep, tail = url.partition("://")
    if not sep:
        return UrlParts("", None, None, url)
    at = tail.rfind("@")
    if at < 0:
        return UrlParts(scheme, None, None, tail)
    userinfo, rest = tail[:at], tail[at + 1 :]
    user, colon, password = userinfo.partition(":")
    return UrlParts(scheme, unquote(user) or None, unquote(password) if colon else None, rest)


def url_secrets(url: str) -> list[str]:
    """The secrets a URL carries (its password, secret query values), to mask them anywhere."""
    parts = split_url(url)
    found = [parts.password] if parts.password else []
    return found + parts.query_secrets()


def redact(text: str, known: Iterable[str] = ()) -> str:
    """`text` with every credential masked; `known` are literal secrets to mask as well."""
    out = _redact_userinfo(text)
    out = _KEYWORD.sub(lambda m: m["key"] + MASK, out)
    for secret in sorted({s for s in known if s}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            out = out.replace(form, MASK)
    return out


def _redact_userinfo(text: str) -> str:
    """Mask the password of each `scheme://user:password@` in `text` (a URL runs to the next blank)."""
    pieces: list[str] = []
    pos = 0
    for match in _SCHEME.finditer(text):
        if match.start() < pos:
            continue
        end = _token_end(text, match.end())
        token = text[match.end() : end]
        at = token.rfind("@")
        if at >= 0 and ":" in token[:at]:
            user = token[: token.index(":")]
            token = f"{user}:{MASK}{token[at:]}"
        pieces.append(text[pos : match.end()] + token)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _token_end(text: str, start: int) -> int:
    """End of a URL token: the next blank, or a quote that closes it inside a message."""
    match = re.compile(r"[\s'\"]").search(text, start)
    return match.start() if match else len(text)
