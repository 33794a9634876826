"""assay: a security content-assurance and access-governance monitoring program as code."""

__version__ = "0.1.0"
