"""Publish the published DuckDB file's tables to PostgreSQL: fresh schema, COPY, audit, swap in one transaction.

The tables are copied from the published DuckDB file (never the internal one), so PostgreSQL holds exactly
what DuckDB evaluators see. Each programme gets its own schema (`plan_id`, default `kpi`):

1. create `<plan>__new` and COPY every table into it (psycopg 3, COPY FROM STDIN);
2. audit it: the contract's tables and columns, the vocabularies, row counts equal to the source, and no
   CPR-shaped text anywhere; a failure drops the new schema and leaves the published one in place;
3. swap in one transaction: lock the old tables (readers finish first and later ones wait), rename the old
   schema away and the new one in, grant the evaluator role, commit; then drop the old schema. A reader
   sees the old version or the new one, never half of each.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.contract_columns import CONTRACT_TABLES, PUBLISHED_TABLES
from pipelines.privacy.detector import contains_cpr, mask_cpr
from pipelines.publish import all_plans
from pipelines.publish.all_plans import evaluator_role
from pipelines.publish.pg_hardening import harden_database, lock_down_role, remaining_rights

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_PG_TYPES = {
    "VARCHAR": "text", "DOUBLE": "double precision", "FLOAT": "real", "BIGINT": "bigint", "INTEGER": "integer",
    "HUGEINT": "numeric", "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz", "VARCHAR[]": "text[]", "DECIMAL": "numeric",
}


class PostgresPublishError(RuntimeError):
    """The publish failed; the message is Danish. The previously published schema is unchanged."""


@dataclass(frozen=True)
class SourceTable:
    name: str
    columns: list[tuple[str, str]]  # (column, DuckDB type)
    rows: int


@dataclass(frozen=True)
class PublishReport:
    schema: str
    tables: dict[str, int]


def check_identifier(name: str, what: str) -> str:
    if not _IDENTIFIER.match(name):
        raise PostgresPublishError(f"Ugyldigt {what} '{name}': brug små bogstaver, tal og _ (højst 41 tegn).")
    return name


def pg_type(duckdb_type: str) -> str:
    base = re.sub(r"\(.*\)", "", duckdb_type.upper())
    if base not in _PG_TYPES:
        raise PostgresPublishError(f"DuckDB-typen {duckdb_type} kan ikke publiceres til PostgreSQL")
    return _PG_TYPES[base]


def source_tables(con: duckdb.DuckDBPyConnection) -> list[SourceTable]:
    """Every table of the published file's main schema, contract tables first."""
    names = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by table_name"
    ).fetchall()]
    ordered = [n for n in PUBLISHED_TABLES if n in names] + [n for n in names if n not in PUBLISHED_TABLES]
    tables = []
    for name in ordered:
        columns = [(c, t) for c, t in con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'main' "
            "and table_name = ? order by ordinal_position", [name]).fetchall()]
        rows = con.execute(f'select count(*) from main."{name}"').fetchone()[0]
        tables.append(SourceTable(name, columns, rows))
    return tables


def _rows(con: duckdb.DuckDBPyConnection, table: SourceTable, batch: int = 10_000) -> Iterator[tuple]:
    cursor = con.execute(f'select * from main."{table.name}"')
    while chunk := cursor.fetchmany(batch):
        yield from chunk


def _copy_into(pg, duck: duckdb.DuckDBPyConnection, schema: str, table: SourceTable) -> None:
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(pg_type(t))) for c, t in table.columns)
    pg.execute(sql.SQL("create table {}.{} ({})").format(sql.Identifier(schema), sql.Identifier(table.name),
                                                         columns))
    names = sql.SQL(", ").join(sql.Identifier(c) for c, _ in table.columns)
    with pg.cursor().copy(sql.SQL("copy {}.{} ({}) from stdin").format(
            sql.Identifier(schema), sql.Identifier(table.name), names)) as copy:
        for row in _rows(duck, table):
            copy.write_row(row)


