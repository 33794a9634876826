# The two commands a new user needs: `make demo` and `make test`. Both set up everything first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PYTEST_ARGS ?=

.PHONY: install demo test lint services bench bench-10m bench-checks bench-compare bench-match conformance clean

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

demo: install
	$(UV) run assay demo --out demo-output

services:
	bash scripts/ensure-services.sh

lint: install
	$(UV) run ruff check src tests benchmarks conformance
	$(UV) run ruff format --check src tests benchmarks conformance
	$(UV) run mypy

test: install services lint
	$(UV) run pytest -m "" $(PYTEST_ARGS)

# bench_run: `assay run` against a hand-written DuckDB pipeline (docs/benchmarks.md); exits 1 if the answers differ.
bench: install
	$(UV) run python benchmarks/bench_normalize.py --rows 10000000
	$(UV) run python benchmarks/bench_run.py --rows 1000000
	$(UV) run python benchmarks/bench_compare.py --rows 1000000 --repeat 3

bench-10m: install
	$(UV) run python benchmarks/bench_run.py --rows 10000000

# Eight checks: assay against one hand-written DuckDB query and Great Expectations 1.24 (docs/checks.md); exits 1 if counts differ.
bench-checks: install
	$(UV) run --group bench python benchmarks/bench_checks.py --rows 1000000 10000000 --gx

# Great Expectations' own test cases against assay's check kinds (docs/checks.md); exits 1 if a mapped case fails.
# ENGINE=postgres://... or ENGINE=pyspark://local[2] runs them on another engine.
conformance: install
	$(UV) run python conformance/gx_runner.py $(if $(ENGINE),--engine $(ENGINE))

# bench_compare: `compare:` against a hand-written DuckDB full-outer-join diff and datacompy on Polars (docs/benchmarks.md).
bench-compare: install
	$(UV) run python benchmarks/bench_compare.py --rows 1000000 --repeat 3

# bench_match: match passes on two 1M-asset inventories, precision and recall against the planted truth.
bench-match: install
	$(UV) run python benchmarks/bench_match.py --rows 1000000

clean:
	rm -rf demo-output .pytest_cache .ruff_cache
