# Hearthside: `make run` serves the demo site, `make test` runs the tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test e2e faults audit bench bench-insights install install-dev demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The admin's links (and the password banner) point at where `run` serves.
demo: export WAGTAILADMIN_BASE_URL ?= http://$(HOST):$(PORT)
demo: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_demo
	@# Index the demo now, quietly, so the worker's log starts clean.
	$(BIN)/python manage.py db_worker --batch -v0
	$(BIN)/python manage.py ensure_admin

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	@$(BIN)/python manage.py db_worker & worker=$$!; \
	$(BIN)/python manage.py syndication_tick --loop 60 & tick=$$!; \
	trap 'kill $$worker $$tick 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(BIN)/python -m pytest -m "not e2e and not faults" $(PYTEST_ARGS)

e2e: install-dev
	$(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# A 20,000-member send broken on purpose (tests/faults/): PostgreSQL, Redis and root to restart PostgreSQL.
faults: install-dev
	$(BIN)/python -m pytest -m faults tests/faults $(PYTEST_ARGS)

# Known advisories in the pinned requirements; exceptions are documented in docs/operations.md.
audit: install-dev
	$(BIN)/pip-audit -r requirements.txt --strict --progress-spinner off

# W1-W5 (bench/run.py): bench/results/<date>.json and one table.
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-insights: install-dev
	$(BIN)/python bench/insights/run.py $(BENCH_ARGS)

clean:
	rm -rf var static_collected media
