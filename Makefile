# Dudao. `make run` for the demo, `make test` for the suite. Both set up what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
# `make serve` and `make worker` (production; see README "Production"). Read from the environment.
HOST ?= 127.0.0.1
WEB_CONCURRENCY ?= 2
WORKER_CONCURRENCY ?= 2
CELERY_BEAT_SCHEDULE_FILE ?= /tmp/dudao-celerybeat-schedule
export DJANGO_SETTINGS_MODULE := dudao.settings

.PHONY: run test setup setup-test frontend messages migrate demo lint format bench bench-scale clean serve worker

$(VENV)/.base: requirements/base.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --quiet --upgrade pip
	$(PIP) install --quiet --quiet -r requirements/base.txt
	touch $@

$(VENV)/.test: $(VENV)/.base requirements/test.txt
	$(PIP) install --quiet --quiet -r requirements/test.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: node_modules/.installed

messages: $(VENV)/.base
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

setup: $(VENV)/.base frontend messages
	mkdir -p staticfiles media

migrate: setup
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_policy_defaults

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "Dudao is running at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# Production web server: migrations and reference data first, static files
# collected for whitenoise, then gunicorn in the foreground (exec: it gets the signals).
serve: migrate
	$(PY) manage.py collectstatic --no-input -v0
	@echo "Dudao (gunicorn, $(WEB_CONCURRENCY) workers) on http://$(HOST):$(PORT)/"
	exec $(VENV)/bin/gunicorn dudao.wsgi:application --workers $(WEB_CONCURRENCY) --bind $(HOST):$(PORT) \
	  --access-logfile - --timeout 120

# Background jobs: one Celery worker with beat embedded (-B), so run exactly one
# `make worker` per installation (beat must not run twice).
worker: setup
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) for make worker."; exit 1; }
	exec $(VENV)/bin/celery -A dudao worker -B --loglevel=INFO --concurrency=$(WORKER_CONCURRENCY) \
	  --schedule=$(CELERY_BEAT_SCHEDULE_FILE)

setup-test: $(VENV)/.test frontend messages
	mkdir -p staticfiles media
	@command -v chromium >/dev/null || { echo "Installing Debian's Chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "Could not install chromium: browser tests will fail"; }
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the benchmark's smoke test"; \
	  (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || echo "Could not install wrk: the benchmark smoke test will be skipped"; }

test: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -n $${PYTEST_WORKERS:-2} --dist worksteal

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup-test
	$(PY) bench/run.py

# National-scale load benchmark on PostgreSQL (bench/README.md): builds
# dudao_scale_<N> once per size by COPY, then gunicorn + wrk over every list.
# BENCH_SIZES=10000 for a quick run; BENCH_ARGS="--duration 5" and the like pass through.
BENCH_SIZES ?= 10000,1000000
comma := ,
bench-scale: setup
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the load benchmark"; \
	  apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/scale.py --compare $(BENCH_SIZES) --explain $(BENCH_ARGS)
	$(PY) bench/export.py --people $(lastword $(subst $(comma), ,$(BENCH_SIZES)))

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
