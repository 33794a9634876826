"""The table of every check kind in docs/checks.md, generated from the registry.

`python -m assay.checks.catalog` prints it; a test fails when the docs hold another version, so
a new kind (or option) cannot ship undocumented.
"""

from __future__ import annotations

import json

from assay.checks.options import CheckOptions
from assay.checks.registry import kinds

COMMON = frozenset(CheckOptions.model_fields)


def options_text(model: type[CheckOptions]) -> str:
    """The kind's own options: required ones first, then optional ones with their default."""
    required, optional = [], []
    for name, field in model.model_fields.items():
        if name in COMMON:
            continue
        if field.is_required():
            required.append(f"`{name}`")
        else:
            default = field.get_default(call_default_factory=True)
            optional.append(f"`{name}` (default `{json.dumps(default)}`)" if default not in (None, [], "") else f"`{name}`")
    return ", ".join(required + optional)


def markdown_table() -> str:
    lines = ["| kind | options | fails when | example | fails on |", "| --- | --- | --- | --- | --- |"]
    for kind, model in kinds().items():
        cells = [f"`{kind}`", options_text(model), model.fails_when, f"`- {model.example}`", model.failing]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
