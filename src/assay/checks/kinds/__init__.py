"""The built-in check kinds, one module each; importing this package registers them all."""

from assay.checks.kinds import (  # noqa: F401 - importing registers the kinds
    accepted_values,
    freshness,
    not_null,
    null,
    rejected_values,
    relationships,
    unique,
)
