"""How the nightly runs dbt (pipelines/transform/dbt.py): a child process, preloaded or not, on a small project.

What it protects: the outcome the nightly acts on (success, the failing nodes by name, the node count), dbt's
output kept off the analyst's terminal, and the build file released when the build returns (the publish step
attaches it next). A preloaded child parses before it is asked and builds what it is then asked; one that is
not asked ends without touching the build file.
The child leaves with `os._exit` once it has answered, and imports what the Python models import while it waits
for the selection.
Reproduce a failure: in pipelines/transform/dbt_worker.py, leave out `--select` or keep the process alive after
the answer (the connection below then fails on DuckDB's lock).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import psutil
import pytest

from pipelines.transform.dbt import discard_preloaded_dbt, preload_dbt, run_dbt_build
from pipelines.transform.dbt_worker import imported_modules, preimport_python_models

pytestmark = pytest.mark.dbt

PROJECT_FILES = {
    "dbt_project.yml": "name: tiny\nversion: '1.0'\nconfig-version: 2\nprofile: tiny\n"
                       "models:\n  tiny:\n    +materialized: table\n",
    "profiles.yml": "tiny:\n  target: build\n  outputs:\n    build:\n      type: duckdb\n"
                    "      path: \"{{ env_var('KPI_BUILD_DB') }}\"\n      threads: 1\n",
    "models/kept.sql": "select 1 as id union all select 2 as id\n",
    "models/kept.yml": "version: 2\nmodels:\n  - name: kept\n    columns:\n      - name: id\n"
                       "        data_tests: [unique, not_null]\n",
    "models/broken.sql": "select * from a_table_nobody_made\n",
    "models/counted.sql": "select 7 as figure\n",
    "models/counted.yml": "version: 2\nmodels:\n  - name: counted\n    columns:\n      - name: figure\n"
                          "        data_tests:\n          - accepted_values:\n              arguments:\n"
                          "                values: [8]\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name, text in PROJECT_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def build_file(tmp_path: Path) -> Path:
    folder = tmp_path / "warehouse"
    folder.mkdir(exist_ok=True)
    return folder / "kpi.internal.duckdb.build"


def test_a_failed_build_names_its_failing_nodes_and_prints_nothing(project: Path, tmp_path: Path, capfd) -> None:
    build = build_file(tmp_path)
    outcome = run_dbt_build(build, project)
    assert not outcome.success and not outcome.disk_full
    assert outcome.nodes == 6  # three models, three data tests
    assert len(outcome.failures) == 2
    broken, counted = sorted(outcome.failures)
    assert broken.startswith("model.tiny.broken: ") and "a_table_nobody_made" in broken
    assert counted.startswith("test.tiny.accepted_values_counted_figure__8") and "Got 1 result" in counted
    assert capfd.readouterr() == ("", "")  # dbt's output goes to dbt_logs only
    assert "a_table_nobody_made" in (build.parent / "dbt_logs" / "dbt.log").read_text(encoding="utf-8")
    with duckdb.connect(str(build)) as con:  # released: the publish step can attach it
        assert con.execute("select id from main.kept order by id").fetchall() == [(1,), (2,)]


def test_a_preloaded_child_parses_ahead_and_builds_the_selection(project: Path, tmp_path: Path) -> None:
    build = build_file(tmp_path)
    before = set(psutil.Process().children())  # another test of this worker may have a child of its own
    preload_dbt(build, project)
    parsed = build.parent / "dbt_target" / "partial_parse.msgpack"
    deadline = time.monotonic() + 300
    while not parsed.exists() and time.monotonic() < deadline:  # the child parses before it is asked
        time.sleep(0.2)
    assert parsed.exists() and not build.exists()  # parsing does not open the build file
    outcome = run_dbt_build(build, project, select=["kept"])
    assert (outcome.success, outcome.failures, outcome.nodes) == (True, [], 3)
    with duckdb.connect(str(build)) as con:
        tables = con.execute("select table_name from information_schema.tables order by 1").fetchall()
    assert tables == [("kept",)]  # only the selection was built
    assert new_children(before) == []


def new_children(before: set[psutil.Process]) -> list[psutil.Process]:
    return [child for child in psutil.Process().children() if child not in before and child.is_running()
            and child.status() != psutil.STATUS_ZOMBIE]


def test_a_preloaded_child_no_build_takes_ends_without_the_build_file(project: Path, tmp_path: Path) -> None:
    build = build_file(tmp_path)
    before = set(psutil.Process().children())  # another test of this worker may have a child of its own
    preload_dbt(build, project)
    preload_dbt(build, project)  # idempotent: one child
    assert len(new_children(before)) == 1
    discard_preloaded_dbt()
    assert new_children(before) == []
    assert not build.exists()


def test_the_modules_a_python_model_imports_are_its_absolute_imports_anywhere_in_it() -> None:
    code = ("import numpy as np, json\nfrom pipelines.privacy.disclosure import suppress\nfrom . import sibling\n"
            "from .near import thing\n\ndef model(dbt, session):\n    import scipy.optimize\n    return None\n")
    assert sorted(imported_modules(code)) == ["json", "numpy", "pipelines.privacy.disclosure", "scipy.optimize"]
    assert list(imported_modules("def model(dbt, session):\n    return 1\n")) == []


def test_a_waiting_child_imports_what_python_models_import_and_leaves_failures_to_the_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("kpi_probe_python_model_import", "kpi_probe_sql_model_text"):
        (tmp_path / f"{name}.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("kpi_probe_python_model_import", "kpi_probe_sql_model_text"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    manifest = SimpleNamespace(nodes={
        "model.p.py": SimpleNamespace(language="python", raw_code=(
            "import kpi_probe_module_nobody_has\nfrom kpi_probe_python_model_import import VALUE\n")),
        "model.p.sql": SimpleNamespace(language="sql", raw_code="import kpi_probe_sql_model_text"),
    })
    preimport_python_models(manifest)  # the missing module raises nothing here
    assert "kpi_probe_python_model_import" in sys.modules
    assert "kpi_probe_sql_model_text" not in sys.modules
    monkeypatch.delitem(sys.modules, "kpi_probe_python_model_import")
