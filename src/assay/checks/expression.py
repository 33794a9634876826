"""Boolean expressions written in the project file (`where:`, the `expression` kind), parsed safely.

The text is parsed by sqlglot and translated node by node into an Ibis expression over the
source's table. Only the node types below are translated: columns, literals, comparisons,
boolean logic, arithmetic, `IN` lists, `BETWEEN`, `LIKE`, `IS NULL`, `CASE`, casts and a short
list of scalar functions. Anything else (a subquery, a statement, an unknown function) is
refused when the project loads, so no text from the project file is ever executed as SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import ibis
import ibis.expr.types as ir
import sqlglot
from sqlglot import exp

_CASTS = {
    "INT": "int64",
    "BIGINT": "int64",
    "INTEGER": "int64",
    "SMALLINT": "int64",
    "DOUBLE": "float64",
    "FLOAT": "float64",
    "DECIMAL": "float64",
    "VARCHAR": "string",
    "TEXT": "string",
    "CHAR": "string",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}


class ExpressionError(ValueError):
    """The text is not an expression assay accepts; the message says what was found."""


@cache
def parse(text: str) -> exp.Expression:
    """The parsed expression, or ExpressionError. Column references are checked against the
    table later, when the expression is bound (the loader does it with the source's columns)."""
    try:
        statements = sqlglot.parse(text, dialect="duckdb")
    except sqlglot.errors.SqlglotError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1 or statements[0] is None:
        raise ExpressionError(f"{text!r} must be a single expression")
    tree = statements[0]
    for node in tree.walk():
        if type(node) not in _ALLOWED:
            what = node.key.upper() if not isinstance(node, exp.Func) else f"function {node.sql(dialect='duckdb').split('(')[0]}"
            raise ExpressionError(f"{text!r}: {what} is not allowed; use columns, literals, operators and: {', '.join(sorted(FUNCTIONS))}")
        if isinstance(node, exp.Column) and node.table:
            raise ExpressionError(f"{text!r}: write columns without a table name ({node.sql()})")
    return tree


def columns_of(text: str) -> list[str]:
    """The column names `text` reads, in order of appearance."""
    return list(dict.fromkeys(c.name for c in parse(text).find_all(exp.Column)))


def bind(text: str, t: ibis.Table) -> ir.Value:
    """`text` as an Ibis expression over `t`."""
    return _Binder(t).value(parse(text))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lower": lambda x: x.lower(),
    "upper": lambda x: x.upper(),
    "length": lambda x: x.length(),
    "trim": lambda x: x.strip(),
    "abs": lambda x: x.abs(),
    "round": lambda x, d=None: x.round(d),
    "coalesce": lambda *xs: ibis.coalesce(*xs),
    "substring": lambda x, start, n=None: x.substr(start - 1, n),
    "regexp_matches": lambda x, pattern: x.re_search(pattern),
    "year": lambda x: x.year(),
    "month": lambda x: x.month(),
    "day": lambda x: x.day(),
}

_FUNC_NODES: dict[type[exp.Expression], str] = {
    exp.Lower: "lower",
    exp.Upper: "upper",
    exp.Length: "length",
    exp.Trim: "trim",
    exp.Abs: "abs",
    exp.Round: "round",
    exp.Coalesce: "coalesce",
    exp.Substring: "substring",
    exp.RegexpLike: "regexp_matches",
    exp.Year: "year",
    exp.Month: "month",
    exp.Day: "day",
}

_FUNC_ARGS: dict[str, tuple[str, ...]] = {"round": ("decimals",), "substring": ("start", "length"), "regexp_matches": ("expression",)}

_BINARY: dict[type[exp.Expression], Callable[[Any, Any], Any]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.And: lambda a, b: a & b,
    exp.Or: lambda a, b: a | b,
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.Div: lambda a, b: a / b,
    exp.Mod: lambda a, b: a % b,
    exp.DPipe: lambda a, b: a.concat(b),
}

