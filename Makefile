# kpi-warehouse: `make demo` then `make test`. Needs only Python 3.11, make and pip.
PYTHON ?= python3.11
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
KPI := $(VENV)/bin/kpi
SHARED ?= ../shared
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

# Debian packages the tests drive for real: a browser (report, Prefect UI), PDF tools, LibreOffice (templates).
DEBIAN_PACKAGES := chromium poppler-utils libreoffice-calc-nogui
DEBIAN_COMMANDS := chromium pdftoppm soffice

.PHONY: install system-deps demo demo-programmes demo-postgres demo-postgres-stop test test-slow test-fast check-spec lint sample report sync-spec clean bench bench-leak bench-fleet

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

# --compile-bytecode and compileall: with no .pyc every process compiles what it imports (docs/stack_facts.md fact 11).
$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

install: $(VENV)/.installed  ## install the locked dependencies into .venv, compiled to bytecode with the repo's own code
	@$(VENV)/bin/python -m compileall -q -j 0 pipelines bench

system-deps:  ## install the Debian packages the tests need, when they are absent (needs root or sudo)
	@missing=""; for c in $(DEBIAN_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installerer Debian-pakker (mangler:$$missing): $(DEBIAN_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	fi

demo: install  ## run the nightly flow on the bundled sample deliveries and build the board report
	$(KPI) init-key
	$(KPI) nightly --sources sources/sample --warehouse warehouse/kpi.duckdb
	$(KPI) report --warehouse warehouse/kpi.duckdb --out reports
	$(KPI) sql "select status, count(*) as rows from kpi_status group by 1 order by 2 desc"
	$(KPI) templates --period 2021 --out templates
	$(KPI) gaps --warehouse warehouse/kpi.duckdb --supplier politi

# Linted with dbt's templater (compiled as dbt compiles them; the profile on `:memory:`, no warehouse needed): the
# central models (evaluation, disclosure, the published marts) and the staging models whose macros call macros of
# other files, which sqlfluff's jinja templater cannot render. Every other SQL file: the jinja templater (quick).
DBT_LINTED := dbt_project/models/intermediate/evaluation dbt_project/models/intermediate/disclosure \
	dbt_project/models/marts 'dbt_project/models/staging/*/stg_*__assessments.sql'

lint: install  ## ruff, the import contract (.importlinter) and sqlfluff on every tracked Python and SQL file
	git ls-files -z '*.py' | xargs -0 -r $(VENV)/bin/ruff check --force-exclude
	$(VENV)/bin/lint-imports --no-cache
	git ls-files -z -- '*.sql' $(addprefix ':!:',$(DBT_LINTED)) \
		| xargs -0 -r $(VENV)/bin/sqlfluff lint --processes 2 --disable-progress-bar
	git ls-files -z -- $(DBT_LINTED) | grep -z '\.sql$$' | KPI_BUILD_DB=:memory: \
		xargs -0 -r $(VENV)/bin/sqlfluff lint --templater dbt --processes 1 --disable-progress-bar

test: install system-deps lint  ## lint and run every test but the spec lane and the slow ones (installs Debian packages when absent), < 15 min
	$(VENV)/bin/pytest -q -n 2 --dist loadfile --durations 15 -m "not spec and not bench and not slow"

test-slow: install system-deps  ## the few slow end-to-end tests (minutes each: watch, fleet, bench shape, crash and heal); CI runs it after make test
	$(VENV)/bin/pytest -q -n 2 --dist loadfile --durations 15 -m "slow and not spec and not bench"

test-fast: install  ## the tests that need no nightly, server, browser or ../shared (lanes: tests/lanes.py), < 2 min
	$(VENV)/bin/pytest -q -n 2 --dist loadfile --durations 10 -m "not e2e and not spec"

check-spec: install  ## the repo's copies against the programme's shared spec (SHARED=../shared); fails when absent
	@test -d $(SHARED)/spec -a -f $(SHARED)/tools/check_contract.py || { \
		echo "Kan ikke køre: den fælles spec findes ikke i $(SHARED) (spec/ og tools/check_contract.py); angiv SHARED=<mappe>."; \
		exit 1; }
	KPI_SHARED_DIR=$(abspath $(SHARED)) $(VENV)/bin/pytest -q -p no:xdist -m spec

sample: install  ## regenerate the sample deliveries under sources/sample/ and the second sample programme
	rm -rf sources/sample/inbox sources/programmes/fjordby/inbox sources/programmes/fjordby/reference
	$(KPI) sample --target sources/sample
	$(VENV)/bin/python -m pipelines.sample.programmes.fjordby sources/programmes/fjordby

demo-programmes: install  ## both sample programmes side by side (Slagelse, Fjordby): own warehouses and reports, one overview
	$(KPI) init-key
	$(KPI) nightly --programmes sources/programmes.toml; test $$? -le 3
	$(KPI) report --programmes sources/programmes.toml --out reports/programmes

demo-postgres: install  ## both sample programmes into a local PostgreSQL; psql as an evaluator of one of them
	$(KPI) init-key
	$(KPI) nightly --programmes sources/programmes.toml; test $$? -le 3
	$(VENV)/bin/python -m pipelines.publish.demo sources/programmes.toml

demo-postgres-stop:  ## stop the local PostgreSQL of demo-postgres
	$(VENV)/bin/python -m pipelines.publish.demo stop

bench: install  ## the benchmark at demo, programme and municipal scale with kpi watch's (h) (bench/README.md), ~45 min on 2 cores
	$(VENV)/bin/python -m bench.run --repeats 2 --full-repeats 3 --drops 5

bench-leak: install  ## kpi watch's 100th run against its 10th: files, processes, handles, memory (~50 min on 2 cores)
	KPI_WATCH_LEAK_RUNS=100 $(VENV)/bin/pytest -q -p no:xdist -m bench tests/test_watch_leak.py

bench-fleet: install  ## the fleet at 1, 10 and 50 programmes on a work pool, 2 workers (and 1 up to N = 10; bench/README.md)
	$(VENV)/bin/pytest -q -p no:xdist -m bench tests/test_bench_fleet.py
	$(VENV)/bin/python -m bench.fleet

sync-spec:  ## copy the programme's shared spec into the repo (byte copies, never retyped; SHARED=../shared)
	@test -d $(SHARED)/spec || { echo "Den fælles spec findes ikke i $(SHARED)/spec; angiv SHARED=<mappe>."; exit 1; }
	cp $(SHARED)/spec/criteria.yaml sources/reference/criteria.yaml
	cp $(SHARED)/spec/reference_figures.yaml tests/fixtures/reference_figures.yaml
	cp $(SHARED)/spec/warehouse_contract.md docs/warehouse_contract.md
	cp $(SHARED)/spec/source_formats.md docs/source_formats.md

clean:
	rm -rf warehouse reports .prefect dbt_project/target dbt_project/logs
