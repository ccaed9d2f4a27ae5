# Two commands: `make run` (the portal with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test prepare lint bench clean

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

# The whole suite, set up by itself: scripts/test-host.sh installs (as root, with apt) or
# names what the suite needs (Chromium, dovecot, PostgreSQL, Redis, the shared corpora),
# starts PostgreSQL and Redis when they are down, and says which ones the suite uses
# (DATABASE_URL / REDIS_URL when set, else the local ones on 127.0.0.1).
test: install-test
	$(BIN)/python manage.py compile_translations
	@urls="$$(bash scripts/test-host.sh)" || exit 1; \
	eval "export $$(echo $$urls)"; \
	echo "make test: $$urls"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

# Every benchmark in its quick form (each under a minute), each ending with its JSON line;
# bench/README.md says how to run the full ones.
BENCHES := search_quality search_speed bot_quality sla_sweep email_ingest console chat_load
bench: $(VENV)/.installed-bench
	$(BIN)/python manage.py compile_translations
	@urls="$$(bash scripts/test-host.sh)" || exit 1; \
	eval "export $$(echo $$urls)"; \
	for name in $(BENCHES); do \
	  echo "== bench/$$name.py --quick"; \
	  $(BIN)/python bench/$$name.py --quick || exit 1; \
	done

clean:
	rm -rf $(VENV) var
