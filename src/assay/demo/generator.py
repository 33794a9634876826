"""A seeded synthetic organization whose messy sources hide truths a correct pipeline recovers.

The files disagree the way real exports do (name quirks, missing and conflicting owners,
unparseable rows, shadow telemetry, leavers who keep access), and `truth/planted.json` records
what the pipeline should conclude from them, so demos double as end-to-end tests. The pipeline
never reads `truth/`.

Every draw comes from one stream per section, spawned from the seed, so one section can change
without reshuffling the others, and the same arguments give byte-identical files. Rows are built
with numpy and pyarrow, never one at a time, so the default 20,000-asset organization takes
seconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assay.demo.reviews import write_reviews
from assay.errors import AssayError

HOUR = 3_600
DAY = 24 * HOUR
WEEK = 7 * DAY
EPOCH = date(1970, 1, 1)
MIN_ASSETS = 500

ORGS = np.array(["Engineering", "Sales", "IT", "Marketing", "Finance", "HR", "Legal"])
PEOPLE_PER_ORG = (0.40, 0.18, 0.12, 0.10, 0.09, 0.06, 0.05)
LEAVER_SHARE = 0.05
ORPHAN_ACCOUNTS = 20

TYPES = np.array(["host", "bucket", "database", "repository"])
HOST, BUCKET, DATABASE, REPOSITORY = range(4)
TYPE_SHARES = (0.50, 0.20, 0.15)  # repositories take the remainder
ASSETS_PER_ORG = {  # which orgs own which kinds of asset, over ORGS
    HOST: (0.55, 0.05, 0.25, 0.04, 0.05, 0.03, 0.03),
    BUCKET: (0.40, 0.10, 0.10, 0.15, 0.12, 0.08, 0.05),
    DATABASE: (0.45, 0.10, 0.15, 0.05, 0.15, 0.05, 0.05),
    REPOSITORY: (0.80, 0.02, 0.12, 0.03, 0.01, 0.01, 0.01),
}
# Disjoint across types, so a bare name in telemetry identifies its asset.
NAME_PREFIXES = {
    HOST: ("web", "app", "api", "batch", "worker", "k8s-node", "bastion", "build", "mail", "vpn"),
    BUCKET: ("acme-logs", "acme-backups", "acme-data", "acme-exports", "acme-ml", "acme-artifacts", "acme-raw"),
    DATABASE: ("pgdb", "mysql", "mongo", "redis", "orcl"),
    REPOSITORY: (
        "repo-payments",
        "repo-web",
        "repo-infra",
        "repo-auth",
        "repo-mobile",
        "repo-data",
        "repo-billing",
        "repo-search",
    ),
}

CMDB, CLOUD, AGENT = 1, 2, 4
SOURCES = ("cmdb_assets", "cloud_assets", "agent_inventory")
# Membership patterns (bit sets of sources) chosen so each source's reach per type matches what
# real exports show (CMDB ~85% of hosts, databases and repositories and ~40% of buckets; cloud
# all buckets, ~70% of databases, ~45% of hosts; agents ~75%/~50%/~70% of hosts/databases/
# repositories) while keeping single-source hosts and databases rare. Buckets and repositories
# have only two sources, so those reaches alone make 60% and 45% of them single-source.
SOURCE_PATTERNS = {
    HOST: {7: 0.09, 5: 0.52, 3: 0.22, 6: 0.13, 1: 0.02, 2: 0.01, 4: 0.01},
    BUCKET: {3: 0.40, 2: 0.60},
    DATABASE: {7: 0.09, 5: 0.275, 3: 0.465, 6: 0.13, 1: 0.02, 2: 0.015, 4: 0.005},
    REPOSITORY: {5: 0.55, 1: 0.30, 4: 0.15},
}
OWNER_MISSING = (0.08, 0.30, 0.25)  # per source, in SOURCES order
OWNER_CONFLICT_SHARE = 0.05
BAD_CMDB_TIMESTAMPS = ("not a date", "N/A", "31/02/2026 25:61")
BROKEN_AGENT_LINES = 2
BAD_SCAN_TIMES = ("yesterday", "2026-13-01 00:00:00")
HOSTILE_DESCRIPTIONS = ('<script>alert("x")</script>', '=HYPERLINK("http://evil")', "Robert'); DROP TABLE assets;--")
DESCRIPTIONS = {
    HOST: ("Production web server", "Application server", "Batch worker", "Build agent", "Jump host"),
    BUCKET: ("Log archive", "Nightly backups", "Analytics exports", "ML training data"),
    DATABASE: ("Primary OLTP database", "Reporting replica", "Session cache", "Customer records"),
    REPOSITORY: ("Service source code", "Infrastructure as code", "Mobile app", "Shared libraries"),
}

ALWAYS, NEVER, ONBOARDED, DROPPED = range(4)
COVERAGE_PATTERNS = (0.75, 0.08, 0.10, 0.07)

SEVERITIES = np.array(["critical", "high", "medium", "low"])
SEVERITY_SHARES = (0.05, 0.20, 0.45, 0.30)
MEDIAN_DAYS_TO_FIX = np.array([5.0, 20.0, 60.0, 90.0])
FINDINGS_PER_ASSET = 0.3
TICKETED_SHARE = 0.7
ORPHAN_TICKETS = 4
FINDING_TITLES = {
    HOST: ("Outdated OpenSSL", "Kernel privilege escalation", "SSH root login enabled", "Missing OS patches"),
    BUCKET: ("Bucket publicly readable", "Encryption at rest disabled", "Versioning disabled"),
    DATABASE: ("Database exposed to internet", "Weak TLS configuration", "Default admin credentials"),
    REPOSITORY: ("Vulnerable dependency", "Hard-coded credential", "Branch protection disabled"),
}
FINDING_SCANNERS = {
    HOST: ("qualys", "tenable"),
    BUCKET: ("wiz", "prowler"),
    DATABASE: ("wiz", "tenable"),
    REPOSITORY: ("snyk", "dependabot"),
}

# (system, role, how common the grant is); admin and owner roles are privileged.
GRANTABLE = (
    ("okta", "read", 8.0),
    ("okta", "admin", 0.3),
    ("aws-prod", "read", 2.0),
    ("aws-prod", "write", 1.0),
    ("aws-prod", "admin", 0.4),
    ("github", "read", 2.5),
    ("github", "write", 2.5),
    ("github", "admin", 0.4),
    ("github", "owner", 0.1),
    ("salesforce", "read", 2.0),
    ("salesforce", "write", 1.0),
    ("salesforce", "admin", 0.2),
    ("workday", "read", 4.0),
    ("workday", "admin", 0.2),
    ("snowflake", "read", 1.5),
    ("snowflake", "write", 0.8),
    ("snowflake", "owner", 0.1),
)
KEEPER_SHARE = 0.15  # leavers who keep one grant forever
LATE_REVOCATION_SHARE = 0.05

FIRST_NAMES = tuple(
    (
        "james mary john patricia robert jennifer michael linda david elizabeth william barbara richard susan "
        "joseph jessica thomas sarah charles karen daniel lisa matthew nancy anthony betty mark sandra donald "
        "ashley steven kimberly andrew emily paul donna joshua michelle kenneth carol kevin amanda brian "
        "melissa george deborah timothy stephanie ronald rebecca jason laura edward sharon jeffrey cynthia "
        "ryan kathleen jacob amy gary angela nicholas shirley eric anna jonathan brenda stephen pamela priya "
        "wei aisha omar sofia hiro fatima lars ines mateo"
    ).split()
)
LAST_NAMES = tuple(
    (
        "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez "
        "wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark "
        "ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams "
        "nelson baker hall rivera campbell mitchell carter roberts patel kim chen singh okafor muller rossi "
        "tanaka kowalski novak dubois larsen silva costa ahmed haddad cohen schmidt fischer weber"
    ).split()
)


@dataclass(frozen=True)
class DemoManifest:
    """Where the demo landed and which weekly as-of dates its truths are stated for."""

    as_of_dates: list[date]
    data_dir: Path
    truth_path: Path


@dataclass(frozen=True)
class _Timeline:
    """Instants as integer UTC seconds, the unit every comparison in the truths uses; the as-of
    instants are the last second of each as-of date, as `assay run --as-of DATE` evaluates."""

    end: int
    as_of: np.ndarray

    @property
    def start(self) -> int:
        """Opening instant of the first evaluation window."""
        return int(self.as_of[0]) - WEEK


@dataclass(frozen=True)
class _People:
    """Staff on the HR roster, followed by the orphan accounts that are on no roster."""

    local: np.ndarray  # `first.last` of the email address
    first: np.ndarray
    last: np.ndarray
    org: np.ndarray
    termination: np.ndarray  # UTC seconds of the termination date, -1 while employed
    staff: int

    @property
    def email(self) -> np.ndarray:
        return self.local + "@acme.com"

    @property
    def owners(self) -> np.ndarray:
        """Who may own assets or tickets: employed staff."""
        return np.flatnonzero(self.termination[: self.staff] < 0)


@dataclass(frozen=True)
class _Assets:
    """The golden records, sorted by (type name, canonical name) as the truths list them."""

    kind: np.ndarray
    name: np.ndarray
    org: np.ndarray
    owner: np.ndarray


@dataclass(frozen=True)
class _Quirks:
    """How often a source mangles a canonical name in ways the hostname normalizer undoes."""

    upper: float = 0.0
    capital: float = 0.0
    corp: float = 0.0
    internal: float = 0.0
    dot: float = 0.0
    pad: float = 0.0


def generate(out_dir: Path, *, assets: int = 20_000, weeks: int = 12, seed: int = 7, end: date = date(2026, 11, 20)) -> DemoManifest:
    """Write the demo organization under `out_dir/data` and its planted truths under `out_dir/truth`."""
    if assets < MIN_ASSETS:
        raise AssayError(f"the demo needs at least {MIN_ASSETS} assets to plant its truths, got {assets}")
    if weeks < 1:
        raise AssayError(f"the demo needs at least 1 week, got {weeks}")
    out_dir = Path(out_dir)
    data_dir, truth_path = out_dir / "data", out_dir / "truth" / "planted.json"
    (data_dir / "telemetry").mkdir(parents=True, exist_ok=True)
    truth_path.parent.mkdir(parents=True, exist_ok=True)

    end_s = (end - EPOCH).days * DAY + DAY - 1  # a date is evaluated through its last second (all instants here are whole seconds)
    timeline = _Timeline(end_s, end_s - WEEK * np.arange(weeks - 1, -1, -1, dtype=np.int64))
    dates = [end - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]

    people = _people(streams[0], round(assets / 7), timeline)
    golden = _assets(streams[1], assets, people)
    inventory, rows = _write_inventories(streams[2], golden, people, timeline, data_dir)
    uncovered, rows_t = _write_telemetry(streams[3], golden, timeline, data_dir / "telemetry")
    orphan_tickets, rows_f = _write_findings(streams[4], golden, people, timeline, data_dir)
    leavers, orphan_accounts, rows_a = _write_access(streams[5], people, timeline, data_dir)
    rows_r, reviews = write_reviews(data_dir / "access_reviews.csv", timeline.as_of, WEEK, HOUR)

    iso = [d.isoformat() for d in dates]
    truth = {
        "seed": seed,
        "end": end.isoformat(),
        "as_of_dates": iso,
        "asset_count": assets,
        "assets_by_type": {str(t): int(np.sum(golden.kind == k)) for k, t in enumerate(TYPES)},
        **inventory,
        "quarantined_rows": {
            "cmdb_assets": len(BAD_CMDB_TIMESTAMPS),
            "agent_inventory": BROKEN_AGENT_LINES,
            "secret_scans": len(BAD_SCAN_TIMES),
        },
        "uncovered": dict(zip(iso, uncovered, strict=True)),
        "leavers_with_access": dict(zip(iso, leavers, strict=True)),
        "orphan_tickets": orphan_tickets,
        "orphan_accounts": orphan_accounts,
        "rows": {**rows, **rows_t, **rows_f, **rows_a, "access_reviews": rows_r},
        "reviews": reviews,
    }
    truth_path.write_text(json.dumps(truth, separators=(",", ":")) + "\n", encoding="utf-8")
    return DemoManifest(as_of_dates=dates, data_dir=data_dir, truth_path=truth_path)


def _people(rng: np.random.Generator, staff: int, timeline: _Timeline) -> _People:
    """Staff with unique `first.last` emails (numbered once names run out), then orphan accounts."""
    n = staff + ORPHAN_ACCOUNTS
    space = len(FIRST_NAMES) * len(LAST_NAMES)
    combo = rng.choice(space * -(-n // space), size=n, replace=False)
    first = np.array(FIRST_NAMES)[combo % space // len(LAST_NAMES)]
    last = np.array(LAST_NAMES)[combo % space % len(LAST_NAMES)]
    rounds = combo // space
    local = first + "." + last + np.where(rounds > 0, (rounds + 1).astype(str), "")

    org = rng.choice(len(ORGS), size=n, p=PEOPLE_PER_ORG)
    org[: len(ORGS)] = np.arange(len(ORGS))  # every org keeps an employed member to own its assets
    leaver = rng.random(n) < LEAVER_SHARE
    leaver[: len(ORGS)] = False
    leaver[staff:] = False
    first_day, end_day = (timeline.start - 4 * WEEK) // DAY, timeline.end // DAY
    termination = np.where(leaver, rng.integers(first_day, end_day + 1, n) * DAY, -1)
    return _People(local=local, first=first, last=last, org=org, termination=termination, staff=staff)


def _assets(rng: np.random.Generator, n: int, people: _People) -> _Assets:
    """Assets of each type with realistic names, each owned by an employed person of its org."""
    counts = [round(n * share) for share in TYPE_SHARES]
    counts.append(n - sum(counts))
    kind = np.repeat(np.arange(len(TYPES)), counts)
    names, orgs = [], []
    for t, count in enumerate(counts):
        width = max(5, len(str(4 * count)))
        numbers = rng.choice(10**width, size=count, replace=False)
        prefixes = np.array(NAME_PREFIXES[t])[rng.integers(0, len(NAME_PREFIXES[t]), count)]
        names.append(prefixes + "-" + np.strings.zfill(numbers.astype(str), width))
        orgs.append(rng.choice(len(ORGS), size=count, p=ASSETS_PER_ORG[t]))
    name, org = np.concatenate(names), np.concatenate(orgs)

    owner = np.empty(n, dtype=np.int64)
    employed = people.owners
    for o in range(len(ORGS)):
        pool = employed[people.org[employed] == o]
        mine = org == o
        owner[mine] = pool[rng.integers(0, len(pool), mine.sum())]

    order = np.lexsort((name, TYPES[kind]))
    return _Assets(kind=kind[order], name=name[order], org=org[order], owner=owner[order])


def _write_inventories(
    rng: np.random.Generator, assets: _Assets, people: _People, timeline: _Timeline, data_dir: Path
) -> tuple[dict[str, object], dict[str, int]]:
    """The three inventory exports, and the truths that depend only on them."""
    n = len(assets.kind)
    pattern = np.empty(n, dtype=np.int64)
    for t, shares in SOURCE_PATTERNS.items():
        mine = assets.kind == t
        pattern[mine] = rng.choice(list(shares), size=mine.sum(), p=list(shares.values()))
    present = np.stack([(pattern & bit) > 0 for bit in (CMDB, CLOUD, AGENT)])

    # Broken rows belong to assets all three sources know, so quarantining them loses no asset
    # and leaves none single-source.
    everywhere = np.flatnonzero(pattern == CMDB | CLOUD | AGENT)
    broken = rng.choice(everywhere, size=len(BAD_CMDB_TIMESTAMPS) + BROKEN_AGENT_LINES, replace=False)
    broken_cmdb, broken_agent = broken[: len(BAD_CMDB_TIMESTAMPS)], broken[len(BAD_CMDB_TIMESTAMPS) :]

    owners = np.where(rng.random((3, n)) < np.array(OWNER_MISSING)[:, None], -1, assets.owner)
    owners[~present] = -1
    named = owners >= 0
    flip = (named.sum(axis=0) >= 2) & (rng.random(n) < OWNER_CONFLICT_SHARE)
    last_named = 2 - np.argmax(named[::-1], axis=0)  # never the asset's only named source
    pool = people.owners
    other = pool[rng.integers(0, len(pool) - 1, n)]
    other = np.where(other == assets.owner, pool[-1], other)  # pool[-1] is never drawn above
    owners[last_named[flip], np.flatnonzero(flip)] = other[flip]

    loaded = present.copy()
    loaded[0, broken_cmdb] = loaded[2, broken_agent] = False
    seen = np.where(loaded, owners, -1)
    conflict = ((seen >= 0).sum(axis=0) >= 2) & (np.where(seen >= 0, seen, np.iinfo(np.int64).max).min(axis=0) != seen.max(axis=0))
    single = loaded.sum(axis=0) == 1
    truths: dict[str, object] = {
        "only_in_source": {s: int(np.sum(single & loaded[i])) for i, s in enumerate(SOURCES)},
        "owner_conflicts": [[str(TYPES[k]), str(nm)] for k, nm in zip(assets.kind[conflict], assets.name[conflict], strict=True)],
    }
    rows = {
        "cmdb_assets": _write_cmdb(rng, assets, people, timeline, present[0], owners[0], broken_cmdb, data_dir),
        "cloud_assets": _write_cloud(rng, assets, people, timeline, present[1], owners[1], data_dir),
        "agent_inventory": _write_agent(rng, assets, people, timeline, present[2], owners[2], broken_agent, data_dir),
    }
    return truths, rows


def _write_cmdb(
    rng: np.random.Generator,
    assets: _Assets,
    people: _People,
    timeline: _Timeline,
    present: np.ndarray,
    owners: np.ndarray,
    broken: np.ndarray,
    data_dir: Path,
) -> int:
    idx = np.flatnonzero(present)
    ci = np.sort(rng.choice(10**7, size=len(idx), replace=False))
    idx = idx[rng.permutation(len(idx))]  # CI numbers were handed out in no particular order
    kind = assets.kind[idx]

    updated = _text_ts(timeline.end - rng.integers(60, 30 * DAY, len(idx)))
    updated = _replace_at(updated, np.flatnonzero(np.isin(idx, broken)), BAD_CMDB_TIMESTAMPS, rng)
    hostile = rng.choice(len(idx), size=len(HOSTILE_DESCRIPTIONS), replace=False)
    description = _replace_at(pa.array(_pick(rng, DESCRIPTIONS, kind)), hostile, HOSTILE_DESCRIPTIONS, rng)
    return _write_csv(
        data_dir / "cmdb_assets.csv",
        {
            "ci_id": pa.array("CI" + np.strings.zfill(ci.astype(str), 7)),
            "name": _render(rng, assets.name[idx], _fqdn(kind), _Quirks(upper=0.2, capital=0.15, corp=0.25, dot=0.3, pad=0.02)),
            "ci_class": pa.array(TYPES[kind]),
            "owner": _emails(rng, people, owners[idx], mixed=0.15),
            "business_unit": pa.array(ORGS[assets.org[idx]]),
            "last_updated": updated,
            "description": description,
        },
    )


def _write_cloud(
    rng: np.random.Generator,
    assets: _Assets,
    people: _People,
    timeline: _Timeline,
    present: np.ndarray,
    owners: np.ndarray,
    data_dir: Path,
) -> int:
    idx = np.flatnonzero(present)
    discovered = timeline.end - rng.integers(HOUR, 365 * DAY, len(idx))
    order = np.argsort(discovered, kind="stable")
    idx, discovered = idx[order], discovered[order]
    kind, name = assets.kind[idx], assets.name[idx]
    accounts = rng.integers(10**11, 10**12, 6).astype(str)
    account = accounts[rng.integers(0, len(accounts), len(idx))]
    resource_id = np.where(
        kind == BUCKET,
        "arn:aws:s3:::" + name,
        np.where(kind == HOST, "i-0" + _hex(rng, len(idx), 16), "arn:aws:rds:us-east-1:" + account + ":db:" + name),
    )
    org_missing = rng.random(len(idx)) < 0.2
    return _write_parquet(
        data_dir / "cloud_assets.parquet",
        {
            "resource_id": pa.array(resource_id),
            "resource_name": _render(rng, name, kind == HOST, _Quirks(internal=0.3)),
            "resource_type": pa.array(TYPES[kind]),
            "account_id": pa.array(account),
            "owner_tag": _emails(rng, people, owners[idx]),
            "org_tag": pa.array(ORGS[assets.org[idx]], mask=org_missing),
            "discovered_at": _parquet_ts(discovered),
        },
    )


def _write_agent(
    rng: np.random.Generator,
    assets: _Assets,
    people: _People,
    timeline: _Timeline,
    present: np.ndarray,
    owners: np.ndarray,
    broken: np.ndarray,
    data_dir: Path,
) -> int:
    idx = np.flatnonzero(present)
    device = "dev-" + _hex(rng, len(idx), 12)
    order = np.argsort(device, kind="stable")
    idx, device = idx[order], device[order]
    kind = assets.kind[idx]
    return _write_ndjson(
        data_dir / "agent_inventory.ndjson",
        {
            "device_id": pa.array(device),
            "fqdn": _render(rng, assets.name[idx], _fqdn(kind), _Quirks(upper=0.6, capital=0.05, corp=0.7, internal=0.1, dot=0.6)),
            "kind": pa.array(TYPES[kind]),
            "owner": _emails(rng, people, owners[idx], mixed=0.05),
            "last_seen": _text_ts(timeline.end - rng.integers(60, 14 * DAY, len(idx))),
        },
        truncate=np.flatnonzero(np.isin(idx, broken)),
    )


@dataclass(frozen=True)
class _Evidence:
    """How one control's telemetry file looks."""

    control: str
    types: tuple[int, ...]
    file: str
    name_column: str
    time_column: str
    quirks: _Quirks
    shadow_prefix: str
    shadow_count: int
    tool_column: str = ""
    tools: tuple[tuple[str, ...], ...] = ()  # per type in `types`, its tools; repeats weight a tool
    clock: str = "utc"
    """How the tool writes times: `utc` (text or Parquet timestamps in UTC), `offsets` (ISO 8601
    text with each agent's own UTC offset), `epoch_ms` (integer milliseconds), or an IANA zone
    whose local wall time it prints without an offset."""


