"""Data-quality checks on loaded sources: results, failing counts and failing-row samples."""
