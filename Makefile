# LaborBridge — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lock migrate messages run lint format bench worker clean e2e up

$(PY):
	$(PYTHON) -m venv $(VENV)

LOCK := requirements/lock.txt

# The exact versions CI tested (the lock, dev tools included), then the project itself without
# resolving anything again. Re-runs when the lock or pyproject.toml changes.
$(STAMP): $(LOCK) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The matching engine's Numba kernels compiled once into their on-disk cache (beside the
# sources, in matching/engine/__pycache__, ignored by git), so no round pays ~25 s of
# compilation; again only when an engine source changed (Numba keys its cache on each file).
WARM_STAMP := $(VENV)/.engine-warm-stamp
$(WARM_STAMP): $(STAMP) $(wildcard matching/engine/*.py) scripts/warm_engine.py
	$(PY) scripts/warm_engine.py
	touch $(WARM_STAMP)

install: $(STAMP) $(WARM_STAMP)

## make lock [LOCK_ARGS=--upgrade]: re-compile requirements/lock.txt from pyproject.toml after
## changing a dependency (keeps the pins that still fit; --upgrade takes the newest in range)
lock: install
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --extra dev \
	  --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	  --no-emit-trusted-host --output-file $(LOCK) $(LOCK_ARGS) pyproject.toml

messages: install
	$(PY) manage.py compilemessages --ignore=.venv -v 0

migrate: install
	$(PY) manage.py migrate --no-input -v 0

## make demo [PORT=8000] [HOST=127.0.0.1]: virtualenv, install, migrate, reference + demo data
## with travellers (round answered, trips planned), site on $(HOST):$(PORT)
demo: install messages migrate
	$(PY) manage.py demo --with-travellers --port $(PORT) --host $(HOST)
	LABORBRIDGE_EAGER_THREADS=true $(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite; PostgreSQL and Redis are used when they answer (always in CI).
## TEST_WORKERS=2 (default) runs it on two pytest-xdist workers, each with its own test database
## and Redis database, a test file per worker at a time; TEST_WORKERS=1 runs it in one process.
TEST_WORKERS ?= 2
XDIST := $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile -p tests.xdist_services,)
test: install messages
	@eval "$$($(PY) scripts/test_services.py)" && \
	  echo "Test services: database=$${DATABASE_URL:-sqlite (PostgreSQL not answering)} redis=$${REDIS_URL:-none (Redis not answering)}" && \
	  $(PY) -m pytest $(XDIST) $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing." >&2; exit 1; fi; exit $$status

e2e: install messages
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench: every benchmark under bench/, printing its figures
bench: install
	@failed=""; for script in bench/bench_*.py; do echo "== $$script"; \
	  $(PY) $$script || failed="$$failed $$script"; done; \
	  if [ -n "$$failed" ]; then echo "Targets missed (or a benchmark failed) in:$$failed" >&2; exit 1; fi

## make up [PORT=8000] [UP_ARGS="-c matching=2"]: the production shape on one machine — the
## Procfile's gunicorn, Celery worker (default queue), Celery worker (matching queue) and beat
## under honcho, against DATABASE_URL and REDIS_URL (from the environment or .env); Ctrl-C stops all
up: install messages
	@test -n "$${REDIS_URL:-$$(grep -s '^REDIS_URL=.' .env)}" || { echo "make up: set REDIS_URL (and DATABASE_URL) in the environment or .env — see .env.example" >&2; exit 1; }
	$(VENV)/bin/honcho run $(PY) manage.py migrate --no-input -v 0
	$(VENV)/bin/honcho run $(PY) manage.py collectstatic --no-input -v 0
	$(VENV)/bin/honcho start -f Procfile -p $(PORT) $(UP_ARGS)

worker: install
	$(VENV)/bin/celery -A laborbridge worker -Q celery,matching -l info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .mypy_cache
