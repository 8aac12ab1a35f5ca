# Digest — everything a fresh Debian machine needs, in two commands: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils \
        zbar-tools docker-compose chromium chromium-driver wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PG_HOST ?= 127.0.0.1
REDIS_HOST ?= 127.0.0.1
# Test processes: the suite is CPU-bound, so one per core.
TEST_WORKERS ?= 2
DEMO_ENV := DJANGO_SETTINGS_MODULE=digest.settings.local

.PHONY: help demo test lint bench debs venv services demo-data clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

debs:  ## install the Debian packages the project needs (only the missing ones)
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); }
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	@touch $@

venv: $(STAMP)  ## create the virtualenv with every Python dependency

services:  ## start PostgreSQL and Redis when installed but stopped; fail clearly when unreachable
	@pg_isready -q -h $(PG_HOST) -p 5432 || { \
	  echo "PostgreSQL is not answering on $(PG_HOST):5432; starting it"; \
	  command -v pg_ctlcluster >/dev/null && $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 20); do pg_isready -q -h $(PG_HOST) -p 5432 && break; sleep 0.5; done; }
	@pg_isready -q -h $(PG_HOST) -p 5432 || { echo "ERROR: PostgreSQL is not reachable on $(PG_HOST):5432 (user postgres). Install and start it, or set DATABASE_URL." >&2; exit 1; }
	@redis-cli -h $(REDIS_HOST) ping >/dev/null 2>&1 || { \
	  echo "Redis is not answering on $(REDIS_HOST):6379; starting it"; \
	  command -v redis-server >/dev/null && $(SUDO) redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
	  for i in $$(seq 20); do redis-cli -h $(REDIS_HOST) ping >/dev/null 2>&1 && break; sleep 0.5; done; }
	@redis-cli -h $(REDIS_HOST) ping >/dev/null 2>&1 || { echo "ERROR: Redis is not reachable on $(REDIS_HOST):6379. Install and start it, or set REDIS_URL." >&2; exit 1; }

lint: venv  ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

test: debs venv services lint  ## the whole test suite on PostgreSQL and Redis
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist load

demo-data: debs venv
	mkdir -p var
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py setup_demo samples/digest-2024-16
	$(DEMO_ENV) $(PY) manage.py render_issue --total 179 --format pdf --output out/
	$(DEMO_ENV) $(PY) manage.py render_issue --total 179 --format wechat --output out/wechat/

demo: demo-data  ## embedded demo: import the sample issue, create demo logins, serve the admin
	@echo "Serving the admin at http://127.0.0.1:8000/admin/ (Ctrl-C to stop)"
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

bench: debs venv services  ## run every benchmark under bench/
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:  ## remove the embedded database, media and generated files
	rm -rf var out
