# Two commands for a fresh machine: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

AUDIT_VENV := .venv-audit

.PHONY: run test install lint format check clean bench lock lock-check audit loadtest validators

# requirements.lock pins every package (runtime and dev) to what CI tests and audits.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The Nu Html Checker (vnu.jar, run with Java), axe-core and Lighthouse, from the npm
# registry at the versions .ci/node/package-lock.json pins; the HTML, accessibility and
# Lighthouse tests use them (Lighthouse drives the system's Chromium).
# --ignore-scripts: vnu-jar's postinstall would download a Java of its own; we use the system's.
NODE_TOOLS := .ci/node/node_modules/.installed
$(NODE_TOOLS): .ci/node/package.json .ci/node/package-lock.json
	npm ci --prefix .ci/node --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_TOOLS)

## Install the HTML checker, axe-core and Lighthouse (tests/config/test_html_validity.py, test_browser_a11y.py, test_lighthouse.py)
validators: $(NODE_TOOLS)

## Serve the site with demo content on SQLite at http://127.0.0.1:$(PORT), with a job worker
run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py demo
# One worker runs the background jobs beside the web server (docs/DEPLOY.md) and stops
# with it (a background command ignores Ctrl-C in make's shell: the trap stops it).
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py db_worker --no-reload --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite runs in parallel (pytest-xdist): one worker per CPU and one more, at least 3, each
# on its own test database (pytest-django appends the worker id: test_papershelf_gw0, ...),
# copies of one database migrated once per run (tests/database_template.py). loadgroup
# hands out tests one by one (no long module holding one worker up at the end), except
# those sharing a module-, class- or session-scoped setup (servers, clusters, demo data):
# tests/conftest.py groups them, so that setup is made once. Serial:
# `make test TEST_WORKERS=0`; one file: `.venv/bin/pytest tests/papers/test_x.py`.
# The one more: many tests wait (for a server, a job worker, Chromium, a subprocess) with
# their worker's core idle; with one worker per CPU the 2-core machine sat idle 79 s of core
# time in a 5:41 PostgreSQL run, with one more 16 s, and the run took 5:01
# (docs/PERFORMANCE.md, "The suite at the end of the fourteenth session").
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); n=$$((n + 1)); [ $$n -lt 3 ] && n=3; echo $$n)
PYTEST_ARGS ?=

## Run the whole suite (SQLite, or PostgreSQL when DATABASE_URL says so)
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

## Re-pin requirements.lock to the venv after changing a dependency in pyproject.toml
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip freeze --exclude-editable > requirements.lock
	touch $(STAMP)

## Fail if the installed packages differ from requirements.lock
lock-check: install
	@$(BIN)/python -m pip freeze --exclude-editable | diff -u requirements.lock - \
		|| { echo "requirements.lock is stale: run 'make lock' and commit it."; exit 1; }

## Known vulnerabilities in requirements.lock (pip-audit in its own venv)
audit:
	test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) \
		&& $(AUDIT_VENV)/bin/python -m pip install --quiet "pip-audit>=2.7,<3"; }
	$(PYTHON) .ci/audit.py $(AUDIT_VENV)/bin/pip-audit requirements.lock

## 5 minutes of mixed traffic against gunicorn + PostgreSQL + 100,000 papers (docs/PERFORMANCE.md)
loadtest: install
	bash bench/loadtest.sh

clean:
	rm -rf $(VENV) $(AUDIT_VENV) staticfiles .ci/node/node_modules

## Benchmark (docs/PERFORMANCE.md): make bench [BENCH_SIZES=1000,10000] [BENCH_DBS=sqlite]
BENCH_SIZES ?= 1000,10000,100000
BENCH_DBS ?= sqlite,postgresql
# Then the author + venue facets and the author merge at 100,000 papers on PostgreSQL
# (bench/facets.py, its own database, reused when it holds that many papers).
BENCH_FACETS_ARGS ?= --reuse
bench: install
	$(BIN)/python bench/bench.py --sizes $(BENCH_SIZES) --dbs $(BENCH_DBS) $(BENCH_ARGS)
ifneq (,$(findstring postgresql,$(BENCH_DBS)))
	$(BIN)/python bench/facets.py $(BENCH_FACETS_ARGS)
endif
