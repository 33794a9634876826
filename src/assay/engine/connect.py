"""Turn an engine URL into a connected Engine.

Accepted forms:
  duckdb:///relative/to/project.duckdb   duckdb:////absolute/path.duckdb   duckdb://:memory:
  postgres://user:password@host:port/database?schema=name   (postgresql:// too; the password
                     may hold any character, may come from ?password= or PGPASSWORD, and is never
                     printed or stored: see assay.secrets)
  pyspark   pyspark://local[2]?database=name       (local mode; state kept in .assay/spark)
  sc://host:port/;database=name;token=…          (Spark Connect; other `;` parameters go to Spark)
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from assay.engine.engine import Engine
from assay.errors import EngineError
from assay.secrets import redact, split_url, url_secrets


def connect(url: str, project_dir: Path) -> Engine:
    """Connect to the engine named by `url`; relative DuckDB paths resolve in `project_dir`."""
    scheme = url.split(":", 1)[0].lower()
    secrets = url_secrets(url)
    display = redact(url, secrets)
    try:
        if scheme == "duckdb":
            return _duckdb(url, project_dir, display)
        if scheme in ("postgres", "postgresql"):
            return _postgres(url, display)
        if scheme == "pyspark":
            from assay.engine.spark_engine import SparkEngine

            rest = url.split("://", 1)[1] if "://" in url else ""
            master, _, query = rest.partition("?")
            database = parse_qs(query).get("database", ["default"])[0]
            return SparkEngine.local(project_dir / ".assay" / "spark", master or "local[2]", database, display)
        if scheme == "sc":
            return _spark_connect(url, display)
    except EngineError:
        raise
    except Exception as exc:  # noqa: BLE001 - backends fail in their own types; the cause may quote the DSN, so it is not chained
        raise EngineError(redact(f"cannot connect to engine {display}: {exc}", secrets)) from None
    raise EngineError(
        f"engine URL {display!r} is not supported: expected duckdb:///file.duckdb, postgres://user@host:port/db, pyspark or sc://host:port"
    )


def _duckdb(url: str, project_dir: Path, display: str) -> Engine:
    import ibis

    from assay.engine.duckdb_engine import DuckDBEngine

    rest = url.split("://", 1)[1] if "://" in url else ""
    if rest in ("", ":memory:", "/:memory:"):
        return DuckDBEngine(ibis.duckdb.connect(), display)
    path = Path(rest[1:]) if rest.startswith("/") else Path(rest)
    if not path.is_absolute():
        path = project_dir / path
    path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBEngine.open(path, display)


def _postgres(url: str, display: str) -> Engine:
    import ibis

    from assay.engine.postgres_engine import PostgresEngine

    userinfo = split_url(url)
    parts = urlsplit(f"{userinfo.scheme}://{userinfo.rest}")
    query = parse_qs(parts.query)
    kwargs = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": userinfo.user,
        "password": userinfo.password or query.get("password", [None])[0],
        "database": parts.path.lstrip("/") or None,
    }
    if "schema" in query:
        kwargs["schema"] = query["schema"][0]
    return PostgresEngine(ibis.postgres.connect(**{k: v for k, v in kwargs.items() if v is not None}), display)


def _spark_connect(url: str, display: str) -> Engine:
    """Spark Connect's own URL, minus the `database` parameter that only assay reads."""
    from assay.engine.spark_engine import SparkConnectEngine

    address, *params = url.split(";")
    database = "default"
    kept = []
    for param in params:
        key, _, value = param.partition("=")
        if key == "database":
            database = value
        else:
            kept.append(param)
    return SparkConnectEngine.remote(";".join([address, *kept]), database, display)
