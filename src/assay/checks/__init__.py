"""Data-quality checks on loaded sources.

A check kind is one module in `assay.checks.kinds`: its options model (strict, with the options
every kind shares), the columns it reads, its failing-row predicate or aggregate as an Ibis
expression, and its description. `assay.checks.registry` collects them; the project loader, the
docs test, the report and `assay_check_results` read everything from there. `assay.checks.scan`
runs all checks on one source as one aggregate query.
"""
