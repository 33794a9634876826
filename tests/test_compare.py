"""Two-table compare against datacompy: its documented example, its rules, and datacompy itself on
generated data; then the same through `assay run`, the warehouse and the report on the demo."""

from __future__ import annotations

import io
import math
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import datacompy
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from assay.engine import Engine
from assay.errors import ConfigError
from assay.project.compare_models import CompareSpec
from assay.project.load import load_project
from assay.reconcile.compare import TableComparison, compare_tables
from assay.warehouse import schema as w
from assay.warehouse.history import visible
from assay.workspace import Workspace
from tests.engine_param import ENGINES, connected, project_engine

# datacompy's README / user guide example, with the report it documents.
DOC_LEFT = """acct_id,dollar_amt,name,float_fld,date_fld
10000001234,123.45,George Maharis,14530.1555,2017-01-01
10000001235,0.45,Michael Bluth,1,2017-01-01
10000001236,1345,George Bluth,,2017-01-01
10000001237,123456,Bob Loblaw,345.12,2017-01-01
10000001239,1.05,Lucille Bluth,,2017-01-01
"""
DOC_RIGHT = """acct_id,dollar_amt,name,float_fld
10000001234,123.4,George Michael Bluth,14530.155
10000001235,0.45,Michael Bluth,
10000001236,1345,George Bluth,1
10000001237,123456,Robert Loblaw,345.12
10000001238,1.05,Loose Seal Bluth,111
"""


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from connected(request.param, tmp_path_factory)


def load(engine: Engine, name: str, df: pd.DataFrame) -> None:
    """A frame as a loaded source table: its rows in frame order, as ingest numbers them."""
    df = df.copy()
    df["_file"] = "data.csv"
    df["_row"] = np.arange(1, len(df) + 1)
    engine.create_table(name, pa.Table.from_pandas(df, preserve_index=False))


def run(engine: Engine, left: pd.DataFrame, right: pd.DataFrame, **spec: object) -> TableComparison:
    load(engine, "src_left", left)
    load(engine, "src_right", right)
    s = CompareSpec.model_validate({"left": "left", "right": "right", **spec})
    return compare_tables(engine, "c", s, engine.table("src_left"), engine.table("src_right"))


def by_column(result: TableComparison) -> dict[str, dict]:
    return {c["column_name"]: c for c in result.columns}


# --- datacompy's documented example -------------------------------------------------------


def test_the_documented_example_gives_the_documented_report(engine: Engine) -> None:
    r = run(engine, pd.read_csv(io.StringIO(DOC_LEFT)), pd.read_csv(io.StringIO(DOC_RIGHT)), join=["acct_id"], abs_tol=0.0001)
    s = r.summary
    # "Number of rows in common: 4 / in original but not in new: 1 / in new but not in original: 1"
    assert (s["in_both"], s["only_left"], s["only_right"]) == (4, 1, 1)
    # "rows with some compared columns unequal: 4 / with all compared columns equal: 0"
    assert (s["rows_unequal"], s["rows_equal"]) == (4, 0)
    # "columns compared with some values unequal: 3 / Total number of values which compare unequal: 6"
    assert (s["columns_unequal"], s["values_unequal"]) == (3, 6)
    cols = by_column(r)
    assert set(cols) == {"dollar_amt", "name", "float_fld"}  # date_fld is only in the left table
    # The documented table: dollar_amt 1 / 0.0500 / 0, float_fld 3 / 0.0005 / 2, name 2 / 0 / 0.
    assert (cols["dollar_amt"]["unequal"], round(cols["dollar_amt"]["max_diff"], 4), cols["dollar_amt"]["null_diff"]) == (1, 0.05, 0)
    assert (cols["float_fld"]["unequal"], round(cols["float_fld"]["max_diff"], 4), cols["float_fld"]["null_diff"]) == (3, 0.0005, 2)
    assert (cols["name"]["unequal"], cols["name"]["null_diff"]) == (2, 0)
    mism = engine.to_arrow(r.mismatches).to_pylist()
    assert {(m["column_name"], m["key"]) for m in mism} == {
        ("dollar_amt", "10000001234"),
        ("name", "10000001234"),
        ("name", "10000001237"),
        ("float_fld", "10000001234"),
        ("float_fld", "10000001235"),
        ("float_fld", "10000001236"),
    }
    bob = next(m for m in mism if m["key"] == "10000001237")
    assert (bob["left_value"], bob["right_value"], bob["difference"]) == ("Bob Loblaw", "Robert Loblaw", None)
    unmatched = {(u["side"], u["key"], u["row_number"]) for u in engine.to_arrow(r.unmatched).to_pylist()}
    assert unmatched == {("left", "10000001239", 5), ("right", "10000001238", 5)}