EVIDENCE = (
    _Evidence(
        control="edr",
        types=(HOST,),
        file="edr_heartbeats.ndjson",
        name_column="hostname",
        time_column="seen_at",
        quirks=_Quirks(upper=0.1, capital=0.05, corp=0.35, internal=0.05, dot=0.15, pad=0.01),
        shadow_prefix="laptop",
        shadow_count=20,
        clock="offsets",
    ),
    _Evidence(
        control="dlp_scan",
        types=(BUCKET, DATABASE),
        file="dlp_scans.parquet",
        name_column="target",
        time_column="scanned_at",
        quirks=_Quirks(upper=0.1, internal=0.1, pad=0.02),
        shadow_prefix="acme-tmp",
        shadow_count=10,
        tool_column="scanner",
        tools=(("macie", "macie", "purview"), ("purview", "bigid")),
        clock="epoch_ms",
    ),
    _Evidence(
        control="secret_scan",
        types=(REPOSITORY,),
        file="secret_scans.csv",
        name_column="repository",
        time_column="scan_time",
        quirks=_Quirks(upper=0.05, capital=0.1, pad=0.03),
        shadow_prefix="repo-sandbox",
        shadow_count=5,
        tool_column="tool",
        tools=(("gitleaks", "trufflehog", "ghas"),),
        clock="America/New_York",
    ),
    _Evidence(
        control="logging",
        types=(HOST, BUCKET, DATABASE),
        file="log_sources.parquet",
        name_column="source_host",
        time_column="reported_at",
        quirks=_Quirks(upper=0.15, corp=0.2, internal=0.2, dot=0.1),
        shadow_prefix="legacy",
        shadow_count=15,
    ),
)


