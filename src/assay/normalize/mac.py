"""MAC addresses: DHCP logs, NAC, EDR and switch tables print the same NIC four different ways.

`00:1A:2B:3C:4D:5E`, `00-1a-2b-3c-4d-5e`, `001a.2b3c.4d5e` (Cisco) and `001A2B3C4D5E` all become
`00:1a:2b:3c:4d:5e`: lower-case, colon-separated, because that is what most tools print.
"""

from __future__ import annotations

import ibis

from assay.engine import Engine
from assay.normalize.portable import quoted, trim
from assay.normalize.registry import Options, register
from assay.normalize.result import Normalized, problem

_HEX2 = "[0-9a-fA-F]{2}"
_HEX4 = "[0-9a-fA-F]{4}"
_SHAPES = "|".join(
    [
        f"^{_HEX2}(?::{_HEX2}){{5}}$",
        f"^{_HEX2}(?:-{_HEX2}){{5}}$",
        f"^{_HEX4}[.]{_HEX4}[.]{_HEX4}$",
        "^[0-9a-fA-F]{12}$",
    ]
)


class MacOptions(Options):
    """No options: there is one canonical form."""


@register("mac", MacOptions)
def normalize_mac(value: ibis.Value, options: MacOptions, engine: Engine) -> Normalized:
    text = trim(value.cast("string"))
    digits = text.re_replace("[:.-]", "").lower()
    canonical = ibis.literal(":").join([digits.substr(i, 2) for i in range(0, 12, 2)])
    shaped = text.re_search(_SHAPES)
    return Normalized(
        value=ibis.ifelse(shaped, canonical, ibis.null("string")),
        problem=problem(value, (~shaped, quoted("invalid MAC address", text))),
    )
