"""Whether the board report in a folder still shows what the published warehouse holds.

A nightly run whose published statuses, gaps and baselines are what the last report showed need not render
the report again (about 15 s, most of it PDF layout). The report's content is read from these published
tables only; the load times and run rows it also prints are not a reason to re-render.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.report.changes import read_state
from pipelines.report.paths import has_report

REPORT_TABLES = ("kpi_status", "data_gaps", "kpi_baselines", "unchecked_shares", "criteria", "areas")


def published_content(warehouse: Path) -> str | None:
    """A digest of the published tables the report shows (rows in any order), or None when unreadable."""
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            present = {name for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
            digests = [
                con.execute(f"select '{table}:' || coalesce(md5(string_agg(md5(t::varchar), ',' "
                            f"order by md5(t::varchar))), '') from main.{table} as t").fetchone()[0]
                for table in REPORT_TABLES if table in present
            ]
    except duckdb.Error:
        return None
    return ";".join(digests)


def report_is_current(out_dir: Path, warehouse: Path) -> bool:
    """The three report files exist and were rendered from what the warehouse publishes now."""
    if not has_report(out_dir):
        return False
    previous = read_state(out_dir)
    if previous is None or previous.content is None:
        return False
    return previous.content == published_content(warehouse)