def _write_telemetry(
    rng: np.random.Generator, assets: _Assets, timeline: _Timeline, out: Path
) -> tuple[list[list[list[str]]], dict[str, int]]:
    """One observation per covered (asset, control) and week; the uncovered pairs per week."""
    controls = [e.control for e in EVIDENCE]
    pair_asset = np.concatenate([np.flatnonzero(np.isin(assets.kind, e.types)) for e in EVIDENCE])
    pair_control = np.repeat(np.arange(len(EVIDENCE)), [np.isin(assets.kind, e.types).sum() for e in EVIDENCE])
    order = np.lexsort((np.argsort(np.argsort(controls))[pair_control], pair_asset))
    pair_asset, pair_control = pair_asset[order], pair_control[order]

    weeks = len(timeline.as_of)
    pattern = rng.choice(len(COVERAGE_PATTERNS), size=len(pair_asset), p=COVERAGE_PATTERNS)[:, None]
    switch = rng.integers(1, max(weeks, 2), len(pair_asset))[:, None]
    week = np.arange(weeks)[None, :]
    covered = (pattern == ALWAYS) | ((pattern == ONBOARDED) & (week >= switch)) | ((pattern == DROPPED) & (week < switch))
    pair, week_of = np.nonzero(covered)
    at = timeline.as_of[week_of] - WEEK + HOUR + rng.integers(0, WEEK - 2 * HOUR + 1, len(pair))

    rows = {}
    for c, evidence in enumerate(EVIDENCE):
        mine = pair_control[pair] == c
        rows[Path(evidence.file).stem] = _write_evidence(rng, evidence, assets, pair_asset[pair[mine]], at[mine], timeline, out)

    uncovered = []
    for i in range(weeks):
        gap = np.flatnonzero(~covered[:, i])
        a = pair_asset[gap]
        uncovered.append(
            [[str(t), str(nm), controls[c]] for t, nm, c in zip(TYPES[assets.kind[a]], assets.name[a], pair_control[gap], strict=True)]
        )
    return uncovered, rows


