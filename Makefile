# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# `make run` installs what running needs; `make test` adds the development tools
# (pytest, hypothesis, ruff, mypy, Playwright, schemathesis) to the same environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
PG_STAMP := $(VENV)/.installed-pg
STAMP := $(VENV)/.installed

.PHONY: run run-pg stop-pg tour test lint typecheck pytest bench clean tables mutants

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(PG_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $(RUN_STAMP) $(PG_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(RUN_STAMP) $(PG_STAMP) $(STAMP)

SAMPLES := src/cablekit/samples
RUN_DB := cablekit.db
PORT ?= 8000
CABLEKIT := $(BIN)/cablekit

# Ingest the bundled sample (older versions first, as they were released), then serve it.
run: $(RUN_STAMP)
	$(CABLEKIT) ingest --db $(RUN_DB) --release 2010-12 $(SAMPLES)/archive/versions.jsonl.xz
	$(CABLEKIT) ingest --db $(RUN_DB) --release 2011-04 $(SAMPLES)/archive/cables.tar.xz \
		$(SAMPLES)/09OTTAWA278.scraped.md $(SAMPLES)/09PARIS1007.txt $(SAMPLES)/09BEIJING22.html
	$(CABLEKIT) stats --db $(RUN_DB)
	$(CABLEKIT) serve --db $(RUN_DB) --host 127.0.0.1 --port $(PORT)

# The same on PostgreSQL: a local cluster in $(PG_DIR)/ (made on first use, left running;
# `make stop-pg` stops it) on 127.0.0.1:$(PG_PORT), its database `cablekit` at $(PG_URL)
# holds the record; this server is a search node with its index in $(PG_INDEX).
# Needs PostgreSQL's server programs (Debian: apt-get install postgresql).
PG_DIR := .pg
PG_PORT ?= 5433
PG_URL := postgresql://cablekit@127.0.0.1:$(PG_PORT)/cablekit
PG_INDEX := cablekit-index.db
PGCLUSTER := PGPORT=$(PG_PORT) $(BIN)/python tools/pgcluster.py
PG := --db $(PG_URL) --index $(PG_INDEX)

run-pg: $(PG_STAMP)
	$(PGCLUSTER) start $(PG_DIR)
	$(CABLEKIT) ingest $(PG) --release 2010-12 $(SAMPLES)/archive/versions.jsonl.xz
	$(CABLEKIT) ingest $(PG) --release 2011-04 $(SAMPLES)/archive/cables.tar.xz \
		$(SAMPLES)/09OTTAWA278.scraped.md $(SAMPLES)/09PARIS1007.txt $(SAMPLES)/09BEIJING22.html
	$(CABLEKIT) stats $(PG)
	$(CABLEKIT) serve $(PG) --host 127.0.0.1 --port $(PORT)

stop-pg: | $(BIN)/python
	$(PGCLUSTER) stop $(PG_DIR)

# The command-line tour of the same archive (what `make run` did before it served).
tour: $(RUN_STAMP)
	$(CABLEKIT) search --db $(RUN_DB) '"polar prism" OR (tag:PREL AND from:OTTAWA)' --limit 3
	$(CABLEKIT) search --db $(RUN_DB) 'nuclea* AND NOT class:UNCLASSIFIED' --limit 2 --facets --timeline
	$(CABLEKIT) search --db $(RUN_DB) 'citedby:09OTTAWA662' --sort oldest
	$(CABLEKIT) versions --db $(RUN_DB) 09CAIRO746

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# Mutation testing of markings.py and access/ (docs/security.md, "Mutation testing"):
# slow (an hour or more on two cores), so not part of `make test`. MUTANTS narrows it
# to a module, e.g. make mutants MUTANTS='cablekit.access.policy*'.
MUTANTS ?=
mutants: $(STAMP)
	$(BIN)/mutmut run --max-children 1 $(MUTANTS)
	$(BIN)/mutmut results

bench: $(STAMP)
	$(BIN)/python bench/parse_bench.py

# Rebuild the packaged reference tables from ../shared/data/reference.
tables: $(STAMP)
	$(BIN)/python tools/build_tables.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache mutants