def audit_problems(pg, schema: str, tables: list[SourceTable]) -> list[str]:
    """What must stop the swap: contract columns, row counts, vocabularies, CPR-shaped text."""
    from psycopg import sql

    from pipelines.publish.contract_audit import VOCABULARIES

    problems = []
    have = {name: [c for (c,) in pg.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s "
        "order by ordinal_position", [schema, name]).fetchall()] for name in {t.name for t in tables}}
    for name in CONTRACT_TABLES:
        if name not in have:
            problems.append(f"tabellen {name} mangler")
    for name, columns in PUBLISHED_TABLES.items():
        if name in have and (missing := [c for c in columns if c not in have[name]]):
            problems.append(f"{name}: kolonnerne {missing} fra kontrakten mangler")
    for table in tables:
        if have.get(table.name) != [c for c, _ in table.columns]:
            problems.append(f"{table.name}: kolonnerne {have.get(table.name)} svarer ikke til DuckDB-filens")
        count = pg.execute(sql.SQL("select count(*) from {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table.name))).fetchone()[0]
        if count != table.rows:
            problems.append(f"{table.name}: {count} rækker i PostgreSQL, {table.rows} i DuckDB-filen")
    for (name, column), allowed in VOCABULARIES.items():
        if name not in have or column not in have[name]:
            continue
        bad = pg.execute(sql.SQL("select distinct {c}::text from {s}.{t} where {c} is not null "
                                 "and not ({c}::text = any(%s))").format(
            c=sql.Identifier(column), s=sql.Identifier(schema), t=sql.Identifier(name)), [sorted(allowed)]).fetchall()
        if bad:
            problems.append(f"{name}.{column}: værdier uden for kontrakten {sorted(mask_cpr(v) for (v,) in bad)[:5]}")
    for table in tables:
        for column, kind in table.columns:
            if not kind.upper().startswith("VARCHAR"):
                continue
            values = pg.execute(sql.SQL("select distinct {c}::text from {s}.{t} where {c} is not null").format(
                c=sql.Identifier(column), s=sql.Identifier(schema), t=sql.Identifier(table.name))).fetchall()
            if any(contains_cpr(value) for (value,) in values):  # the one detector, as the DuckDB audit
                problems.append(f"{table.name}.{column}: CPR-lignende værdi")
    return problems


def _role_exists(pg, role: str) -> bool:
    return pg.execute("select 1 from pg_catalog.pg_roles where rolname = %s", [role]).fetchone() is not None


def _column_types(pg, schema: str) -> dict[str, dict[str, str]]:
    types: dict[str, dict[str, str]] = {}
    for table, column, kind in pg.execute(
            "select table_name, column_name, format_type(a.atttypid, a.atttypmod) from information_schema.columns c "
            "join pg_attribute a on a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))"
            "::regclass and a.attname = c.column_name where c.table_schema = %s", [schema]).fetchall():
        types.setdefault(table, {})[column] = kind
    return types


def _grant_evaluators(pg, schema: str) -> None:
    """The programme's evaluator role reads its schema; every evaluator role reads the all_plans views."""
    if _role_exists(pg, evaluator_role(schema)):
        grant_read(pg, schema, evaluator_role(schema))
    for (plan_id,) in pg.execute(f"select plan_id from {all_plans.DATA_SCHEMA}.plans").fetchall():
        if _role_exists(pg, evaluator_role(plan_id)):
            all_plans.grant_all_plans(pg, evaluator_role(plan_id))
            lock_down_role(pg, evaluator_role(plan_id))
    if _role_exists(pg, all_plans.OVERVIEW_ROLE):  # a table new to all_plans reaches the overview too
        all_plans.grant_overview(pg)


def _swap(pg, new_schema: str, schema: str, old_schema: str) -> None:
    from psycopg import sql

    existing = [r[0] for r in pg.execute(
        "select tablename from pg_tables where schemaname = %s", [schema]).fetchall()]
    if existing:
        pg.execute(sql.SQL("lock table {} in access exclusive mode").format(
            sql.SQL(", ").join(sql.Identifier(schema, t) for t in existing)))
        pg.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(schema), sql.Identifier(old_schema)))
    elif pg.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone():
        pg.execute(sql.SQL("drop schema {}").format(sql.Identifier(schema)))
    pg.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(new_schema), sql.Identifier(schema)))
    all_plans.refresh_plan_rows(pg, schema, _column_types(pg, schema))
    _grant_evaluators(pg, schema)


def _yielding_to_readers(pg, step, attempts: int = 50) -> None:
    """Run one transaction step; if it deadlocks with a reader, this side gives way and tries again.

    Readers lock the tables of a query in their own order, and the swap (or the drop) locks them all, so a
    deadlock between them is possible. With a short deadlock_timeout this session is the one PostgreSQL
    picks to abort, so an evaluator's query never fails because of a publish.
    """
    import psycopg

    for attempt in range(attempts):
        try:
            pg.execute("set local deadlock_timeout = '50ms'")
            step()
            pg.commit()
            return
        except psycopg.errors.DeadlockDetected:
            pg.rollback()
            time.sleep(0.05 * (attempt + 1))
    raise PostgresPublishError("PostgreSQL-skiftet kunne ikke få låsene (læsere holdt dem hele tiden); prøv igen")


def grant_read(pg, schema: str, role: str) -> None:
    from psycopg import sql

    pg.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
    pg.execute(sql.SQL("grant select on all tables in schema {} to {}").format(sql.Identifier(schema),
                                                                               sql.Identifier(role)))


