# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install services stop-services migrate demo lint check bench clean-var

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

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

test: install /usr/bin/chromium lint check
	APP_ENV=test $(VENV)/bin/pytest

bench: migrate
	@for cmd in bench_extraction bench_analysis; do \
		if $(PY) manage.py help $$cmd >/dev/null 2>&1; then $(PY) manage.py $$cmd || exit 1; fi; \
	done

clean-var: stop-services
	rm -rf var/
