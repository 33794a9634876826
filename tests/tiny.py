"""A tiny hand-written project used by tests that need exact, hand-checkable numbers."""

from __future__ import annotations

from pathlib import Path

PROJECT = """\
name: tiny
sources:
  inv:
    path: inv.csv
    entity: asset
    columns:
      name: {from: host, normalize: hostname, options: {strip_suffixes: [corp.example]}}
      asset_type: kind
      owner_email: {from: owner, normalize: email}
  scans:
    path: scans.ndjson
    entity: observation
    columns:
      name: {from: host, normalize: hostname, options: {strip_suffixes: [corp.example]}}
      observed_at: {from: at, type: timestamp}
reconcile:
  assets: {sources: [inv]}
controls:
  edr: {evidence: scans, applies_to: {asset_type: [host]}, freshness: 7d}
checks:
  inv:
    - unique: name
    - not_null: {column: owner_email, severity: warn}
metrics:
  coverage: {kind: coverage, by: [control]}
findings:
  uncovered:
    from: coverage
    where: {covered: false}
    owner: owner_email
    sla: 14d
"""

INVENTORY = """\
host,kind,owner
WEB-1.corp.example.,host,Alice@Example.com
web-2,host,bob@example.com
web-3,host,
bucket-1,bucket,carol@example.com
"""


def write_tiny(folder: Path, scans: list[tuple[str, str]]) -> Path:
    """The tiny project with the given (host, observed_at) scan lines."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assay.yml").write_text(PROJECT)
    (folder / "inv.csv").write_text(INVENTORY)
    write_scans(folder, scans)
    return folder


def write_scans(folder: Path, scans: list[tuple[str, str]]) -> None:
    lines = [f'{{"host": "{h}", "at": "{t}"}}' for h, t in scans]
    (folder / "scans.ndjson").write_text("\n".join(lines) + "\n")


ACCESS_PROJECT = """\
name: tiny-access
sources:
  hr:
    path: hr.csv
    entity: person
    columns:
      email: {from: mail, normalize: email}
      termination_date: {from: left_on, type: date}
  grants:
    path: grants.csv
    entity: grant
    columns:
      email: {from: mail, normalize: email}
      system: sys
      role: role
      granted_at: {from: since, type: timestamp}
access: {grants: grants, people: hr}
findings:
  terminated_with_access:
    from: access
    where: {person_status: terminated}
    severity: high
    sla: 7d
"""


def write_access(folder: Path, grants: list[tuple[str, str, str, str]], people: list[tuple[str, str]]) -> Path:
    """A grants + roster project; grants are (email, system, role, granted_at), people (email, left_on)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assay.yml").write_text(ACCESS_PROJECT)
    (folder / "hr.csv").write_text("mail,left_on\n" + "".join(f"{e},{d}\n" for e, d in people))
    (folder / "grants.csv").write_text("mail,sys,role,since\n" + "".join(",".join(g) + "\n" for g in grants))
    return folder
