"""CSV files parsed by DuckDB as RFC 4180 (nothing sniffed), each record numbered by its first line.

DuckDB parses the records and reports the ones it cannot split, but it numbers neither loaded
records nor (after a multi-line record) rejected ones by their line. A second, cheap scan of the
file's physical lines supplies that: records occupy consecutive non-blank lines, a record spans
one line plus the line breaks inside its values, so each record's first line follows from the
spans of the records before it. The sum of the spans must equal the file's lines, which also
catches a broken quote that would otherwise shift every later row.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import duckdb

from assay.errors import SourceError
from assay.ingest.duckdb_rows import one_row
from assay.ingest.files import InputFile, line_stats, open_bytes
from assay.project.reader_options import CsvOptions

_LINE_SEP = "\x1f\x1e\x1d\x1c"  # a field separator no text file contains, so each line is one field
_QUOTE_ERRORS = ("UNQUOTED VALUE", "INVALID STATE")
_LINES = "_assay_csv_lines"
_REJ_TABLE = "_assay_csv_rejects"
_REJ_SCAN = "_assay_csv_reject_scans"
_HEADER_LOOKAHEAD = 64
_AS_LINES = "columns = {'line': 'VARCHAR'}, header = false, delim = $sep, quote = '', escape = '', auto_detect = false, strict_mode = false"


def nb_span(text: str) -> str:
    """SQL: how many non-blank lines a record's text covers (1 plus its line breaks, blank runs collapsed)."""
    collapsed = f"regexp_replace(replace({text}, chr(13) || chr(10), chr(10)), '\\n+', chr(10), 'g')"
    return f"(1 + strlen({collapsed}) - strlen(replace({collapsed}, chr(10), '')))"


