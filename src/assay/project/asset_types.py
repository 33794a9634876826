"""Asset-type vocabularies: raw type spellings of each inventory mapped onto canonical classes.

A CMDB says `Windows Server` where the cloud says `ec2-instance`; without a shared vocabulary the
golden key `asset_type:name` splits one asset in two. Spellings match without regard to case or
surrounding whitespace; a raw type no vocabulary lists keeps its own spelling.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator


def spelling(raw: str) -> str:
    """How a raw type is compared with the vocabulary (the engine applies the same: trim, lower)."""
    return raw.strip().lower()


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


def _one_class_per_spelling(value: dict[str, list[str]]) -> dict[str, list[str]]:
    seen: dict[str, str] = {}
    for canonical, raws in value.items():
        if not canonical.strip():
            raise ValueError("an asset class name cannot be empty")
        for raw in raws:
            key = spelling(raw)
            if not key:
                raise ValueError(f"asset class {canonical!r} lists an empty spelling")
            if seen.get(key, canonical) != canonical:
                raise ValueError(f"spelling {raw!r} is listed under both {seen[key]!r} and {canonical!r}")
            seen[key] = canonical
    return value


AssetTypes = Annotated[dict[str, list[str]], BeforeValidator(_lists), AfterValidator(_one_class_per_spelling)]


def vocabulary(shared: dict[str, list[str]], own: dict[str, list[str]]) -> dict[str, str]:
    """Spelling → canonical class for one source: its own entries over the shared ones."""
    out = {spelling(raw): canonical for canonical, raws in shared.items() for raw in raws}
    out |= {spelling(raw): canonical for canonical, raws in own.items() for raw in raws}
    return out