def _write_evidence(
    rng: np.random.Generator,
    evidence: _Evidence,
    assets: _Assets,
    asset: np.ndarray,
    at: np.ndarray,
    timeline: _Timeline,
    out: Path,
) -> int:
    """A control's file: its observations, shadow assets no inventory knows, and broken rows."""
    shadow_kind = evidence.types[0]
    shadow = evidence.shadow_prefix + "-" + np.strings.zfill(rng.choice(10**5, size=evidence.shadow_count, replace=False).astype(str), 5)
    broken = BAD_SCAN_TIMES if evidence.control == "secret_scan" else ()
    extra = rng.choice(asset, size=len(broken), replace=False) if broken else np.empty(0, dtype=np.int64)
    spare = evidence.shadow_count + len(broken)
    at = np.concatenate([at, rng.integers(timeline.start + HOUR, timeline.end - HOUR, spare)])
    kind = np.concatenate([assets.kind[asset], np.full(evidence.shadow_count, shadow_kind), assets.kind[extra]])
    name = np.concatenate([assets.name[asset], shadow, assets.name[extra]])
    is_broken = np.arange(len(at)) >= len(at) - len(broken)

    order = np.argsort(at, kind="stable")
    at, kind, name, is_broken = at[order], kind[order], name[order], is_broken[order]
    columns = {evidence.name_column: _render(rng, name, _fqdn(kind), evidence.quirks)}
    if evidence.clock == "epoch_ms":
        columns[evidence.time_column] = pa.array(at * 1000 + rng.integers(0, 1000, len(at)))
    elif evidence.clock == "offsets":
        columns[evidence.time_column] = _offset_ts(rng, at)
    elif evidence.file.endswith(".parquet"):
        columns[evidence.time_column] = _parquet_ts(at)
    else:
        zone = None if evidence.clock == "utc" else evidence.clock
        columns[evidence.time_column] = _replace_at(_text_ts(at, zone=zone), np.flatnonzero(is_broken), broken, rng)
    if evidence.tool_column:
        tools = {t: choices for t, choices in zip(evidence.types, evidence.tools, strict=True)}
        columns[evidence.tool_column] = pa.array(_pick(rng, tools, kind))

    path = out / evidence.file
    if evidence.file.endswith(".parquet"):
        return _write_parquet(path, columns)
    if evidence.file.endswith(".csv"):
        return _write_csv(path, columns)
    return _write_ndjson(path, columns)


