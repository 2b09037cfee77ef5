# dxshare — the two commands a newcomer needs:
#   make run    set up and serve the portal with demo data at http://127.0.0.1:8000
#   make test   install the test tools and run the whole suite (PostgreSQL and Redis, see README)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The test suite talks to real servers. Override these to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/3
PYTEST_ARGS ?=

BENCH_ARGS ?=

.PHONY: run setup test check lint format messages browser-deps bench bench-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

.env:
	cp .env.example .env

setup: $(VENV)/.runtime .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

run: setup
	@echo "Serving dxshare at http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Chromium and a Japanese font for the browser tests, from the system's packages (Debian/Ubuntu).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null; \
	  else \
	    sudo sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk' >/dev/null; \
	  fi; \
	fi

test: $(VENV)/.dev browser-deps
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

# wrk (the load generator of the benchmark), from the system's packages.
bench-deps:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null; \
	  else \
	    sudo sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk' >/dev/null; \
	  fi; \
	fi

# The page benchmark: every consultation page at 2,000 and 200,000 requests under load (docs/performance.md).
# Needs PostgreSQL and Redis as for `make test`; takes about half an hour. Quick look: BENCH_ARGS="--skip-large".
bench: $(VENV)/.dev bench-deps
	$(BIN)/python scripts/bench.py --database-url $(TEST_DATABASE_URL) --redis-url $(BENCH_REDIS_URL) $(BENCH_ARGS)

# Gates that CI runs besides the tests.
check: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py check --fail-level WARNING
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=portal.example.jp REDIS_URL=$(TEST_REDIS_URL) DATABASE_URL=$(TEST_DATABASE_URL) \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.dev
	DEBUG=true $(BIN)/python manage.py makemessages -l ja -l en --no-obsolete \
	  --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var --ignore=tests
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
