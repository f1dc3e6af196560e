# Two commands a newcomer needs: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= sqlite:///$(CURDIR)/instance/demo.sqlite
PORT ?= 5000

.PHONY: demo test install lint clean

$(BIN)/ipflow: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

VENDOR := webapp/static/vendor/bpmn-navigated-viewer.production.min.js

# bpmn-js comes from the npm registry (pinned in package-lock.json), never from a CDN.
$(VENDOR): package-lock.json scripts/copy-vendor.mjs
	npm ci --ignore-scripts --no-audit --no-fund
	npm run vendor

install: $(BIN)/ipflow $(VENDOR)

demo: install
	mkdir -p instance
	DATABASE_URL=$(DEMO_DB) $(BIN)/ipflow init --demo
	DATABASE_URL=$(DEMO_DB) $(BIN)/ipflow serve --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache
