# PlanPortal — the two commands a newcomer needs:
#   make run    set everything up and serve the app at http://127.0.0.1:$(PORT)/ (SQLite, no broker)
#   make test   set everything up and run the test suite
# Everything installs into .venv/ at the project root.

PYTHON ?= python3
PORT ?= 8000
# pytest-xdist processes for `make test` (one per core by default).
TEST_WORKERS ?= auto
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test migrate demo bench bench-quick loadtest worker beat messages check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo "PlanPortal: http://127.0.0.1:$(PORT)/  (demo users in README.md)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Every benchmark (import, rollups, pages under 20 clients through gunicorn, load) on PostgreSQL and Redis on
# 127.0.0.1, each in its own database planportal_bench_*: writes bench/results.json and the table in
# bench/README.md (about 11 minutes). bench-quick: the same at about a hundredth of the scale in under
# 3 minutes, for CI; it fails only when a benchmark crashes, never on a figure.
bench: install
	$(PY) -m bench

bench-quick: install
	$(PY) -m bench --quick

# 60 s of 20 simulated users against gunicorn + PostgreSQL + Redis + a Celery worker, all on loopback
# (its own database planportal_loadtest, Redis db 14); fails on a 5xx, a lost edit or stale totals.
# Figures in bench/README.md.
loadtest: install
	$(PY) -m bench.loadtest

worker: install
	$(VENV)/bin/celery -A planportal worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A planportal beat --loglevel=INFO

# Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore='.venv/*' --ignore='var/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

check: install
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  ALLOWED_HOSTS=planportal.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
