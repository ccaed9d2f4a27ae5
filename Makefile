# Two commands: `make run` (the portal with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test prepare lint bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Compile messages, migrate, demo data: everything `run` needs, each step idempotent.
prepare: install
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo

run: prepare
	$(BIN)/python manage.py run_portal --host $(HOST) --port $(PORT)

# The whole suite needs PostgreSQL and Redis (server subprocesses, row-lock races, the
# channel layer across processes): use the local ones when DATABASE_URL / REDIS_URL are
# not set and they answer on 127.0.0.1, as on the project's machines and in CI.
LOCAL_DATABASE_URL := postgres://postgres@127.0.0.1:5432/beacon
LOCAL_REDIS_URL := redis://127.0.0.1:6379/0

test: install-test
	$(BIN)/python manage.py compile_translations
	@db="$${DATABASE_URL:-}"; redis="$${REDIS_URL:-}"; \
	if [ -z "$$db" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then db=$(LOCAL_DATABASE_URL); fi; \
	if [ -z "$$redis" ] && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then redis=$(LOCAL_REDIS_URL); fi; \
	echo "make test: DATABASE_URL=$${db:-(embedded SQLite)} REDIS_URL=$${redis:-(in-memory)}"; \
	DATABASE_URL="$$db" REDIS_URL="$$redis" $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

bench-quick: install-test
	$(BIN)/python bench/search_quality.py --quick
	$(BIN)/python bench/search_speed.py --quick

clean:
	rm -rf $(VENV) var
