"""Apache Spark: local mode (a Hive metastore in the project folder so history persists) and
Spark Connect (a server that keeps the tables in its own catalog).

Python UDF workers run the product's own interpreter (`sys.executable`): a bare `python3` on the
PATH may lack pyarrow and assay, and the NFKC UDF needs both.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
import pyarrow.parquet as pq

from assay.engine.capabilities import PYSPARK
from assay.engine.engine import Engine, builtin_function
from assay.engine.strftime import java_pattern
from assay.errors import EngineError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_ONE_OR_OTHER = "PySpark switches a whole process to one or the other"
CONNECT_DEFAULT_PORT = 15002
CONNECT_PROBE_SECONDS = 10
CONNECT_BATCH_BYTES = 32 * 1024 * 1024
"""Arrow bytes sent per request when loading over Spark Connect: well under gRPC's message limit
and the server's driver memory, whatever the size of the table."""


def local_session(state_dir: Path, master: str = "local[2]") -> SparkSession:
    """A local SparkSession whose tables survive the process (Derby metastore + warehouse dir)."""
    from pyspark.sql import SparkSession

    state_dir.mkdir(parents=True, exist_ok=True)
    metastore = state_dir / "metastore_db"
    # PySpark reads the worker interpreter from the environment when the context starts.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    return (
        SparkSession.builder.master(master)
        .appName("assay")
        .config("spark.pyspark.python", sys.executable)
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
        # A failed task reaches the driver, which raises it to assay as one bounded EngineError;
        # these would print it (and the query it quotes) once more per task, stack trace and all.
        "logger.executor.name = org.apache.spark.executor.Executor\n"
        "logger.executor.level = off\n"
        "logger.tasks.name = org.apache.spark.scheduler.TaskSetManager\n"
        "logger.tasks.level = off\n"
        "logger.abort.name = org.apache.spark.util.Utils\n"
        "logger.abort.level = off\n"
    )
    return path


def _quiet_query_context_logs() -> None:
    """PySpark logs every failed query at ERROR with its full text and the Java stack trace; the
    EngineError assay raises says it once, bounded (`--debug` shows the rest)."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


@ibis.udf.scalar.pandas
def assay_nfkc(value: str) -> str:
    """Spark has no Unicode normalization: a vectorized (Arrow-batched) pandas UDF, Arrow's utf8proc."""
    import pyarrow.compute as pc

    return pc.utf8_normalize(pa.Array.from_pandas(value, type=pa.string()), "NFKC").to_pandas()


_to_utc_timestamp = builtin_function("to_utc_timestamp", (dt.timestamp, dt.string), dt.timestamp)
_from_utc_timestamp = builtin_function("from_utc_timestamp", (dt.timestamp, dt.string), dt.timestamp)


_try_parse_json = builtin_function("try_parse_json", (dt.string,), dt.string)
_try_to_timestamp = builtin_function("try_to_timestamp", (dt.string, dt.string), dt.timestamp)


class SparkEngine(Engine):
    """Spark in local mode: this process runs the driver and the executors."""

    name = "pyspark"
    capabilities = PYSPARK
    _session: SparkSession
    _stage_dir: Path
    """Where `load_batches` writes the Parquet files Spark reads (local mode only)."""

    @classmethod
    def local(cls, state_dir: Path, master: str, database: str, display_url: str) -> Self:
        """Connect to (or start) this process's session and use `database` for all tables."""
        from pyspark.sql.utils import is_remote

        _check_database(database)
        if is_remote():
            raise EngineError(f"this process already uses Spark Connect, so it cannot start local Spark ({display_url}): {_ONE_OR_OTHER}")
        session = local_session(state_dir, master)
        session.sparkContext.setLogLevel("ERROR")
        engine = cls._over(session, database, display_url)
        engine._stage_dir = state_dir / "stage"
        return engine

    @classmethod
    def _over(cls, session: SparkSession, database: str, display_url: str) -> Self:
        _quiet_query_context_logs()
        session.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        session.catalog.setCurrentDatabase(database)
        engine = cls(ibis.pyspark.connect(session), display_url)
        engine._session = session
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
            self._save(self._session.read.parquet(str(staged)), name, "overwrite")
        finally:
            staged.unlink(missing_ok=True)
        return self.table(name)

    def _save(self, frame: DataFrame, name: str, mode: str) -> None:
        """Write `frame` to the table `name` ("overwrite" or "append"); Spark's errors become EngineErrors."""
        self._guard(lambda: frame.write.mode(mode).saveAsTable(name), None)

    def nfkc(self, expr: ibis.StringValue) -> ibis.StringValue:
        return assay_nfkc(expr)

    def json_valid(self, expr: ibis.StringValue) -> ibis.BooleanValue:
        """`try_parse_json` (Spark 4) gives NULL for text that is not JSON."""
        return ibis.ifelse(expr.isnull(), ibis.null(), _try_parse_json(expr).notnull())

    def parses_as(self, expr: ibis.StringValue, strftime: str) -> ibis.BooleanValue:
        return _try_to_timestamp(expr, java_pattern(strftime)).notnull()

    def _create_view(self, name: str, expr: ibis.Table) -> None:
        """A view in the metastore (Ibis makes Spark views temporary, gone with the session)."""
        self._execute(f"CREATE OR REPLACE VIEW `{name}` AS {self.con.compile(expr)}")

    def scratch(self, name: str, expr: ibis.Table) -> ibis.Table:
        """Spark has no temporary tables, and a cached temporary view is re-resolved by name when a view
        it reads is replaced (iterative steps replace theirs): an ordinary table."""
        return self.create_table(name, expr)

    def add_column(self, table: str, column: str, dtype: ibis.expr.datatypes.DataType | str) -> None:
        self._write()
        sql_type = self.con.compiler.type_mapper.from_ibis(ibis.dtype(dtype)).sql(self.con.dialect)
        self._execute(f"ALTER TABLE `{table}` ADD COLUMNS (`{column}` {sql_type})")

    def let(self, value: ibis.Value, body: Callable[[ibis.Value], ibis.StringValue]) -> ibis.StringValue:
        """`ELEMENT_AT(TRANSFORM(ARRAY(value), v -> body), 1)`: Ibis compiles the portable form's
        array `join` as `IF(SIZE(a) > 0, CONCAT_WS('', a), NULL)`, which would write `a` twice."""
        return ibis.array([value]).map(body)[0]

    def _wall_to_utc(self, local: ibis.TimestampValue, zone: str) -> ibis.TimestampValue:
        """Spark's timestamps are instants shown in the session zone, which is UTC (`local_session`)."""
        return _to_utc_timestamp(local, ibis.literal(zone))

    def _utc_to_wall(self, utc: ibis.TimestampValue, zone: str) -> ibis.TimestampValue:
        return _from_utc_timestamp(utc, ibis.literal(zone))

    def close(self) -> None:
        """Leave the session running: a process has one, and tests share it."""


