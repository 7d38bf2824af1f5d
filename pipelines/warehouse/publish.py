"""Write-audit-publish: copy the contract tables into a new file, check it, then swap it in atomically.

The published file holds only the contract tables and the documented extensions (schema main),
written with an older storage version so that evaluators' older DuckDB clients can open it
(notes/stack.md, 7). Readers that have the old file open keep seeing it; the next reader that
opens the path sees the new one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.warehouse.contract import PUBLISHED_TABLES, contract_problems

PUBLISHED_STORAGE_VERSION = "v1.0.0"


class PublishError(RuntimeError):
    pass


def publish(build_db: Path, internal_target: Path, published: Path) -> None:
    """Build the published file from the build file, audit it, then replace both targets."""
    staging = published.with_name(published.name + ".new")
    staging.unlink(missing_ok=True)
    published.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{build_db}' as build (read_only)")
        con.execute(f"attach '{staging}' as pub (storage_version '{PUBLISHED_STORAGE_VERSION}')")
        for table in PUBLISHED_TABLES:
            con.execute(f"create table pub.main.{table} as select * from build.main.{table}")
        problems = contract_problems(con, catalog="pub")
        con.execute("checkpoint pub")
    finally:
        con.close()
    if problems:
        staging.unlink(missing_ok=True)
        raise PublishError("; ".join(problems))
    os.replace(build_db, internal_target)
    os.replace(staging, published)
