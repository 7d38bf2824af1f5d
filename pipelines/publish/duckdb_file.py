"""Write-audit-publish: copy the contract tables into a new file, check it, then swap it in atomically.

The published file holds only the contract tables and the documented extensions (schema main),
written with an older storage version so that evaluators' older DuckDB clients can open it
(docs/stack_facts.md fact 7). Readers that have the old file open keep seeing it; the next reader that
opens the path sees the new one.

A staging file (and its WAL) left by a killed publish is removed, never reused. The build file is
checkpointed before it replaces the internal state, so no committed data is left behind in a WAL. The two
swaps are ordered so that a kill between them is harmless: the internal state goes first (its ledger then
knows this run's files), and the next run republishes from it. `load_runs` is written from the run log
(`pipelines/runtime/run_records.py`), with the current run as it ends.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.contract_columns import PUBLISHED_TABLES
from pipelines.load.files import database_files, remove_database
from pipelines.publish.contract_tables import contract_problems
from pipelines.runtime.pause import pause_at
from pipelines.runtime.run_records import LOAD_RUNS_COLUMNS, RunRecord
from pipelines.runtime.stop_request import raise_if_stop_asked

PUBLISHED_STORAGE_VERSION = "v1.0.0"
LOAD_RUNS_TABLE = "load_runs"
LOAD_RUNS_TYPES = ["varchar", "timestamp", "timestamp", "varchar", "integer", "integer", "integer", "varchar"]


class PublishError(RuntimeError):
    pass


def staging_path(published: Path) -> Path:
    return published.with_name(published.name + ".new")


def _write_load_runs(con: duckdb.DuckDBPyConnection, runs: list[RunRecord]) -> None:
    columns = ", ".join(f"{c} {t}" for c, t in zip(LOAD_RUNS_COLUMNS, LOAD_RUNS_TYPES, strict=True))
    con.execute(f"create table pub.main.{LOAD_RUNS_TABLE} ({columns})")
    if runs:
        marks = ", ".join("?" for _ in LOAD_RUNS_COLUMNS)
        con.executemany(f"insert into pub.main.{LOAD_RUNS_TABLE} values ({marks})", [r.as_row() for r in runs])


def _write_staging(source: Path, staging: Path, runs: list[RunRecord], *, checkpoint_source: bool) -> None:
    """The published tables of `source` (a build or the published file) with `runs` as load_runs, audited."""
    remove_database(staging)
    staging.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{source}' as src" + ("" if checkpoint_source else " (read_only)"))
        if checkpoint_source:
            con.execute("checkpoint src")
        con.execute(f"attach '{staging}' as pub (storage_version '{PUBLISHED_STORAGE_VERSION}')")
        for table in PUBLISHED_TABLES:
            if table != LOAD_RUNS_TABLE:
                con.execute(f"create table pub.main.{table} as select * from src.main.{table}")
        _write_load_runs(con, runs)
        problems = contract_problems(con, catalog="pub")
        pause_at("publish", staging.parent)
        con.execute("checkpoint pub")
    finally:
        con.close()
    leftovers = [p.name for p in (*database_files(source)[1:], *database_files(staging)[1:]) if p.exists()]
    if problems or leftovers:
        remove_database(staging)
        raise PublishError("; ".join(problems) or f"DuckDB left {', '.join(leftovers)} behind after closing")


def _stop_if_asked(staging: Path) -> None:
    """A stop (Ctrl-C, SIGTERM) whose raising was lost ends the publication here, before any file is replaced."""
    try:
        raise_if_stop_asked()
    except KeyboardInterrupt:
        remove_database(staging)
        raise


def publish(build_db: Path, internal_target: Path, published: Path, runs: list[RunRecord] | None = None) -> None:
    """Build the published file from the build file and the run log, audit it, then replace both targets."""
    staging = staging_path(published)
    _write_staging(build_db, staging, runs or [], checkpoint_source=True)
    _stop_if_asked(staging)  # the last moment a stopped run can still leave the old warehouse published
    os.replace(build_db, internal_target)
    pause_at("publish-swapped", published.parent)
    os.replace(staging, published)


def republish_runs(published: Path, runs: list[RunRecord]) -> None:
    """A run with nothing new: the published tables again with `runs` as load_runs (the internal file is untouched).

    A new file is written and swapped in as in `publish`, so readers of the old file are never locked out.
    """
    staging = staging_path(published)
    _write_staging(published, staging, runs, checkpoint_source=False)
    _stop_if_asked(staging)
    os.replace(staging, published)