def read_csv_file(
    con: duckdb.DuckDBPyConnection, file: InputFile, mapping: dict[str, str], opts: CsvOptions, raw: str, rejects: str
) -> tuple[list[tuple[str, str]], list[str]]:
    """Create `raw` (`_row`, `_file`, one text column per canonical name) and `rejects` on `con`.

    Returns the columns the file has (name, type), for schema-drift tracking, and the scratch
    tables `raw` depends on (to drop once it has been used).
    """
    comment = opts.comment or ""
    scan = f'"{_ident(raw)}_scan"'
    names = _header(con, file, opts)
    positions = _positions(file, names, mapping)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    for table in (_REJ_TABLE, _REJ_SCAN):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {scan} AS SELECT *, contains({_record_text(len(names))}, chr(10)) AS _multiline "
        f"FROM read_csv($file, columns = {columns}, header = $header, "
        "skip = $skip, delim = $delim, quote = $quote, escape = $escape, comment = $comment, nullstr = $nulls, "
        f"auto_detect = false, strict_mode = true, store_rejects = true, rejects_table = '{_REJ_TABLE}', "
        f"rejects_scan = '{_REJ_SCAN}')",
        {
            "file": str(file.path),
            "header": opts.header,
            "skip": opts.skip_rows,
            "delim": opts.delimiter,
            "quote": opts.quote,
            "escape": opts.escape_char if opts.quote else "",
            "comment": comment,
            "nulls": ["", *opts.null_values],
        },
    )
    selected = "".join(f', g.c{positions[canonical]} AS "{_ident(canonical)}"' for canonical in mapping)
    head = f'CREATE OR REPLACE TEMP TABLE "{_ident(raw)}" AS SELECT CAST({{line}} AS BIGINT) AS _row, '
    head += f"CAST($name AS VARCHAR) AS _file{selected}"
    fast = _number_records(con, file, opts, len(names), scan, head)
    if fast:
        # Every record is one line and no line is skipped: the line is the ordinal plus a constant,
        # so `raw` is a view over the scan instead of a second copy of the file.
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{_ident(raw)}_file" AS SELECT CAST($name AS VARCHAR) AS _file', {"name": file.name})
        offset = int(opts.skip_rows) + (2 if opts.header else 1)
        con.execute(
            f'CREATE OR REPLACE TEMP VIEW "{_ident(raw)}" AS SELECT CAST(g.rowid + {offset} AS BIGINT) AS _row, f._file{selected} '
            f'FROM {scan} g, "{_ident(raw)}_file" f'
        )
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{_ident(rejects)}" AS SELECT CAST(_ln AS BIGINT) AS _row, CAST($name AS VARCHAR) AS _file, '
        "'malformed CSV row: ' || message AS reason, to_json({line: record}) AS record FROM _assay_csv_rejected",
        {"name": file.name},
    )
    for table in (_LINES, _REJ_TABLE, _REJ_SCAN, "_assay_csv_rejected", "_assay_csv_rej0"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    if not fast:
        con.execute(f"DROP TABLE {scan}")
    return [(n, "VARCHAR") for n in names], ([f"{raw}_scan", f"{raw}_file"] if fast else [])


def _header(con: duckdb.DuckDBPyConnection, file: InputFile, opts: CsvOptions) -> list[str]:
    """The first record's fields (names with a header; `column1`… without), parsed by Python's csv module."""
    lines = _first_lines(file, opts.skip_rows + _HEADER_LOOKAHEAD)
    head = [(line,) for line in lines[opts.skip_rows :] if line and not (opts.comment and line.startswith(opts.comment))]
    if not head:
        raise SourceError(f"{file.name}: the file has no records")
    text = "\n".join(row[0] for row in head)
    dialect: dict[str, Any] = {"delimiter": opts.delimiter}
    if opts.quote:
        dialect |= {"quotechar": opts.quote, "doublequote": opts.escape_char == opts.quote}
        if opts.escape_char != opts.quote:
            dialect["escapechar"] = opts.escape_char
    else:
        dialect["quoting"] = csv.QUOTE_NONE
    first = next(csv.reader(io.StringIO(text), **dialect))
    if not opts.header:
        return [f"column{i + 1}" for i in range(len(first))]
    return first


def _first_lines(file: InputFile, n: int) -> list[str]:
    """The file's first `n` lines (UTF-8 by now), read in blocks until there are enough."""
    data = b""
    with open_bytes(file.path) as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            data += block
            if data.count(b"\n") > n:
                break
    return data.decode("utf-8-sig", errors="replace").splitlines()[:n]


def _positions(file: InputFile, names: list[str], mapping: dict[str, str]) -> dict[str, int]:
    seen: dict[str, int] = {}
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourceError(f"{file.name}: duplicate column names in the header: {', '.join(repr(d) for d in dupes)}")
    for i, n in enumerate(names):
        seen[n] = i
    missing = [f"{src!r} (for {dst})" for dst, src in mapping.items() if src not in seen]
    if missing:
        raise SourceError(f"{file.name}: column {', '.join(missing)} not found in the file; columns found: {', '.join(names) or 'none'}")
    return {dst: seen[src] for dst, src in mapping.items()}


def _number_records(con: duckdb.DuckDBPyConnection, file: InputFile, opts: CsvOptions, width: int, scan: str, head: str) -> bool:
    """`_assay_csv_rejected` (one row per bad record) and, unless every record is one line with no
    line skipped (then True is returned and nothing else done), the raw table: `head` is its
    CREATE … SELECT over the scan `g`, with `{line}` for the line."""
    params: dict[str, object] = {"skip": opts.skip_rows}
    record_text = _record_text(width)
    multiline = one_row(con, f"SELECT coalesce(bool_or(_multiline), false) FROM {scan}")[0]
    stats = line_stats(file.path, opts.comment)
    has_rejects = _group_rejects(con)
    first = 2 if opts.header else 1  # the first data record's ordinal among non-blank lines
    if not (stats.gaps or has_rejects):
        text_lines, gaps = stats.lines - opts.skip_rows, False
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _assay_csv_rej AS SELECT 0::BIGINT AS ln, '' AS message, '' AS record, 0 AS span WHERE false"
        )
    else:
        # Where blank or comment lines are, and the byte offset of each line (to place rejects): one pass over the lines.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_LINES} AS SELECT strlen(line) AS len, "
            "(line IS NULL OR ($comment <> '' AND starts_with(line, $comment))) AS gap FROM read_csv($file, "
            f"{_AS_LINES})",
            {"file": str(file.path), "sep": _LINE_SEP, "comment": opts.comment or ""},
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _assay_csv_nb AS SELECT rowid + 1 AS ln FROM {_LINES} WHERE rowid >= $skip AND NOT gap", params
        )
        text_lines = one_row(con, "SELECT count(*) FROM _assay_csv_nb")[0]
        gaps = one_row(con, f"SELECT count(*) FROM {_LINES} WHERE rowid >= $skip", params)[0] != text_lines
        _place_rejects(con, file)
    if not (gaps or multiline or has_rejects):
        _check_spans(con, file, scan, "1", first, text_lines)
        _drop(con, "_assay_csv_nb", "_assay_csv_rej", _LINES)
        con.execute("CREATE OR REPLACE TEMP TABLE _assay_csv_rejected AS SELECT 0::BIGINT AS _ln, '' AS message, '' AS record WHERE false")
        return True
    if gaps:
        con.execute("CREATE OR REPLACE TEMP TABLE _assay_csv_nbmap AS SELECT row_number() OVER (ORDER BY ln) AS nb, ln FROM _assay_csv_nb")

    con.execute(
        "CREATE OR REPLACE TEMP TABLE _assay_csv_rj AS SELECT r.*, "
        + ("(SELECT m.nb FROM _assay_csv_nbmap m WHERE m.ln = r.ln)" if gaps else "r.ln - $skip")
        + " AS nb FROM _assay_csv_rej r",
        {"skip": opts.skip_rows} if not gaps else {},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _assay_csv_rjc AS SELECT good_before, max(spans_upto) AS spans_upto FROM ("
        "SELECT nb - $first - coalesce(sum(span) OVER (ORDER BY nb ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) "
        "AS good_before, sum(span) OVER (ORDER BY nb) AS spans_upto FROM _assay_csv_rj) GROUP BY good_before",
        {"first": first},
    )
    before = (
        f"coalesce(sum({nb_span(record_text)}) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
        if multiline
        else "rowid"
    )
    good = f"SELECT *, {before} AS _before FROM {scan}"
    if has_rejects:
        nb = "$first + g._before + coalesce(r.spans_upto, 0)"
        source = f"({good}) g ASOF LEFT JOIN _assay_csv_rjc r ON g._before >= r.good_before"
    else:
        nb = "$first + g._before"
        source = f"({good}) g"
    params = {"first": first, "name": file.name} | ({} if gaps else {"skip": opts.skip_rows})
    if gaps:
        con.execute(f"{head.replace('{line}', 'm.ln')} FROM {source} JOIN _assay_csv_nbmap m ON m.nb = {nb}", params)
    else:
        con.execute(f"{head.replace('{line}', f'({nb} + $skip)')} FROM {source}", params)
    con.execute("CREATE OR REPLACE TEMP TABLE _assay_csv_rejected AS SELECT ln AS _ln, message, record FROM _assay_csv_rj")
    _check_spans(con, file, scan, nb_span(record_text) if multiline else "1", first, text_lines)
    _drop(con, "_assay_csv_nb", "_assay_csv_nbmap", "_assay_csv_rej", "_assay_csv_rj", "_assay_csv_rjc")
    return False


def _record_text(width: int) -> str:
    """SQL: a record's fields joined (by a unit separator, so line breaks in adjacent fields stay apart)."""
    return "concat_ws(chr(31), " + ", ".join(f"c{i}" for i in range(width)) + ")"


def _check_spans(con: duckdb.DuckDBPyConnection, file: InputFile, scan: str, span: str, first: int, text_lines: int) -> None:
    """The records must cover exactly the file's non-blank lines, or a quote has shifted them."""
    rejected = "(SELECT coalesce(sum(span), 0) FROM _assay_csv_rej)"
    spans = one_row(con, f"SELECT (SELECT coalesce(sum({span}), 0) FROM {scan}) + {rejected}")[0]
    if spans + first - 1 != text_lines:
        raise SourceError(
            f"{file.name}: its records cover {spans + first - 1} lines but the file has {text_lines}; a quote is probably "
            "unbalanced (RFC 4180: a quoted field ends with a quote followed by a delimiter or a line break)"
        )


def _drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for table in tables:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _group_rejects(con: duckdb.DuckDBPyConnection) -> bool:
    """One row per rejected record (DuckDB reports one per bad field); whether there are any."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _assay_csv_rej0 AS SELECT line_byte_position AS pos, "
        "arg_max(error_message, column_idx) AS message, bool_or(CAST(error_type AS VARCHAR) IN $quote_errors) AS quote_error, "
        f"ltrim(any_value(csv_line), chr(13) || chr(10)) AS record, "
        "any_value(strlen(csv_line) - strlen(ltrim(csv_line, chr(13) || chr(10)))) AS lead "
        f"FROM {_REJ_TABLE} GROUP BY line_byte_position",
        {"quote_errors": list(_QUOTE_ERRORS)},
    )
    return one_row(con, "SELECT count(*) FROM _assay_csv_rej0")[0] > 0


def _place_rejects(con: duckdb.DuckDBPyConnection, file: InputFile) -> None:
    """Each rejected record on its physical line, in `_assay_csv_rej`.

    DuckDB gives each rejected record's byte offset; the physical lines' byte offsets map it to a
    line. A broken quote refuses the file: RFC 4180 cannot say where the next record starts.
    """
    crlf, bom = _line_endings(file)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _assay_csv_offsets AS SELECT rowid + 1 AS ln, $bom + coalesce(sum(coalesce(len, 0) + $eol) "
        f"OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start FROM {_LINES}",
        {"bom": 3 if bom else 0, "eol": 2 if crlf else 1},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _assay_csv_rej AS SELECT o.ln, r.message, r.record, r.quote_error, "
        f"{nb_span('r.record')} AS span FROM (SELECT *, pos - 1 + lead AS start FROM _assay_csv_rej0) r "
        "ASOF JOIN _assay_csv_offsets o ON r.start >= o.start"
    )
    broken = con.execute("SELECT ln, message FROM _assay_csv_rej WHERE quote_error ORDER BY ln LIMIT 1").fetchone()
    con.execute("DROP TABLE IF EXISTS _assay_csv_rej0")
    con.execute("DROP TABLE IF EXISTS _assay_csv_offsets")
    if broken:
        raise SourceError(
            f"{file.name} line {broken[0]}: {broken[1]} A quote is unbalanced, so RFC 4180 cannot tell where the next record "
            "starts; fix the file, or set csv: {quote: ''} if quotes in it are plain text"
        )


def _line_endings(file: InputFile) -> tuple[bool, bool]:
    with open_bytes(file.path) as fh:
        head = fh.read(1 << 16)
    cut = head.find(b"\n")
    return cut > 0 and head[cut - 1 : cut] == b"\r", head.startswith(b"\xef\xbb\xbf")


def _ident(name: str) -> str:
    return name.replace('"', '""')
