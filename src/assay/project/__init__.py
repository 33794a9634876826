"""The project: `assay.yml`, loaded by one YAML loader and validated by strict typed models."""

from assay.project.load import load_project
from assay.project.models import Project

__all__ = ["Project", "load_project"]
