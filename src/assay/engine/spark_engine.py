"""Apache Spark in local mode, with a Hive metastore in the project folder so history persists."""

from __future__ import annotations

import uuid
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from assay.engine.capabilities import PYSPARK
from assay.engine.engine import Engine
from assay.errors import EngineError


def local_session(state_dir: Path, master: str = "local[2]"):
    """A local SparkSession whose tables survive the process (Derby metastore + warehouse dir)."""
    from pyspark.sql import SparkSession

    state_dir.mkdir(parents=True, exist_ok=True)
    metastore = state_dir / "metastore_db"
    return (
        SparkSession.builder.master(master)
        .appName("assay")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", str(state_dir / "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={metastore};create=true")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={state_dir} -Dlog4j2.configurationFile={_quiet_logging(state_dir)}")
        .enableHiveSupport()
        .getOrCreate()
    )


def _quiet_logging(state_dir: Path) -> Path:
    """Log4j settings that keep Spark's console to errors (codegen fallbacks are not errors)."""
    path = state_dir / "log4j2.properties"
    path.write_text(
        "rootLogger.level = error\n"
        "rootLogger.appenderRef.stderr.ref = console\n"
        "appender.console.type = Console\n"
        "appender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n"
        "logger.codegen.name = org.apache.spark.sql.catalyst.expressions.codegen\n"
        "logger.codegen.level = off\n"
        "logger.codegenexec.name = org.apache.spark.sql.execution.WholeStageCodegenExec\n"
        "logger.codegenexec.level = off\n"
    )
    return path


@ibis.udf.scalar.pandas
def assay_nfkc(value: str) -> str:
    """Spark has no Unicode normalization: a vectorized (Arrow-batched) pandas UDF, Arrow's utf8proc."""
    import pyarrow.compute as pc

    return pc.utf8_normalize(pa.Array.from_pandas(value, type=pa.string()), "NFKC").to_pandas()


class SparkEngine(Engine):
    name = "pyspark"
    capabilities = PYSPARK

    @classmethod
    def local(cls, state_dir: Path, master: str, database: str, display_url: str) -> SparkEngine:
        """Connect to (or start) this process's session and use `database` for all tables."""
        if not database.isidentifier():
            raise EngineError(f"Spark database name must be an identifier, got {database!r}")
        session = local_session(state_dir, master)
        session.sparkContext.setLogLevel("ERROR")
        session.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        session.catalog.setCurrentDatabase(database)
        engine = cls(ibis.pyspark.connect(session), display_url)
        engine._session = session
        engine._stage_dir = state_dir / "stage"
        return engine

    def load_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        """Stage through a Parquet file: exact types and NULLs, no pandas round trip."""
        return self.load_batches(name, pa.RecordBatchReader.from_batches(data.schema, data.to_batches()))

    def load_batches(self, name: str, reader: pa.RecordBatchReader) -> ibis.Table:
        """Batches are appended to one staged Parquet file (bounded memory) that Spark then reads."""
        self._stage_dir.mkdir(parents=True, exist_ok=True)
        staged = self._stage_dir / f"stage-{uuid.uuid4().hex}.parquet"  # Spark skips files named _*
        with pq.ParquetWriter(staged, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
        try:
            frame = self._session.read.parquet(str(staged))
            self._guard(lambda: frame.write.mode("overwrite").saveAsTable(name), None)
        finally:
            staged.unlink(missing_ok=True)
        return self.table(name)

    def nfkc(self, expr: ibis.StringValue) -> ibis.StringValue:
        return assay_nfkc(expr)

    def close(self) -> None:
        """Leave the session running: a process has one, and tests share it."""
