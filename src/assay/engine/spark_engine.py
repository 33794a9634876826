"""Apache Spark in local mode, with a Hive metastore in the project folder so history persists."""

from __future__ import annotations

from pathlib import Path

import ibis

from assay.engine.capabilities import PYSPARK
from assay.engine.engine import Engine


def local_session(state_dir: Path, master: str = "local[2]"):
    """A local SparkSession whose tables survive the process (Derby metastore + warehouse dir)."""
    from pyspark.sql import SparkSession

    state_dir.mkdir(parents=True, exist_ok=True)
    metastore = state_dir / "metastore_db"
    return (
        SparkSession.builder.master(master)
        .appName("assay")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", str(state_dir / "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={metastore};create=true")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={state_dir}")
        .enableHiveSupport()
        .getOrCreate()
    )


class SparkEngine(Engine):
    name = "pyspark"
    capabilities = PYSPARK

    @classmethod
    def local(cls, state_dir: Path, master: str, display_url: str) -> SparkEngine:
        session = local_session(state_dir, master)
        session.sparkContext.setLogLevel("ERROR")
        return cls(ibis.pyspark.connect(session), display_url)

    def close(self) -> None:
        """Leave the session running: a process has one, and tests share it."""