# --- the rules, one at a time ---------------------------------------------------------------


def frame(keys: list, values: list, name: str = "v") -> pd.DataFrame:
    return pd.DataFrame({"k": keys, name: values})


@pytest.mark.parametrize(
    ("a", "b", "abs_tol", "rel_tol", "equal"),
    [
        (10.0, 10.5, 0.5, 0.0, True),  # |a-b| = abs exactly
        (10.0, 10.5000001, 0.5, 0.0, False),
        (110.0, 100.0, 0.0, 0.1, True),  # 10 <= 0.1·|b| = 10
        (100.0, 110.0, 0.0, 0.1, True),  # 10 <= 0.1·110 = 11
        (100.0, 90.0, 0.0, 0.1, False),  # 10 > 0.1·90 = 9: the tolerance scales with the right value
        (100.0, 90.0, 1.0, 0.1, True),  # 10 <= 1 + 9
        (-5.0, 5.0, 9.0, 0.0, False),
        (1.0, 1.0, 0.0, 0.0, True),
    ],
)
def test_tolerance_is_abs_plus_rel_times_right_value(
    engine: Engine, a: float, b: float, abs_tol: float, rel_tol: float, equal: bool
) -> None:
    r = run(engine, frame([1], [a]), frame([1], [b]), join="k", abs_tol=abs_tol, rel_tol=rel_tol)
    assert r.summary["rows_equal"] == int(equal)
    assert bool(np.isclose(a, b, atol=abs_tol, rtol=rel_tol)) == equal  # numpy, datacompy's rule, agrees


def test_per_column_tolerance_overrides_the_default(engine: Engine) -> None:
    left = pd.DataFrame({"k": [1], "x": [1.0], "y": [1.0]})
    right = pd.DataFrame({"k": [1], "x": [1.05], "y": [1.05]})
    r = run(engine, left, right, join="k", abs_tol=0.1, tolerance={"y": {"abs": 0.01}})
    cols = by_column(r)
    assert (cols["x"]["unequal"], cols["y"]["unequal"]) == (0, 1)
    assert (cols["y"]["abs_tol"], cols["x"]["abs_tol"]) == (0.01, 0.1)


def test_nulls_equal_each_other_unless_told_not_to(engine: Engine) -> None:
    left = frame([1, 2, 3], [None, None, "a"])
    right = frame([1, 2, 3], [None, "b", None])
    r = run(engine, left, right, join="k")
    assert (r.summary["rows_equal"], by_column(r)["v"]["null_diff"]) == (1, 2)
    r = run(engine, left, right, join="k", nulls_equal=False)
    assert r.summary["rows_equal"] == 0


def test_case_and_space_options(engine: Engine) -> None:
    left = frame(["a", " b", "c"], ["Web-01", "  x  ", "Y"])
    right = frame(["a", "b", "c"], ["web-01", "x", "y"])
    plain = run(engine, left, right, join="k")
    assert (plain.summary["in_both"], plain.summary["rows_equal"]) == (2, 0)  # " b" does not join "b"
    spaces = run(engine, left, right, join="k", ignore_spaces=True)
    assert (spaces.summary["in_both"], spaces.summary["rows_equal"]) == (3, 1)
    both = run(engine, left, right, join="k", ignore_spaces=True, ignore_case=True)
    assert both.summary["rows_equal"] == 3
    # As in datacompy, ignore_case leaves join columns alone.
    keyed = run(engine, frame(["A"], [1]), frame(["a"], [1]), join="k", ignore_case=True)
    assert keyed.summary["in_both"] == 0


