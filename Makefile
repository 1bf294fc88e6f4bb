# ASIM: `make run` serves the embedded demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/asim
# The worker tests flush the tests' Redis database: keep it off the default DB 0.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
PYTEST_ARGS ?=
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	CELERY_TASK_ALWAYS_EAGER=true LOG_LEVEL=WARNING

.PHONY: run test install install-dev lint worker beat bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --exercises
	@echo "ASIM is starting on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(VENV)/bin/uvicorn asim.asgi:application --host 127.0.0.1 --port $(PORT) --lifespan off --ws-per-message-deflate false

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-dev
	@$(PY) tests/services_up.py $(TEST_DATABASE_URL) $(TEST_REDIS_URL)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# no database needed to compare models with migrations
	$(TEST_ENV) DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A asim worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A asim beat --loglevel=INFO

bench: install-dev
	@$(PY) tests/services_up.py $(TEST_DATABASE_URL) $(TEST_REDIS_URL)
	@for script in bench/*.py; do $(TEST_ENV) $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
