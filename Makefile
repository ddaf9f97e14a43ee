# OneWindow: `make run` serves the platform with demo data; `make test` runs the suite
# on SQLite and, when PostgreSQL answers, again on PostgreSQL.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/onewindow
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint bench system-deps install messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) system-deps messages

system-deps:
	@bash scripts/system-deps.sh

messages: $(STAMP)
	@cd src/onewindow && ../../$(BIN)/onewindow compilemessages >/dev/null

run: install
	$(BIN)/onewindow migrate --noinput
	$(BIN)/onewindow demo --history
	@$(BIN)/onewindow worker > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/onewindow serve --port $(PORT)

# ruff; modules within 450 lines; no import loops; mypy (django-stubs) with a baseline that only shrinks
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_module_size.py
	$(BIN)/python scripts/check_imports.py
	$(BIN)/python scripts/mypy_baseline.py

test: install lint test-sqlite test-postgres

test-sqlite: $(STAMP)
	DATABASE_URL= $(BIN)/pytest --create-db

# Runs when PostgreSQL answers (CI machines and developer machines of this project run
# one); set PG_URL to point elsewhere. Set REQUIRE_POSTGRES=1 to fail when it does not.
test-postgres: $(STAMP)
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest --create-db; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then echo "PostgreSQL not reachable at $(PG_URL)"; exit 1; \
	else echo "PostgreSQL not reachable at $(PG_URL): skipped the PostgreSQL run"; fi

bench: $(STAMP)
	@bash scripts/system-deps.sh bench
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var/*.sqlite3* var/audit staticfiles
