"""Data minimisation inside (issue 19, section 4): a person-level raw table keeps only what a measure needs.

docs/privacy.d/30-internal-tables.md says what each internal table holds about persons and why; these tests
keep it and the raw tables in step, and check that a warehouse built before a column was dropped loses it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.load.build import aggregate_sources, row_tables
from pipelines.load.schema import ensure_raw_schema
from pipelines.settings import REPO_ROOT

INTERNAL_TABLES_DOC = REPO_ROOT / "docs" / "privacy.d" / "30-internal-tables.md"
# Columns that are no longer kept: with the pseudonym they gave a child's birth date, or are free text or
# details no measure reads.
DROPPED = {"novax": {"visit_date", "visit_age_days", "birth_date_month"}, "uu_registration": {"education"},
           "school_absence": {"school", "grade", "birth_year"}, "school_absence_dropout": {"school", "absence_pct"}}


@pytest.mark.parametrize("table", sorted(row_tables()))
def test_every_kept_person_column_is_documented(table: str) -> None:
    doc = INTERNAL_TABLES_DOC.read_text(encoding="utf-8")
    row = next((line for line in doc.splitlines() if line.startswith(f"| `raw.{table}` |")), None)
    assert row is not None, f"raw.{table} is not in {INTERNAL_TABLES_DOC.name}"
    undocumented = [c for c in row_tables()[table] if c != "source_row" and f"`{c}`" not in row
                    and not (c.startswith("absence_") and "fraværsdage" in row)]
    assert undocumented == []


def test_dropped_columns_are_not_kept() -> None:
    tables = row_tables()
    kept = {table: sorted(set(tables[table]) & columns) for table, columns in DROPPED.items()}
    assert kept == {table: [] for table in DROPPED}
    assert [c for c, kind in tables["novax"].items() if kind == pl.Date] == ["visit_quarter"]


def test_a_raw_table_built_with_dropped_columns_is_read_again(tmp_path: Path) -> None:
    """An internal file from before: raw.novax with visit dates. The next build drops the table and forgets
    its files in the ledger, so the run reads them again from the inbox with the new columns."""
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("create schema raw")
        con.execute("create table raw.novax (source_system varchar, source_file varchar, sha256 varchar, "
                    "delivered_at date, loaded_at timestamp, child_id varchar, birth_year bigint, "
                    "birth_date_month bigint, area_key varchar, visit_type varchar, visit_date date, "
                    "visit_age_days bigint, visit_status varchar, source_row bigint)")
        con.execute("insert into raw.novax values ('novax', 'novax_2016-2025_20260110.csv', 'x', '2026-01-10', "
                    "now(), 'c', 2018, 1, 'motalavej', 'Barselsbesøg', '2018-01-21', 9, 'Gennemført', 2)")
        ensure_raw_schema(con, aggregate_sources())  # the ledger table, as an old file has it
        for name in ("novax_2016-2025_20260110.csv", "kmd_opera_2016-2025_20260115.csv"):
            con.execute("insert into raw.load_ledger (source_system, file_name, status, loaded_at) "
                        "values (?, ?, 'loaded', ?)", [name.split("_")[0], name, datetime.now()])
        ensure_raw_schema(con, aggregate_sources(), row_tables())
        columns = [r[0] for r in con.execute("select column_name from information_schema.columns where "
                                             "table_schema = 'raw' and table_name = 'novax'").fetchall()]
        assert columns[5:] == list(row_tables()["novax"])
        assert con.execute("select count(*) from raw.novax").fetchone() == (0,)
        assert con.execute("select file_name from raw.load_ledger").fetchall() == [
            ("kmd_opera_2016-2025_20260115.csv",)]
        ensure_raw_schema(con, aggregate_sources(), row_tables())  # a table already in step is left alone
        assert con.execute("select count(*) from raw.load_ledger").fetchone() == (1,)
