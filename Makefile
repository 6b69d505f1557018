# The two commands at the top of the README are `make demo` and `make test`.
# Everything else here is a step they share.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: demo test setup stop lint bench-load clean-test-db

# The venv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	scripts/ensure-system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	$(BIN)/explorer db fetch

## Set everything up, start Neo4j, load the demo seed and serve the app.
## Other ports: make demo PORT=5017 EXPLORER_NEO4J_BOLT_PORT=7817 (see the README).
demo: setup
	$(BIN)/explorer db start
	$(BIN)/explorer seed load seed/demo
	$(BIN)/explorer users demo
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl-C stops the app; 'make stop' stops Neo4j)"
	@echo "Sign in with a username and password above, then the code from"
	@echo "'$(if $(EXPLORER_NEO4J_BOLT_PORT),EXPLORER_NEO4J_BOLT_PORT=$(EXPLORER_NEO4J_BOLT_PORT) )$(if $(EXPLORER_NEO4J_HOME),EXPLORER_NEO4J_HOME=$(EXPLORER_NEO4J_HOME) )$(BIN)/explorer users totp USERNAME' (or an authenticator app holding the secret)."
	EXPLORER_LOCAL_HTTP=1 $(BIN)/explorer serve --host $(HOST) --port $(PORT)

## Set everything up (Chromium too) and run every test; the tests start and stop their own Neo4j.
## CI runs this: every test, slow ones too, and hypothesis's `ci` profile (1,000 examples;
## HYPOTHESIS_PROFILE=dev make test runs a few). The slowest tests are listed at the end.
test: setup
	scripts/ensure-system-packages --browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest --durations=15

## Stop the local Neo4j (its data is kept in var/neo4j).
stop:
	$(BIN)/explorer db stop

lint:
	$(BIN)/ruff check .
	$(BIN)/mypy