def test_null_join_keys_match_each_other(engine: Engine) -> None:
    r = run(engine, frame([None, "a"], [1, 2]), frame([None, "b"], [1, 2]), join="k")
    assert (r.summary["in_both"], r.summary["only_left"], r.summary["only_right"]) == (1, 1, 1)
    keys = {u["key"] for u in engine.to_arrow(r.unmatched).to_pylist()}
    assert keys == {"a", "b"}


def test_duplicate_keys_match_by_order_within_the_key_and_are_reported(engine: Engine) -> None:
    left = frame([1, 1, 1, 2], [10, 11, 12, 20])
    right = frame([1, 1, 2, 2], [10, 99, 20, 21])
    r = run(engine, left, right, join="k")
    s = r.summary
    assert (s["left_duplicate_rows"], s["right_duplicate_rows"]) == (3, 4)
    # key 1: (10,10) equal, (11,99) unequal, 12 left only; key 2: (20,20) equal, 21 right only.
    assert (s["in_both"], s["rows_equal"], s["only_left"], s["only_right"]) == (3, 2, 1, 1)
    mism = engine.to_arrow(r.mismatches).to_pylist()
    assert [(m["key"], m["key_index"], m["left_value"], m["right_value"]) for m in mism] == [("1", 1, "11", "99")]
    unmatched = {(u["side"], u["key"], u["key_index"]) for u in engine.to_arrow(r.unmatched).to_pylist()}
    assert unmatched == {("left", "1", 2), ("right", "2", 1)}


def test_repeated_keys_without_a_partner_are_reported_too(engine: Engine) -> None:
    # No key repeats on both sides, so the first join already is datacompy's answer; the repeats
    # sit among the one-sided rows and are still counted and numbered.
    left, right = frame([1, 1, 2], [10, 11, 20]), frame([2, 3, 3], [20, 30, 31])
    r = run(engine, left, right, join="k")
    s = r.summary
    assert (s["left_duplicate_rows"], s["right_duplicate_rows"], s["in_both"], s["rows_equal"]) == (2, 2, 1, 1)
    unmatched = {(u["side"], u["key"], u["key_index"], u["row_number"]) for u in engine.to_arrow(r.unmatched).to_pylist()}
    assert unmatched == {("left", "1", 0, 1), ("left", "1", 1, 2), ("right", "3", 0, 2), ("right", "3", 1, 3)}
    theirs = datacompy.PandasCompare(left, right, join_columns="k")
    assert (len(theirs.df1_unq_rows), len(theirs.df2_unq_rows), len(theirs.intersect_rows)) == (2, 2, 1)


def test_multi_column_keys_and_listed_columns(engine: Engine) -> None:
    left = pd.DataFrame({"a": ["x", "x", "y"], "b": [1, 2, 1], "v": [1, 2, 3], "w": ["p", "q", "r"]})
    right = pd.DataFrame({"a": ["x", "x", "y"], "b": [1, 2, 2], "v": [1, 5, 3], "w": ["z", "z", "z"]})
    r = run(engine, left, right, join=["a", "b"], columns=["v"])
    assert [c["column_name"] for c in r.columns] == ["v"]
    assert (r.summary["in_both"], r.summary["rows_equal"], r.summary["only_left"]) == (2, 1, 1)
    assert {u["key"] for u in engine.to_arrow(r.unmatched).to_pylist()} == {"y|1", "y|2"}


# --- datacompy itself on generated data ------------------------------------------------------


