# The README's two commands: `make run` and `make test`. Both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Debian packages: WeasyPrint's pango for certificates; pg_dump and pg_restore for backups on
# PostgreSQL (docs/backup.md); for the tests, Chromium for the browser tests, poppler
# (pdftotext) and zbar (QR codes) for checking the PDFs.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 gettext postgresql-client
TEST_PACKAGES := chromium poppler-utils zbar-tools
# The official TERYT register and boundaries, where ../shared is beside the project.
SHARED_DATA ?= ../shared/data
export TERYT_CSV ?= $(wildcard $(SHARED_DATA)/teryt/TERC_Urzedowy_2025-11-18.csv)
export TERYT_XML ?= $(wildcard $(SHARED_DATA)/teryt/TERC_Urzedowy_2025-11-18.xml)
export BOUNDARIES_GEOJSON ?= $(wildcard $(SHARED_DATA)/geo/powiaty_teryt.geojson)
export VOIVODESHIP_BOUNDARIES_GEOJSON ?= $(wildcard $(SHARED_DATA)/geo/wojewodztwa_teryt_from_powiaty.geojson)

.PHONY: run test install lint messages audit bench

run: export DEBUG ?= 1
# The address the registry is served at names itself in the QR codes and the API's links.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(RUN_PACKAGES)"
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@# The background worker (database tasks) beside the server, stopped when the server stops.
	$(PY) manage.py worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(RUN_PACKAGES) $(TEST_PACKAGES)"
	$(PY) -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock ".[test,rq]"
	touch $@

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# The benchmarks at national scale (docs/performance.md): synthetic data (bench.seed) over the
# official register on PostgreSQL and SQLite (seeded once, minutes), then every page in-process, the
# public pages over HTTP against /healthz with and without the page cache, certificates and
# the TERYT import; the figures go to bench/results/ and the table in docs/performance.md.
BENCH_POSTGRESQL ?= postgresql://postgres@127.0.0.1:5432/rejestr_bench
BENCH_SQLITE ?= $(CURDIR)/var/bench-sqlite/db.sqlite3
# Seconds of each wrk run of the ratios: a ratio holds from short runs, since both sides of it
# are measured in alternation; 20 pages x 7 runs of 10 s would take 25 minutes a variant.
BENCH_RATIO_SECONDS ?= 3
bench: install
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(RUN_PACKAGES) wrk"
	test -n "$(TERYT_CSV)" || { echo "make bench needs the official TERC file: ../shared/data beside the project, or TERYT_CSV"; exit 1; }
	$(PY) -m bench.prepare $(BENCH_POSTGRESQL)
	$(PY) -m bench.prepare sqlite:///$(BENCH_SQLITE)
	DATABASE_URL=$(BENCH_POSTGRESQL) $(PY) -m bench.pages || true
	DATABASE_URL=sqlite:///$(BENCH_SQLITE) $(PY) -m bench.pages || true
	$(PY) -m bench.load ratio --database-url $(BENCH_POSTGRESQL) --duration $(BENCH_RATIO_SECONDS) --min-ratio 0.25 || true
	$(PY) -m bench.load ratio --database-url $(BENCH_POSTGRESQL) --duration $(BENCH_RATIO_SECONDS) --env PAGE_CACHE=0 --tag no-page-cache --min-ratio 0.05 || true
	$(PY) -m bench.load load
	$(PY) -m bench.certificates || true
	DATABASE_URL=$(BENCH_POSTGRESQL) $(PY) -m bench.dumps || true
	$(PY) -m bench.teryt
	DATABASE_URL=$(BENCH_POSTGRESQL)_teryt $(PY) -m bench.teryt
	$(PY) -m bench.report

# Known vulnerabilities in the pinned dependencies; pip-audit lives in its own virtualenv so
# that its own dependencies never mix with the registry's.
AUDIT_VENV ?= .venv-audit
audit:
	test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) && $(AUDIT_VENV)/bin/pip install --quiet --disable-pip-version-check pip-audit==2.10.1; }
	$(AUDIT_VENV)/bin/pip-audit -r requirements.lock --no-deps --disable-pip --vulnerability-service pypi --format json --progress-spinner off \
	  | $(AUDIT_VENV)/bin/python .ci/audit.py

# Regenerate the Polish catalogue after changing user-visible text, then translate and run again.
messages: install
	$(PY) manage.py makemessages --locale pl --no-obsolete --add-location file
	$(PY) manage.py compilemessages --locale pl --ignore .venv

.PHONY: system-packages
system-packages:
	@missing=""; for package in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  elif command -v sudo >/dev/null; then sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Please install these Debian packages:$$missing"; exit 1; fi; \
	fi