_ALLOWED: frozenset[type[exp.Expression]] = frozenset(
    {
        exp.Column,
        exp.Identifier,
        exp.Literal,
        exp.Boolean,
        exp.Null,
        exp.Paren,
        exp.Not,
        exp.Neg,
        exp.Is,
        exp.In,
        exp.Between,
        exp.Like,
        exp.ILike,
        exp.Cast,
        exp.DataType,
        exp.Case,
        exp.If,
        *_BINARY,
        *_FUNC_NODES,
    }
)


class _Binder:
    def __init__(self, t: ibis.Table):
        self.t = t

    def value(self, node: exp.Expression) -> Any:
        if isinstance(node, exp.Column):
            if node.name not in self.t.columns:
                raise ExpressionError(
                    f"unknown column {node.name!r}; columns: {', '.join(c for c in self.t.columns if not c.startswith('_'))}"
                )
            return self.t[node.name]
        if isinstance(node, exp.Literal):
            if node.is_string:
                return ibis.literal(node.this)
            number = float(node.this)
            return ibis.literal(int(number) if number.is_integer() and "." not in node.this and "e" not in node.this.lower() else number)
        if isinstance(node, exp.Boolean):
            return ibis.literal(bool(node.this))
        if isinstance(node, exp.Null):
            return ibis.null()
        if isinstance(node, exp.Paren):
            return self.value(node.this)
        if isinstance(node, exp.Not):
            return ~self.value(node.this)
        if isinstance(node, exp.Neg):
            return -self.value(node.this)
        if isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                raise ExpressionError("IS is only allowed as IS NULL / IS NOT NULL")
            return self.value(node.this).isnull()
        if isinstance(node, exp.In):
            if node.args.get("query") or node.args.get("unnest") or node.args.get("field"):
                raise ExpressionError("IN takes a list of values, not a query")
            return self.value(node.this).isin([self.value(e) for e in node.expressions])
        if isinstance(node, exp.Between):
            return self.value(node.this).between(self.value(node.args["low"]), self.value(node.args["high"]))
        if isinstance(node, exp.Like):
            return self.value(node.this).like(self.value(node.expression))
        if isinstance(node, exp.ILike):
            return self.value(node.this).ilike(self.value(node.expression))
        if isinstance(node, exp.Cast):
            name = node.to.this.name
            if name not in _CASTS:
                raise ExpressionError(f"cannot cast to {name}; allowed: {', '.join(_CASTS)}")
            return self.value(node.this).cast(_CASTS[name])
        if isinstance(node, exp.Case):
            if node.this is not None:
                raise ExpressionError("write CASE WHEN condition THEN ..., not CASE value WHEN ...")
            cases = [(self.value(w.this), self.value(w.args["true"])) for w in node.args["ifs"]]
            default = node.args.get("default")
            return ibis.cases(*cases, else_=self.value(default) if default is not None else None)
        if isinstance(node, exp.If):
            false = node.args.get("false")
            return ibis.ifelse(
                self.value(node.this), self.value(node.args["true"]), self.value(false) if false is not None else ibis.null()
            )
        if type(node) in _BINARY:
            return _BINARY[type(node)](self.value(node.this), self.value(node.expression))
        if type(node) in _FUNC_NODES:
            name = _FUNC_NODES[type(node)]
            args = [node.this, *node.expressions, *(node.args[k] for k in _FUNC_ARGS.get(name, ()) if node.args.get(k) is not None)]
            extra = set(node.args) - {"this", "expressions", *_FUNC_ARGS.get(name, ())}
            if any(node.args.get(k) not in (None, False, []) for k in extra):
                raise ExpressionError(f"{node.sql(dialect='duckdb')}: only the plain form of {name}() is allowed")
            return FUNCTIONS[name](*[self.value(a) for a in args])
        raise ExpressionError(f"{node.key.upper()} is not allowed")  # pragma: no cover - parse() refused it
