"""A run: the whole flow for one as-of date, recorded in `assay_runs`, all-or-nothing."""
