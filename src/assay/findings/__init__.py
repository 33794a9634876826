"""Findings: gaps detected by rules, tracked across runs by a stable fingerprint."""
