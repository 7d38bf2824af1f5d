"""The dbt project's graph is fixed and its marts' contracts are the published interface.

Read from dbt's own manifest (`dbt parse`, no warehouse needed):
* no model chooses its `ref()`s from a run-time var: the union models ref every source the parsers' registry has,
  so a hand-run `dbt build` and the docs' lineage are what the nightly builds;
* every published mart enforces a contract (`contract: {enforced: true}`, a data_type per column), and its columns,
  in order, are the Python list that the publish step checks (pipelines/publish/contract_tables.py PUBLISHED_TABLES);
* the ledger is read as a whole only by the ledger models, and otherwise by one source's staging model for that
  source's own files (the argument of the narrowed selection, pipelines/transform/selection.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml

from pipelines.gaps.supplier_list import BOARD
from pipelines.load.build import assessment_sources, measurement_sources
from pipelines.load.source_figures import DEFAULT_VERDICT_SOURCE
from pipelines.publish.contract_tables import PUBLISHED_TABLES
from pipelines.settings import DBT_PROJECT_DIR, QUIET_OFFLINE_ENV
from pipelines.transform.dbt import dbt_executable
from pipelines.transform.selection import LEDGER_MODELS

PROJECT = "kpi_warehouse"
# Published tables that dbt does not build: load_runs is written from the run log by the publish step.
WRITTEN_BY_PYTHON = {"load_runs"}
VAR_CALL = re.compile(r"""\bvar\(\s*['"](\w+)['"]""")
SOURCE_NODE = re.compile(rf"^source\.{PROJECT}\.(\w+)\.\w+$")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("dbt-parse")
    done = subprocess.run(
        [str(dbt_executable()), "parse", "--no-version-check", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"), "--log-path",
         str(work / "logs")],
        env={**os.environ, **QUIET_OFFLINE_ENV, "KPI_BUILD_DB": str(work / "parse.duckdb")},
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))


def _models(manifest: dict) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}


def _parents(manifest: dict, model: str, suffix: str) -> set[str]:
    """The sources whose staging model `stg_<source>__<suffix>` the model refs."""
    pattern = re.compile(rf"^model\.{PROJECT}\.stg_(\w+?)__{suffix}$")
    return {m.group(1) for parent in _models(manifest)[model]["depends_on"]["nodes"] if (m := pattern.match(parent))}


def test_the_union_models_ref_every_source_of_the_registry(manifest: dict) -> None:
    assert _parents(manifest, "int_measurements__unioned", "observations") == set(measurement_sources())
    assert _parents(manifest, "int_assessments__delivered", "assessments") == set(assessment_sources())


def test_no_model_reads_a_var_that_a_run_passes(manifest: dict) -> None:
    defaults = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    used = {name for node in _models(manifest).values() for name in VAR_CALL.findall(node["raw_code"])}
    assert not {"observation_sources", "assessment_sources", "as_of"} & set(defaults)
    assert used <= set(defaults), used - set(defaults)  # every var has its default in dbt_project.yml


def test_the_as_of_date_is_read_from_the_run_parameters_source(manifest: dict) -> None:
    """Data, not a var (a var that changes nightly costs the partial parse); a new date selects its readers."""
    source = f"source.{PROJECT}.run.run_parameters"
    readers = {name for name, node in _models(manifest).items() if source in node["depends_on"]["nodes"]}
    assert readers == {"int_kpi__evaluation_grid", "int_gaps__listed", "int_run__as_of_window"}


def test_every_published_mart_enforces_the_contract_of_the_publish_step(manifest: dict) -> None:
    marts = {name: node for name, node in _models(manifest).items() if node["fqn"][1] == "marts"}
    assert set(marts) == set(PUBLISHED_TABLES) - WRITTEN_BY_PYTHON
    for name, node in marts.items():
        assert node["contract"]["enforced"] is True, name
        assert list(node["columns"]) == PUBLISHED_TABLES[name], name
        assert all(column["data_type"] for column in node["columns"].values()), name


def test_the_constant_vars_equal_the_python_constants_they_mirror() -> None:
    defaults = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    assert defaults["default_verdict_source"] == DEFAULT_VERDICT_SOURCE
    assert defaults["board_supplier"] == BOARD


def test_the_ledger_is_read_whole_only_by_the_ledger_models(manifest: dict) -> None:
    """A run rebuilds what lies downstream of the sources it touched and of the ledger models; a node reading the
    ledger source elsewhere must be one source's staging model that keeps only that source's files' rows
    (macros/rows_in_force.sql rows_of_valid_files), or a run touching another source would leave it stale.
    Reproduce a failure: read `source('ledger', 'load_ledger')` in an intermediate model or a singular test."""
    readers = {}
    for unique_id, node in manifest["nodes"].items():
        sources = {m.group(1) for parent in node["depends_on"].get("nodes", [])
                   if (m := SOURCE_NODE.match(parent))}
        if "ledger" in sources:
            readers[unique_id] = (node["original_file_path"], sources - {"ledger"}, node["raw_code"])
    whole = {uid for uid, (path, _, _) in readers.items() if path.startswith(f"{LEDGER_MODELS}/")}
    assert whole == {f"model.{PROJECT}.stg_ledger__load_ledger", f"model.{PROJECT}.stg_ledger__delivery_gaps"}
    per_source = {uid: reader for uid, reader in readers.items() if uid not in whole}
    assert len(per_source) >= 6  # the person-level sources and the questionnaire
    for unique_id, (path, others, code) in per_source.items():
        assert len(others) == 1, unique_id
        source = others.pop()
        assert path.startswith(f"models/staging/{source}/stg_{source}__"), unique_id
        assert re.search(rf"rows_of_valid_files\(\s*'{source}'", code), unique_id
    macro = manifest["macros"][f"macro.{PROJECT}.rows_of_valid_files"]["macro_sql"]
    assert "newer.source_system = ledger.source_system" in macro  # a newer file of the same source only
