"""dbt's unit tests (one or more per rule kind and per person measure), run as `make test` runs them.

The nightly leaves them out (pipelines/transform/dbt.py): they check the SQL on fixed fixtures, not the data.
They need the upstream relations to exist, so they run on a copy of the demo's internal file.
Reproduce a failure: change a rule macro in dbt_project/macros/rules/ and run this file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml

from pipelines.settings import DBT_PROJECT_DIR, QUIET_OFFLINE_ENV
from pipelines.transform.dbt import dbt_executable
from tests.conftest import AS_OF, PublishedDemo


def defined_unit_tests() -> set[str]:
    names = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for unit in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []):
            names.add(f"{unit['model']}.{unit['name']}")
    return names


def test_every_dbt_unit_test_passes(published_demo: PublishedDemo, tmp_path: Path) -> None:
    build = tmp_path / "unit.duckdb"
    shutil.copy(published_demo.warehouse.with_name("kpi.internal.duckdb"), build)
    target = tmp_path / "target"
    variables = {"as_of": AS_OF}
    done = subprocess.run(
        [str(dbt_executable()), "test", "--no-version-check", "--quiet", "--resource-type", "unit_test",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
         "--log-path", str(tmp_path / "logs"), "--vars", json.dumps(variables)],
        env={**os.environ, **QUIET_OFFLINE_ENV, "KPI_BUILD_DB": str(build)}, capture_output=True, text=True,
        timeout=600, check=False)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert done.returncode == 0 and not failed, (failed, done.stdout[-3000:])
    ran = {r["unique_id"].removeprefix("unit_test.kpi_warehouse.") for r in results}
    assert ran == defined_unit_tests() and len(ran) >= 16