class SparkConnectEngine(SparkEngine):
    """Spark over Spark Connect (`sc://host:port`): queries and tables live on the server.

    The server may be remote, so data is sent as Arrow (never as a file path only this machine
    sees), in bounded batches. The server's Python workers run the NFKC UDF: its
    `PYSPARK_PYTHON` must have pyarrow, pandas and assay (`scripts/spark-connect.sh` starts one so).
    PySpark switches a whole process to Connect once a remote session exists, so a process uses
    either local Spark or Spark Connect.
    """

    name = "spark-connect"

    @classmethod
    def remote(cls, url: str, database: str, display_url: str) -> Self:
        """A new session on the server at `url` (`sc://host:port[/;param=value…]`), using `database`."""
        from pyspark import SparkContext
        from pyspark.sql import SparkSession

        _check_database(database)
        _reachable(url)
        if SparkContext._active_spark_context is not None:
            raise EngineError(f"this process already runs local Spark, so it cannot use Spark Connect ({display_url}): {_ONE_OR_OTHER}")
        # Ibis asks for schema verification, which Connect does not offer; it says so per table.
        warnings.filterwarnings("ignore", message="'verifySchema' is ignored", category=UserWarning)
        session = SparkSession.builder.remote(url).getOrCreate()
        return cls._over(session, database, display_url)

    def load_arrow(self, name: str, data: pa.Table) -> ibis.Table:
        return self.load_batches(name, pa.RecordBatchReader.from_batches(data.schema, data.to_batches()))

    def load_batches(self, name: str, reader: pa.RecordBatchReader) -> ibis.Table:
        """Create `name` from the first slice, append the rest: each request stays bounded
        (`CONNECT_BATCH_BYTES`), and only one batch of the stream is in memory at a time."""
        mode = "overwrite"
        for batch in reader:
            data = pa.Table.from_batches([batch])
            rows_per_slice = max(1, CONNECT_BATCH_BYTES * max(data.num_rows, 1) // max(data.nbytes, 1))
            for offset in range(0, data.num_rows, rows_per_slice):
                self._save(self._session.createDataFrame(data.slice(offset, rows_per_slice)), name, mode)
                mode = "append"
        if mode == "overwrite":  # no rows at all: the table still gets its columns (Spark cannot infer them from none)
            from pyspark.sql.pandas.types import from_arrow_schema

            self._save(self._session.createDataFrame([], schema=from_arrow_schema(reader.schema)), name, "overwrite")
        return self.table(name)

    def close(self) -> None:
        """End this client's server session (its temporary views); the server keeps the tables."""
        self._session.stop()


def _reachable(url: str) -> None:
    """Fail in seconds on a wrong address: the Connect client retries a refused connection for
    minutes before it gives up."""
    parts = urlsplit(url.split(";", 1)[0])
    address = (parts.hostname or "localhost", parts.port or CONNECT_DEFAULT_PORT)
    try:
        socket.create_connection(address, timeout=CONNECT_PROBE_SECONDS).close()
    except OSError as exc:
        raise EngineError(f"cannot reach the Spark Connect server at {address[0]}:{address[1]}: {exc}") from exc


def _check_database(database: str) -> None:
    if not database.isidentifier():
        raise EngineError(f"Spark database name must be an identifier, got {database!r}")
