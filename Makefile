# MiniMeter: `make demo` runs the pipeline on the embedded stack; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DATA_DIR ?= .minimeter

.PHONY: venv demo up test unit e2e lint typecheck format clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) -m local demo --json --data-dir $(DATA_DIR)

up: venv
	$(PY) -m local up --data-dir $(DATA_DIR)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

test: lint typecheck
	$(PY) -m pytest

unit: venv
	$(PY) -m pytest tests/unit tests/handlers -q

e2e: venv
	$(PY) -m pytest -m e2e -q

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
