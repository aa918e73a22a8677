# The two commands of the README. Each installs what it needs, then runs.
#   make serve   # install, then serve API + PWA on ./tangopass.db
#   make test    # install (Python, npm and system packages), then the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: serve test deps test-deps system-deps screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

deps: $(BIN)/python
	$(PIP) -e .

system-deps:
	@sh .ci/system-deps.sh

test-deps: $(BIN)/python system-deps
	$(PIP) -e '.[test]'
	@if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; fi

serve: deps
	$(BIN)/tangopass serve $(ARGS)

test: test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh the README's images (docs/screenshots/) with the screenshot test itself.
screenshots: test-deps
	TANGOPASS_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_screenshots.py
