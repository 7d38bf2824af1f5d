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

.PHONY: install demo test lint sample report sync-spec clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.installed  ## install the locked dependencies into .venv

demo: install  ## run the nightly flow on the bundled sample deliveries and build the board report
	$(KPI) init-key
	$(KPI) nightly --sources sources/sample --warehouse warehouse/kpi.duckdb
	$(KPI) report --warehouse warehouse/kpi.duckdb --output reports/kpi_rapport.html
	$(KPI) sql "select status, count(*) as rows from kpi_status group by 1 order by 2 desc"

test: install  ## lint and run the test suite
	$(VENV)/bin/ruff check pipelines tests
	$(VENV)/bin/pytest -q

sample: install  ## regenerate the sample deliveries under sources/sample/
	rm -rf sources/sample/inbox
	$(KPI) sample --target sources/sample

sync-spec:  ## copy the catalog from the shared spec (the catalog is never retyped)
	cp $(SHARED)/spec/criteria.yaml sources/reference/criteria.yaml
	cp $(SHARED)/spec/reference_figures.yaml tests/fixtures/reference_figures.yaml

clean:
	rm -rf warehouse reports .prefect dbt_project/target dbt_project/logs
