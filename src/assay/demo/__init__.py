"""The ACME demo organization: synthetic sources with planted truths for docs, demos and tests."""
