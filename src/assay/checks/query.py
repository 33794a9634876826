"""Read-only SQL written in the project file (the `sql` check kind), parsed and checked first.

The text must be one query (`SELECT`, `WITH … SELECT`, set operations) over declared sources
only: no statement that writes, no table function or file reader, no function sqlglot does not
know (so nothing like `getenv` or `read_csv`), no schema-qualified table. Source names are then
rewritten to their loaded tables and the query is generated in the engine's dialect from the
checked syntax tree, never from the text.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

from assay.ingest.stage import table_name

_WRITES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Create",
        "Drop",
        "Alter",
        "Merge",
        "Command",
        "Copy",
        "Pragma",
        "Set",
        "Use",
        "Transaction",
        "Commit",
        "Rollback",
        "Attach",
        "Detach",
        "Into",
        "LoadData",
    )
    if hasattr(exp, name)
)


class QueryError(ValueError):
    """The text is not a read-only query over declared sources; the message says why."""


@cache
def parse_query(text: str) -> exp.Query:
    """The checked syntax tree (source names not yet rewritten), or QueryError."""
    try:
        statements = sqlglot.parse(text, dialect="duckdb")
    except sqlglot.errors.SqlglotError as exc:
        raise QueryError(f"cannot parse the query: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise QueryError("give exactly one SELECT query (no other statement)")
    tree = statements[0]
    for node in tree.walk():
        if isinstance(node, _WRITES):
            raise QueryError(f"{node.key.upper()} is not allowed: the query must only read")
        if isinstance(node, exp.Anonymous) or (isinstance(node, exp.Func) and type(node).__name__.startswith("Read")):
            raise QueryError(f"function {node.sql(dialect='duckdb').split('(')[0]} is not allowed in a check query")
        if isinstance(node, exp.Table):
            if not isinstance(node.this, exp.Identifier) or not node.name.isidentifier():
                raise QueryError(f"{node.sql(dialect='duckdb')}: read declared sources only, not table functions or files")
            if node.args.get("db") or node.args.get("catalog"):
                raise QueryError(f"{node.sql(dialect='duckdb')}: name the source alone, without a schema")
    return tree


def sources_of(text: str) -> list[str]:
    """Sources the query reads (table names that are not its own CTEs)."""
    tree = parse_query(text)
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return list(dict.fromkeys(t.name for t in tree.find_all(exp.Table) if t.name not in ctes))


def engine_sql(text: str, dialect: str) -> str:
    """The query over the loaded source tables, written in `dialect`."""
    tree = parse_query(text).copy()
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        if table.name in ctes:
            continue
        alias = table.alias or table.name
        table.set("this", exp.to_identifier(table_name(table.name), quoted=True))
        table.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    return tree.sql(dialect=dialect)
