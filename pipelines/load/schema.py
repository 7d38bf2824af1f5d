"""DDL of the raw layer in the internal build file. dbt reads these tables as sources."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.parse.base import OBSERVATION_SCHEMA

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
# The run's parameters that models read as data rather than as dbt vars: a var that changes every night
# (the as-of date) invalidates dbt's partial parse, so each new day would re-parse the whole project (~13 s).
RUN_PARAMETERS_DDL = "create table if not exists raw.run_parameters (as_of date not null)"
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
    con.execute(RUN_PARAMETERS_DDL)
    for source_system in aggregate_sources:
        con.execute(observation_table_ddl(source_system))
    for table, schema in (row_tables or {}).items():
        read_again_if_columns_changed(con, table, schema)
        con.execute(row_table_ddl(table, schema))


def write_run_parameters(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """The one row of raw.run_parameters: the day this build evaluates as of (dbt source `run.run_parameters`)."""
    con.execute("delete from raw.run_parameters")
    con.execute("insert into raw.run_parameters (as_of) values (?)", [as_of])


def read_again_if_columns_changed(con: duckdb.DuckDBPyConnection, table: str, schema: dict[str, pl.DataType]) -> None:
    """A person-level raw table whose columns changed is dropped and its files are read again from the inbox.

    Used when a column is no longer kept (data minimisation, e.g. raw.novax's visit dates): the old rows must
    go, and only the delivery can give the new columns (a keyed visit id needs the key and the date). The
    files' ledger rows are removed, so the run finds them as new deliveries; a file no longer in the inbox
    loses its rows.
    """
    expected = [c.split()[0] for c in DELIVERY_COLUMNS.split(", ")] + list(schema)
    have = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_catalog = current_database()"
        " and table_schema = 'raw' and table_name = ? order by ordinal_position", [table]).fetchall()]
    if not have or have == expected:
        return
    con.execute(f"delete from raw.load_ledger where file_name in (select distinct source_file from raw.{table})")
    con.execute(f"drop table raw.{table}")
