"""One module per metric kind, each defining `KIND` (see `assay.metrics.kind.MetricKind`).

Adding a kind is adding a module here and its row in docs/project-file.md.
"""
