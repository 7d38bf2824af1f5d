"""What an evaluator login must not have in the publishing database, and the statistics it must not read.

PostgreSQL gives every role a few things by default that an evaluator of one programme could use against
another programme: TEMP on the database (temporary objects), CREATE on the `public` schema (before 15), and
read access to the planner's and the statistics collector's numbers for every table (`pg_class.reltuples`,
`relpages`, `pg_stat_*`, `pg_statio_*`, `pg_relation_size`…), which give another programme's row counts.
`harden_database` takes them from PUBLIC in this database (the catalog part needs a superuser, the database
part its owner), `lock_down_role` takes TEMP and CREATE from an evaluator role itself, and `remaining_rights`
says in Danish what an evaluator role still has (e.g. when the publisher is no superuser: see
docs/postgresql.md, "Hardening", for what a superuser must run).
"""

from __future__ import annotations

HIDDEN_PG_CLASS_COLUMNS = ("relpages", "reltuples", "relallvisible")
SIZE_FUNCTIONS = ("pg_relation_size", "pg_table_size", "pg_total_relation_size", "pg_indexes_size")
# Per-table, per-index, per-function and per-database counters of the statistics system (they take an oid).
_STATISTICS_FUNCTIONS = """
    select p.oid::pg_catalog.regprocedure::pg_catalog.text from pg_catalog.pg_proc as p
    where p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace
      and ((p.proname like 'pg\\_stat\\_get\\_%%' and 'pg_catalog.oid'::pg_catalog.regtype = any (p.proargtypes))
           or p.proname = any (%s))
    order by 1"""
_STATISTICS_VIEWS = """
    select c.relname from pg_catalog.pg_class as c
    where c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace and c.relkind = 'v'
      and (c.relname like 'pg\\_stat\\_%tables' or c.relname like 'pg\\_stat\\_%indexes'
           or c.relname like 'pg\\_stat\\_%functions' or c.relname like 'pg\\_statio\\_%'
           or c.relname like 'pg\\_stat\\_database%')
    order by 1"""


def _database(pg):
    from psycopg import sql

    return sql.Identifier(pg.execute("select pg_catalog.current_database()").fetchone()[0])


def _database_statements(pg) -> list:
    from psycopg import sql

    statements = [sql.SQL("revoke temporary, create on database {} from public").format(_database(pg))]
    if pg.execute("select 1 from pg_catalog.pg_namespace where nspname = 'public'").fetchone():
        statements.append(sql.SQL("revoke create on schema public from public"))
    return statements


def _catalog_statements(pg) -> list:
    from psycopg import sql

    visible = [c for (c,) in pg.execute(
        "select attname from pg_catalog.pg_attribute where attrelid = 'pg_catalog.pg_class'::pg_catalog.regclass "
        "and attnum > 0 and not attisdropped order by attnum").fetchall() if c not in HIDDEN_PG_CLASS_COLUMNS]
    functions = [f for (f,) in pg.execute(_STATISTICS_FUNCTIONS, [list(SIZE_FUNCTIONS)]).fetchall()]
    views = [v for (v,) in pg.execute(_STATISTICS_VIEWS).fetchall()]
    return [
        sql.SQL("revoke select on pg_catalog.pg_class from public"),
        sql.SQL("grant select ({}) on pg_catalog.pg_class to public").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in visible)),
        sql.SQL("revoke execute on function {} from public").format(sql.SQL(", ").join(
            sql.SQL("pg_catalog.") + sql.SQL(f) for f in functions)),
        sql.SQL("revoke select on {} from public").format(sql.SQL(", ").join(
            sql.Identifier("pg_catalog", v) for v in views)),
    ]


def hardening_sql(pg) -> list[str]:
    """Every statement `harden_database` runs, as text (for a superuser to run by hand)."""
    return [s.as_string(pg) for s in _database_statements(pg) + _catalog_statements(pg)]


def _apply(pg, statements: list) -> None:
    """Run the statements in a savepoint; a user without the rights gets an error or only a WARNING from REVOKE."""
    import psycopg

    try:
        with pg.transaction():  # a savepoint inside the caller's transaction
            for statement in statements:
                pg.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        pass  # what is still missing is found by remaining_rights


def harden_database(pg) -> None:
    """Take from PUBLIC what an evaluator must not have in this database (as far as this user may)."""
    _apply(pg, _database_statements(pg))
    _apply(pg, _catalog_statements(pg))


def remaining_rights(pg, role: str) -> list[str]:
    """Danish warnings for each right the role still has that an evaluator must not have (none when hardened)."""
    checks = {
        "TEMP på databasen (midlertidige objekter)":
            "select pg_catalog.has_database_privilege(%(role)s, pg_catalog.current_database(), 'TEMP')",
        "CREATE på databasen": "select pg_catalog.has_database_privilege(%(role)s, "
                               "pg_catalog.current_database(), 'CREATE')",
        "CREATE i et skema": "select exists (select 1 from pg_catalog.pg_namespace as n "
                             "where pg_catalog.has_schema_privilege(%(role)s, n.oid, 'CREATE'))",
        "tabelstatistikken i pg_class (reltuples)": "select pg_catalog.has_column_privilege(%(role)s, "
                                                     "'pg_catalog.pg_class', 'reltuples', 'SELECT')",
        "statistikfunktionerne (pg_stat_get_live_tuples, pg_relation_size)":
            "select pg_catalog.has_function_privilege(%(role)s, 'pg_catalog.pg_stat_get_live_tuples(oid)', "
            "'EXECUTE') or pg_catalog.has_function_privilege(%(role)s, 'pg_catalog.pg_relation_size(regclass)', "
            "'EXECUTE')",
    }
    left = [what for what, query in checks.items() if pg.execute(query, {"role": role}).fetchone()[0]]
    if not left:
        return []
    return [f"ADVARSEL: {role} har stadig {what}; kør som superbruger eller databasens ejer de sætninger, "
            "docs/postgresql.md nævner under 'Hærdning'" for what in left]


def lock_down_role(pg, role: str) -> None:
    """No TEMP and no CREATE on the database or the public schema for this role itself (PUBLIC is separate)."""
    from psycopg import sql

    statements = [sql.SQL("revoke temporary, create on database {} from {}").format(_database(pg),
                                                                                  sql.Identifier(role))]
    if pg.execute("select 1 from pg_catalog.pg_namespace where nspname = 'public'").fetchone():
        statements.append(sql.SQL("revoke create on schema public from {}").format(sql.Identifier(role)))
    _apply(pg, statements)
