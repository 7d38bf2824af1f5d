"""Run `dbt build` on the build file: one invocation at a time, threads 1, no network.

The nightly builds models, snapshots and data tests. dbt's unit tests check the SQL on fixed fixtures, not
the night's data, so they run in `make test` (tests/test_dbt_unit_tests.py) and not every night (~4,5 s).

dbt runs in a child process: dbt-duckdb keeps its database handle open for the life of the
process, and the publish step must be able to attach the build file afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.runtime.disk import is_disk_full
from pipelines.settings import DBT_PROJECT_DIR, QUIET_OFFLINE_ENV


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    failures: list[str]
    nodes: int
    disk_full: bool = False  # dbt's output says the disk is full (its own log lines may hide it from `failures`)


def dbt_executable() -> Path:
    return Path(sys.executable).with_name("dbt")


def run_dbt_build(build_db: Path, as_of: date, project_dir: Path = DBT_PROJECT_DIR,
                  select: list[str] | None = None) -> DbtOutcome:
    """`dbt build` of the whole project, or of the `select` selectors (pipelines/transform/selection.py).

    The graph is fixed (every source's staging model is in it, empty when nothing was delivered): the one var
    passed is the evaluation date, so a hand-run `dbt build --vars '{as_of: …}'` builds what the nightly builds.
    """
    target = build_db.parent / "dbt_target"
    variables = json.dumps({"as_of": as_of.isoformat()})
    env = {**os.environ, **QUIET_OFFLINE_ENV, "KPI_BUILD_DB": str(build_db)}
    completed = subprocess.run(
        [str(dbt_executable()), "build", "--no-version-check", "--quiet", "--project-dir", str(project_dir),
         "--profiles-dir", str(project_dir), "--vars", variables, "--target-path", str(target),
         "--log-path", str(build_db.parent / "dbt_logs"), "--exclude-resource-type", "unit_test",
         *(["--select", *select] if select else [])],
        env=env, capture_output=True, text=True, check=False,
    )
    failures: list[str] = []
    nodes = 0
    results_file = target / "run_results.json"
    if results_file.is_file():
        for node in json.loads(results_file.read_text(encoding="utf-8")).get("results", []):
            nodes += 1
            if node.get("status") in ("error", "fail"):
                failures.append(f"{node['unique_id']}: {node.get('message')}")
    if completed.returncode != 0 and not failures:
        failures.append((completed.stdout + completed.stderr).strip()[-2000:])
    disk_full = completed.returncode != 0 and is_disk_full(completed.stdout + completed.stderr)
    return DbtOutcome(completed.returncode == 0, failures, nodes, disk_full)
