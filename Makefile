# Familien: `make run` starts the demo, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# The demo runs on the embedded defaults unless the environment says otherwise.
export FAMILIEN_MODE ?= embedded

.PHONY: run test install install-dev messages compile-messages lock lint check clean-data \
	audit backup restore faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(VENV)/.installed $@

install: $(VENV)/.installed compile-messages
install-dev: $(VENV)/.installed-dev compile-messages

compile-messages:
	$(BIN)/pybabel --quiet compile -d locale -D django

## Start web server, Celery worker and Celery beat on the embedded defaults (Ctrl-C stops all).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Familien: http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) $(BIN)/honcho start -f Procfile

## Run the whole test suite (Postgres and Redis when DATABASE_URL / CELERY_BROKER_URL point there).
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

LOCK_FLAGS := --quiet --strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links

## Refresh the lock files from pyproject.toml (needs network access to the package index).
lock: install-dev
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --allow-unsafe --extra dev -c requirements.lock \
		-o requirements-dev.lock pyproject.toml

## Extract translatable strings into locale/*/LC_MESSAGES/django.po (needs GNU gettext).
messages: install-dev
	$(BIN)/python manage.py makemessages --locale da --no-obsolete \
		--ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'

clean-data:
	rm -rf data

## Load test (issue 8 item 4): locust against gunicorn with production settings on the
## current DATABASE_URL; 100 users with think time, then saturation. LOADTEST_ARGS adds options.
.PHONY: loadtest
loadtest: install-dev
	$(BIN)/python manage.py loadtest $(LOADTEST_ARGS)

## Known vulnerabilities in the installed packages (pip-audit; needs the vulnerability service).
audit: install-dev
	$(BIN)/python .ci/audit_dependencies.py

## Back up the database named by DATABASE_URL (SQLite by default) and the media folder into
## backups/ (BACKUP_DIR); `make restore` restores the newest (or DUMP=…, MEDIA=…) into it.
BACKUP_DIR ?= backups
backup: install
	$(BIN)/python manage.py backup --to $(BACKUP_DIR)

restore: install
	$(BIN)/python manage.py restore $(DUMP) --from $(BACKUP_DIR) $(if $(MEDIA),--media $(MEDIA))
	$(BIN)/python manage.py migrate --noinput

## Fault tests with real Redis, Celery worker and beat processes and a fake sms gateway and
## mail server (PostgreSQL: DATABASE_URL); prints the fault table and writes it to
## data/faults-report.md. The fast tier also runs in `make test`.
faults: install-dev
	$(BIN)/python -m pytest -m "fault or slow_fault" tests/faults -v $(PYTEST_ARGS)
