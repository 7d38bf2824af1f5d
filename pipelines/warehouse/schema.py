"""DDL of the raw layer in the internal build file. dbt reads these tables as sources."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.ingest.parsers.base import OBSERVATION_SCHEMA

_DUCKDB_TYPES = {"Utf8": "varchar", "String": "varchar", "Date": "date", "Float64": "double",
                 "Boolean": "boolean", "Int64": "bigint", "Int32": "integer"}

LEDGER_DDL = """
create table if not exists raw.load_ledger (
    source_system varchar not null,
    file_name varchar not null primary key,
    file_type varchar,
    period_token varchar,
    period_start date,
    period_end date,
    sha256 varchar,
    rows_loaded bigint not null default 0,
    status varchar not null,
    error varchar,
    warnings varchar,
    delivered_at date,
    loaded_at timestamp not null,
    superseded_by varchar
)
"""
DELIVERY_GAPS_DDL = """
create table if not exists raw.delivery_gaps (
    source_system varchar not null,
    file_name varchar not null,
    gap_type varchar not null,
    detail varchar not null,
    recorded_at timestamp not null
)
"""
DELIVERY_COLUMNS = "source_system varchar, source_file varchar, sha256 varchar, delivered_at date, loaded_at timestamp"


def observation_table_ddl(source_system: str) -> str:
    columns = ", ".join(f"{name} {_DUCKDB_TYPES[str(dtype)]}" for name, dtype in OBSERVATION_SCHEMA.items())
    return f"create table if not exists raw.{source_system} ({DELIVERY_COLUMNS}, {columns})"


def row_table_ddl(table: str, schema: dict[str, pl.DataType]) -> str:
    """A raw table of a source parsed row by row (person-level sources): delivery stamps, then its columns."""
    columns = ", ".join(f"{name} {_DUCKDB_TYPES[str(dtype)]}" for name, dtype in schema.items())
    return f"create table if not exists raw.{table} ({DELIVERY_COLUMNS}, {columns})"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, aggregate_sources: list[str],
                      row_tables: dict[str, dict[str, pl.DataType]] | None = None) -> None:
    con.execute("create schema if not exists raw")
    con.execute(LEDGER_DDL)
    con.execute(DELIVERY_GAPS_DDL)
    for source_system in aggregate_sources:
        con.execute(observation_table_ddl(source_system))
    for table, schema in (row_tables or {}).items():
        con.execute(row_table_ddl(table, schema))
        for name, dtype in schema.items():  # a column a parser gained since the table was made (NULL before)
            con.execute(f"alter table raw.{table} add column if not exists {name} {_DUCKDB_TYPES[str(dtype)]}")
