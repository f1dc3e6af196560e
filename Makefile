# Two commands a newcomer needs: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= sqlite:///$(CURDIR)/instance/demo.sqlite
PORT ?= 5000

.PHONY: demo test install lint typecheck clean translations pango system-packages

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

# The designer's modeler (bpmn-js, properties panel, bpmnlint) bundled by esbuild; after
# $(VENDOR), whose copy step empties the vendor folder.
DESIGNER := webapp/static/vendor/designer.bundle.js
$(DESIGNER): $(VENDOR) scripts/build-designer.mjs $(wildcard webapp/assets/*)
	npm run build-designer

# Page translations (see README, "Languages"): the .po files are the source and are committed;
# the .mo files are built here and ignored by git. The app runs without them (Norwegian only).
I18N := webapp/translations
CATALOGS := $(patsubst %.po,%.mo,$(wildcard $(I18N)/*/LC_MESSAGES/messages.po))

$(CATALOGS): %.mo: %.po | $(BIN)/ipflow
	$(BIN)/pybabel compile --statistics -d $(I18N)

install: pango $(BIN)/ipflow $(VENDOR) $(DESIGNER) $(CATALOGS)

# WeasyPrint (letters and the plan as PDF) lays text out with Debian's pango: installed with
# apt-get when missing and the user may, otherwise a clear message says what to install.
pango:
	sh scripts/system-packages.sh pango

# After changing texts in webapp/*.py or webapp/templates/: collect them again, merge them into
# every language's .po (new texts empty, changed ones "fuzzy"), then translate and `make install`.
translations: $(BIN)/ipflow
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k to_translate --project=ipflow \
		--ignore-dirs='.* ._ node_modules' -o $(I18N)/messages.pot .
	$(BIN)/pybabel update -i $(I18N)/messages.pot -d $(I18N) --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d $(I18N)

demo: install
	mkdir -p instance
	DATABASE_URL=$(DEMO_DB) $(BIN)/ipflow init --demo
	# gunicorn, with the worker beside it (timers fire, letters reach outbox/); Ctrl-C stops both
	DATABASE_URL=$(DEMO_DB) $(BIN)/ipflow serve --port $(PORT) --with-worker

lint: install
	$(BIN)/ruff check .

# mypy --strict over engine, handlers, processes, webapp and cli (settings in pyproject.toml).
typecheck: install
	$(BIN)/mypy

# Chromium for the browser tests and WeasyPrint's Pango, with apt-get when they are missing and
# the user may install (root or passwordless sudo); otherwise it stops with the command to run.
system-packages:
	sh scripts/system-packages.sh

test: system-packages lint typecheck
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache
