#!/usr/bin/env bash
# A local Spark Connect server from the installed pyspark (its bundled jars; nothing is downloaded).
#
#   scripts/spark-connect.sh start [PORT] [STATE_DIR]   start in the background, wait until it listens
#   scripts/spark-connect.sh stop [STATE_DIR]           stop the server started with that STATE_DIR
#
# Then `assay run PROJECT --engine sc://127.0.0.1:PORT`. The server listens on 127.0.0.1 only, runs
# Python UDF workers with this project's interpreter (pyarrow and assay importable), uses UTC, and
# keeps its tables in STATE_DIR (Derby metastore + warehouse), so history survives restarts.
# PYTHON overrides the interpreter (default: the project's .venv).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command=${1:-}
python=${PYTHON:-$here/.venv/bin/python}

start() {
  local port=${1:-15002} state=${2:-$here/.spark-connect}
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  if [ -f "$state/server.pid" ] && kill -0 "$(cat "$state/server.pid")" 2>/dev/null; then
    echo "a Spark Connect server from $state is already running (pid $(cat "$state/server.pid"))" >&2
    exit 1
  fi
  local spark_home
  spark_home=$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
  if ! ls "$spark_home"/jars/spark-connect_*.jar >/dev/null 2>&1; then
    echo "no spark-connect jar in $spark_home/jars: this pyspark cannot run a Connect server" >&2
    exit 1
  fi
  cat >"$state/log4j2.properties" <<'EOF'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.codegen.name = org.apache.spark.sql.catalyst.expressions.codegen
logger.codegen.level = off
logger.server.name = org.apache.spark.sql.connect.service.SparkConnectServer
logger.server.level = info
EOF
  # spark-submit execs java, so the background pid is the server's.
  (
    cd "$state"
    export SPARK_HOME=$spark_home PYSPARK_PYTHON=$python PYSPARK_DRIVER_PYTHON=$python
    exec "$spark_home/bin/spark-submit" \
      --class org.apache.spark.sql.connect.service.SparkConnectServer \
      --name "assay Spark Connect" \
      --master "local[2]" \
      --conf spark.connect.grpc.binding.address=127.0.0.1 \
      --conf "spark.connect.grpc.binding.port=$port" \
      --conf "spark.pyspark.python=$python" \
      --conf spark.sql.session.timeZone=UTC \
      --conf spark.sql.shuffle.partitions=4 \
      --conf spark.ui.enabled=false \
      --conf spark.sql.catalogImplementation=hive \
      --conf "spark.sql.warehouse.dir=$state/warehouse" \
      --conf "spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$state/metastore_db;create=true" \
      --conf "spark.driver.extraJavaOptions=-Dderby.system.home=$state -Dlog4j2.configurationFile=$state/log4j2.properties" \
      spark-internal
  ) >"$state/server.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$state/server.pid"
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "the Spark Connect server exited; its log:" >&2
      tail -n 40 "$state/server.log" >&2
      rm -f "$state/server.pid"
      exit 1
    fi
    if grep -q "Spark Connect server started" "$state/server.log"; then
      echo "Spark Connect server on sc://127.0.0.1:$port (pid $pid, log $state/server.log)"
      return
    fi
    sleep 1
  done
  echo "the Spark Connect server did not start within 120 s; see $state/server.log" >&2
  kill "$pid" 2>/dev/null || true
  exit 1
}

stop() {
  local state=${1:-$here/.spark-connect}
  local pidfile=$state/server.pid
  if [ ! -f "$pidfile" ]; then
    echo "no Spark Connect server recorded in $state" >&2
    return
  fi
  local pid
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
  echo "Spark Connect server (pid $pid) stopped"
}

case "$command" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start [PORT] [STATE_DIR] | stop [STATE_DIR]" >&2; exit 2 ;;
esac
