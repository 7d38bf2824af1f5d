"""The published interface (warehouse_contract.md): tables, columns and vocabularies, checked before publishing."""

from __future__ import annotations

import duckdb

from pipelines.contract_columns import PUBLISHED_TABLES
from pipelines.privacy.detector import contains_cpr


def contract_problems(con: duckdb.DuckDBPyConnection, schema: str = "main", catalog: str | None = None) -> list[str]:
    """Problems that must stop a publish: a missing table or column, or a CPR-shaped text anywhere."""
    prefix = f"{catalog}." if catalog else ""
    catalog_name = catalog or con.execute("select current_database()").fetchone()[0]
    problems = []
    for table, columns in PUBLISHED_TABLES.items():
        have = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = ?"
            " and table_schema = ? and table_name = ? order by ordinal_position",
            [catalog_name, schema, table]).fetchall()]
        if have != columns:
            problems.append(f"{table}: columns {have} differ from the contract {columns}")
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and data_type = 'VARCHAR'", [catalog_name, schema]
    ).fetchall():
        values = con.execute(f'select distinct "{column}" from {prefix}{schema}."{table}" where "{column}" is not null')
        if any(contains_cpr(str(v)) for (v,) in values.fetchall()):
            problems.append(f"{table}.{column}: CPR-shaped value")
    return problems
