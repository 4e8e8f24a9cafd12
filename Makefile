# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install services stop-services migrate demo lint check audit bench load clean-var

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools

# Re-install only when the declared dependencies change.
$(STAMP): pyproject.toml $(wildcard package-lock.json) | $(PY)
	$(PY) -m pip install --quiet -e ".[embedded,test]"
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	@touch $(STAMP)

install: $(STAMP)

services: install
	$(PY) manage.py services start

stop-services: install
	$(PY) manage.py services stop

migrate: services
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) -m config.run

# Browser tests drive Debian's Chromium through Playwright; never a browser download of its own.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi

lint: install
	$(VENV)/bin/ruff check .

check: install services
	APP_ENV=test $(PY) manage.py makemigrations --check --dry-run
	APP_ENV=test $(PY) manage.py check

# Known vulnerabilities in the installed dependencies, from PyPI's advisory data (tools/audit.py: the
# release's JSON, or the project's when the index is a mirror and the installed release is the latest). A found
# vulnerability fails the build; packages that could not be audited are listed; an unreachable index is
# reported loudly but does not fail (`make test` never needs the outside network). CI adds --strict: a reachable
# index that audited nothing fails. To accept one, add `--ignore-vuln ID` here with the reason beside it.
AUDIT_IGNORE :=
AUDIT_ARGS :=
audit: install
	$(PY) -m tools.audit $(AUDIT_IGNORE) $(AUDIT_ARGS)

test: install /usr/bin/chromium lint check audit
	APP_ENV=test $(VENV)/bin/pytest

# The scale benchmark runs on a database of its own (never the dev or test one) on the embedded server:
# `manage.py bench` creates, migrates and fills it (about 4 minutes) only when it is empty, then measures
# the API, the pages, the similar-claim lookup, bench_analysis and bench_extraction into docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:$(or $(EMBEDDED_PG_PORT),54329)/bench_1m

bench: migrate
	DEBUG=0 DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench --write docs/benchmarks.md
	DEBUG=0 DATABASE_URL=$(subst /bench_1m,/bench_ingest,$(BENCH_DATABASE_URL)) EMBEDDED_REDIS_DB=15 $(PY) manage.py bench_ingestion --write docs/benchmarks.md

# Load at bench scale while ingestion runs (tools/load/run.py, docs/reliability.md "Load"): a
# database of its own (bench_load_1m: created and filled by generate_data the first time, about 5 minutes and
# 3 GB; never the bench, test or dev one), gunicorn, a worker, a local news site; bounded in time and requests.
LOAD_CLAIMS ?= 1000000
LOAD_ARGS ?= --threads 6 --duration 60 --max-requests 20000 --articles 30
load: services
	$(PY) -m tools.load.run --claims $(LOAD_CLAIMS) $(LOAD_ARGS)

clean-var: stop-services
	rm -rf var/
