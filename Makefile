# Two commands for a fresh machine (Python 3.11+ and make):
#   make run    serve the API on http://127.0.0.1:8000 with demo data
#   make test   run the whole test suite
# Each installs what it needs into .venv from the lock file.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
PYTEST_ARGS ?=

.PHONY: run test install openapi lint clean bench test-tools

test-tools:  # chromium and the Node tooling the test command uses
	bash scripts/test-tools.sh

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --quiet --python $(BIN)/python
	touch $@

install: $(VENV)/.synced

run: install
	$(BIN)/python -m service.cli dev

test: install
	bash scripts/test-tools.sh
	BILIN_ENV=test $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: install  # seeds bilin_bench, serves 2 workers, drives them with wrk; writes docs/benchmarks.md
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get install -y -q wrk; } || true
	$(BIN)/python -m bench.run

openapi: install
	$(BIN)/python -m service.cli openapi > schema/openapi.yaml

lint: install
	$(BIN)/ruff check api domain service store usecases devservices worker tests

clean:
	rm -rf $(VENV) .data
