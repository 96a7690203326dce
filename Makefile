# Luna's two everyday commands:
#   make run    set everything up and start the platform on http://127.0.0.1:8000
#   make test   set everything up and run the test suite
# (`make coverage` runs the same suite measuring coverage, at least 85 % of src/luna.)
# Needs Python 3.11+ (and Node 20 once the web app is built here) on Debian or Ubuntu.

SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(or $(shell command -v uv 2>/dev/null),$(HOME)/.local/bin/uv)
PYTEST_ARGS ?=
# The suite spreads over every core (pytest-xdist); each worker has its own databases.
PYTEST_WORKERS ?= auto

.PHONY: run test coverage setup web lint format env-example openapi clean

run: setup web
	$(UV) run luna serve

test: setup web
	$(UV) run pytest -n $(PYTEST_WORKERS) --durations=25 $(PYTEST_ARGS)

# Coverage traces every line and every greenlet switch of SQLAlchemy's async layer, which
# makes the suite more than twice as slow; it is measured on demand, not on every run.
coverage: setup web
	$(UV) run pytest -n $(PYTEST_WORKERS) --cov --cov-report=term --cov-report=xml $(PYTEST_ARGS)

setup: $(UV)
	$(UV) sync --frozen --compile-bytecode

# The web app, built into the Python package so that `luna serve` serves it.
web:
	@if [ -f web/package.json ]; then \
	  cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build; \
	fi

$(HOME)/.local/bin/uv:
	@echo "Installing uv $(UV_VERSION) for this user"
	python3 -m pip install --user --quiet "uv==$(UV_VERSION)" \
	  || python3 -m pip install --user --quiet --break-system-packages "uv==$(UV_VERSION)"

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	LUNA_DATA_DIR=$$(mktemp -d) $(UV) run luna db check
	@if [ -f web/package.json ]; then cd web && npm run lint && npm test; fi

format: setup
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

# After changing the API: refresh the committed OpenAPI document and the web app's client.
openapi: setup
	$(UV) run luna openapi export --output web/openapi.json
	cd web && npm run api:generate

env-example: setup
	$(UV) run luna env example --output .env.example

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .coverage coverage.xml htmlcov \
	  web/node_modules src/luna/web/static/app
