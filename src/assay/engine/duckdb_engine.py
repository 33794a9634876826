"""DuckDB: the embedded default, a file in the project folder."""

from __future__ import annotations

from assay.engine.capabilities import DUCKDB
from assay.engine.engine import Engine


class DuckDBEngine(Engine):
    name = "duckdb"
    capabilities = DUCKDB

    def _delete_where_run(self, name: str, run_id: str) -> None:
        self.con.con.execute(f'DELETE FROM "{name}" WHERE run_id = ?', [run_id])
