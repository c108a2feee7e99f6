# segur-bench: the two set-up commands are `make demo` and `make test` (see README.md).
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint setup setup-demo clean constraints

## demo: starts the simulators and the reference LGO with the default world (Ctrl-C stops).
demo: setup-demo
	$(BIN)/segur-bench demo

## test: every check CI runs: lint, types, unit and integration tests.
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/segur-bench rem coverage --theme INS
	$(BIN)/python scripts/run_tests.py

setup:
	@scripts/bootstrap.sh test

setup-demo:
	@scripts/bootstrap.sh demo

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache

## constraints: re-pins every installed Python dependency (after adding one to pyproject.toml).
constraints:
	$(BIN)/pip freeze --exclude-editable | grep -v '^segur-bench' > constraints.tmp
	{ echo "# Pinned versions for a reproducible install (pip install -c constraints.txt). Regenerate: make constraints"; cat constraints.tmp; } > constraints.txt
	rm -f constraints.tmp
