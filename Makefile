# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE := linli.settings

.PHONY: demo serve test setup system-deps venv assets messages migrate lint bench clean lock

setup: venv assets messages

system-deps:
	@bash scripts/system-deps.sh

venv: $(VENV)/.installed

# Installed from the lock file, every package pinned and checked against its hash.
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q --require-hashes --no-deps -r requirements-dev.lock
	touch $@

# Re-resolve the lock files after requirements*.txt changed (pins kept where they still fit);
# `make lock UPGRADE=--upgrade` moves every package to its newest allowed release.
lock: venv
	$(VENV)/bin/uv pip compile --universal --python-version 3.11 --generate-hashes $(UPGRADE) --quiet requirements.txt -o requirements.lock
	$(VENV)/bin/uv pip compile --universal --python-version 3.11 --generate-hashes $(UPGRADE) --quiet requirements-dev.txt -o requirements-dev.lock

assets: node_modules/.package-lock.json
	mkdir -p linli/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js linli/static/vendor/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js linli/static/vendor/echarts.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

messages: venv
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate -v 0

demo: system-deps migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@bash scripts/run-demo.sh

# The production configuration (gunicorn, DEBUG off, worker and scans): scripts/serve.sh.
serve: system-deps setup
	@bash scripts/serve.sh

test: system-deps setup
	@bash scripts/test.sh

lint: venv
	$(VENV)/bin/ruff check linli bench tests scripts
	$(VENV)/bin/ruff format --check linli bench tests scripts
	$(VENV)/bin/lint-imports --no-cache

bench: setup
	@bash scripts/bench.sh

clean:
	rm -rf $(VENV) node_modules linli/static/vendor data
