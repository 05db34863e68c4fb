# PoG Fund: `make run` runs the whole fund with simulated traders; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench setup clean-var

# runfund --prepare migrates and runs seed_demo once Redis is up (embedded or REDIS_URL), then starts everything.
run: $(VENV)/.base-installed
	$(PY) manage.py runfund --prepare

test: $(VENV)/.dev-installed
	$(PY) scripts/run_tests.py $(ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.dev-installed
	$(PY) manage.py bench $(NAME)

setup: $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

clean-var:
	rm -rf var/