def _write_findings(
    rng: np.random.Generator, assets: _Assets, people: _People, timeline: _Timeline, data_dir: Path
) -> tuple[list[str], dict[str, int]]:
    """Scanner findings whose remediation speeds up over time, and the tickets that track them."""
    count = round(FINDINGS_PER_ASSET * len(assets.kind))
    start = timeline.start - 8 * WEEK
    opened = np.sort(rng.integers(start, timeline.end, count))
    asset = rng.integers(0, len(assets.kind), count)
    kind = assets.kind[asset]
    severity = rng.choice(len(SEVERITIES), size=count, p=SEVERITY_SHARES)
    improvement = 1.25 - 0.5 * (opened - start) / (timeline.end - start)
    days = rng.lognormal(np.log(MEDIAN_DAYS_TO_FIX[severity] * improvement), 0.8)
    closed = opened + np.maximum((days * DAY).astype(np.int64), 10 * 60)
    still_open = closed > timeline.end

    width = max(6, len(str(count + 5_000)))
    finding_id = "F" + np.strings.zfill(np.arange(1, count + 1).astype(str), width)
    rows = {
        "findings": _write_parquet(
            data_dir / "findings.parquet",
            {
                "finding_id": pa.array(finding_id),
                "asset": _render(rng, assets.name[asset], _fqdn(kind), _Quirks(upper=0.1, corp=0.3, internal=0.1, dot=0.1)),
                "asset_type": pa.array(TYPES[kind]),
                "title": pa.array(_pick(rng, FINDING_TITLES, kind)),
                "severity": pa.array(SEVERITIES[severity]),
                "opened_at": _parquet_ts(opened),
                "closed_at": _parquet_ts(closed, null=still_open),
                "scanner": pa.array(_pick(rng, FINDING_SCANNERS, kind)),
                "org": pa.array(ORGS[assets.org[asset]]),
            },
        )
    }

    ticketed = np.flatnonzero(rng.random(count) < TICKETED_SHARE)
    orphan_ref = "F" + np.strings.zfill((count + 1 + rng.choice(5_000, ORPHAN_TICKETS, replace=False)).astype(str), width)
    ref = np.concatenate([finding_id[ticketed], orphan_ref])
    created = np.concatenate(
        [
            np.minimum(opened[ticketed] + rng.integers(5 * 60, 2 * DAY, len(ticketed)), timeline.end),
            rng.integers(start, timeline.end, ORPHAN_TICKETS),
        ]
    )
    resolved = np.concatenate([closed[ticketed] + rng.integers(0, DAY, len(ticketed)), np.full(ORPHAN_TICKETS, -1)])
    unresolved = (resolved < 0) | (resolved > timeline.end) | np.concatenate([still_open[ticketed], np.ones(ORPHAN_TICKETS, dtype=bool)])
    assignee = np.concatenate([assets.owner[asset[ticketed]], people.owners[rng.integers(0, len(people.owners), ORPHAN_TICKETS)]])
    state = np.where(unresolved, np.array(["open", "in_progress"])[rng.integers(0, 2, len(ref))], "resolved")
    is_orphan = np.arange(len(ref)) >= len(ticketed)

    order = np.argsort(created, kind="stable")  # keys are handed out in creation order
    keys = "SEC-" + np.sort(1_000 + rng.choice(max(9_000, 3 * len(ref)), size=len(ref), replace=False)).astype(str)
    rows["tickets"] = _write_csv(
        data_dir / "tickets.csv",
        {
            "ticket_key": pa.array(keys),
            "finding_ref": pa.array(ref[order]),
            "created": _text_ts(created[order]),
            "resolved": _text_ts(resolved[order], null=unresolved[order]),
            "assignee": pa.array(people.email[assignee[order]]),
            "state": pa.array(state[order]),
        },
    )
    return sorted(keys[is_orphan[order]].tolist()), rows


