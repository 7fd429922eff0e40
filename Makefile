# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench clean tables

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/cablekit parse --output text $(filter-out %/README.md,$(wildcard src/cablekit/samples/*))

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/parse_bench.py

# Rebuild the packaged reference tables from ../shared/data/reference.
tables: $(STAMP)
	$(BIN)/python tools/build_tables.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
