"""The run history as the operating commands read it: the run log beside the warehouse
(runtime/run_records.py), or the published `load_runs` table when only the published file is at hand;
outcomes in Danish."""

from __future__ import annotations

from pathlib import Path

from pipelines.runtime.run_records import LOAD_RUNS_COLUMNS, PUBLISHED_OUTCOMES, RunRecord, read_runs, runlog_path
from pipelines.vocabulary import words

OUTCOME_DA = words("run_outcome")


def outcome_da(outcome: str | None) -> str:
    return OUTCOME_DA.get(outcome or "", outcome or "ukendt")


def _published_runs(warehouse: Path) -> list[RunRecord]:
    import duckdb

    if not warehouse.is_file():
        return []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(f"select {', '.join(LOAD_RUNS_COLUMNS)} from load_runs order by started_at").fetchall()
    except duckdb.Error:  # an older file without load_runs, or a file another process holds
        return []
    return [RunRecord(**dict(zip(LOAD_RUNS_COLUMNS, row, strict=True))) for row in rows]


def run_history(warehouse: Path) -> list[RunRecord]:
    """Every known run, oldest first: the run log when it exists, else the published `load_runs`."""
    if runlog_path(warehouse).is_file():
        return read_runs(warehouse)
    return _published_runs(warehouse)


def last_publication(runs: list[RunRecord]) -> RunRecord | None:
    published = [r for r in runs if r.outcome in PUBLISHED_OUTCOMES]
    return published[-1] if published else None
