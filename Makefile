# Aftersales — `make run` serves the product, `make test` passes the suite. Nothing else by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PORT
# The English catalogue, compiled from the committed .po (the .mo is built, never committed).
TRANSLATIONS := aftersales/locale/en/LC_MESSAGES/django.mo

.DEFAULT_GOAL := help

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP) ## Create the virtualenv and install the pinned dependencies

$(TRANSLATIONS): aftersales/locale/en/LC_MESSAGES/django.po $(STAMP)
	DJANGO_SETTINGS_MODULE=aftersales.config.settings_test $(BIN)/python manage.py compiletranslations

messages: $(STAMP) ## Re-extract the interface texts into the English catalogue (then translate the new entries)
	cd aftersales && DJANGO_SETTINGS_MODULE=aftersales.config.settings_test $(CURDIR)/$(BIN)/python $(CURDIR)/manage.py \
	  makemessages --locale en --add-location file --no-obsolete --no-wrap --ignore tests --ignore browser_tests

run: $(STAMP) $(TRANSLATIONS) ## Serve the product with demo data on http://127.0.0.1:$(PORT) (SQLite)
	@mkdir -p var
	@scripts/ensure-debian-packages.sh
	$(BIN)/aftersales run

lint: $(STAMP) $(TRANSLATIONS) ## ruff, mypy, migrations and OpenAPI drift checks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check aftersales/calendars/engine.py aftersales/cases/clocks.py
	$(BIN)/mypy aftersales
	DJANGO_SETTINGS_MODULE=aftersales.config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=aftersales.config.settings_test $(BIN)/python manage.py export_openapi_schema --api aftersales.config.api.api --indent 2 --sorted > var/openapi.json
	diff -u docs/openapi.json var/openapi.json || (echo "OpenAPI schema drift: run 'make openapi' and commit docs/openapi.json"; exit 1)

openapi: $(STAMP) ## Regenerate the committed OpenAPI schema (docs/openapi.json)
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=aftersales.config.settings_test $(BIN)/python manage.py export_openapi_schema --api aftersales.config.api.api --indent 2 --sorted > docs/openapi.json

test-sqlite: $(STAMP) $(TRANSLATIONS) ## The suite on SQLite (without the browser tests)
	@mkdir -p var
	scripts/ensure-debian-packages.sh
	$(BIN)/pytest -q --ignore=aftersales/browser_tests

test-postgres: $(STAMP) $(TRANSLATIONS) ## The suite on a private PostgreSQL server (installed and started if absent)
	@mkdir -p var
	scripts/ensure-debian-packages.sh
	DATABASE_URL=$$(scripts/test-postgres.sh) $(BIN)/pytest -q --ignore=aftersales/browser_tests

test-browser: $(STAMP) $(TRANSLATIONS) ## The pages in headless Chromium (installed if absent); screenshots in var/screenshots
	@mkdir -p var
	scripts/ensure-chromium.sh
	scripts/ensure-debian-packages.sh
	status=0; $(BIN)/pytest -q aftersales/browser_tests || status=$$?; \
	  echo "Screenshots: $(CURDIR)/var/screenshots"; exit $$status

WEB ?= 2
WORKERS ?= 2
production: $(STAMP) $(TRANSLATIONS) ## The production setup on PostgreSQL: $(WEB) web + $(WORKERS) worker processes, demo data (Ctrl-C stops)
	@mkdir -p var
	scripts/ensure-debian-packages.sh
	scripts/run-production.sh --web $(WEB) --workers $(WORKERS) --demo

test: $(STAMP) ## Lint, then the suite on SQLite, the pages in Chromium, the suite on PostgreSQL
	@mkdir -p var
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory test-postgres

load-test: $(STAMP) $(TRANSLATIONS) ## The production setup (2 web + 2 workers, PostgreSQL) under 10 minutes of mixed load, then the exactly-once checks
	@mkdir -p var
	scripts/ensure-debian-packages.sh
	$(BIN)/python bench/load_production.py --minutes $${MINUTES:-10}

bench: $(STAMP) ## Run the benchmarks (see bench/README.md)
	$(BIN)/python bench/run_all.py

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var

.PHONY: help install run production lint openapi test test-sqlite test-browser test-postgres bench load-test clean messages