def generated(seed: int, n: int, dup: bool, null_keys: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two tables with rows on one side only, near and far numeric differences, case and space
    noise, nulls on either side, and (optionally) repeated and null keys."""
    rng = np.random.default_rng(seed)
    keys = rng.choice(np.arange(n * 3), size=n, replace=False)
    if dup:
        keys[rng.random(n) < 0.15] = keys[0]
        keys[rng.random(n) < 0.1] = keys[1]
    words = np.array(["alpha", "Beta", "gamma", " delta", "Epsilon ", "zeta"])
    left = pd.DataFrame(
        {
            "k": keys,
            "amount": np.round(rng.normal(100, 30, n), 2),
            "count": rng.integers(0, 5, n),
            "label": rng.choice(words, n),
        }
    )
    left["k"] = left["k"].astype("Int64")
    if null_keys:
        left.loc[rng.random(n) < 0.05, "k"] = pd.NA
    right = left.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    right = right.iloc[: int(n * 0.9)].copy()  # 10% only on the left
    extra = left.sample(n=n // 20, random_state=seed + 1).copy()
    extra["k"] = extra["k"] + n * 10  # 5% only on the right
    right = pd.concat([right, extra], ignore_index=True)
    m = len(right)
    right["amount"] = right["amount"] + np.where(rng.random(m) < 0.2, rng.choice([0.005, 0.02, 0.5, 3.0], m), 0.0)
    right.loc[rng.random(m) < 0.05, "count"] += 1
    flip = rng.random(m) < 0.2
    right.loc[flip, "label"] = right.loc[flip, "label"].str.upper()
    pad = rng.random(m) < 0.1
    right.loc[pad, "label"] = "  " + right.loc[pad, "label"]
    right.loc[rng.random(m) < 0.05, "amount"] = np.nan
    left.loc[rng.random(n) < 0.05, "label"] = None
    right.loc[rng.random(m) < 0.05, "label"] = None
    right["count"] = right["count"].astype("Int64")
    # Duplicate keys are matched by order within the key: shuffle the right side only when keys are unique.
    return left, right if not dup else right.sort_values("k", kind="stable").reset_index(drop=True)


CONFIGS = [
    pytest.param(1, {}, False, False, id="exact"),
    pytest.param(2, {"abs_tol": 0.01}, False, False, id="abs"),
    pytest.param(3, {"abs_tol": 0.001, "rel_tol": 0.001}, False, False, id="abs+rel"),
    pytest.param(4, {"ignore_case": True}, False, False, id="case"),
    pytest.param(5, {"ignore_spaces": True, "ignore_case": True, "rel_tol": 0.01}, False, False, id="spaces+case"),
    pytest.param(6, {"abs_tol": 0.02}, True, False, id="duplicates"),
    pytest.param(7, {"ignore_spaces": True}, True, True, id="duplicates+null-keys"),
]


@pytest.mark.parametrize(("seed", "options", "dup", "null_keys"), CONFIGS)
def test_counts_and_mismatches_agree_with_datacompy(engine: Engine, seed: int, options: dict, dup: bool, null_keys: bool) -> None:
    left, right = generated(seed, 400, dup, null_keys)
    ours = run(engine, left, right, join="k", **options)
    theirs = datacompy.PandasCompare(left.copy(), right.copy(), join_columns="k", **options)
    s = ours.summary
    assert s["only_left"] == len(theirs.df1_unq_rows)
    assert s["only_right"] == len(theirs.df2_unq_rows)
    assert s["in_both"] == len(theirs.intersect_rows)
    assert s["rows_equal"] == theirs.count_matching_rows()
    assert s["left_duplicate_rows"] > 0 if dup else s["left_duplicate_rows"] == 0
    stats = {c["column"]: c for c in theirs.column_stats}
    for col in ours.columns:
        expected = stats[col["column_name"]]
        assert col["unequal"] == expected["unequal_cnt"], col["column_name"]
        assert col["null_diff"] == expected["null_diff"], col["column_name"]
        assert math.isclose(col["max_diff"] or 0.0, expected["max_diff"] or 0.0, abs_tol=1e-9), col["column_name"]
    assert s["values_unequal"] == sum(c["unequal_cnt"] for c in theirs.column_stats)
    if not dup:  # without an order column datacompy's intersect rows keep the join key: compare the pairs
        expected_pairs = {
            (str(k) if not pd.isna(k) else "<null>", col)
            for col in ("amount", "count", "label")
            for k in theirs.intersect_rows.loc[~theirs.intersect_rows[f"{col}_match"], "k"]
        }
        rows = engine.to_arrow(ours.mismatches).to_pylist()
        assert {(r["key"], r["column_name"]) for r in rows} == expected_pairs


# --- configuration errors --------------------------------------------------------------------

BASE = """\
name: t
sources:
  a: {path: a.csv, entity: ticket, columns: {id: id, cost: {from: cost, type: float64}, who: who}}
  b: {path: b.csv, entity: ticket, columns: {id: id, cost: {from: cost, type: int64}, who: {from: who, type: date}}}
compare:
  ab:
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    left: a\n    right: nope\n    join: id\n", "compare.ab.right: unknown source 'nope'"),
        ("    left: a\n    right: b\n    join: [idx]\n", "compare.ab.join.0: left source 'a' has no column 'idx'"),
        ("    left: a\n    right: b\n    join: id\n", "compare.ab.columns: column 'who' is string on the left and date on the right"),
        (
            "    left: a\n    right: b\n    join: id\n    columns: [cost, id]\n",
            "compare.ab.columns: join columns are not compared: id",
        ),
        ("    left: a\n    right: b\n    join: id\n    columns: [cost]\n    tolerance: {id: {abs: 1}}\n", "'id' is not a compared column"),
        ("    left: a\n    right: b\n    join: id\n    columns: [cost]\n    abs_tol: -1\n", "compare.ab.abs_tol"),
        ("    left: a\n    right: b\n    join: id\n    columns: [cost]\n    tolerance: {cost: {abs: 1, pct: 2}}\n", "pct"),
        ("    left: a\n    right: b\n    join: id\n    columns: [cost]\n    ignore_whitespace: true\n", "ignore_whitespace"),
    ],
)
def test_configuration_errors_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "a.csv").write_text("id,cost,who\n")
    (tmp_path / "b.csv").write_text("id,cost,who\n")
    (tmp_path / "assay.yml").write_text(BASE + body)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    assert message in str(info.value)


