"""Rebuilding the internal file from the deliveries: what only the old file knew, taken from the published one.

A run whose internal file was damaged or missing starts from an empty build file: discover finds every
delivery in the inbox new, loads them in delivery order (the ledger's supersede chain follows from the files'
names and dates), and dbt builds everything. Two things the deliveries cannot give back:

- when each file was first loaded (`load_ledger.loaded_at`, `measurements.loaded_at`);
- the earlier versions of `kpi_status` (the snapshot behind `kpi_status_history`).

Both are in the published file when it is readable; `restore_history` copies them into the build file after
the deliveries are loaded and before dbt runs, so the snapshot goes on from the published history (a row that
did not change gets no new version). Without a readable published file the history starts again at the
rebuild, and the run says so.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SNAPSHOT = "snapshots.kpi_status_snapshot"
HISTORY_TAKEN_DA = ("Første indlæsningstidspunkter og kpi_status_history er hentet fra det publicerede lager "
                    "({files} filer, {versions} versioner).")
HISTORY_RESTARTS_DA = ("Der var intet læsbart publiceret lager at hente historik fra: load_ledger.loaded_at er "
                       "genopbygningens tidspunkt, og kpi_status_history begynder forfra ved genopbygningen.")


def _raw_tables_with_load_times(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.columns where table_schema = 'raw' "
        "and column_name in ('source_file', 'sha256', 'loaded_at') group by table_name having count(*) = 3 "
        "order by table_name").fetchall()
    return [table for (table,) in rows]


def _restore_load_times(con: duckdb.DuckDBPyConnection) -> int:
    """First load times of the files the published ledger knows (same name and content)."""
    restored = con.execute(
        "update raw.load_ledger as l set loaded_at = o.loaded_at from old.main.load_ledger as o "
        "where l.file_name = o.file_name and l.sha256 = o.sha256 and o.loaded_at is not null").fetchone()
    # A raw row's own load time is stamped a moment before its ledger row's: the published measurements keep
    # the raw one per file, the ledger the rest (files with no published measurement, e.g. person-level rows).
    con.execute("create temporary table first_loads as select l.file_name, l.sha256, "
                "coalesce(m.loaded_at, l.loaded_at) as loaded_at from raw.load_ledger as l left join "
                "(select source_file, max(loaded_at) as loaded_at from old.main.measurements group by source_file) "
                "as m on m.source_file = l.file_name")
    for table in _raw_tables_with_load_times(con):
        con.execute(f"update raw.{table} as t set loaded_at = f.loaded_at from first_loads as f "
                    "where t.source_file = f.file_name and t.sha256 = f.sha256")
    con.execute("drop table first_loads")
    return int(restored[0]) if restored else 0


def _restore_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The snapshot table as dbt keeps it, from the published history (dbt's meta columns last)."""
    key = "criterion_id || '|' || area_key || '|' || period || '|' || cast(valid_from as varchar)"
    con.execute("create schema if not exists snapshots")
    con.execute(f"drop table if exists {SNAPSHOT}")
    con.execute(f"create table {SNAPSHOT} as select * exclude (valid_from, valid_to), md5({key}) as version_id, "
                "valid_from as version_updated_at, valid_from, valid_to from old.main.kpi_status_history")
    return int(con.execute(f"select count(*) from {SNAPSHOT}").fetchone()[0])


def restore_history(build: Path, published: Path) -> str:
    """Copy first load times and kpi_status history from `published` into `build`; the Danish line to report."""
    if not published.is_file():
        return HISTORY_RESTARTS_DA
    try:
        with duckdb.connect(str(build)) as con:
            con.execute(f"attach '{published}' as old (read_only)")
            files = _restore_load_times(con)
            versions = _restore_snapshot(con)
            con.execute("detach old")
    except duckdb.Error:
        return HISTORY_RESTARTS_DA
    return HISTORY_TAKEN_DA.format(files=files, versions=versions)
