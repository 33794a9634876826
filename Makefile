# The two commands a new user needs: `make demo` and `make test`. Both set up everything first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PYTEST_ARGS ?=

.PHONY: install demo test lint services bench bench-10m bench-compare bench-match clean

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

demo: install
	$(UV) run assay demo --out demo-output

services:
	bash scripts/ensure-services.sh

lint: install
	$(UV) run ruff check src tests benchmarks
	$(UV) run ruff format --check src tests benchmarks
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

# bench_compare: `compare:` against a hand-written DuckDB full-outer-join diff and datacompy on Polars (docs/benchmarks.md).
bench-compare: install
	$(UV) run python benchmarks/bench_compare.py --rows 1000000 --repeat 3

# bench_match: match passes on two 1M-asset inventories, precision and recall against the planted truth.
bench-match: install
	$(UV) run python benchmarks/bench_match.py --rows 1000000

clean:
	rm -rf demo-output .pytest_cache .ruff_cache