def publish_to_postgres(published: Path, dsn: str, plan_id: str = "kpi") -> PublishReport:
    """Copy into a fresh schema, audit it, swap it in; on any failure the published schema stays as it was."""
    import psycopg
    from psycopg import sql

    schema = check_identifier(plan_id, "programnavn (plan_id)")
    new_schema, old_schema = f"{schema}__new", f"{schema}__old"
    duck = duckdb.connect(str(published), read_only=True)
    try:
        tables = source_tables(duck)
        with psycopg.connect(dsn, autocommit=False) as pg:
            harden_database(pg)  # init_roles tells what a publisher without the rights could not do
            pg.commit()
            for leftover in (new_schema, old_schema):
                pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(leftover)))
            pg.execute(sql.SQL("create schema {}").format(sql.Identifier(new_schema)))
            for table in tables:
                _copy_into(pg, duck, new_schema, table)
            problems = audit_problems(pg, new_schema, tables)
            if problems:
                pg.rollback()
                raise PostgresPublishError("PostgreSQL-publiceringen blev stoppet af kontrolen: " + "; ".join(problems))
            pg.commit()
            _yielding_to_readers(pg, lambda: _swap(pg, new_schema, schema, old_schema))
            _yielding_to_readers(pg, lambda: pg.execute(
                sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(old_schema))))
    except psycopg.Error as exc:
        raise PostgresPublishError(f"PostgreSQL svarede med en fejl: {str(exc).strip().splitlines()[0]}") from exc
    finally:
        duck.close()
    return PublishReport(schema, {t.name: t.rows for t in tables})


def init_roles(dsn: str, plan_id: str = "kpi", login: str | None = None, password: str | None = None) -> list[str]:
    """Create the programme's read-only evaluator role (and optionally a login in it); returns what was done."""
    import psycopg
    from psycopg import sql

    plan_id = check_identifier(plan_id, "programnavn (plan_id)")
    role = evaluator_role(plan_id)
    done = []
    try:
        with psycopg.connect(dsn, autocommit=False) as pg:
            if not _role_exists(pg, role):
                pg.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
                done.append(f"oprettede rollen {role} (kun læseadgang)")
            database = pg.execute("select pg_catalog.current_database()").fetchone()[0]
            pg.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database),
                                                                           sql.Identifier(role)))
            harden_database(pg)
            lock_down_role(pg, role)
            if pg.execute("select 1 from pg_namespace where nspname = %s", [plan_id]).fetchone():
                grant_read(pg, plan_id, role)
                done.append(f"{role} kan læse skemaet {plan_id}")
            all_plans.grant_all_plans(pg, role)
            if login:
                done.append(_add_login(pg, role, login, password))
            done.extend(remaining_rights(pg, login or role))
            pg.commit()
    except psycopg.Error as exc:
        raise PostgresPublishError(f"PostgreSQL svarede med en fejl: {str(exc).strip().splitlines()[0]}") from exc
    return done


def _add_login(pg, role: str, login: str, password: str | None) -> str:
    """Create (or alter) a login, make it a member of `role` and take TEMP and CREATE from it."""
    from psycopg import sql

    login = check_identifier(login, "brugernavn")
    verb = "alter" if _role_exists(pg, login) else "create"
    statement = sql.SQL(verb + " role {} login").format(sql.Identifier(login))
    if password:
        statement = sql.SQL(verb + " role {} login password {}").format(sql.Identifier(login), sql.Literal(password))
    pg.execute(statement)
    pg.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(login)))
    lock_down_role(pg, login)
    return f"brugeren {login} er medlem af {role}"


def init_overview_role(dsn: str, login: str | None = None, password: str | None = None) -> list[str]:
    """Create the overview role of an owner of many programmes (every programme's kpi_status and data_gaps
    through all_plans, nothing else), and optionally a login in it; returns what was done."""
    import psycopg
    from psycopg import sql

    role = all_plans.OVERVIEW_ROLE
    done = []
    try:
        with psycopg.connect(dsn, autocommit=False) as pg:
            if not _role_exists(pg, role):
                pg.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
                done.append(f"oprettede rollen {role} (læser alle programmers "
                            + " og ".join(all_plans.OVERVIEW_TABLES) + ")")
            database = pg.execute("select pg_catalog.current_database()").fetchone()[0]
            pg.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(database),
                                                                           sql.Identifier(role)))
            harden_database(pg)
            lock_down_role(pg, role)
            all_plans.grant_overview(pg)
            if login:
                done.append(_add_login(pg, role, login, password))
            done.extend(remaining_rights(pg, login or role))
            pg.commit()
    except psycopg.Error as exc:
        raise PostgresPublishError(f"PostgreSQL svarede med en fejl: {str(exc).strip().splitlines()[0]}") from exc
    return done