def test_mixed_numeric_types_compare_numerically(engine: Engine) -> None:
    r = run(engine, frame([1, 2], [1, 2]), frame([1, 2], [1.0, 2.5]), join="k")
    col = by_column(r)["v"]
    assert (col["unequal"], col["max_diff"], col["left_type"], col["right_type"]) == (1, 0.5, "int64", "float64")


# --- end to end on the demo: assay run, the warehouse, the report -----------------------------


@pytest.fixture(scope="module")
def demo_run(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory, truth: dict) -> Workspace:
    project = tmp_path_factory.mktemp("compare") / "demo"
    shutil.copytree(demo_dir, project)
    ws = Workspace.open(project)
    ws.run(date.fromisoformat(truth["as_of_dates"][-1]))
    yield ws
    ws.close()


def test_demo_compare_agrees_with_datacompy_on_the_loaded_sources(demo_run: Workspace) -> None:
    engine = demo_run.engine
    spec = demo_run.project.compare["cmdb_vs_cloud"]
    frames = []
    for source in (spec.left, spec.right):
        t = engine.table(f"src_{source}")
        frames.append(engine.to_arrow(t.order_by(["_file", "_row"]).select(*spec.join, *spec.columns)).to_pandas())
    theirs = datacompy.PandasCompare(*frames, join_columns=spec.join, ignore_case=spec.ignore_case, ignore_spaces=spec.ignore_spaces)

    summary = engine.to_arrow(engine.table(w.COMPARE_SUMMARY)).to_pylist()
    assert len(summary) == 1
    s = summary[0]
    assert (s["only_left"], s["only_right"]) == (len(theirs.df1_unq_rows), len(theirs.df2_unq_rows))
    assert (s["in_both"], s["rows_equal"]) == (len(theirs.intersect_rows), theirs.count_matching_rows())
    assert s["rows_unequal"] > 0 and s["only_left"] > 0 and s["only_right"] > 0, "the demo inventories should disagree"
    stats = {c["column"]: c["unequal_cnt"] for c in theirs.column_stats}
    columns = engine.to_arrow(engine.table(w.COMPARE_COLUMNS)).to_pylist()
    assert {c["column_name"]: c["unequal"] for c in columns} == {c: stats[c] for c in spec.columns}
    mismatches = engine.table(w.COMPARE_MISMATCHES)
    assert engine.scalar(mismatches.count()) == s["values_unequal"]
    unmatched = engine.table(w.COMPARE_UNMATCHED)
    assert engine.scalar(unmatched.count()) == s["only_left"] + s["only_right"]


