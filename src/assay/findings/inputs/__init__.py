"""Tables that finding rules (and metrics) can read, one module per input.

Each module defines `INPUT`, a `FindingInput`: its table, schema, entity key, detail columns and
builder. `assay.findings.inputs.registry` collects them; nothing else needs to change to add one.
"""
