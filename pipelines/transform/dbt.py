"""Run `dbt build` on the build file: one invocation at a time, no network, dbt's output only in dbt_logs.

The nightly builds models, snapshots and data tests. dbt's unit tests check the SQL on fixed fixtures, not
the night's data, so they run in `make test` (tests/test_dbt_unit_tests.py) and not every night (~4,5 s).

dbt runs in a child process (pipelines/transform/dbt_worker.py): dbt-duckdb keeps its database handle open for
the life of the process, and the publish step must be able to attach the build file afterwards; the child's exit
releases it. Importing dbt and parsing the project costs ~4 s before the first node runs, so a run that will build
starts the child early (`preload_dbt`, while Prefect starts and the files are parsed): it imports dbt, parses with
dbt's partial parse and waits for the selection. `run_dbt_build` then only sends the selection; without a
preloaded child it starts one there and then, which does the same, in sequence.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from select import select as readable

from pipelines.runtime.disk import is_disk_full
from pipelines.settings import DBT_PROJECT_DIR, QUIET_OFFLINE_ENV

log = logging.getLogger(__name__)

# Threads of the nightly's build, one per core: DuckDB's queries release the GIL, so nodes overlap a little (a new
# quarter's 80 nodes at municipal scale: 3,40 → 3,16 s). The profile says 1 for a hand-run build; same nodes either way.
DBT_THREADS = 2
DISCARD_TIMEOUT = 120  # s: a discarded child finishes its parse (a killed one could leave partial_parse torn)
FAILED_STATUSES = ("error", "fail")


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    failures: list[str]
    nodes: int
    disk_full: bool = False  # dbt's output says the disk is full (its own log lines may hide it from `failures`)


def dbt_executable() -> Path:
    return Path(sys.executable).with_name("dbt")


class WarmDbt:
    """A dbt child for one build file: started (importing dbt, parsing) before the build is wanted."""

    def __init__(self, build_db: Path, project_dir: Path = DBT_PROJECT_DIR, threads: int = DBT_THREADS) -> None:
        self.build_db, self.project_dir, self.started = build_db, project_dir, time.monotonic()
        env = {**os.environ, **QUIET_OFFLINE_ENV, "KPI_BUILD_DB": str(build_db)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.transform.dbt_worker", str(project_dir),
             str(build_db.parent / "dbt_target"), str(build_db.parent / "dbt_logs"), "--threads", str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )

    def serves(self, build_db: Path, project_dir: Path) -> bool:
        """Whether this child can build `build_db` of `project_dir` (it has not exited, e.g. on a failed import)."""
        return (self.build_db, self.project_dir) == (build_db, project_dir) and self.process.poll() is None

    def parsed(self) -> bool:
        """Whether the child has parsed the project (its first line is waiting on stdout); does not block."""
        assert self.process.stdout is not None
        return bool(readable([self.process.stdout], [], [], 0)[0])

    def build(self, selectors: list[str] | None) -> DbtOutcome:
        """Build the selection (None: everything) and wait for the child to exit."""
        log.info("dbt: the child process was started %.1f s before the build, %s", time.monotonic() - self.started,
                 "had parsed the project" if self.parsed() else "was still parsing")
        stdout, stderr = self.process.communicate(json.dumps(selectors) + "\n")
        return outcome_of(self.process.returncode, stdout, stderr)

    def discard(self) -> None:
        """End a child that will not build: without a selection it exits after its parse."""
        try:
            self.process.communicate("", timeout=DISCARD_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


def outcome_of(returncode: int, answer: str, output: str) -> DbtOutcome:
    """The outcome from the child's exit status, its answer lines (stdout) and dbt's printed output (stderr)."""
    answers = [json.loads(line) for line in answer.splitlines() if line.strip()]
    results = answers[-1].get("results", []) if answers else []
    failures = [f"{node['unique_id']}: {node['message']}" for node in results
                if node["status"] in FAILED_STATUSES]
    if returncode != 0 and not failures:
        failures.append(output.strip()[-2000:])
    return DbtOutcome(returncode == 0, failures, len(results), returncode != 0 and is_disk_full(output))


_warm: WarmDbt | None = None
_warm_lock = threading.Lock()


def preload_dbt(build_db: Path, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Start the dbt child for `build_db` now, so that the build finds dbt imported and the project parsed.

    For a run that will build (a nothing-new run should not pay for it) and for a warm process that waits for the
    next run. Idempotent; `discard_preloaded_dbt` ends a child no build took.
    """
    global _warm
    with _warm_lock:
        if _warm is not None and _warm.serves(build_db, project_dir):
            return
        stale, _warm = _warm, WarmDbt(build_db, project_dir)
    if stale is not None:
        stale.discard()


def dbt_child_preloaded() -> bool:
    """Whether a preloaded child waits for (or parses for) a build."""
    return _warm is not None


def discard_preloaded_dbt() -> None:
    """End the preloaded child if no build took it (the run failed or had nothing to build)."""
    global _warm
    with _warm_lock:
        warm, _warm = _warm, None
    if warm is not None:
        warm.discard()


def _take_preloaded(build_db: Path, project_dir: Path) -> WarmDbt | None:
    global _warm
    with _warm_lock:
        warm, _warm = _warm, None
    if warm is not None and warm.serves(build_db, project_dir):
        return warm
    if warm is not None:
        log.warning("dbt: the preloaded child cannot be used (exit status %s)", warm.process.poll())
        warm.discard()
    return None


def run_dbt_build(build_db: Path, project_dir: Path = DBT_PROJECT_DIR,
                  select: list[str] | None = None) -> DbtOutcome:
    """`dbt build` of the whole project, or of the `select` selectors (pipelines/transform/selection.py).

    The graph is fixed (every source's staging model is in it, empty when nothing was delivered) and no var is
    passed: the as-of date is data, written by prepare_build to raw.run_parameters. So a hand-run `dbt build`
    builds what the nightly builds, and dbt keeps its partial parse (target/partial_parse.msgpack) across days.
    """
    dbt = _take_preloaded(build_db, project_dir) or WarmDbt(build_db, project_dir)
    return dbt.build(select)