def _write_access(
    rng: np.random.Generator, people: _People, timeline: _Timeline, data_dir: Path
) -> tuple[list[list[list[str]]], list[str], dict[str, int]]:
    """The HR roster and every account's grants; leavers mostly lose access within two days."""
    staff = people.staff
    leaver = people.termination[:staff] >= 0
    employee = np.sort(100_000 + rng.choice(900_000, size=staff, replace=False))
    order = rng.permutation(staff)  # ids were not handed out in roster order
    term_day = (people.termination[order] // DAY).astype("datetime64[D]")
    rows = {
        "hr_roster": _write_csv(
            data_dir / "hr_roster.csv",
            {
                "employee_id": pa.array("E" + employee.astype(str)),
                "work_email": _emails(rng, people, order, mixed=0.08),
                "full_name": pa.array(np.strings.capitalize(people.first[order]) + " " + np.strings.capitalize(people.last[order])),
                "department": pa.array(ORGS[people.org[order]]),
                "status": pa.array(np.where(leaver[order], "terminated", "active")),
                "termination_date": pa.array(np.datetime_as_string(term_day), mask=~leaver[order]),
            },
        )
    }

    n = len(people.local)
    grants_each = np.where(np.arange(n) < staff, rng.integers(1, 6, n), rng.integers(1, 3, n))
    weight = np.array([g[2] for g in GRANTABLE])
    # Weighted sampling without replacement (Efraimidis-Spirakis): keep each person's top keys.
    ranked = np.argsort(-(rng.random((n, len(GRANTABLE))) ** (1 / weight)), axis=1)
    person, rank = np.nonzero(np.arange(len(GRANTABLE))[None, :] < grants_each[:, None])
    grantable = ranked[person, rank]

    termination = people.termination[person]
    left = termination >= 0
    granted = np.where(
        left,
        termination - rng.integers(30 * DAY, 900 * DAY, len(person)),
        timeline.end - rng.integers(HOUR, 900 * DAY, len(person)),
    )
    role_change = ~left & (person < staff) & (rng.random(len(person)) < 0.06)
    late = rng.random(len(person)) < LATE_REVOCATION_SHARE
    delay = np.where(late, rng.integers(3 * DAY, 42 * DAY, len(person)), rng.integers(0, 2 * DAY + 1, len(person)))
    kept = left & (rank == 0) & (rng.random(n) < KEEPER_SHARE)[person]
    revoked = np.where(left, termination + delay, -1)
    revoked = np.where(role_change, granted + (rng.random(len(person)) * (timeline.end - granted)).astype(np.int64) + 1, revoked)
    revoked = np.where(kept | (revoked > timeline.end), -1, revoked)

    order = np.argsort(granted, kind="stable")
    person, grantable, granted, revoked = person[order], grantable[order], granted[order], revoked[order]
    system = np.array([g[0] for g in GRANTABLE])[grantable]
    role = np.array([g[1] for g in GRANTABLE])[grantable]
    rows["access_grants"] = _write_ndjson(
        data_dir / "access_grants.ndjson",
        {
            "grant_id": pa.array("G" + np.strings.zfill(np.arange(1, len(person) + 1).astype(str), 7)),
            "principal": _emails(rng, people, person, mixed=0.1, pad=0.05),
            "system": pa.array(system),
            "role": pa.array(role),
            "privileged": pa.array(np.isin(role, ("admin", "owner"))),
            "granted_at": _text_ts(granted),
            "revoked_at": _text_ts(revoked, null=revoked < 0),
        },
    )

    email, termination = people.email[person], people.termination[person]
    leavers = []
    for t in timeline.as_of:
        holds = (granted <= t) & ((revoked < 0) | (revoked > t)) & (termination >= 0) & (termination <= t)
        leavers.append(sorted([str(e), str(s), str(r)] for e, s, r in zip(email[holds], system[holds], role[holds], strict=True)))
    return leavers, sorted(people.email[staff:].tolist()), rows


def _fqdn(kind: np.ndarray) -> np.ndarray:
    """Which assets live in DNS, so that sources may print them with a domain."""
    return np.isin(kind, (HOST, DATABASE))


def _render(rng: np.random.Generator, names: np.ndarray, fqdn: np.ndarray, quirks: _Quirks) -> pa.Array:
    """Canonical names as a source prints them; only `fqdn` rows get a domain and trailing dot.

    Every quirk is undone by trim, lower-case, dropping one trailing dot and then the suffix.
    """
    u = rng.random((4, len(names)))
    suffix = np.where(
        fqdn & (u[0] < quirks.corp),
        ".corp.acme.com",
        np.where(fqdn & (u[0] < quirks.corp + quirks.internal), ".acme.internal", ""),
    )
    out = names + suffix + np.where(fqdn & (u[1] < quirks.dot), ".", "")
    out = out.astype(f"<U{out.dtype.itemsize // 4 + 4}")  # room for padding
    upper = u[2] < quirks.upper
    capital = ~upper & (u[2] < quirks.upper + quirks.capital)
    padded = u[3] < quirks.pad
    out[upper] = np.strings.upper(out[upper])
    out[capital] = np.strings.capitalize(out[capital])
    pad = np.array(["", " ", "  "])[rng.integers(0, 3, (2, padded.sum()))]
    out[padded] = pad[0] + " " + out[padded] + pad[1]
    return pa.array(out)


def _emails(rng: np.random.Generator, people: _People, person: np.ndarray, *, mixed: float = 0.0, pad: float = 0.0) -> pa.Array:
    """Email addresses of `person` (-1 is null), some in mixed case or padded as people type them."""
    local = people.local[np.maximum(person, 0)]
    u = rng.random((2, len(person)))
    domain = np.array(["@Acme.com", "@ACME.com"])[rng.integers(0, 2, len(person))]
    out = np.where(u[0] < mixed, np.strings.title(local) + domain, local + "@acme.com")
    side = rng.integers(0, 3, len(person))  # leading, trailing or both
    out = np.where(u[1] < pad, np.where(side != 1, " ", "") + out + np.where(side != 0, " ", ""), out)
    return pa.array(out, mask=person < 0)


def _pick(rng: np.random.Generator, choices: Mapping[int, tuple[str, ...]], kind: np.ndarray) -> np.ndarray:
    """One of the type's choices per row, uniformly."""
    out = np.empty(len(kind), dtype=f"<U{max(len(c) for options in choices.values() for c in options)}")
    for t, options in choices.items():
        mine = kind == t
        out[mine] = np.array(options)[rng.integers(0, len(options), mine.sum())]
    return out


def _replace_at(values: pa.Array, positions: np.ndarray, texts: tuple[str, ...], rng: np.random.Generator) -> pa.Array:
    """`values` with the given rows replaced by `texts` in a random order."""
    mask = np.zeros(len(values), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(values, pa.array(mask), pa.array(rng.permutation(np.array(texts, dtype=str))))


def _hex(rng: np.random.Generator, n: int, digits: int) -> np.ndarray:
    return np.frombuffer(rng.bytes(n * digits // 2).hex().encode(), dtype=f"S{digits}").astype(str)


def _text_ts(seconds: np.ndarray, null: np.ndarray | None = None, zone: str | None = None) -> pa.Array:
    """UTC seconds as `YYYY-MM-DD HH:MM:SS` text, as CSV and NDJSON exports print them: UTC, or
    the wall time in the IANA `zone` (pyarrow's time-zone database, not the engines')."""
    return pc.strftime(pa.array(seconds, type=pa.timestamp("s", tz=zone), mask=null), format="%Y-%m-%d %H:%M:%S")


AGENT_OFFSETS = (("Z", 0), ("+02:00", 120), ("-05:00", -300), ("+0530", 330), ("+01", 60))
"""UTC offsets agents report in, each spelling ISO 8601 allows."""


def _offset_ts(rng: np.random.Generator, seconds: np.ndarray) -> pa.Array:
    """UTC seconds as ISO 8601 local time with each row's agent offset: `2026-11-20T14:13:44+02:00`."""
    pick = rng.integers(0, len(AGENT_OFFSETS), len(seconds))
    suffix = np.array([s for s, _ in AGENT_OFFSETS])[pick]
    wall = seconds + np.array([m for _, m in AGENT_OFFSETS])[pick] * 60
    local = pc.strftime(pa.array(wall, type=pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
    return pc.binary_join_element_wise(local, pa.array(suffix), "")


def _parquet_ts(seconds: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]").astype("datetime64[us]"), mask=null)


def _write_parquet(path: Path, columns: dict[str, pa.Array]) -> int:
    table = pa.table(columns)
    pq.write_table(table, path, compression="zstd")
    return table.num_rows


def _write_csv(path: Path, columns: dict[str, pa.Array]) -> int:
    """RFC 4180 CSV quoting only fields that need it, empty for null; pyarrow's writer quotes all text."""
    fields = []
    for text in columns.values():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        fields.append(pc.fill_null(pc.if_else(pc.match_substring_regex(text, '[",\r\n]'), quoted, text), ""))
    return _write_lines(path, pc.binary_join_element_wise(*fields, ","), header=",".join(columns))


def _write_ndjson(path: Path, columns: dict[str, pa.Array], truncate: np.ndarray | None = None) -> int:
    """One JSON object per line; rows at `truncate` are cut in half, as a crashed writer leaves them."""
    parts: list[pa.Array | str] = []
    for i, (key, column) in enumerate(columns.items()):
        if pa.types.is_boolean(column.type):
            value = pc.if_else(column, "true", "false")
        else:
            escaped = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
            value = pc.binary_join_element_wise('"', escaped, '"', "")
        parts += [("{" if i == 0 else ",") + json.dumps(key) + ":", pc.fill_null(value, "null")]
    lines = pc.binary_join_element_wise(*parts, "}", "")
    if truncate is not None and len(truncate):
        mask = np.zeros(len(lines), dtype=bool)
        mask[truncate] = True
        cut = [line[: len(line) // 2] for line in lines.take(pa.array(truncate)).to_pylist()]
        lines = pc.replace_with_mask(lines, pa.array(mask), pa.array(cut))
    return _write_lines(path, lines)


def _write_lines(path: Path, lines: pa.Array, header: str | None = None) -> int:
    """Write lines through pyarrow's contiguous string buffer rather than row by row."""
    body = pc.binary_join_element_wise(lines, "", "\n")
    if isinstance(body, pa.ChunkedArray):  # pyarrow splits very large inputs
        body = body.combine_chunks()
    body = body.cast(pa.large_string())
    offsets = np.frombuffer(body.buffers()[1], dtype=np.int64)[body.offset : body.offset + len(body) + 1]
    data = body.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
    with open(path, "wb") as f:
        if header is not None:
            f.write((header + "\n").encode())
        f.write(data)
    return len(lines)