def test_demo_report_shows_the_comparison(demo_run: Workspace, tmp_path: Path) -> None:
    from html.parser import HTMLParser

    out = demo_run.report(tmp_path / "report.html")
    html = out.read_text()
    s = demo_run.engine.to_arrow(demo_run.engine.table(w.COMPARE_SUMMARY)).to_pylist()[0]

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.depth, self.cells, self.tag = False, 0, [], ""

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "section" and ("id", "comparisons") in attrs:
                self.inside = True
            self.tag = tag

        def handle_endtag(self, tag: str) -> None:
            if tag == "section":
                self.inside = False

        def handle_data(self, data: str) -> None:
            if self.inside and self.tag == "td" and data.strip():
                self.cells.append(data.strip())

    parser = Cells()
    parser.feed(html)
    assert 'href="#comparisons"' in html
    first_row = parser.cells[:7]
    expected = [s[k] for k in ("left_rows", "right_rows", "only_left", "only_right", "in_both", "rows_equal", "rows_unequal")]
    assert [int(c.replace(",", "")) for c in first_row] == expected


TINY = """\
name: cmp
sources:
  ledger: {path: ledger.csv, entity: ticket, columns: {acct: acct, amount: {from: amount, type: float64}, who: who}}
  billing: {path: billing.csv, entity: ticket, columns: {acct: acct, amount: {from: amount, type: float64}, who: who}}
compare:
  money:
    left: ledger
    right: billing
    join: acct
    tolerance: {amount: {abs: 0.01}}
    ignore_case: true
"""


@pytest.mark.parametrize("kind", ENGINES)
def test_compare_through_assay_run_on_every_engine(tmp_path: Path, kind: str) -> None:
    (tmp_path / "assay.yml").write_text(TINY)
    (tmp_path / "ledger.csv").write_text("acct,amount,who\nA,10.00,Ann\nB,20.00,bob\nB,21.00,bob\nC,30.00,cy\n")
    (tmp_path / "billing.csv").write_text("acct,amount,who\nA,10.005,ANN\nB,20.50,bob\nD,40.00,dee\n")
    with project_engine(kind) as url:
        ws = Workspace.open(tmp_path, url)
        try:
            check_tiny_run(ws)
        finally:
            ws.close()


def check_tiny_run(ws: Workspace) -> None:
    ws.run(date(2026, 11, 20))
    e = ws.engine
    (s,) = e.to_arrow(visible(e, w.COMPARE_SUMMARY)).to_pylist()
    # A equal within 0.01 and by case; B#0 20 vs 20.5 unequal; B#1 and C only left; D only right.
    assert (s["in_both"], s["rows_equal"], s["only_left"], s["only_right"], s["left_duplicate_rows"]) == (2, 1, 2, 1, 2)
    mism = e.to_arrow(e.table(w.COMPARE_MISMATCHES)).to_pylist()
    assert [(m["key"], m["key_index"], m["column_name"], m["difference"]) for m in mism] == [("B", 0, "amount", 0.5)]
    unmatched = {(u["side"], u["key"], u["key_index"], u["row_number"]) for u in e.to_arrow(e.table(w.COMPARE_UNMATCHED)).to_pylist()}
    assert unmatched == {("left", "B", 1, 4), ("left", "C", 0, 5), ("right", "D", 0, 4)}
